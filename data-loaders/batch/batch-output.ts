/**
 * Reads the output directory of `mapval batch` for the site (docs/batch.md, "Publishing a batch"):
 *
 *   DIR/summary.arrow       one row per entry (Arrow IPC): id, status, errorClass, boxX…Z, voxelSize, resolution,
 *                           threshold, passed, evaluable, status_0.a…status_0.h, seconds, peakRssBytes
 *   DIR/<id>/report.json    a done entry's `mapval report --json` (lib/report/report-text.ts reportJson) plus `batch`
 *   DIR/<id>/error.json     a failed entry's { id, class, message, version }
 *
 * Every value of the summary is checked before it names a file or reaches a page: a bad directory stops the build
 * with a BatchOutputError saying which file, row and column is wrong.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Dictionary, Float32, Float64, Int8, Table, Uint16, Uint8, Utf8, Vector, tableFromIPC, tableToIPC, vectorFromArray } from "apache-arrow";
import { ENTRY_ID } from "../../lib/entries.js";
import { sectionIds } from "../../lib/level0/level0.js";
import { level1SectionIds } from "../../lib/section-registry.js";
import type { Level0SectionId, SectionStatus } from "../../lib/report/report-types.js";

export class BatchOutputError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "BatchOutputError";
    this.code = code;
  }
}

/** More rows than EMDB holds maps, with room to spare; a larger summary is refused before it is read. */
export const MAX_BATCH_ENTRIES = 200_000;
const MAX_SUMMARY_BYTES = 256 * 1024 * 1024;
/** A done entry's report.json or a failed entry's error.json: far above any real one (≈20 KB), far below memory. */
const MAX_ENTRY_FILE_BYTES = 16 * 1024 * 1024;
/** Box edges, bounded far above any map the kernel opens (and to the index's 16-bit column). */
const MAX_BOX = 65_535;
const ERROR_CLASS_PATTERN = /^[a-z][a-z0-9-]{0,39}$/;
/** A report with Level 1 (mapval batch --levels 0,1) scores the sections of both levels. */
const SCORE_ITEMS = sectionIds.length + level1SectionIds.length;
const STATUSES: readonly SectionStatus[] = ["ok", "warnings", "does-not-apply", "not-measured", "not-requested"];

export type BatchStatus = "done" | "failed";

export interface BatchRow {
  id: string;
  status: BatchStatus;
  /** The failure's class (download, parse, too-large, timeout, out-of-memory, internal); null when done. */
  errorClass: string | null;
  box: [number, number, number] | null;
  voxelSize: number | null;
  resolution: number | null;
  threshold: number | null;
  passed: number | null;
  evaluable: number | null;
  statuses: Record<Level0SectionId, SectionStatus | null>;
}

export const summaryColumn = (section: Level0SectionId) => `status_${section}`;

/** The batch directory named by MAPVAL_BATCH_DIR, or null for the default site (the bundled entries). */
export function batchDirFromEnv(env: NodeJS.ProcessEnv = process.env): string | null {
  const dir = env.MAPVAL_BATCH_DIR;
  if (dir === undefined || dir === "") return null;
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new BatchOutputError("batch-dir-missing", `MAPVAL_BATCH_DIR=${dir}: no such directory`);
  return dir;
}

function readBounded(path: string, limit: number, missingCode: string, what: string): Buffer {
  if (!existsSync(path)) throw new BatchOutputError(missingCode, `${path}: missing (${what})`);
  const size = statSync(path).size;
  if (size > limit) throw new BatchOutputError("batch-file-too-large", `${path}: ${size} bytes, more than the ${limit} allowed for ${what}`);
  return readFileSync(path);
}

