/**
 * `mapval batch` end to end against a fake EMDB on 127.0.0.1 (test/helpers/fault-server.ts): a few hundred entries
 * made from the bundled 20³ map emd_3197 (each its own accession, contour and resolution, so no two reports are the
 * same), some faulty; a run killed with SIGKILL at random moments and resumed; shards; the Slurm script's shard logic;
 * the per-entry time and memory limits and the done-marker on a configuration of local files.
 */
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { tableFromIPC } from "apache-arrow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultLimits, parseShard, progressText, readEntriesFile, runBatch, shardFromEnvironment, shardOf } from "../data-loaders/batch/batch.js";
import { startFaultServer, type FaultServer } from "./helpers/fault-server.js";
import { xorshift32 } from "./helpers/random.js";

const repo = (path: string) => new URL(`../${path}`, import.meta.url);
const MAP = new Uint8Array(readFileSync(repo("data/maps/emd_3197.map")));
const mapvalBin = new URL("../bin/mapval.js", import.meta.url).pathname;

/** Accessions EMD-10000… : GOOD of them are fine, then one of each fault. */
const GOOD = 200;
const accession = (n: number) => `EMD-${10000 + n}`;
const FAULTS = {
  missing: accession(GOOD), // 404 for everything
  truncated: accession(GOOD + 1), // half the gzip stream
  corrupt: accession(GOOD + 2), // a header that is not MRC
  huge: accession(GOOD + 3), // a header declaring 2000³ voxels
  absurd: accession(GOOD + 4), // negative resolution, contour above the maximum, zero pixel spacing
  serverError: accession(GOOD + 5), // HTTP 500 on every attempt
  noMetadata: accession(GOOD + 6), // the map, and 404 for the metadata
};
const ALL = GOOD + Object.keys(FAULTS).length;

/** REST API metadata of a good entry: contour and resolution vary with n. */
function metadata(id: string, n: number, overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    emdb_id: id,
    admin: { title: `Test entry ${n}`, key_dates: { deposition: "2020-01-01" } },
    structure_determination_list: {
      structure_determination: [{ image_processing: [{ final_reconstruction: { resolution: { valueOf_: 25 + (n % 5) } } }] }],
    },
    map: {
      contour_list: { contour: [{ primary: true, level: 0.5 + 0.25 * (n % 9), source: "AUTHOR" }] },
      pixel_spacing: { x: { valueOf_: 11.4 }, y: { valueOf_: 11.4 }, z: { valueOf_: 11.4 } },
      dimensions: { col: 20, row: 20, sec: 20 },
      ...overrides,
    },
  });
}

function header(bytes: Uint8Array, edit: (view: DataView) => void): Uint8Array {
  const copy = bytes.slice();
  edit(new DataView(copy.buffer));
  return copy;
}

let server: FaultServer;
let work: string;
let listPath: string;
/** A shorter list for the runs that are killed: 30 good entries and every fault but the slow HTTP 500 one. */
let killListPath: string;
const KILL_IDS = [...Array.from({ length: 30 }, (_, n) => accession(n)), ...Object.values(FAULTS).filter((id) => id !== FAULTS.serverError)];
const savedEnv = { ...process.env };

