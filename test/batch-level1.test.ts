/**
 * `mapval batch --levels 0,1`: Level 1 in the report.json of entries with half maps, "no half maps" in the summary for
 * the others; on the bundled simulated entry (sim-emd-1997: halves reconstructed by RELION from projections of
 * EMD-1997, not EMDB half maps; data/halfmaps/SOURCES.md), on 20³ local files (the rerun rules), and against a fake
 * EMDB on 127.0.0.1 (test/helpers/fault-server.ts) for the half maps EMDB's records list.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { tableFromIPC } from "apache-arrow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultLimits, runBatch } from "../data-loaders/batch/batch.js";
import { checkBatchEntries, readBatchSummary } from "../data-loaders/batch/batch-output.js";
import { runReport } from "../data-loaders/cli/cli-report.js";
import { level1SectionIds } from "../lib/section-registry.js";
import { startFaultServer, type FaultServer } from "./helpers/fault-server.js";

const root = join(import.meta.dirname, "..");
const MAP = new Uint8Array(readFileSync(join(root, "data/maps/emd_3197.map")));
/** A second half on the map's grid: EMD-3197 with its last voxel changed. */
const HALF2 = MAP.slice();
new DataView(HALF2.buffer).setFloat32(HALF2.length - 4, 1.5, true);

let work: string;
const savedEnv = { ...process.env };
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "mapval-batch-level1-"));
});
afterAll(() => {
  process.env = savedEnv;
  rmSync(work, { recursive: true, force: true });
});

