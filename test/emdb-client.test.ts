/**
 * The EMDB client and cache against a real HTTP server on 127.0.0.1 that serves real fixture files (EMD-3197,
 * gzipped here) and misbehaves on purpose. Each fault ends in the documented error or fallback, and the cache
 * directory never holds a partial or corrupt file afterwards.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { defaultCacheDir, FileCache, sha256Hex } from "../data-loaders/emdb/cache.js";
import { EmdbDataError, EmdbNotFoundError, fetchMetadata } from "../data-loaders/emdb/emdb-client.js";
import { parseEmdbJson } from "../data-loaders/emdb/emdb-metadata.js";
import { fetchEmdbEntry, loadHalfMaps, NoCachedCopyError, type ResolveOptions } from "../data-loaders/emdb/resolve-entry.js";
import { startFaultServer, type FaultServer } from "./helpers/fault-server.js";

const repo = (path: string) => new URL(`../${path}`, import.meta.url);
const MAP = new Uint8Array(readFileSync(repo("data/maps/emd_3197.map")));
const MAP_GZ = new Uint8Array(gzipSync(MAP));
const ENTRY_JSON = readFileSync(repo("test/fixtures/emdb/EMD-1997.json"), "utf8").replaceAll("1997", "3197");
const ID = "EMD-3197";
const MAP_PATH = "/files/EMD-3197/map/emd_3197.map.gz";
const API_PATH = "/api/entry/EMD-3197";
const XML_PATH = "/files/EMD-3197/header/emd-3197.xml";

let server: FaultServer;
let cacheDir: string;
let logs: string[];

beforeAll(async () => {
  server = await startFaultServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  cacheDir = mkdtempSync(join(tmpdir(), "mapval-cache-test-"));
  logs = [];
});
afterEach(() => {
  rmSync(cacheDir, { recursive: true, force: true });
});

function options(extra: Partial<ResolveOptions> = {}): ResolveOptions {
  return {
    filesBaseUrl: `${server.origin}/files`,
    apiBaseUrl: `${server.origin}/api`,
    timeoutMs: 300,
    attempts: 3,
    backoffMs: 5,
    cache: new FileCache(cacheDir),
    log: (line) => logs.push(line),
    ...extra,
  };
}

/** Every file under the cache directory, relative, sorted. */
function cacheContents(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : [relative(cacheDir, path)];
    });
  return walk(cacheDir).sort();
}

const COMPLETE_CACHE = [
  "emdb/EMD-3197/emd_3197.map.gz",
  "emdb/EMD-3197/emd_3197.map.gz.record.json",
  "emdb/EMD-3197/entry.json",
  "emdb/EMD-3197/entry.json.record.json",
];

function serveGoodEntry(): void {
  server.route(MAP_PATH, { kind: "ok", body: MAP_GZ });
  server.route(API_PATH, { kind: "ok", body: ENTRY_JSON, contentType: "application/json" });
  server.route(XML_PATH, { kind: "status", status: 404 });
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a failure");
}