function serve(): void {
  const gz = new Uint8Array(gzipSync(MAP));
  const mapPath = (id: string) => `/files/${id}/map/emd_${id.slice(4)}.map.gz`;
  const apiPath = (id: string) => `/api/entry/${id}`;
  for (let n = 0; n < GOOD; n++) {
    server.route(mapPath(accession(n)), { kind: "ok", body: gz });
    server.route(apiPath(accession(n)), { kind: "ok", body: metadata(accession(n), n), contentType: "application/json" });
  }
  const withMetadata = (id: string, body: Uint8Array) => {
    server.route(mapPath(id), { kind: "ok", body });
    server.route(apiPath(id), { kind: "ok", body: metadata(id, 1), contentType: "application/json" });
  };
  withMetadata(FAULTS.truncated, gz.subarray(0, gz.length >> 1));
  withMetadata(FAULTS.corrupt, new Uint8Array(gzipSync(header(MAP, (v) => v.setUint32(208, 0x01020304)))));
  withMetadata(FAULTS.huge, new Uint8Array(gzipSync(header(MAP, (v) => [0, 4, 8].forEach((o) => v.setInt32(o, 2000, true))))));
  server.route(mapPath(FAULTS.absurd), { kind: "ok", body: gz });
  server.route(apiPath(FAULTS.absurd), {
    kind: "ok", contentType: "application/json",
    body: metadata(FAULTS.absurd, 2, {
      contour_list: { contour: [{ primary: true, level: 50, source: "AUTHOR" }] },
      pixel_spacing: { x: { valueOf_: 0 }, y: { valueOf_: 11.4 }, z: { valueOf_: 11.4 } },
    }).replace('"valueOf_":27', '"valueOf_":-3.5'),
  });
  server.route(mapPath(FAULTS.serverError), { kind: "status", status: 500 });
  server.route(mapPath(FAULTS.noMetadata), { kind: "ok", body: gz });
}

beforeAll(async () => {
  server = await startFaultServer();
  serve();
  work = mkdtempSync(join(tmpdir(), "mapval-batch-test-"));
  // The children inherit these: the fake EMDB, and a cache directory that must stay empty (maps go to the scratch).
  process.env.MAPVAL_EMDB_BASE_URL = `${server.origin}/files`;
  process.env.MAPVAL_EMDB_API_URL = `${server.origin}/api`;
  process.env.MAPVAL_CACHE_DIR = join(work, "user-cache");
  delete process.env.SLURM_ARRAY_TASK_ID;
  delete process.env.JOB_COMPLETION_INDEX;
  listPath = join(work, "entries.txt");
  const lines = Array.from({ length: ALL }, (_, n) => accession(n));
  // Comments, blank lines and lower-case accessions are allowed.
  writeFileSync(listPath, `# test entries\n\n${lines.join("\n").replace("EMD-10005", "emd-10005  # lower case")}\n`);
  killListPath = join(work, "kill.txt");
  writeFileSync(killListPath, KILL_IDS.join("\n") + "\n");
});
afterAll(async () => {
  process.env = savedEnv;
  rmSync(work, { recursive: true, force: true });
  await server.close();
});