/** The rows of DIR/summary.arrow, each checked; ids are unique. */
export function readBatchSummary(dir: string): BatchRow[] {
  const path = join(dir, "summary.arrow");
  const bytes = readBounded(path, MAX_SUMMARY_BYTES, "batch-summary-missing", "the batch summary");
  let table: Table;
  try {
    table = tableFromIPC(bytes);
  } catch (error) {
    throw new BatchOutputError("batch-summary-unreadable", `${path}: not an Arrow IPC file (${(error as Error).message})`);
  }
  if (table.numRows > MAX_BATCH_ENTRIES)
    throw new BatchOutputError("batch-summary-too-large", `${path}: ${table.numRows} rows, more than ${MAX_BATCH_ENTRIES}`);
  const required = ["id", "status", "errorClass", "boxX", "boxY", "boxZ", "voxelSize", "resolution", "threshold", "passed", "evaluable", ...sectionIds.map(summaryColumn)];
  const missing = required.filter((name) => !table.getChild(name));
  if (missing.length) throw new BatchOutputError("batch-summary-columns", `${path}: missing column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`);
  const column = (name: string) => table.getChild(name)!;

  const rows: BatchRow[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < table.numRows; i++) {
    const at = (name: string) => `${path}, row ${i + 1}, column ${name}`;
    const bad = (name: string, value: unknown, expected: string) =>
      new BatchOutputError("batch-summary-invalid", `${at(name)}: ${JSON.stringify(value)}, expected ${expected}`);
    const text = (name: string): string | null => {
      const v = column(name).get(i);
      if (v === null || v === undefined) return null;
      if (typeof v !== "string") throw bad(name, v, "text");
      return v;
    };
    // Arrow gives 64-bit integers as bigint; every number column is read as a finite double or null.
    const num = (name: string): number | null => {
      const v = column(name).get(i);
      if (v === null || v === undefined) return null;
      const x = typeof v === "bigint" ? Number(v) : v;
      if (typeof x !== "number" || !Number.isFinite(x)) throw bad(name, typeof v === "bigint" ? String(v) : v, "a finite number or null");
      return x;
    };
    const int = (name: string, lo: number, hi: number): number | null => {
      const x = num(name);
      if (x !== null && (!Number.isInteger(x) || x < lo || x > hi)) throw bad(name, x, `an integer from ${lo} to ${hi}`);
      return x;
    };

    const id = text("id");
    // Ids name directories and pages: the rule of the entries' ids (no '.', so no "..", no "x.html").
    if (id === null || !ENTRY_ID.test(id)) throw bad("id", id, "1 to 64 letters, digits, '_' or '-', starting with a letter or digit");
    if (seen.has(id)) throw new BatchOutputError("batch-summary-duplicate", `${at("id")}: ${id} appears more than once`);
    seen.add(id);
    const status = text("status");
    if (status !== "done" && status !== "failed") throw bad("status", status, `"done" or "failed"`);
    const errorClass = text("errorClass");
    if (status === "failed" && (errorClass === null || !ERROR_CLASS_PATTERN.test(errorClass)))
      throw bad("errorClass", errorClass, "the class of a failed entry (lower-case, e.g. parse)");

    const boxValues = (["boxX", "boxY", "boxZ"] as const).map((name) => int(name, 1, MAX_BOX));
    const box = boxValues.every((x) => x !== null) ? (boxValues as [number, number, number]) : null;
    const positive = (name: string) => {
      const x = num(name);
      if (x !== null && x <= 0) throw bad(name, x, "a positive number or null");
      return x;
    };
    const voxelSize = positive("voxelSize");
    const resolution = positive("resolution");
    const threshold = num("threshold");
    const evaluable = int("evaluable", 0, SCORE_ITEMS);
    const passed = int("passed", 0, SCORE_ITEMS);
    if (passed !== null && evaluable !== null && passed > evaluable) throw bad("passed", passed, `at most evaluable (${evaluable})`);
    const statuses = {} as Record<Level0SectionId, SectionStatus | null>;
    for (const section of sectionIds) {
      const s = text(summaryColumn(section));
      if (s !== null && !STATUSES.includes(s as SectionStatus)) throw bad(summaryColumn(section), s, `one of ${STATUSES.join(", ")}`);
      statuses[section] = s as SectionStatus | null;
    }
    if (status === "done") {
      const absent = [...(box ? [] : ["boxX…boxZ"]), ...(voxelSize === null ? ["voxelSize"] : []), ...(threshold === null ? ["threshold"] : []),
        ...(passed === null ? ["passed"] : []), ...(evaluable === null ? ["evaluable"] : []),
        ...sectionIds.filter((section) => statuses[section] === null).map(summaryColumn)];
      if (absent.length) throw new BatchOutputError("batch-summary-invalid", `${path}, row ${i + 1} (${id}, done): no value in ${absent.join(", ")}`);
    }
    rows.push({ id, status, errorClass: status === "failed" ? errorClass : null, box, voxelSize, resolution, threshold, passed, evaluable, statuses });
  }
  return rows;
}

