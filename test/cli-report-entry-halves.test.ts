/**
 * `mapval report <entry>` with the half maps its configuration gives (`half1`/`half2`: files, or "emdb"): Level 1 as
 * `mapval report MAP --half1 H1 --half2 H2` computes it, on the bundled simulated sim-emd-1997 entry (halves
 * reconstructed by RELION from projections of EMD-1997, not EMDB half maps: data/halfmaps/SOURCES.md); EMDB's half
 * maps through the cache, from a fake EMDB on 127.0.0.1 (test/helpers/fault-server.ts); `--no-half-maps`.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runReport } from "../data-loaders/cli/cli-report.js";
import { level1SectionIds } from "../lib/section-registry.js";
import { startFaultServer, type FaultServer } from "./helpers/fault-server.js";

const root = join(import.meta.dirname, "..");
const pair = (name: string) => join(root, "data/halfmaps/sim-emd-1997", name);
const SIM_HALVES = ["--half1", pair("half1.mrc.gz"), "--half2", pair("half2.mrc.gz")];
// 0.a–0.c and 1.a: what the entry's threshold and its halves decide, in seconds on 100³.
const SECTIONS = ["--sections", "0.a,0.b,0.c,1.a"];
const TIMEOUT = 120_000;

async function run(args: string[], entriesPath?: string) {
  let out = "", err = "";
  const code = await runReport(args, { out: (t) => (out += t), err: (t) => (err += t) }, { entriesPath });
  return { code, out, err };
}

/** The JSON without the one field in which two reports of the same inputs differ. */
function stable(json: string) {
  const { generator, ...rest } = JSON.parse(json);
  return { ...rest, generator: { ...generator, generatedAt: null } };
}

describe("mapval report <entry> with the entry's configured half map files", { timeout: TIMEOUT }, () => {
  it("sim-emd-1997 gives the JSON of its map with --half1 and --half2 and the entry's contour and resolution", async () => {
    const entry = await run(["sim-emd-1997", ...SECTIONS, "--json"]);
    expect(entry.err).toBe("");
    expect(entry.code).toBe(0);
    // The entry: contour 1, resolution 7 Å, voxel size 2.02 Å (as the map's header).
    const file = await run([join(root, "data/maps/emd_1997.map"), ...SIM_HALVES, "--threshold", "1", "--resolution", "7", ...SECTIONS, "--json"]);
    expect(file.code).toBe(0);
    const j = stable(entry.out);
    expect(j).toEqual(stable(file.out));
    expect(j.input.halfMaps).toMatchObject({
      half1: { file: "half1.mrc.gz", sha256: "7ebc0ef8096f30b868f723ca1fa087ae1f39262f267fe8c325ccec664a2f3c52" },
      half2: { file: "half2.mrc.gz", sha256: "4f2dd6dc38abef947424b28263e73974b3ae0faecef61109fdb1f10f38f038c5" },
      averaged: false, mask: "level0-soft",
    });
    expect(j.sections["1.a"].status).not.toBe("not-requested");
    expect(j.sections["1.a"].results.shells).toHaveLength(50);
  });

  it("--no-half-maps gives Level 0 alone, as for the map file without halves", async () => {
    const entry = await run(["sim-emd-1997", "--no-half-maps", "--sections", "0.a,0.b,0.c", "--json"]);
    expect(entry.code).toBe(0);
    const j = stable(entry.out);
    expect(j.input.halfMaps).toBeUndefined();
    for (const id of level1SectionIds) expect(j.sections[id]).toBeUndefined();
    const file = await run([join(root, "data/maps/emd_1997.map"), "--threshold", "1", "--resolution", "7", "--sections", "0.a,0.b,0.c", "--json"]);
    expect(j).toEqual(stable(file.out));
  });

  it.each([
    [["sim-emd-1997", "--no-half-maps", ...SIM_HALVES], /--no-half-maps leaves Level 1 out: it cannot go with --half1\/--half2/],
    [["sim-emd-1997", "--no-half-maps", "--sections", "1.a"], /--sections 1\.a: Level 1 sections need --half1 and --half2 \(or an entry with configured half maps\)/],
  ])("exits 2 with one line: %j", async (args, message) => {
    const { code, out, err } = await run(args);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toMatch(message);
    expect(err.trim().split("\n")).toHaveLength(1);
  });
});