describe("downloads", () => {
  it("downloads, verifies and caches the map and metadata, then serves them from the cache without the network", async () => {
    serveGoodEntry();
    const first = await fetchEmdbEntry(ID, options());
    expect(first.origin).toBe("download");
    expect(first.bytes).toEqual(MAP_GZ);
    expect(first.sha256).toBe(sha256Hex(MAP_GZ));
    expect(first.metadata).toMatchObject({ emdbId: ID, format: "rest-json", resolution: 7, contourLevel: 1 });
    expect(cacheContents()).toEqual(COMPLETE_CACHE);
    const record = JSON.parse(readFileSync(join(cacheDir, COMPLETE_CACHE[1]!), "utf8"));
    expect(record).toMatchObject({ sha256: sha256Hex(MAP_GZ), bytes: MAP_GZ.length, url: `${server.origin}${MAP_PATH}` });

    const hitsBefore = server.hits(MAP_PATH);
    const second = await fetchEmdbEntry(ID, options());
    expect(second.origin).toBe("cache");
    expect(second.bytes).toEqual(MAP_GZ);
    expect(second.metadata?.title).toBe(first.metadata?.title);
    expect(server.hits(MAP_PATH)).toBe(hitsBefore);
    expect(logs).toEqual([]);
  });

  it("404: 'not found in EMDB', no retry, nothing cached", async () => {
    server.route(MAP_PATH, { kind: "status", status: 404 });
    const before = server.hits(MAP_PATH);
    const error = await failure(fetchEmdbEntry(ID, options()));
    expect(error).toBeInstanceOf(EmdbNotFoundError);
    expect(error.message).toBe("EMD-3197: not found in EMDB");
    expect(server.hits(MAP_PATH) - before).toBe(1);
    expect(cacheContents()).toEqual([]);
  });

  it("500 then success: retried with backoff", async () => {
    serveGoodEntry();
    server.route(MAP_PATH, { kind: "status", status: 500 }, { kind: "status", status: 503 }, { kind: "ok", body: MAP_GZ });
    const before = server.hits(MAP_PATH);
    const result = await fetchEmdbEntry(ID, options());
    expect(result.origin).toBe("download");
    expect(server.hits(MAP_PATH) - before).toBe(3);
    expect(cacheContents()).toEqual(COMPLETE_CACHE);
  });

  it("5xx on every attempt: bounded retries, then 'no cached copy'", async () => {
    server.route(MAP_PATH, { kind: "status", status: 502 });
    const before = server.hits(MAP_PATH);
    const error = await failure(fetchEmdbEntry(ID, options()));
    expect(error).toBeInstanceOf(NoCachedCopyError);
    expect(error.message).toMatch(/^EMD-3197: network unreachable \(HTTP 502 from .* after 3 attempts\); no cached copy; add the file to the entries config$/);
    expect(server.hits(MAP_PATH) - before).toBe(3);
    expect(cacheContents()).toEqual([]);
  });

  it("connection reset mid-body: retried; a reset every time leaves nothing cached", async () => {
    serveGoodEntry();
    server.route(MAP_PATH, { kind: "reset", body: MAP_GZ, after: 10_000 }, { kind: "ok", body: MAP_GZ });
    expect((await fetchEmdbEntry(ID, options())).bytes).toEqual(MAP_GZ);
    rmSync(join(cacheDir, "emdb"), { recursive: true });

    server.route(MAP_PATH, { kind: "reset", body: MAP_GZ, after: 10_000 });
    const error = await failure(fetchEmdbEntry(ID, options({ attempts: 2 })));
    expect(error).toBeInstanceOf(NoCachedCopyError);
    expect(error.message).toMatch(/network unreachable .*after 2 attempts/);
    expect(cacheContents()).toEqual([]);
  });

  it("truncated gzip (complete transfer of a damaged file): corrupt-map error, no retry, nothing cached", async () => {
    server.route(MAP_PATH, { kind: "ok", body: MAP_GZ.subarray(0, MAP_GZ.length - 2000) });
    const before = server.hits(MAP_PATH);
    const error = await failure(fetchEmdbEntry(ID, options()));
    expect(error).toBeInstanceOf(EmdbDataError);
    expect(error.message).toMatch(/^EMD-3197: the map is not valid \(/);
    expect(server.hits(MAP_PATH) - before).toBe(1);
    expect(cacheContents()).toEqual([]);
  });

  it("Content-Length larger than the body: retried as a broken transfer, nothing cached", async () => {
    server.route(MAP_PATH, { kind: "wrong-length", body: MAP_GZ.subarray(0, 5000), declared: MAP_GZ.length });
    const before = server.hits(MAP_PATH);
    const error = await failure(fetchEmdbEntry(ID, options({ attempts: 2 })));
    expect(error).toBeInstanceOf(NoCachedCopyError);
    expect(server.hits(MAP_PATH) - before).toBe(2);
    expect(cacheContents()).toEqual([]);
  });

  it("Content-Length smaller than the body: the short body fails verification, nothing cached", async () => {
    server.route(MAP_PATH, { kind: "wrong-length", body: MAP_GZ, declared: 4096 });
    const error = await failure(fetchEmdbEntry(ID, options()));
    expect(error).toBeInstanceOf(EmdbDataError);
    expect(cacheContents()).toEqual([]);
  });

  it("a stalled server times out (before headers are complete, and mid-body), nothing cached", async () => {
    server.route(MAP_PATH, { kind: "stall", body: MAP_GZ, after: 8000 });
    const started = Date.now();
    const error = await failure(fetchEmdbEntry(ID, options({ timeoutMs: 150, attempts: 2 })));
    expect(error).toBeInstanceOf(NoCachedCopyError);
    expect(error.message).toMatch(/no data for 150 ms/);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(cacheContents()).toEqual([]);

    server.route(MAP_PATH, { kind: "stall", body: MAP_GZ, after: 0 });
    const stalledHeaders = await failure(fetchEmdbEntry(ID, options({ timeoutMs: 150, attempts: 1 })));
    expect(stalledHeaders.message).toMatch(/no data for 150 ms .*after 1 attempt\)/);
    expect(cacheContents()).toEqual([]);
  });

  it("a server trickling bytes is given up on at the minimum rate, not after as many seconds as the file has bytes", async () => {
    server.route(MAP_PATH, { kind: "trickle", body: MAP_GZ, intervalMs: 20 });
    const started = Date.now();
    const error = await failure(fetchEmdbEntry(ID, options({ timeoutMs: 300, minBytesPerSecond: 1000, attempts: 1 })));
    expect(error).toBeInstanceOf(NoCachedCopyError);
    expect(error.message).toMatch(/sent \d+ bytes in 0\.\d s, below the minimum of 1000 bytes\/s/);
    expect(Date.now() - started).toBeLessThan(2000); // the whole file at 50 bytes/s would take minutes
    expect(cacheContents()).toEqual([]);
  });

  it("a body sent with Content-Encoding gzip is refused as such (its bytes are not the file), without retries", async () => {
    server.route(MAP_PATH, { kind: "ok", body: new Uint8Array(gzipSync(MAP_GZ)), headers: { "content-encoding": "gzip" } });
    const before = server.hits(MAP_PATH);
    const error = await failure(fetchEmdbEntry(ID, options()));
    expect(error).toBeInstanceOf(EmdbDataError);
    expect(error.message).toMatch(/was sent with Content-Encoding gzip although identity was asked/);
    expect(server.hits(MAP_PATH) - before).toBe(1);
    expect(cacheContents()).toEqual([]);
  });

  it("a port fetch refuses (bad port) is not retried as a network fault", async () => {
    const started = Date.now();
    const error = await failure(fetchEmdbEntry(ID, options({ filesBaseUrl: "http://127.0.0.1:6000/files", backoffMs: 1000 })));
    expect(error).toBeInstanceOf(NoCachedCopyError);
    expect(error.message).toMatch(/bad port .*check MAPVAL_EMDB_BASE_URL/);
    expect(Date.now() - started).toBeLessThan(900); // no backoff: one attempt
  });

  it("gzip bomb: stops at the size the map header declares and rejects the rest; nothing cached", async () => {
    const padded = new Uint8Array(MAP.length + 64 * 1024 * 1024);
    padded.set(MAP);
    const bomb = new Uint8Array(gzipSync(padded, { level: 1 }));
    expect(bomb.length).toBeLessThan(padded.length / 100);
    server.route(MAP_PATH, { kind: "ok", body: bomb });
    const error = await failure(fetchEmdbEntry(ID, options()));
    expect(error).toBeInstanceOf(EmdbDataError);
    expect(error.message).toMatch(/gzip stream continues/);
    expect(cacheContents()).toEqual([]);
  });

  it("a map larger than maxMapBytes is rejected from its header, before it is inflated", async () => {
    server.route(MAP_PATH, { kind: "ok", body: MAP_GZ });
    const error = await failure(fetchEmdbEntry(ID, options({ maxMapBytes: 30_000 })));
    expect(error).toBeInstanceOf(EmdbDataError);
    expect(cacheContents()).toEqual([]);
  });
});