function readEntryJson(dir: string, row: BatchRow, name: "report.json" | "error.json"): Record<string, unknown> {
  const path = join(dir, row.id, name);
  const text = readBounded(path, MAX_ENTRY_FILE_BYTES, "batch-entry-missing", `entry ${row.id} is ${row.status} in summary.arrow`).toString("utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new BatchOutputError("batch-entry-unreadable", `${path}: not JSON (${(error as Error).message})`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new BatchOutputError("batch-entry-unreadable", `${path}: not a JSON object`);
  return value as Record<string, unknown>;
}

/**
 * Each row's file is there and agrees with the summary: a done entry's report.json has the summary's score, threshold
 * and section statuses (the index and the entry page then show the same), a failed entry's error.json its id and class.
 */
export function checkBatchEntries(dir: string, rows: readonly BatchRow[]): void {
  for (const row of rows) {
    const mismatch = (file: string, field: string, inFile: unknown, inSummary: unknown) =>
      new BatchOutputError("batch-entry-mismatch", `${join(dir, row.id, file)}: ${field} is ${JSON.stringify(inFile)}, summary.arrow says ${JSON.stringify(inSummary)}`);
    if (row.status === "failed") {
      const error = readEntryJson(dir, row, "error.json");
      if (error.id !== row.id) throw mismatch("error.json", "id", error.id, row.id);
      if (error.class !== row.errorClass) throw mismatch("error.json", "class", error.class, row.errorClass);
      if (typeof error.message !== "string") throw new BatchOutputError("batch-entry-unreadable", `${join(dir, row.id, "error.json")}: no message`);
      continue;
    }
    const report = readEntryJson(dir, row, "report.json") as {
      score?: { passed?: unknown; evaluable?: unknown };
      input?: { threshold?: unknown };
      sections?: Record<string, { status?: unknown } | undefined>;
    };
    if (report.score?.passed !== row.passed) throw mismatch("report.json", "score.passed", report.score?.passed, row.passed);
    if (report.score?.evaluable !== row.evaluable) throw mismatch("report.json", "score.evaluable", report.score?.evaluable, row.evaluable);
    if (report.input?.threshold !== row.threshold) throw mismatch("report.json", "input.threshold", report.input?.threshold, row.threshold);
    for (const section of sectionIds)
      if (report.sections?.[section]?.status !== row.statuses[section])
        throw mismatch("report.json", `sections["${section}"].status`, report.sections?.[section]?.status, row.statuses[section]);
  }
}

/**
 * The index page's table (Arrow IPC file): the summary's columns the index shows, in the narrowest types that hold
 * them (statuses dictionary-encoded, box edges 16-bit, the voxel size, only displayed, 32-bit), so that 10,000 rows
 * stay about half a megabyte. Resolution (filtered on) and threshold keep their 64-bit values.
 */
export function batchIndexTable(rows: readonly BatchRow[]): Uint8Array {
  const labels = () => new Dictionary(new Utf8(), new Int8());
  const columns: Record<string, Vector> = {
    id: vectorFromArray(rows.map((r) => r.id), new Utf8()),
    status: vectorFromArray(rows.map((r) => r.status), labels()),
    errorClass: vectorFromArray(rows.map((r) => r.errorClass), labels()),
    boxX: vectorFromArray(rows.map((r) => r.box?.[0] ?? null), new Uint16()),
    boxY: vectorFromArray(rows.map((r) => r.box?.[1] ?? null), new Uint16()),
    boxZ: vectorFromArray(rows.map((r) => r.box?.[2] ?? null), new Uint16()),
    voxelSize: vectorFromArray(rows.map((r) => r.voxelSize), new Float32()),
    resolution: vectorFromArray(rows.map((r) => r.resolution), new Float64()),
    threshold: vectorFromArray(rows.map((r) => r.threshold), new Float64()),
    passed: vectorFromArray(rows.map((r) => r.passed), new Uint8()),
    evaluable: vectorFromArray(rows.map((r) => r.evaluable), new Uint8()),
  };
  for (const section of sectionIds) columns[summaryColumn(section)] = vectorFromArray(rows.map((r) => r.statuses[section]), labels());
  return tableToIPC(new Table(columns), "file");
}
