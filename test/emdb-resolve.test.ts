/**
 * From names to maps: the entries configuration on disk, `resolveArgument` for `mapval report`, `loadEntry` for the
 * site, and `mapval fetch` end to end against a local server (base URLs and cache directory from the environment).
 */
import { execFileSync } from "node:child_process";
import {
  copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileCache, sha256Hex } from "../data-loaders/emdb/cache.js";
import { runFetch } from "../data-loaders/cli/cli-fetch.js";
import { createProgress, createStatusLine } from "../data-loaders/cli/progress.js";
import {
  DEFAULT_ENTRIES_PATH,
  listEntries,
  loadEntriesConfig,
  loadEntry,
  loadHalfMaps,
  resolveArgument,
} from "../data-loaders/emdb/resolve-entry.js";
import { EntriesConfigError } from "../lib/entries.js";
import { readMap } from "../lib/io/mrc-reader.js";
import { startFaultServer, type FaultServer } from "./helpers/fault-server.js";

const repo = (path: string) => new URL(`../${path}`, import.meta.url);
const MAP_3197 = new Uint8Array(readFileSync(repo("data/maps/emd_3197.map")));
const MAP_GZ = new Uint8Array(gzipSync(MAP_3197));
const SHA_1997 = "1d9b73bff3779381d71b3885dcfb94e002f0e6b89bd748bbbf41dd82f58b128f";

let server: FaultServer;
let work: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  server = await startFaultServer();
  work = mkdtempSync(join(tmpdir(), "mapval-resolve-test-"));
  process.env.MAPVAL_EMDB_BASE_URL = `${server.origin}/files`;
  process.env.MAPVAL_EMDB_API_URL = `${server.origin}/api`;
  process.env.MAPVAL_CACHE_DIR = join(work, "cache");
});
afterAll(async () => {
  process.env = savedEnv;
  rmSync(work, { recursive: true, force: true });
  await server.close();
});

function writeConfig(name: string, entries: unknown[]): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "mapval.entries.json");
  writeFileSync(path, JSON.stringify({ version: 1, entries }));
  return path;
}