function captureIO() {
  const io = { stdout: "", stderr: "", out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
  return io;
}

const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8"));

/** report.json without what differs between two runs of the same entry: the time it was made and what it cost. */
function stable(report: Record<string, any>) {
  const { generator, batch, ...rest } = report;
  const { seconds: _s, cpuSeconds: _c, peakRssBytes: _p, ...batchRest } = batch;
  return { ...rest, generator: { ...generator, generatedAt: null }, batch: batchRest };
}

/** Every file the entries left in DIR, stable parts only, by entry. */
function outcomes(dir: string, ids: readonly string[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const id of ids) {
    const files = readdirSync(join(dir, id)).sort();
    result[id] = {
      files,
      report: files.includes("report.json") ? stable(readJson(join(dir, id, "report.json"))) : null,
      done: files.includes("done.json") ? readJson(join(dir, id, "done.json")) : null,
      error: files.includes("error.json") ? readJson(join(dir, id, "error.json")) : null,
    };
  }
  return result;
}

/** summary.csv's rows of `ids` without the seconds and peakRssBytes columns (the last two). */
function stableCsv(dir: string, ids: readonly string[]): string[] {
  const lines = readFileSync(join(dir, "summary.csv"), "utf8").trim().split("\n").slice(1);
  return lines.filter((line) => ids.includes(line.split(",")[0]!)).map((line) => line.split(",").slice(0, -2).join(","));
}

let reference: string;

describe("mapval batch over a fake EMDB", () => {
  it("finishes every entry: reports for the good ones, the right class for each fault, maps removed", async () => {
    reference = join(work, "reference");
    const io = captureIO();
    const started = performance.now();
    expect(await runBatch(["--entries", listPath, "--out", reference, "--workers", "2"], io)).toBe(0);
    const minutes = (performance.now() - started) / 60000;
    console.log(`mapval batch: ${ALL} entries of 20³ in ${(minutes * 60).toFixed(1)} s (${(ALL / minutes).toFixed(0)} entries/min, 2 workers)`);
    expect(io.stdout).toMatch(new RegExp(`^mapval batch: shard 0/1, ${ALL} entries: ${GOOD + 2} done, 0 already done, 5 failed \\(`));

    const errorClass = (id: string) => readJson(join(reference, id, "error.json")).class;
    expect(errorClass(FAULTS.missing)).toBe("download");
    expect(errorClass(FAULTS.serverError)).toBe("download");
    expect(errorClass(FAULTS.truncated)).toBe("parse");
    expect(errorClass(FAULTS.corrupt)).toBe("parse");
    expect(errorClass(FAULTS.huge)).toBe("too-large");
    expect(readJson(join(reference, FAULTS.missing, "error.json"))).toEqual({
      id: FAULTS.missing, class: "download", message: `${FAULTS.missing}: not found in EMDB`, version: "0.1.0",
    });
    for (const id of Object.values(FAULTS).slice(0, 4)) expect(readdirSync(join(reference, id))).toEqual(["error.json"]);

    // Absurd metadata is not a failure: the absurd values are left out, said in batch.entry.metadataIssues; the
    // contour above the map's maximum gives way to the unknown-contour rule.
    const absurd = readJson(join(reference, FAULTS.absurd, "report.json"));
    expect(absurd.input).toMatchObject({ resolution: null, voxelSize: 11.4 });
    expect(absurd.batch.entry.threshold).toMatchObject({ fromAuthors: false, explanation: expect.stringMatching(/recorded contour 50 is above the map maximum/) });
    expect(absurd.batch.entry.metadataIssues.map((i: { code: string }) => i.code).sort()).toEqual(["pixel-spacing-absurd", "resolution-absurd"]);
    const noMetadata = readJson(join(reference, FAULTS.noMetadata, "report.json"));
    expect(noMetadata.batch.inputs.map((i: { name: string }) => i.name)).toEqual(["emd_10206.map.gz"]);

    // A good entry: the report of its accession's contour and resolution, and the inputs it was made from.
    const n = 7;
    const report = readJson(join(reference, accession(n), "report.json"));
    expect(report.input).toMatchObject({ file: "emd_10007.map.gz", shape: [20, 20, 20], voxelSize: 11.4, threshold: 0.5 + 0.25 * 7, resolution: 27 });
    expect(report.batch).toMatchObject({ mapvalVersion: "0.1.0", entry: { id: accession(n), emdb: accession(n), title: "Test entry 7" } });
    expect(report.batch.inputs).toEqual([
      { name: "emd_10007.map.gz", sha256: report.input.sha256, bytes: gzipSync(MAP).length },
      expect.objectContaining({ name: "entry.json", bytes: metadata(accession(n), n).length }),
    ]);
    expect(report.batch.seconds).toBeGreaterThan(0);
    expect(report.batch.peakRssBytes).toBeGreaterThan(20e6);
    expect(readJson(join(reference, accession(n), "done.json"))).toEqual({ version: "0.1.0", inputsSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });

    // Nothing left in the scratch directory, nothing in the user's cache.
    expect(readdirSync(join(reference, ".scratch", "emdb"))).toEqual([]);
    expect(existsSync(join(work, "user-cache"))).toBe(false);

    // summary.csv and summary.arrow: one row per entry in the list's order, the same values in both.
    const csv = readFileSync(join(reference, "summary.csv"), "utf8").trim().split("\n");
    expect(csv[0]).toBe(
      "id,status,errorClass,boxX,boxY,boxZ,voxelSize,resolution,threshold,passed,evaluable," +
        "status_0.a,status_0.b,status_0.c,status_0.d,status_0.e,status_0.f,status_0.g,status_0.h," +
        "level1,status_1.a,status_1.b,status_1.c,status_1.d,status_1.e,status_1.f,status_1.g,status_1.h,seconds,peakRssBytes",
    );
    expect(csv.length).toBe(ALL + 1);
    expect(csv[1 + GOOD]).toBe(`${FAULTS.missing},failed,download${",".repeat(27)}`);
    const table = tableFromIPC(readFileSync(join(reference, "summary.arrow")));
    expect(table.numRows).toBe(ALL);
    const row = table.get(n)!.toJSON();
    expect(row).toMatchObject({
      id: accession(n), status: "done", errorClass: null, boxX: 20, voxelSize: 11.4, resolution: 27, threshold: 2.25,
      passed: report.score.passed, evaluable: report.score.evaluable, "status_0.e": report.sections["0.e"].status,
      peakRssBytes: report.batch.peakRssBytes, level1: "not requested", "status_1.a": null,
    });
    expect(report.batch.entry.level1).toEqual({ status: "not requested", reason: null });
    expect(csv[1 + n].split(",").slice(0, 19)).toEqual(
      Object.values(row).slice(0, 19).map((v) => (v === null ? "" : String(v))),
    );
  }, 900_000);

  it("a second run finds every good entry done and starts no process for it", async () => {
    const io = captureIO();
    const started = performance.now();
    expect(await runBatch(["--entries", listPath, "--out", reference, "--workers", "2"], io)).toBe(0);
    expect(io.stdout).toMatch(new RegExp(`${ALL} entries: 0 done, ${GOOD + 2} already done, 5 failed`));
    // Only the five failed entries ran again (the 500 one waits for its retries, about 7 s).
    expect(performance.now() - started).toBeLessThan(120_000);
  }, 600_000);

  it("killed with SIGKILL at random moments and run again, it ends with the files of an uninterrupted run", async () => {
    const out = join(work, "killed");
    const random = xorshift32(17);
    const run = () => spawn(process.execPath, [mapvalBin, "batch", "--entries", killListPath, "--out", out, "--workers", "2"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const doneCount = () => (existsSync(out) ? readdirSync(out).filter((d) => existsSync(join(out, d, "done.json"))).length : 0);
    for (let kill = 0; kill < 3; kill++) {
      const child = run();
      const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
      // Kill once a random number of entries more are done (or it finished first).
      const target = doneCount() + 1 + (random() % 8);
      await Promise.race([
        exited,
        new Promise<void>((resolve) => {
          const poll = setInterval(() => {
            if (doneCount() >= target) {
              clearInterval(poll);
              resolve();
            }
          }, 20 + (random() % 50));
        }),
      ]);
      child.kill("SIGKILL");
      await exited;
    }
    expect(doneCount()).toBeLessThan(KILL_IDS.length - 3); // it was interrupted
    // What a kill inside writeAtomically leaves (the random kills above hit that window only now and then).
    const unfinished = KILL_IDS.find((id) => !existsSync(join(out, id, "done.json")))!;
    mkdirSync(join(out, unfinished), { recursive: true });
    writeFileSync(join(out, unfinished, "done.json.partial-1-0badf00d"), "{");
    const last = run();
    let stdout = "";
    last.stdout!.on("data", (d) => (stdout += d));
    const code = await new Promise<number | null>((resolve) => last.on("exit", resolve));
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`${KILL_IDS.length} entries: \\d+ done, \\d+ already done, 4 failed`));
    expect(outcomes(out, KILL_IDS)).toEqual(outcomes(reference, KILL_IDS));
    expect(stableCsv(out, KILL_IDS)).toEqual(stableCsv(reference, KILL_IDS));
    // Nothing half-written is left behind.
    for (const id of readdirSync(out)) if (id.startsWith("EMD-")) expect(readdirSync(join(out, id)).filter((f) => f.includes("partial"))).toEqual([]);
  }, 900_000);
});

describe("shards", () => {
  it("--shard I/N: two shards cover every entry exactly once, and added entries move no other", async () => {
    const list = async (shard: string, path = listPath) => {
      const io = captureIO();
      expect(await runBatch(["--entries", path, "--out", join(work, "lists"), "--shard", shard, "--list"], io)).toBe(0);
      return io.stdout.trim().split("\n").filter((l) => l !== "");
    };
    const [a, b] = [await list("0/2"), await list("1/2")];
    const all = readEntriesFile(listPath).entries.map((e) => e.id);
    expect([...a, ...b].sort()).toEqual([...all].sort());
    expect(a.filter((id) => b.includes(id))).toEqual([]);
    expect(a.length).toBeGreaterThan(ALL / 4); // the hash spreads them
    expect(b.length).toBeGreaterThan(ALL / 4);
    const longer = join(work, "longer.txt");
    writeFileSync(longer, readFileSync(listPath, "utf8") + Array.from({ length: 50 }, (_, i) => accession(5000 + i)).join("\n"));
    const a2 = await list("0/2", longer);
    expect(a2.filter((id) => all.includes(id))).toEqual(a);
    expect(shardOf("EMD-10000", 2)).toBe(a.includes("EMD-10000") ? 0 : 1);
  });

  it("the shard comes from --shard, Slurm's or Kubernetes' variables, all bounded", () => {
    expect(parseShard("3/4")).toMatchObject({ index: 3, count: 4 });
    for (const bad of ["4/4", "-1/4", "1/0", "1.5/4", "x", "1/2000000"]) expect(() => parseShard(bad)).toThrow(/--shard/);
    expect(shardFromEnvironment({ SLURM_ARRAY_TASK_ID: "5", SLURM_ARRAY_TASK_COUNT: "10" })).toMatchObject({ index: 5, count: 10 });
    // --array=1-10: the ids are 1…10.
    expect(shardFromEnvironment({ SLURM_ARRAY_TASK_ID: "10", SLURM_ARRAY_TASK_MIN: "1", SLURM_ARRAY_TASK_COUNT: "10" })).toMatchObject({ index: 9 });
    expect(() => shardFromEnvironment({ SLURM_ARRAY_TASK_ID: "10", SLURM_ARRAY_TASK_COUNT: "10" })).toThrow(/not below the shard count 10/);
    expect(() => shardFromEnvironment({ SLURM_ARRAY_TASK_ID: "1" })).toThrow(/SLURM_ARRAY_TASK_COUNT/);
    expect(shardFromEnvironment({ JOB_COMPLETION_INDEX: "2", MAPVAL_SHARD_COUNT: "3" })).toMatchObject({ index: 2, count: 3 });
    expect(() => shardFromEnvironment({ JOB_COMPLETION_INDEX: "2" })).toThrow(/MAPVAL_SHARD_COUNT/);
    expect(() => shardFromEnvironment({ JOB_COMPLETION_INDEX: "2", MAPVAL_SHARD_COUNT: "1e9" })).toThrow(/MAPVAL_SHARD_COUNT/);
    expect(shardFromEnvironment({})).toBeNull();
  });

  it("deploy/slurm/mapval-batch.sh as four array elements at once: every entry done exactly once", async () => {
    const out = join(work, "slurm");
    const list = join(work, "slurm.txt");
    const ids = Array.from({ length: 12 }, (_, n) => accession(n));
    writeFileSync(list, ids.join("\n") + "\n");
    const script = new URL("../deploy/slurm/mapval-batch.sh", import.meta.url).pathname;
    const runs = [0, 1, 2, 3].map(
      (task) =>
        new Promise<string>((resolve, reject) => {
          const child = spawn("bash", [script], {
            env: {
              ...process.env, MAPVAL_ENTRIES: list, MAPVAL_OUT: out, MAPVAL: `${process.execPath} ${mapvalBin}`,
              SLURM_ARRAY_JOB_ID: "77", SLURM_ARRAY_TASK_ID: String(task + 1), SLURM_ARRAY_TASK_MIN: "1", SLURM_ARRAY_TASK_COUNT: "4",
              SLURM_CPUS_PER_TASK: "1",
            },
            stdio: ["ignore", "pipe", "pipe"],
          });
          let stdout = "";
          let stderr = "";
          child.stdout.on("data", (d) => (stdout += d));
          child.stderr.on("data", (d) => (stderr += d));
          child.on("exit", (code) => (code === 0 ? resolve(stdout) : reject(new Error(`task ${task}: exit ${code}: ${stderr}`))));
        }),
    );
    const outputs = await Promise.all(runs);
    const done = outputs.map((o) => Number(/entries: (\d+) done/.exec(o)?.[1]));
    expect(outputs.map((o) => /shard (\d+)\/4/.exec(o)?.[1])).toEqual(["0", "1", "2", "3"]);
    expect(done.reduce((a, b) => a + b, 0)).toBe(ids.length);
    for (const [task, count] of done.entries()) expect(count).toBe(ids.filter((id) => shardOf(id, 4) === task).length);
    for (const id of ids) expect(existsSync(join(out, id, "done.json"))).toBe(true);
    // Each element's scratch directory is removed when it ends.
    expect(readdirSync(tmpdir()).filter((d) => d.startsWith("mapval-scratch-77-"))).toEqual([]);
    const summary = captureIO();
    expect(await runBatch(["--entries", list, "--out", out, "--summary-only"], summary)).toBe(0);
    expect(readFileSync(join(out, "summary.csv"), "utf8").trim().split("\n").length).toBe(ids.length + 1);
  }, 600_000);
});

describe("limits, the done-marker and bad arguments, on local files", () => {
  let config: string;
  beforeAll(() => {
    const dir = join(work, "local");
    mkdirSync(join(dir, "maps"), { recursive: true });
    copyFileSync(repo("data/maps/emd_1997.map"), join(dir, "maps", "big.map"));
    copyFileSync(repo("data/maps/emd_3197.map"), join(dir, "maps", "small.map"));
    const entry = (id: string, file: string, resolution: number) => ({
      id, emdb: null, title: id, file, resolution: { angstrom: resolution, source: "test" }, contour: { level: 1, source: "test" }, attribution: "test",
    });
    config = join(dir, "mapval.entries.json");
    writeFileSync(config, JSON.stringify({ version: 1, entries: [entry("big", "maps/big.map", 7), entry("small", "maps/small.map", 25)] }));
  });

  it("an entry over its time or memory limit is stopped and classed", async () => {
    const out = join(work, "limits");
    const io = captureIO();
    // 100³ at 7 Å with 0.e–0.g takes seconds of CPU (docs/batch.md): on an idle machine it can end within 10 s, never
    // within 2 s. (That the run goes on after a failed entry is the first test's; here a small entry could also pass
    // 2 s on a machine loaded enough.)
    const bigOnly = join(work, "local", "big-only.json");
    writeFileSync(bigOnly, JSON.stringify({ ...readJson(config), entries: readJson(config).entries.slice(0, 1) }));
    expect(await runBatch(["--entries", bigOnly, "--out", join(out, "time"), "--entry-timeout", "2"], io)).toBe(0);
    expect(readJson(join(out, "time", "big", "error.json"))).toMatchObject({ class: "timeout", message: "stopped after the entry's limit of 2 s" });
    // A Node process alone is resident in more than 30 MiB.
    expect(await runBatch(["--entries", config, "--out", join(out, "memory"), "--entry-memory", "30", "--workers", "2"], io)).toBe(0);
    for (const id of ["big", "small"]) {
      expect(readJson(join(out, "memory", id, "error.json"))).toMatchObject({ class: "out-of-memory", message: expect.stringMatching(/above the entry's limit of 30 MiB/) });
    }
  }, 600_000);

  it("a rerun skips a done entry until its file or its configuration changes", async () => {
    const out = join(work, "marker");
    const args = ["--entries", config, "--out", out, "--workers", "2"];
    let io = captureIO();
    expect(await runBatch(args, io)).toBe(0);
    expect(io.stdout).toMatch(/2 entries: 2 done, 0 already done/);
    const before = readJson(join(out, "small", "report.json"));
    io = captureIO();
    expect(await runBatch(args, io)).toBe(0);
    expect(io.stdout).toMatch(/2 entries: 0 done, 2 already done/);
    expect(readJson(join(out, "small", "report.json"))).toEqual(before);
    // Another map under the same name: only that entry is redone.
    copyFileSync(repo("data/maps/emd_3197.map"), join(work, "local", "maps", "small.map"));
    const bytes = readFileSync(join(work, "local", "maps", "small.map"));
    bytes[2000] ^= 0xff;
    writeFileSync(join(work, "local", "maps", "small.map"), bytes);
    io = captureIO();
    expect(await runBatch(args, io)).toBe(0);
    expect(io.stdout).toMatch(/2 entries: 1 done, 1 already done/);
    expect(readJson(join(out, "small", "report.json")).input.sha256).not.toBe(before.input.sha256);
    // Another contour in the configuration: redone too.
    const edited = readJson(config);
    edited.entries[1].contour.level = 1.5;
    writeFileSync(config, JSON.stringify(edited));
    io = captureIO();
    expect(await runBatch(args, io)).toBe(0);
    expect(io.stdout).toMatch(/2 entries: 1 done, 1 already done/);
    expect(readJson(join(out, "small", "report.json")).input.threshold).toBe(1.5);
  }, 600_000);

  it("bad arguments and entries files: exit 2 with one line", async () => {
    const bad = join(work, "bad.txt");
    writeFileSync(bad, "EMD-1234\nnot-an-accession\nEMD-1234\n");
    const cases: [string[], RegExp][] = [
      [["--entries", bad, "--out", work], /line 2: expected an EMDB accession such as EMD-1234, found "not-an-accession"; line 3: EMD-1234 is already on line 1/],
      [["--entries", listPath, "--out", work, "--levels", "0,2"], /--levels takes 0, 1 or 0,1, got "0,2"/],
      [["--entries", listPath, "--out", work, "--levels", ""], /--levels takes 0, 1 or 0,1, got ""/],
      [["--entries", listPath, "--out", work, "--workers", "0"], /--workers must be a whole number/],
      [["--entries", listPath, "--out", work, "--entry-timeout=-1"], /--entry-timeout must be a number above 0/],
      [["--entries", listPath, "--out", work, "--entry-memory", "NaN"], /--entry-memory must be a number above 0/],
      [["--entries", listPath, "--out", work, "--shard", "2/2"], /shard index 2 is not below the shard count 2/],
      [["--entries", join(work, "nothing.txt"), "--out", work], /cannot read it \(ENOENT\)/],
      [["--out", work], /missing --entries FILE/],
      [["--entries", listPath, "--out", work, "--frobnicate"], /Unknown option '--frobnicate'/],
    ];
    for (const [args, message] of cases) {
      const io = captureIO();
      expect(await runBatch(args, io), args.join(" ")).toBe(2);
      expect(io.stderr).toMatch(message);
      expect(io.stderr.trim().split("\n")).toHaveLength(1);
    }
  });

  it("the progress line: done, failed, remaining, rate and time left", () => {
    // 12 entries in 60 s: 12 a minute, so 88 take 7 min 20 s.
    expect(progressText(10, 2, 88, 60)).toBe("mapval batch: 10 done, 2 failed, 88 remaining · 12.0 entries/min, ETA 7 min 20 s");
    expect(progressText(0, 0, 5, 0)).toBe("mapval batch: 0 done, 0 failed, 5 remaining · 0.0 entries/min");
  });

  it("default limits grow with the box", () => {
    expect(defaultLimits(100 ** 3).seconds).toBeLessThan(defaultLimits(384 ** 3).seconds);
    expect(defaultLimits(100 ** 3).memoryBytes).toBeLessThan(defaultLimits(384 ** 3).memoryBytes);
  });
});
