// The site's reading of a `mapval batch` output directory (data-loaders/batch/batch-output.ts, src/data/batch/summary.arrow.ts,
// observablehq.config.ts): the summary's rows as written, and a named error for each kind of bad directory.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync, readFileSync, lstatSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  BatchOutputError, batchDirFromEnv, batchIndexTable, checkBatchEntries, readBatchSummary,
} from "../data-loaders/batch/batch-output.js";
import { sectionIds } from "../lib/level0/level0.js";
import { makeBatchDir, summaryRow, writeSummaryArrow, type FixtureEntry, type SummaryRow } from "./helpers/batch-fixture.js";

const projectRoot = join(import.meta.dirname, "..");
const scratch = mkdtempSync(join(tmpdir(), "mapval-batch-output-"));
const good = join(scratch, "good");
let entries: FixtureEntry[];
let rows: SummaryRow[];

beforeAll(() => {
  entries = makeBatchDir(good, 30);
  rows = entries.map(summaryRow);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of the good directory, changed by `edit`. */
let copies = 0;
function variant(edit: (dir: string) => void): string {
  const dir = join(scratch, `variant-${++copies}`);
  cpSync(good, dir, { recursive: true });
  edit(dir);
  return dir;
}
/** A copy whose summary has row `index` changed (a column set to undefined is removed from every row). */
function withRow(index: number, change: Record<string, unknown>): string {
  return variant((dir) => writeSummaryArrow(dir, rows.map((r, i) => (i === index ? { ...r, ...change } : r))));
}
function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(BatchOutputError);
    return (error as BatchOutputError).code;
  }
  throw new Error("no error thrown");
}

describe("a well-formed batch directory", () => {
  test("every summary row is read as written, failed rows with their class", () => {
    const read = readBatchSummary(good);
    expect(read.map((r) => r.id)).toEqual(entries.map((e) => e.id));
    for (const [i, row] of read.entries()) {
      const written = rows[i];
      expect(row.status).toBe(written.status);
      expect(row.errorClass).toBe(written.errorClass);
      expect(row.box).toEqual(written.boxX === null ? null : [written.boxX, written.boxY, written.boxZ]);
      expect([row.voxelSize, row.resolution, row.threshold, row.passed, row.evaluable])
        .toEqual([written.voxelSize, written.resolution, written.threshold, written.passed, written.evaluable]);
      for (const s of sectionIds) expect(row.statuses[s]).toBe(written[`status_${s}`]);
    }
    // The generator's mix: 3 failed of 30, resolutions given and not.
    expect(read.filter((r) => r.status === "failed").map((r) => r.id)).toEqual(["emd-10007", "emd-10017", "emd-10027"]);
    expect(new Set(read.map((r) => r.resolution))).toEqual(new Set([null, 6, 9.5, 30]));
    expect(() => checkBatchEntries(good, read)).not.toThrow();
  });

  test("the index table holds the same values in narrower columns", () => {
    const read = readBatchSummary(good);
    const table = tableFromIPC(batchIndexTable(read));
    expect(table.numRows).toBe(read.length);
    const column = (name: string) => Array.from(table.getChild(name)!);
    expect(column("id")).toEqual(read.map((r) => r.id));
    expect(column("status")).toEqual(read.map((r) => r.status));
    expect(column("errorClass")).toEqual(read.map((r) => r.errorClass));
    expect(column("boxX")).toEqual(read.map((r) => r.box?.[0] ?? null));
    expect(column("resolution")).toEqual(read.map((r) => r.resolution));
    expect(column("threshold")).toEqual(read.map((r) => r.threshold));
    expect(column("passed")).toEqual(read.map((r) => r.passed));
    expect(column("evaluable")).toEqual(read.map((r) => r.evaluable));
    for (const s of sectionIds) expect(column(`status_${s}`)).toEqual(read.map((r) => r.statuses[s]));
    // 32-bit voxel size: the displayed value (4 significant digits) is unchanged.
    column("voxelSize").forEach((v, i) => expect(v === null ? null : Number((v as number).toPrecision(4))).toBe(read[i].voxelSize));
  });

  test("no MAPVAL_BATCH_DIR: the default site; a directory that is not there: a named error", () => {
    expect(batchDirFromEnv({})).toBeNull();
    expect(batchDirFromEnv({ MAPVAL_BATCH_DIR: "" })).toBeNull();
    expect(batchDirFromEnv({ MAPVAL_BATCH_DIR: good })).toBe(good);
    expect(codeOf(() => batchDirFromEnv({ MAPVAL_BATCH_DIR: join(scratch, "nowhere") }))).toBe("batch-dir-missing");
  });
});