describe("mapval report <entry> with EMDB's half maps (\"emdb\"), through the cache", { timeout: TIMEOUT }, () => {
  const MAP = new Uint8Array(readFileSync(join(root, "data/maps/emd_3197.map")));
  // Two different valid maps on the map's grid: EMD-3197, and a copy with its last voxel changed.
  const HALF2 = MAP.slice();
  new DataView(HALF2.buffer).setFloat32(HALF2.length - 4, 1.5, true);
  const HALF_GZ = [gzipSync(MAP), gzipSync(HALF2)].map((b) => new Uint8Array(b));
  const halfPath = (id: string, k: number) => `/files/${id}/other/emd_${id.slice(4)}_half_map_${k}.map.gz`;
  const HALVES_JSON = readFileSync(join(root, "test/fixtures/emdb/EMD-3197-halves.json"), "utf8");
  const NO_HALVES_JSON = readFileSync(join(root, "test/fixtures/emdb/EMD-1997.json"), "utf8").replaceAll("1997", "3198");
  let server: FaultServer;
  let work: string;
  let entriesPath: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    server = await startFaultServer();
    server.route("/api/entry/EMD-3197", { kind: "ok", body: HALVES_JSON, contentType: "application/json" });
    [1, 2].forEach((k) => server.route(halfPath("EMD-3197", k), { kind: "ok", body: HALF_GZ[k - 1]! }));
    server.route("/api/entry/EMD-3198", { kind: "ok", body: NO_HALVES_JSON, contentType: "application/json" });
    work = mkdtempSync(join(tmpdir(), "mapval-entry-halves-"));
    process.env.MAPVAL_EMDB_BASE_URL = `${server.origin}/files`;
    process.env.MAPVAL_EMDB_API_URL = `${server.origin}/api`;
    process.env.MAPVAL_CACHE_DIR = join(work, "cache");
    mkdirSync(join(work, "maps"));
    copyFileSync(join(root, "data/maps/emd_3197.map"), join(work, "maps", "small.map"));
    const entry = (id: string, emdb: string) => ({
      id, emdb, title: id, file: "maps/small.map", resolution: { angstrom: 25, source: "test" }, contour: { level: 1, source: "test" },
      attribution: "test", half1: "emdb", half2: "emdb",
    });
    entriesPath = join(work, "mapval.entries.json");
    writeFileSync(entriesPath, JSON.stringify({ version: 1, entries: [entry("listed", "EMD-3197"), entry("unlisted", "EMD-3198")] }));
  });
  afterAll(async () => {
    process.env = saved;
    rmSync(work, { recursive: true, force: true });
    await server.close();
  });

  it("downloads the two half maps EMDB's record lists into the cache, then reads them from there", async () => {
    const first = await run(["listed", "--sections", "0.a,1.a", "--json"], entriesPath);
    expect(first.err).toBe("");
    expect(first.code).toBe(0);
    const j = stable(first.out);
    expect(j.input.halfMaps).toMatchObject({
      half1: { file: "emd_3197_half_map_1.map.gz" }, half2: { file: "emd_3197_half_map_2.map.gz" }, averaged: false,
    });
    expect(j.sections["1.a"].results.shells.length).toBeGreaterThan(0);
    for (const k of [1, 2]) expect(existsSync(join(work, "cache", "emdb", "EMD-3197", "other", `emd_3197_half_map_${k}.map.gz`))).toBe(true);
    const hits = [1, 2].map((k) => server.hits(halfPath("EMD-3197", k)));
    expect(hits).toEqual([1, 1]);
    const second = await run(["listed", "--sections", "0.a,1.a", "--json"], entriesPath);
    expect(stable(second.out)).toEqual(j);
    expect([1, 2].map((k) => server.hits(halfPath("EMD-3197", k)))).toEqual(hits);
  });

  it("a record listing no half maps: Level 0 alone, and the report's input warnings say why", async () => {
    const { code, out, err } = await run(["unlisted", "--sections", "0.a", "--json"], entriesPath);
    expect(err).toBe("");
    expect(code).toBe(0);
    const j = JSON.parse(out);
    expect(j.input.halfMaps).toBeUndefined();
    expect(j.sections["1.a"]).toBeUndefined();
    expect(j.inputWarnings).toContain("Level 1 not computed: EMD-3198: EMDB's record lists no half maps; Level 1 needs two");
    const text = await run(["unlisted", "--sections", "0.a"], entriesPath);
    expect(text.out).toContain("Note: Level 1 not computed: EMD-3198: EMDB's record lists no half maps; Level 1 needs two");
  });

  it("a half map EMDB does not have: exit 2 with one line naming it", async () => {
    server.route(halfPath("EMD-3197", 2), { kind: "status", status: 404 });
    rmSync(join(work, "cache"), { recursive: true, force: true });
    const { code, out, err } = await run(["listed", "--sections", "0.a"], entriesPath);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toMatch(/emd_3197_half_map_2\.map\.gz/);
    expect(err.trim().split("\n")).toHaveLength(1);
  });
});