function captureIO() {
  const io = { stdout: "", stderr: "", out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
  return io;
}

describe("entries configuration on disk", () => {
  it("the shipped configuration names only files that exist, with matching hashes (half maps too)", async () => {
    const entries = listEntries();
    expect(entries.length).toBe(8);
    for (const entry of entries) {
      const resolved = await loadEntry(entry.id, { offline: true });
      expect(resolved.origin).toBe("entries-file");
      expect(resolved.sha256).toBe(entry.sha256);
      const halves = await loadHalfMaps(resolved, { offline: true });
      if (entry.half1 === null) expect(halves).toBeNull();
      else expect(halves).toMatchObject({ status: "loaded", half1: { sha256: entry.half1.kind === "file" && entry.half1.sha256 } });
    }
  });

  it("a missing file is an error naming the entry and the field", () => {
    const path = writeConfig("missing", [
      { id: "gone", emdb: null, title: "t", file: "maps/gone.map", resolution: null, contour: null, attribution: "a" },
    ]);
    expect(() => loadEntriesConfig(path)).toThrow(EntriesConfigError);
    expect(() => loadEntriesConfig(path)).toThrow('entries[0] (gone) field "file": maps/gone.map does not exist');
  });

  it("a file that leads outside the directory through a symbolic link is refused without reading it", () => {
    const path = writeConfig("symlink", [
      { id: "escape", emdb: null, title: "t", file: "maps/secret.map", resolution: null, contour: null, attribution: "a" },
    ]);
    const outside = join(work, "outside-secret.txt");
    writeFileSync(outside, "TOP-SECRET-CONTENT");
    mkdirSync(join(work, "symlink", "maps"));
    symlinkSync(outside, join(work, "symlink", "maps", "secret.map"));
    let error: unknown;
    try {
      loadEntriesConfig(path);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EntriesConfigError);
    expect((error as Error).message).toContain(
      'entries[0] (escape) field "file": maps/secret.map leads outside the configuration\'s directory (through a symbolic link)',
    );
    expect((error as Error).message).not.toContain("TOP-SECRET");
    // A link that stays inside the directory is fine.
    copyFileSync(repo("data/maps/emd_3197.map"), join(work, "symlink", "real.map"));
    rmSync(join(work, "symlink", "maps", "secret.map"));
    symlinkSync(join(work, "symlink", "real.map"), join(work, "symlink", "maps", "secret.map"));
    expect(loadEntriesConfig(path).entries[0]!.file).toBe("maps/secret.map");
  });

  it("half-map files: each must exist inside the directory (named by its field), and is read bounded and checked by SHA-256", async () => {
    const base = { id: "pair", emdb: null, title: "t", file: "map.mrc", resolution: null, contour: null, attribution: "a" };
    const missing = writeConfig("halves-missing", [{ ...base, half1: { file: "h1.mrc" }, half2: { file: "../h2.mrc" } }]);
    expect(() => loadEntriesConfig(missing)).toThrow('entries[0] (pair) field "half2.file": expected a path inside');
    const path = writeConfig("halves", [{ ...base, half1: { file: "h1.mrc" }, half2: { file: "h/2.mrc" } }]);
    copyFileSync(repo("data/maps/emd_3197.map"), join(work, "halves", "map.mrc"));
    copyFileSync(repo("data/maps/emd_3197.map"), join(work, "halves", "h1.mrc"));
    let error: unknown;
    try {
      loadEntriesConfig(path);
    } catch (e) {
      error = e;
    }
    expect((error as EntriesConfigError).problems).toEqual([
      { where: "entries[0] (pair)", field: "half2.file", message: "h/2.mrc does not exist" },
    ]);
    mkdirSync(join(work, "halves", "h"));
    writeFileSync(join(work, "halves", "h", "2.mrc"), MAP_GZ);
    const entry = await loadEntry("pair", { entriesPath: path, offline: true });
    expect(entry.halfMaps).toMatchObject({ kind: "files", half1: { path: join(work, "halves", "h1.mrc") } });
    expect(await loadHalfMaps(entry, { offline: true })).toMatchObject({
      status: "loaded", source: "entries configuration",
      half1: { name: "h1.mrc", origin: "entries-file", sha256: sha256Hex(MAP_3197) },
      half2: { name: "2.mrc", origin: "entries-file", bytes: MAP_GZ },
    });
    await expect(loadHalfMaps(entry, { maxMapBytes: 1000 })).rejects.toThrow(/^pair: h1\.mrc: file is \d+ bytes; the limit is 1000 bytes/);
    const hashed = writeConfig("halves", [{ ...base, half1: { file: "h1.mrc", sha256: SHA_1997 }, half2: { file: "h/2.mrc" } }]);
    await expect(loadHalfMaps(await loadEntry("pair", { entriesPath: hashed }))).rejects.toThrow(
      `pair: field "half1.sha256": h1.mrc has SHA-256 ${sha256Hex(MAP_3197)}, not the configured ${SHA_1997}`,
    );
    // An entry without half maps, and a map given by path, have none.
    expect((await loadEntry("emd-3197", { offline: true })).halfMaps).toBeNull();
    expect((await resolveArgument("data/maps/emd_3197.map")).halfMaps).toBeNull();
  });

  it("an unreadable configuration file is named", () => {
    expect(() => loadEntriesConfig(join(work, "nowhere.json"))).toThrow(/nowhere\.json: cannot read the entries configuration \(ENOENT\)/);
  });

  it("a file whose hash differs from the configured one is refused, naming the entry and field", async () => {
    const path = writeConfig("hash", [
      {
        id: "tiny", emdb: "EMD-3197", title: "t", file: "emd_3197.map", sha256: SHA_1997,
        resolution: null, contour: null, attribution: "a",
      },
    ]);
    copyFileSync(repo("data/maps/emd_3197.map"), join(work, "hash", "emd_3197.map"));
    await expect(loadEntry("tiny", { entriesPath: path, offline: true })).rejects.toThrow(/^tiny: field "sha256": emd_3197\.map has SHA-256 351d/);
  });
});

describe("resolveArgument", () => {
  it("an accession listed with a file resolves to the bundled file and its configured metadata, offline", async () => {
    const entry = await resolveArgument("EMD-1997", { offline: true });
    expect(entry).toMatchObject({
      id: "emd-1997", emdbId: "EMD-1997", origin: "entries-file", sha256: SHA_1997,
      resolution: { angstrom: 7 }, contour: { level: 1 }, unknownContour: { fraction: 0.01 },
    });
    const map = await readMap(entry.bytes);
    expect(map.volume.voxelSize![0]).toBeCloseTo(2.02, 5);
    expect((await resolveArgument("emd-3197", { offline: true })).contour).toBeNull();
  });

  it("a path resolves to the file with no metadata", async () => {
    const entry = await resolveArgument("data/maps/emd_3197.map");
    expect(entry).toMatchObject({ id: "emd_3197.map", emdbId: null, origin: "path", resolution: null, contour: null });
    expect(entry.bytes).toEqual(MAP_3197);
    await expect(resolveArgument("no/such.map")).rejects.toThrow("no/such.map: no such file");
    await expect(resolveArgument("data/maps/emd_3197.map", { maxMapBytes: 1000 })).rejects.toThrow(/the limit is 1000 bytes/);
  });

  it("a directory or a FIFO is named as such, not as a missing file (and the FIFO is never opened)", async () => {
    const dir = mkdtempSync(join(work, "special-"));
    await expect(resolveArgument(dir)).rejects.toMatchObject({ code: "is-a-directory", message: `${dir}: is a directory, expected a map file` });
    const fifo = join(dir, "pipe.map");
    execFileSync("mkfifo", [fifo]);
    await expect(resolveArgument(fifo)).rejects.toMatchObject({ code: "not-a-file", message: expect.stringMatching(/pipe\.map: not a regular file/) });
  });

  it("a file of exactly 2^31 bytes (the default limit, above Node's readFile limit) is refused by its size", async () => {
    const path = join(mkdtempSync(join(work, "huge-")), "huge.map");
    writeFileSync(path, "");
    truncateSync(path, 2 ** 31); // sparse: no disk space used
    await expect(resolveArgument(path)).rejects.toMatchObject({
      code: "too-large",
      message: `${path}: file is 2147483648 bytes; the limit is 2147483647 bytes`,
    });
  });

  it("a bare file that is a configured entry's file says which entry (by real path, and by SHA-256 for a copy)", async () => {
    expect((await resolveArgument("data/maps/emd_1997.map")).listedAs).toBe("emd-1997");
    const copy = join(mkdtempSync(join(work, "copy-")), "groel.map");
    copyFileSync(repo("data/maps/emd_1997.map"), copy);
    expect((await resolveArgument(copy)).listedAs).toBe("emd-1997");
    writeFileSync(copy, MAP_3197.subarray(0, 2000));
    expect((await resolveArgument(copy)).listedAs).toBeNull();
  });

  it("an accession not in the configuration comes from EMDB, then from the cache", async () => {
    server.route("/files/EMD-3197/map/emd_3197.map.gz", { kind: "ok", body: MAP_GZ });
    server.route("/api/entry/EMD-3197", { kind: "ok", body: readFileSync(repo("test/fixtures/emdb/EMD-3197-absurd.json")) });
    const cache = new FileCache(join(work, "resolve-cache"));
    const options = { entriesPath: join(work, "none.json"), cache, backoffMs: 1 };
    const downloaded = await resolveArgument("EMD-3197", options);
    expect(downloaded).toMatchObject({ origin: "download", emdbId: "EMD-3197", resolution: null, title: "Absurd metadata fixture" });
    expect(downloaded.contour).toEqual({ level: 50, source: "EMDB REST API, first contour as VRS" });
    expect(downloaded.issues.map((i) => i.code)).toContain("resolution-absurd");
    const cached = await resolveArgument("EMD-3197", { ...options, offline: true });
    expect(cached.origin).toBe("cache");
    expect(cached.sha256).toBe(sha256Hex(MAP_GZ));
  });

  it("an EMDB-only entry of the configuration: configured values win, EMDB fills the unknown ones", async () => {
    server.route("/files/EMD-3197/map/emd_3197.map.gz", { kind: "ok", body: MAP_GZ });
    server.route("/api/entry/EMD-3197", {
      kind: "ok",
      body: readFileSync(repo("test/fixtures/emdb/EMD-1997.json"), "utf8").replaceAll("EMD-1997", "EMD-3197"),
    });
    const path = writeConfig("emdb-only", [
      {
        id: "tiny", emdb: "EMD-3197", title: "Tiny", resolution: null,
        contour: { level: 2, source: "chosen by hand" }, attribution: "EMDB",
      },
    ]);
    const cache = new FileCache(join(work, "emdb-only-cache"));
    const entry = await loadEntry("tiny", { entriesPath: path, cache });
    expect(entry).toMatchObject({
      id: "tiny", title: "Tiny", origin: "download",
      contour: { level: 2, source: "chosen by hand" },
      resolution: { angstrom: 7, source: "EMDB REST API" },
      voxelSize: 2.02,
    });
    // The accession finds the same configured entry, now from the cache.
    const byAccession = await resolveArgument("EMD-3197", { entriesPath: path, cache, offline: true });
    expect(byAccession).toMatchObject({ id: "tiny", origin: "cache", contour: { level: 2 } });
  });
});

describe("mapval fetch", () => {
  it("downloads into MAPVAL_CACHE_DIR and prints the path, hash and metadata; a second run uses the cache", async () => {
    server.route("/files/EMD-3197/map/emd_3197.map.gz", { kind: "ok", body: MAP_GZ });
    server.route("/api/entry/EMD-3197", { kind: "ok", body: readFileSync(repo("test/fixtures/emdb/EMD-3197-absurd.json")) });
    const io = captureIO();
    expect(await runFetch(["EMD-3197"], io)).toBe(0);
    expect(io.stderr).toBe("");
    const lines = io.stdout.split("\n");
    expect(lines[0]).toBe(`EMD-3197: downloaded ${join(work, "cache", "emdb", "EMD-3197", "emd_3197.map.gz")}`);
    expect(lines[1]).toBe(`  ${MAP_GZ.length} bytes, sha256 ${sha256Hex(MAP_GZ)}`);
    expect(io.stdout).toContain("  resolution: unknown\n");
    expect(io.stdout).toContain("  error: EMD-3197: resolution is -3.5 Å; expected a finite value > 0 (ignored)\n");

    const again = captureIO();
    expect(await runFetch(["emd_3197", "--json"], again)).toBe(0);
    const [summary] = JSON.parse(again.stdout);
    expect(summary).toMatchObject({ emdbId: "EMD-3197", origin: "cache", sha256: sha256Hex(MAP_GZ), contourLevel: 50 });
  });

  it("--half-maps also fetches the two half maps the metadata lists (or says there are none), then finds them cached", async () => {
    const halves = [1, 2].map((k) => `/files/EMD-3197/other/emd_3197_half_map_${k}.map.gz`);
    server.route("/files/EMD-3197/map/emd_3197.map.gz", { kind: "ok", body: MAP_GZ });
    server.route("/api/entry/EMD-3197", { kind: "ok", body: readFileSync(repo("test/fixtures/emdb/EMD-3197-halves.json")) });
    for (const path of halves) server.route(path, { kind: "ok", body: MAP_GZ });
    const io = captureIO();
    expect(await runFetch(["EMD-3197", "--half-maps", "--refresh"], io)).toBe(0);
    const other = join(work, "cache", "emdb", "EMD-3197", "other");
    expect(io.stdout).toContain(`  half map 1: downloaded ${join(other, "emd_3197_half_map_1.map.gz")}, ${MAP_GZ.length} bytes, sha256 ${sha256Hex(MAP_GZ)}\n`);
    expect(io.stdout).toContain(`  half map 2: downloaded ${join(other, "emd_3197_half_map_2.map.gz")}`);
    const hits = halves.map((path) => server.hits(path));
    const again = captureIO();
    expect(await runFetch(["EMD-3197", "--half-maps", "--offline", "--json"], again)).toBe(0);
    expect(JSON.parse(again.stdout)[0].halfMaps).toEqual({
      status: "loaded", message: null,
      files: [1, 2].map((k) => ({
        name: `emd_3197_half_map_${k}.map.gz`, path: join(other, `emd_3197_half_map_${k}.map.gz`), sha256: sha256Hex(MAP_GZ),
        fileBytes: MAP_GZ.length, origin: "cache",
      })),
    });
    expect(halves.map((path) => server.hits(path))).toEqual(hits);
    // Without the flag nothing about half maps; a record without any says so, exit code 0.
    const plain = captureIO();
    expect(await runFetch(["EMD-3197", "--json"], plain)).toBe(0);
    expect(JSON.parse(plain.stdout)[0].halfMaps).toBeNull();
    server.route("/api/entry/EMD-3197", { kind: "ok", body: readFileSync(repo("test/fixtures/emdb/EMD-3197-absurd.json")) });
    const none = captureIO();
    expect(await runFetch(["EMD-3197", "--half-maps", "--refresh"], none)).toBe(0);
    expect(none.stdout).toContain("  half maps: EMD-3197: EMDB's record lists no half maps; Level 1 needs two\n");
  });

  it("prints one line naming the entry for a missing entry or a bad argument, exit code 2", async () => {
    server.route("/files/EMD-9999/map/emd_9999.map.gz", { kind: "status", status: 404 });
    const io = captureIO();
    expect(await runFetch(["EMD-9999"], io)).toBe(2);
    expect(io.stderr).toBe("EMD-9999: not found in EMDB\n");
    const offline = captureIO();
    expect(await runFetch(["EMD-9998", "--offline"], offline)).toBe(2);
    expect(offline.stderr).toBe("EMD-9998: offline; no cached copy; add the file to the entries config\n");
    const bad = captureIO();
    expect(await runFetch(["data/maps/emd_3197.map"], bad)).toBe(2);
    expect(bad.stderr).toMatch(/is not an EMDB accession/);
  });

  it("cache filesystem errors are one line naming the path, exit code 2, and leave no orphan record", async () => {
    server.route("/files/EMD-3197/map/emd_3197.map.gz", { kind: "ok", body: MAP_GZ });
    server.route("/api/entry/EMD-3197", { kind: "ok", body: readFileSync(repo("test/fixtures/emdb/EMD-3197-absurd.json")) });
    const saved = process.env.MAPVAL_CACHE_DIR;
    try {
      // The map's place in the cache is a directory.
      const root = mkdtempSync(join(work, "cache-dir-"));
      const mapPath = join(root, "emdb", "EMD-3197", "emd_3197.map.gz");
      mkdirSync(mapPath, { recursive: true });
      process.env.MAPVAL_CACHE_DIR = root;
      const io = captureIO();
      expect(await runFetch(["EMD-3197", "--refresh"], io)).toBe(2);
      expect(io.stderr).toMatch(new RegExp(`^cache: cannot write ${mapPath} \\(\\w+\\); set MAPVAL_CACHE_DIR`));
      expect(io.stderr.trim().split("\n")).toHaveLength(1);
      expect(readdirSync(join(root, "emdb", "EMD-3197"))).toEqual(["emd_3197.map.gz"]);

      // MAPVAL_CACHE_DIR is a file.
      const file = join(work, "cache-is-a-file");
      writeFileSync(file, "x");
      process.env.MAPVAL_CACHE_DIR = file;
      const asFile = captureIO();
      expect(await runFetch(["EMD-3197"], asFile)).toBe(2);
      expect(asFile.stderr).toMatch(new RegExp(`^cache: cannot create the directory ${file}/emdb/EMD-3197 \\((ENOTDIR|EEXIST)\\)`));
    } finally {
      process.env.MAPVAL_CACHE_DIR = saved;
    }
    // An accession of 300 digits is refused before any download (it was ENAMETOOLONG after one).
    const long = captureIO();
    const digits = "1".repeat(300);
    expect(await runFetch([`EMD-${digits}`], long)).toBe(2);
    expect(long.stderr).toMatch(/is not an EMDB accession such as EMD-1234/);
    expect(server.hits(`/files/EMD-${digits}/map/emd_${digits}.map.gz`)).toBe(0);
  });

  it("a record whose map cannot be written is removed with it", async () => {
    const root = mkdtempSync(join(work, "orphan-"));
    const cache = new FileCache(root);
    const key = "emdb/EMD-3197/emd_3197.map.gz";
    mkdirSync(join(root, key, "inside"), { recursive: true }); // rename onto a non-empty directory fails
    await expect(cache.write(key, MAP_GZ, null)).rejects.toMatchObject({ name: "CacheError", path: join(root, key) });
    expect(readdirSync(join(root, "emdb", "EMD-3197"))).toEqual(["emd_3197.map.gz"]);
  });

  it("progress is silent unless stderr is a terminal", () => {
    const written: string[] = [];
    const pipe = createProgress("x", { isTTY: false, write: (t: string) => written.push(t) });
    pipe.update(10, 100);
    pipe.done();
    expect(written).toEqual([]);
    const tty = createProgress("EMD-1", { isTTY: true, write: (t: string) => written.push(t) });
    tty.update(5e6, 1e7);
    tty.done();
    expect(written).toEqual(["\r\x1b[KEMD-1: 5.0 MB of 10.0 MB (50 %)", "\r\x1b[K"]);
  });

  it("the computation status line is silent unless stderr is a terminal, and each step replaces the last", () => {
    const written: string[] = [];
    const pipe = createStatusLine({ isTTY: false, write: (t: string) => written.push(t) });
    pipe.show("computing 0.e");
    pipe.done();
    expect(written).toEqual([]);
    const tty = createStatusLine({ isTTY: true, write: (t: string) => written.push(t) });
    tty.show("computing 0.e");
    tty.show("computing 0.f");
    tty.done();
    tty.done();
    expect(written).toEqual(["\r\x1b[Kcomputing 0.e", "\r\x1b[Kcomputing 0.f", "\r\x1b[K"]);
  });

  it("the default entries path is the repository's configuration", () => {
    expect(DEFAULT_ENTRIES_PATH).toBe(join(new URL("..", import.meta.url).pathname, "mapval.entries.json"));
  });
});