function captureIO() {
  const io = { stdout: "", stderr: "", out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
  return io;
}
const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8"));

/** `mapval report <entry> --json` on an entries configuration. */
async function report(args: string[], entriesPath?: string) {
  const io = captureIO();
  expect(await runReport([...args, "--json"], io, { entriesPath })).toBe(0);
  return JSON.parse(io.stdout);
}

/** A report without what differs between two runs: when it was made, and the batch's own fields. */
function stable(r: Record<string, any>) {
  const { generator, batch: _batch, ...rest } = r;
  return { ...rest, generator: { ...generator, generatedAt: null } };
}

function summaryRow(dir: string, id: string): Record<string, string> {
  const [header, ...lines] = readFileSync(join(dir, "summary.csv"), "utf8").trim().split("\n");
  const line = lines.find((l) => l.startsWith(`${id},`))!;
  const values = line.split(",");
  return Object.fromEntries(header!.split(",").map((c, i) => [c, values[i]!]));
}

describe("the bundled simulated entry", () => {
  it("sim-emd-1997 with --levels 1: report.json holds Level 1, with mapval report's numbers", async () => {
    const dir = join(work, "sim");
    for (const file of ["data/maps/emd_1997.map", "data/halfmaps/sim-emd-1997/half1.mrc.gz", "data/halfmaps/sim-emd-1997/half2.mrc.gz"]) {
      mkdirSync(join(dir, file, ".."), { recursive: true });
      copyFileSync(join(root, file), join(dir, file));
    }
    const config = readJson(join(root, "mapval.entries.json"));
    writeFileSync(join(dir, "mapval.entries.json"), JSON.stringify({ ...config, entries: config.entries.filter((e: { id: string }) => e.id === "sim-emd-1997") }));
    const out = join(dir, "out");
    const io = captureIO();
    expect(await runBatch(["--entries", join(dir, "mapval.entries.json"), "--out", out, "--levels", "1"], io)).toBe(0);
    expect(io.stdout).toMatch(/1 entries: 1 done, 0 already done, 0 failed/);
    const batch = readJson(join(out, "sim-emd-1997", "report.json"));
    console.log(`sim-emd-1997, Level 0 and 1 in mapval batch: ${batch.batch.seconds} s, ${batch.batch.cpuSeconds} CPU-s, ${(batch.batch.peakRssBytes / 2 ** 20).toFixed(0)} MiB peak`);
    expect(batch.batch.entry.level1).toEqual({ status: "computed", reason: null });
    expect(batch.batch.inputs.map((i: { name: string }) => i.name)).toEqual(["emd_1997.map", "half1.mrc.gz", "half2.mrc.gz"]);
    // mapval report's sections that take seconds (the batch computes all of them): the same JSON.
    const some = ["0.a", "0.b", "0.c", "1.a", "1.d", "1.f"];
    const cli = await report(["sim-emd-1997", "--sections", some.join(",")]);
    expect(batch.input).toEqual(cli.input);
    for (const id of some) expect(batch.sections[id], id).toEqual(cli.sections[id]);
    const row = summaryRow(out, "sim-emd-1997");
    expect(row.level1).toBe("computed");
    for (const id of level1SectionIds) expect(row[`status_${id}`], id).toBe(batch.sections[id].status);
    expect(Number(row.passed)).toBe(batch.score.passed);
    // The site reads the directory (docs/batch.md "Publishing a batch"): a score over both levels is above 8 items.
    const read = readBatchSummary(out);
    expect(read[0]).toMatchObject({ id: "sim-emd-1997", passed: batch.score.passed, evaluable: batch.score.evaluable });
    expect(batch.score.evaluable).toBeGreaterThan(8);
    expect(() => checkBatchEntries(out, read)).not.toThrow();
  }, 900_000);
});

describe("configured local half maps: the report, the summary, the rerun rules", () => {
  let config: string;
  beforeAll(() => {
    const dir = join(work, "local");
    mkdirSync(join(dir, "maps"), { recursive: true });
    writeFileSync(join(dir, "maps", "small.map"), MAP);
    writeFileSync(join(dir, "maps", "half1.map"), MAP);
    writeFileSync(join(dir, "maps", "half2.map"), HALF2);
    const entry = (id: string, halves: object) => ({
      id, emdb: null, title: id, file: "maps/small.map", resolution: { angstrom: 25, source: "test" }, contour: { level: 1, source: "test" },
      attribution: "test", ...halves,
    });
    config = join(dir, "mapval.entries.json");
    writeFileSync(config, JSON.stringify({
      version: 1,
      entries: [entry("paired", { half1: { file: "maps/half1.map" }, half2: { file: "maps/half2.map" } }), entry("single", {})],
    }));
  });

  it("Level 1 for the entry with halves, \"no half maps\" (not a failure) for the other; reruns redo what changed", { timeout: 600_000 }, async () => {
    const out = join(work, "local-out");
    const run = async (levels: string) => {
      const io = captureIO();
      expect(await runBatch(["--entries", config, "--out", out, "--levels", levels, "--workers", "2"], io)).toBe(0);
      return io.stdout;
    };
    expect(await run("0,1")).toMatch(/2 entries: 2 done, 0 already done, 0 failed/);
    const paired = readJson(join(out, "paired", "report.json"));
    expect(stable(paired)).toEqual(stable(await report(["paired"], config)));
    expect(paired.batch.entry.level1).toEqual({ status: "computed", reason: null });
    expect(paired.batch.inputs.map((i: { name: string }) => i.name)).toEqual(["small.map", "half1.map", "half2.map"]);
    const single = readJson(join(out, "single", "report.json"));
    expect(single.batch.entry.level1).toEqual({ status: "no half maps", reason: "the entry has no half maps configured" });
    expect(single.sections["1.a"]).toBeUndefined();
    expect(summaryRow(out, "single")).toMatchObject({ status: "done", level1: "no half maps", "status_1.a": "" });
    expect(summaryRow(out, "paired")).toMatchObject({ status: "done", level1: "computed", "status_1.a": paired.sections["1.a"].status });
    const arrow = tableFromIPC(readFileSync(join(out, "summary.arrow")));
    expect(arrow.get(0)!.toJSON()).toMatchObject({ id: "paired", level1: "computed", "status_1.d": "not-measured" });
    expect(arrow.get(1)!.toJSON()).toMatchObject({ id: "single", level1: "no half maps", "status_1.d": null });

    expect(await run("0,1")).toMatch(/2 entries: 0 done, 2 already done/);
    // Another half map 2 under the same name: only the entry with halves is redone.
    const changed = HALF2.slice();
    new DataView(changed.buffer).setFloat32(changed.length - 8, 0.5, true);
    writeFileSync(join(work, "local", "maps", "half2.map"), changed);
    expect(await run("0,1")).toMatch(/2 entries: 1 done, 1 already done/);
    expect(readJson(join(out, "paired", "report.json")).input.halfMaps.half2.sha256).not.toBe(paired.input.halfMaps.half2.sha256);
    // Level 0 alone is another report: both are redone, then done.
    expect(await run("0")).toMatch(/2 entries: 2 done, 0 already done/);
    expect(readJson(join(out, "paired", "report.json")).batch.entry.level1).toEqual({ status: "not requested", reason: null });
    expect(readJson(join(out, "paired", "report.json")).sections["1.a"]).toBeUndefined();
    expect(await run("0")).toMatch(/2 entries: 0 done, 2 already done/);
  });

  it("default limits: an entry with half maps (three volumes) gets more time and memory than its map alone", () => {
    const alone = defaultLimits(100 ** 3), withHalves = defaultLimits(100 ** 3, 3);
    // Measured on sim-emd-1997 (100³, 7 Å; docs/batch.md): Level 0 and 1 took 39 CPU-s and 211 MiB at peak.
    expect(withHalves.seconds).toBeGreaterThanOrEqual(25 * 39);
    expect(withHalves.memoryBytes).toBeGreaterThanOrEqual(3 * 211 * 2 ** 20);
    expect(withHalves.seconds).toBeGreaterThan(alone.seconds);
    expect(withHalves.memoryBytes).toBeGreaterThan(alone.memoryBytes);
  });
});

describe("EMDB's half maps, from a fake EMDB", () => {
  let server: FaultServer;
  const ids = { listed: "EMD-30000", unlisted: "EMD-30001", missingHalf: "EMD-30002" };
  const halfFile = (id: string, k: number) => `emd_${id.slice(4)}_half_map_${k}.map.gz`;
  function metadata(id: string, halves: boolean): string {
    return JSON.stringify({
      emdb_id: id,
      admin: { title: `Test ${id}`, key_dates: { deposition: "2020-01-01" } },
      structure_determination_list: { structure_determination: [{ image_processing: [{ final_reconstruction: { resolution: { valueOf_: 25 } } }] }] },
      map: {
        contour_list: { contour: [{ primary: true, level: 1, source: "AUTHOR" }] },
        pixel_spacing: { x: { valueOf_: 11.4 }, y: { valueOf_: 11.4 }, z: { valueOf_: 11.4 } },
        dimensions: { col: 20, row: 20, sec: 20 },
      },
      ...(halves && { interpretation: { half_map_list: { half_map: [1, 2].map((k) => ({ file: halfFile(id, k), format: "CCP4" })) } } }),
    });
  }

  beforeAll(async () => {
    server = await startFaultServer();
    const gz = [MAP, HALF2].map((b) => new Uint8Array(gzipSync(b)));
    for (const id of Object.values(ids)) {
      server.route(`/files/${id}/map/emd_${id.slice(4)}.map.gz`, { kind: "ok", body: gz[0]! });
      server.route(`/api/entry/${id}`, { kind: "ok", body: metadata(id, id !== ids.unlisted), contentType: "application/json" });
    }
    for (const k of [1, 2]) server.route(`/files/${ids.listed}/other/${halfFile(ids.listed, k)}`, { kind: "ok", body: gz[k - 1]! });
    server.route(`/files/${ids.missingHalf}/other/${halfFile(ids.missingHalf, 1)}`, { kind: "ok", body: gz[0]! });
    process.env.MAPVAL_EMDB_BASE_URL = `${server.origin}/files`;
    process.env.MAPVAL_EMDB_API_URL = `${server.origin}/api`;
    process.env.MAPVAL_CACHE_DIR = join(work, "user-cache");
  });
  afterAll(() => server.close());

  it("a text list with --levels 0,1: the listed halves give Level 1, none listed is no failure, a missing half is a download failure", { timeout: 600_000 }, async () => {
    const list = join(work, "emdb.txt");
    writeFileSync(list, Object.values(ids).join("\n") + "\n");
    const out = join(work, "emdb-out");
    const io = captureIO();
    expect(await runBatch(["--entries", list, "--out", out, "--levels", "0,1", "--workers", "2"], io)).toBe(0);
    expect(io.stdout).toMatch(/3 entries: 2 done, 0 already done, 1 failed \(download 1\)/);

    const listed = readJson(join(out, ids.listed, "report.json"));
    expect(listed.batch.entry.level1).toEqual({ status: "computed", reason: null });
    expect(listed.input.halfMaps).toMatchObject({ half1: { file: halfFile(ids.listed, 1) }, half2: { file: halfFile(ids.listed, 2) }, averaged: false });
    expect(listed.batch.inputs.map((i: { name: string }) => i.name)).toEqual([`emd_30000.map.gz`, "entry.json", halfFile(ids.listed, 1), halfFile(ids.listed, 2)]);
    expect(listed.sections["1.a"].results.shells.length).toBeGreaterThan(0);

    const unlisted = readJson(join(out, ids.unlisted, "report.json"));
    const note = `${ids.unlisted}: EMDB's record lists no half maps; Level 1 needs two`;
    expect(unlisted.batch.entry.level1).toEqual({ status: "no half maps", reason: note });
    expect(unlisted.inputWarnings).toContain(`Level 1 not computed: ${note}`);
    expect(summaryRow(out, ids.unlisted)).toMatchObject({ status: "done", level1: "no half maps" });

    expect(readJson(join(out, ids.missingHalf, "error.json"))).toMatchObject({ class: "download", message: expect.stringMatching(new RegExp(halfFile(ids.missingHalf, 2))) });
    // The halves went to the scratch directory, removed with their entry; the user's cache is not used.
    expect(readdirSync(join(out, ".scratch", "emdb"))).toEqual([]);
    expect(existsSync(join(work, "user-cache"))).toBe(false);
  });
});