describe("cache", () => {
  it("network unreachable on refresh: uses the cached copy and says from when", async () => {
    serveGoodEntry();
    await fetchEmdbEntry(ID, options());
    server.route(MAP_PATH, { kind: "status", status: 503 });
    const result = await fetchEmdbEntry(ID, options({ refresh: true, attempts: 2 }));
    expect(result.origin).toBe("cache");
    expect(result.bytes).toEqual(MAP_GZ);
    const today = new Date().toISOString().slice(0, 10);
    expect(logs).toEqual([`EMD-3197: network unreachable: using cached copy from ${today}`]);
    expect(cacheContents()).toEqual(COMPLETE_CACHE);
  });

  it("a corrupt cached map (bytes changed after the record) is detected, deleted and fetched again", async () => {
    serveGoodEntry();
    await fetchEmdbEntry(ID, options());
    const mapFile = join(cacheDir, COMPLETE_CACHE[0]!);
    const damaged = readFileSync(mapFile);
    damaged[100] ^= 0xff;
    writeFileSync(mapFile, damaged);
    const before = server.hits(MAP_PATH);
    const result = await fetchEmdbEntry(ID, options());
    expect(result.origin).toBe("download");
    expect(server.hits(MAP_PATH) - before).toBe(1);
    expect(new Uint8Array(readFileSync(mapFile))).toEqual(MAP_GZ);
  });

  it("a map without its record (an interrupted write) is not trusted", async () => {
    serveGoodEntry();
    const cache = new FileCache(cacheDir);
    const key = "emdb/EMD-3197/emd_3197.map.gz";
    await cache.write(key, MAP_GZ, null);
    rmSync(join(cacheDir, `${key}.record.json`));
    expect(await cache.read(key)).toBeNull();
    expect(cacheContents()).toEqual([]);
    expect((await fetchEmdbEntry(ID, options())).origin).toBe("download");
  });

  it("offline: the cached copy, else 'no cached copy; add the file to the entries config'", async () => {
    const before = server.hits(MAP_PATH);
    const error = await failure(fetchEmdbEntry(ID, options({ offline: true })));
    expect(error.message).toBe("EMD-3197: offline; no cached copy; add the file to the entries config");
    expect(server.hits(MAP_PATH)).toBe(before);
    serveGoodEntry();
    await fetchEmdbEntry(ID, options());
    expect((await fetchEmdbEntry(ID, options({ offline: true, refresh: true }))).origin).toBe("cache");
  });

  it("cache keys cannot leave the cache directory; the directory comes from the environment", () => {
    const cache = new FileCache(cacheDir);
    expect(() => cache.pathOf("../outside")).toThrow(/invalid cache key/);
    expect(() => cache.pathOf("emdb/x.partial-1")).toThrow(/invalid cache key/);
    expect(defaultCacheDir({ MAPVAL_CACHE_DIR: "/c" })).toBe("/c");
    expect(defaultCacheDir({ XDG_CACHE_HOME: "/x" })).toBe(join("/x", "mapval"));
    expect(defaultCacheDir({ HOME: "/h" })).toMatch(/\.cache[\\/]mapval$/);
  });
});