describe("a bad batch directory stops the build with a named error", () => {
  test("summary.arrow missing, not Arrow, or without a column", () => {
    expect(codeOf(() => readBatchSummary(variant((dir) => rmSync(join(dir, "summary.arrow")))))).toBe("batch-summary-missing");
    expect(codeOf(() => readBatchSummary(variant((dir) => writeFileSync(join(dir, "summary.arrow"), "id,status\n"))))).toBe("batch-summary-unreadable");
    const noScore = variant((dir) => writeSummaryArrow(dir, rows.map(({ passed: _, ...rest }) => rest)));
    expect(() => readBatchSummary(noScore)).toThrow(/missing column passed/);
  });

  test.each([
    ["an id that climbs out of the directory", 0, { id: "../etc" }, /row 1, column id: "..\/etc", expected 1 to 64 letters/],
    ["an id the site would take for another type of file", 3, { id: "emd-1.html" }, /row 4, column id: "emd-1.html"/],
    ["an id used twice", 1, { id: "emd-10000" }, /emd-10000 appears more than once/],
    ["an unknown status", 2, { status: "skipped" }, /row 3, column status: "skipped"/],
    ["a failed row without its class", 7, { errorClass: null }, /row 8, column errorClass/],
    ["a non-finite number", 0, { threshold: Number.NaN }, /column threshold: null, expected a finite number/],
    ["a box edge of zero", 0, { boxX: 0 }, /column boxX: 0, expected an integer from 1 to 65535/],
    ["a fractional box edge", 0, { boxY: 99.5 }, /column boxY: 99.5/],
    ["more passed than evaluable", 0, { passed: 4, evaluable: 3 }, /column passed: 4, expected at most evaluable \(3\)/],
    ["an unknown section status", 0, { "status_0.c": "fine" }, /column status_0.c: "fine"/],
    ["a done row without a threshold", 0, { threshold: null }, /row 1 \(emd-10000, done\): no value in threshold/],
    ["a negative voxel size", 0, { voxelSize: -1 }, /column voxelSize: -1, expected a positive number/],
  ])("%s", (_, index, change, message) => {
    const dir = withRow(index, change);
    // NaN is written to Arrow as NaN and read back as NaN: the message shows it as JSON (null).
    expect(() => readBatchSummary(dir)).toThrow(BatchOutputError);
    expect(() => readBatchSummary(dir)).toThrow(message);
  });

  test("an entry's file missing, unreadable or disagreeing with the summary", () => {
    const check = (dir: string) => codeOf(() => checkBatchEntries(dir, readBatchSummary(dir)));
    expect(check(variant((dir) => rmSync(join(dir, "emd-10003", "report.json"))))).toBe("batch-entry-missing");
    expect(check(variant((dir) => rmSync(join(dir, "emd-10017", "error.json"))))).toBe("batch-entry-missing");
    expect(check(variant((dir) => writeFileSync(join(dir, "emd-10003", "report.json"), "{\"score\":")))).toBe("batch-entry-unreadable");
    const rescored = variant((dir) => {
      const path = join(dir, "emd-10004", "report.json");
      const report = JSON.parse(readFileSync(path, "utf8"));
      report.score.passed += 1;
      writeFileSync(path, JSON.stringify(report));
    });
    expect(() => checkBatchEntries(rescored, readBatchSummary(rescored))).toThrow(/emd-10004.*score.passed is \d, summary.arrow says \d/);
    const reclassed = variant((dir) => {
      const path = join(dir, "emd-10007", "error.json");
      writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, "utf8")), class: "parse" }));
    });
    expect(() => checkBatchEntries(reclassed, readBatchSummary(reclassed))).toThrow(/class is "parse", summary.arrow says "download"/);
  });
});

describe("the site's loader and configuration", () => {
  const tsx = (script: string, env: Record<string, string>) =>
    spawnSync(process.execPath, ["--import", "tsx", script], { cwd: projectRoot, env: { ...process.env, ...env }, maxBuffer: 64 << 20 });

  test("src/data/batch/summary.arrow.ts writes the index table of MAPVAL_BATCH_DIR, none without it", () => {
    const loader = join(projectRoot, "src", "data", "batch", "summary.arrow.ts");
    const run = tsx(loader, { MAPVAL_BATCH_DIR: good });
    expect(run.status).toBe(0);
    // Arrow numbers dictionaries per process, so the tables are compared, not their bytes.
    const rowsOf = (bytes: Uint8Array) => tableFromIPC(bytes).toArray().map((row) => row.toJSON());
    expect(rowsOf(run.stdout)).toEqual(rowsOf(batchIndexTable(readBatchSummary(good))));
    const none = tsx(loader, { MAPVAL_BATCH_DIR: "" });
    expect(none.status).toBe(0);
    expect(tableFromIPC(none.stdout).numRows).toBe(0);
    const broken = tsx(loader, { MAPVAL_BATCH_DIR: variant((dir) => rmSync(join(dir, "emd-10003", "report.json"))) });
    expect(broken.status).not.toBe(0);
    expect(String(broken.stderr)).toMatch(/BatchOutputError.*emd-10003[\\/]report\.json: missing/);
  }, 60_000);

  test("observablehq.config.ts: a page per batch entry, a short sidebar, the entries' files linked", () => {
    const link = join(projectRoot, "src", "data", "batch-entries");
    const script = join(scratch, "print-config.mts");
    writeFileSync(script, `const { default: config } = await import(${JSON.stringify(join(projectRoot, "observablehq.config.ts"))});\n` +
      "console.log(JSON.stringify({ pages: config.pages, dynamicPaths: config.dynamicPaths }));\n");
    try {
      const run = tsx(script, { MAPVAL_BATCH_DIR: good });
      expect(String(run.stderr)).toBe("");
      const config = JSON.parse(String(run.stdout));
      expect(config.dynamicPaths).toEqual(rows.map((r) => (r.status === "done" ? `/batch/${r.id}` : `/batch/failed/${r.id}`)));
      const batchGroup = config.pages.find((p: { name: string }) => p.name === "Batch");
      expect(batchGroup.pages.map((p: { path: string }) => p.path)).toEqual(["/batch/", ...config.dynamicPaths.slice(0, 5)]);
      expect(config.pages.some((p: { name: string }) => p.name === "Entries")).toBe(false);
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
      expect(readFileSync(join(link, "emd-10000", "report.json"), "utf8")).toBe(readFileSync(join(good, "emd-10000", "report.json"), "utf8"));
      // Without a batch: the bundled entries, as before, and no link left behind.
      const plain = JSON.parse(String(tsx(script, {}).stdout));
      expect(plain.dynamicPaths.every((p: string) => p.startsWith("/entries/"))).toBe(true);
      expect(() => lstatSync(link)).toThrow(/ENOENT/);
    } finally {
      rmSync(link, { force: true });
    }
  }, 60_000);
});