describe("metadata", () => {
  it("falls back to the header XML when the REST API fails", async () => {
    const xml = readFileSync(repo("test/fixtures/emdb/emd-3197-v3.xml"), "utf8");
    server.route(API_PATH, { kind: "status", status: 500 });
    server.route(XML_PATH, { kind: "ok", body: xml, contentType: "application/xml" });
    const result = await fetchMetadata(ID, options());
    expect(result.kind).toBe("xml");
    expect(result.metadata).toMatchObject({ format: "xml-v3", contourLevel: 2.5, dimensions: [20, 20, 20] });
  });

  it("metadata for another entry is not used: the header XML is tried instead", async () => {
    server.route(API_PATH, { kind: "ok", body: readFileSync(repo("test/fixtures/emdb/EMD-1997.json"), "utf8") });
    server.route(XML_PATH, { kind: "ok", body: readFileSync(repo("test/fixtures/emdb/emd-3197-v3.xml"), "utf8") });
    expect((await fetchMetadata(ID, options())).kind).toBe("xml");
    server.route(XML_PATH, { kind: "status", status: 404 });
    await expect(fetchMetadata(ID, options())).rejects.toThrow(
      "EMD-3197: no usable metadata (metadata is for EMD-1997, not EMD-3197; not found in EMDB)",
    );
  });

  it("404 from both the API and the header: not found", async () => {
    server.route(API_PATH, { kind: "status", status: 404 });
    server.route(XML_PATH, { kind: "status", status: 404 });
    await expect(fetchMetadata(ID, options())).rejects.toThrow("EMD-3197: not found in EMDB");
  });

  it("absurd and missing fields reach the caller as named issues; the map is still cached", async () => {
    server.route(MAP_PATH, { kind: "ok", body: MAP_GZ });
    server.route(API_PATH, { kind: "ok", body: readFileSync(repo("test/fixtures/emdb/EMD-3197-absurd.json"), "utf8") });
    const absurd = await fetchEmdbEntry(ID, options());
    expect(absurd.metadata?.resolution).toBeNull();
    expect(absurd.metadata?.issues.map((i) => i.code)).toContain("resolution-absurd");
    expect(absurd.metadata?.issues.map((i) => i.code)).toContain("contour-above-maximum");

    rmSync(join(cacheDir, "emdb"), { recursive: true });
    server.route(API_PATH, { kind: "ok", body: readFileSync(repo("test/fixtures/emdb/EMD-3197-missing.json"), "utf8") });
    const missing = await fetchEmdbEntry(ID, options());
    expect(missing.metadata).toMatchObject({ title: null, resolution: null, contourLevel: null });
    expect(cacheContents()).toEqual(COMPLETE_CACHE);
  });

  it("metadata that cannot be read at all leaves the map usable, with a one-line notice", async () => {
    server.route(MAP_PATH, { kind: "ok", body: MAP_GZ });
    server.route(API_PATH, { kind: "ok", body: "<html>maintenance</html>" });
    server.route(XML_PATH, { kind: "status", status: 404 });
    const result = await fetchEmdbEntry(ID, options());
    expect(result.metadata).toBeNull();
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/^EMD-3197: no metadata \(no usable metadata \(metadata is not valid JSON/);
    expect(cacheContents()).toEqual(COMPLETE_CACHE.slice(0, 2));
  });
});

describe("half maps listed in the metadata", () => {
  const HALVES_JSON = readFileSync(repo("test/fixtures/emdb/EMD-3197-halves.json"), "utf8");
  const HALF_PATHS = [1, 2].map((k) => `/files/EMD-3197/other/emd_3197_half_map_${k}.map.gz`);
  // Two different valid maps: EMD-3197, and a copy with its last voxel changed.
  const HALF2 = MAP.slice();
  new DataView(HALF2.buffer).setFloat32(HALF2.length - 4, 1.5, true);
  const HALF_GZ = [MAP_GZ, new Uint8Array(gzipSync(HALF2))];
  const emdbHalves = { halfMaps: { kind: "emdb" as const, emdbId: ID }, emdbMetadata: null };

  function serveHalves(): void {
    server.route(API_PATH, { kind: "ok", body: HALVES_JSON, contentType: "application/json" });
    HALF_PATHS.forEach((path, k) => server.route(path, { kind: "ok", body: HALF_GZ[k]! }));
  }

  it("fetches the first two from the entry's other/ folder into the cache, verified, then serves them offline", async () => {
    serveHalves();
    const loaded = await loadHalfMaps(emdbHalves, options());
    expect(loaded).toMatchObject({
      status: "loaded", source: "EMDB EMD-3197 (interpretation.half_map_list)",
      half1: { name: "emd_3197_half_map_1.map.gz", origin: "download", sha256: sha256Hex(HALF_GZ[0]!) },
      half2: { name: "emd_3197_half_map_2.map.gz", origin: "download", sha256: sha256Hex(HALF_GZ[1]!) },
    });
    if (loaded?.status !== "loaded") throw new Error("expected both halves");
    expect(loaded.half2.bytes).toEqual(HALF_GZ[1]);
    expect(cacheContents()).toEqual([
      "emdb/EMD-3197/entry.json", "emdb/EMD-3197/entry.json.record.json",
      "emdb/EMD-3197/other/emd_3197_half_map_1.map.gz", "emdb/EMD-3197/other/emd_3197_half_map_1.map.gz.record.json",
      "emdb/EMD-3197/other/emd_3197_half_map_2.map.gz", "emdb/EMD-3197/other/emd_3197_half_map_2.map.gz.record.json",
    ]);
    const hits = [API_PATH, ...HALF_PATHS].map((path) => server.hits(path));
    const offline = await loadHalfMaps(emdbHalves, options({ offline: true }));
    expect(offline).toMatchObject({ status: "loaded", half1: { origin: "cache" }, half2: { origin: "cache", sha256: sha256Hex(HALF_GZ[1]!) } });
    expect([API_PATH, ...HALF_PATHS].map((path) => server.hits(path))).toEqual(hits);
    // Network down on refresh: the cached copies stand in, each named.
    server.route(API_PATH, { kind: "status", status: 503 });
    HALF_PATHS.forEach((path) => server.route(path, { kind: "status", status: 503 }));
    server.route(XML_PATH, { kind: "status", status: 503 });
    expect(await loadHalfMaps(emdbHalves, options({ refresh: true }))).toMatchObject({ status: "loaded", half1: { origin: "cache" } });
    expect(logs).toEqual([
      "EMD-3197: metadata: network unreachable: using cached copy",
      expect.stringMatching(/^EMD-3197: emd_3197_half_map_1\.map\.gz: network unreachable: using cached copy from \d{4}-/),
      expect.stringMatching(/^EMD-3197: emd_3197_half_map_2\.map\.gz: network unreachable: using cached copy from \d{4}-/),
    ]);
  });

  it("a record that lists fewer than two says so (not an error), and nothing is downloaded", async () => {
    server.route(API_PATH, { kind: "ok", body: ENTRY_JSON, contentType: "application/json" });
    expect(await loadHalfMaps(emdbHalves, options())).toEqual({
      status: "not-listed", message: "EMD-3197: EMDB's record lists no half maps; Level 1 needs two",
    });
    const one = JSON.parse(HALVES_JSON);
    one.interpretation.half_map_list.half_map.pop();
    server.route(API_PATH, { kind: "ok", body: JSON.stringify(one), contentType: "application/json" });
    const hits = HALF_PATHS.map((path) => server.hits(path));
    expect(await loadHalfMaps(emdbHalves, options({ refresh: true }))).toEqual({
      status: "not-listed", message: "EMD-3197: EMDB's record lists only one half map (emd_3197_half_map_1.map.gz); Level 1 needs two",
    });
    expect(HALF_PATHS.map((path) => server.hits(path))).toEqual(hits);
  });

  it("the metadata the entry was resolved with is used as it is; no entry of the configuration means no half maps", async () => {
    serveHalves();
    const metadataHits = server.hits(API_PATH);
    const metadata = parseEmdbJson(ENTRY_JSON, ID);
    expect(await loadHalfMaps({ ...emdbHalves, emdbMetadata: metadata }, options())).toMatchObject({ status: "not-listed" });
    expect(server.hits(API_PATH)).toBe(metadataHits);
    expect(await loadHalfMaps({ halfMaps: null, emdbMetadata: null }, options())).toBeNull();
  });

  it("offline with nothing cached, a missing half map, a corrupt one: named errors, nothing cached for the failing file", async () => {
    expect((await failure(loadHalfMaps(emdbHalves, options({ offline: true })))).message).toBe(
      "EMD-3197: metadata (the half-map list): offline; no cached copy; add the file to the entries config",
    );
    serveHalves();
    server.route(HALF_PATHS[1]!, { kind: "status", status: 404 });
    const missing = await failure(loadHalfMaps(emdbHalves, options()));
    expect(missing).toBeInstanceOf(EmdbNotFoundError);
    expect(missing.message).toBe("EMD-3197: emd_3197_half_map_2.map.gz not found in EMDB");
    server.route(HALF_PATHS[1]!, { kind: "ok", body: HALF_GZ[1]!.subarray(0, 2000) });
    const corrupt = await failure(loadHalfMaps(emdbHalves, options({ refresh: true })));
    expect(corrupt).toBeInstanceOf(EmdbDataError);
    expect(corrupt.message).toMatch(/^EMD-3197: the map is not valid/);
    expect(cacheContents().filter((f) => f.includes("half_map_2"))).toEqual([]);
  });
});
