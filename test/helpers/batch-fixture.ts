/**
 * Batch output directories in the format of `mapval batch` (docs/batch.md) for the site's tests and bench, made from
 * real kernel reports: a few bundled maps are analysed by runLevel0/reportJson (0.a–0.d; 0.e–0.h are left out to keep
 * it fast, and say "not requested"), then replicated under many ids. Every report.json is thus a genuine report of
 * one of those maps under another id; every tenth entry fails instead, with an error.json.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tableFromArrays, tableToIPC } from "apache-arrow";
import { runLevel0, sectionIds } from "../../lib/level0/level0.js";
import { parseMap } from "../../lib/io/mrc-reader.js";
import { reportJson } from "../../lib/report/report-text.js";
import type { Level0SectionId, SectionStatus } from "../../lib/report/report-types.js";
import { MAPVAL_VERSION } from "../../lib/version.js";

const projectRoot = join(import.meta.dirname, "..", "..");

/** Map, threshold and resolution of each base report: three resolutions and none, two box sizes. */
const BASES = [
  { file: "emd_5170.map", threshold: 0.61, resolution: null },
  { file: "emd_5170.map", threshold: 0.61, resolution: 6 },
  { file: "emd_3197.map", threshold: 0.5, resolution: null },
  { file: "emd_5170.map", threshold: 0.8, resolution: 9.5 },
  { file: "emd_3197.map", threshold: 0.5, resolution: 30 },
];
const ERROR_CLASSES = ["download", "parse", "too-large", "timeout", "out-of-memory", "internal"];

type BatchReport = ReturnType<typeof reportJson> & {
  batch: { mapvalVersion: string; inputs: { name: string; sha256: string; bytes: number }[]; seconds: number; peakRssBytes: number };
};

let bases: BatchReport[] | undefined;

/** The base reports, computed once per process. */
function baseReports(): BatchReport[] {
  bases ??= BASES.map((base) => {
    const bytes = readFileSync(join(projectRoot, "data", "maps", base.file));
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const { volume, warnings } = parseMap(new Uint8Array(bytes));
    const started = performance.now();
    const report = runLevel0(volume, { threshold: base.threshold, resolution: base.resolution, sections: ["0.d"] });
    const seconds = (performance.now() - started) / 1000;
    return {
      ...reportJson(report, base.file, sha256, { fileWarnings: warnings, generatedAt: new Date("2026-12-01T12:00:00Z") }),
      batch: { mapvalVersion: MAPVAL_VERSION, inputs: [{ name: base.file, sha256, bytes: bytes.length }], seconds, peakRssBytes: 100e6 },
    };
  });
  return bases;
}

export interface FixtureEntry {
  id: string;
  report: BatchReport | null;
  error: { id: string; class: string; message: string; version: string } | null;
}

const fixtureId = (i: number) => `emd-${10000 + i}`;

/** Entry i of a generated batch: failed when i % 10 === 7, otherwise base report i % 5. */
export function fixtureEntry(i: number): FixtureEntry {
  const id = fixtureId(i);
  if (i % 10 === 7) {
    const errorClass = ERROR_CLASSES[Math.floor(i / 10) % ERROR_CLASSES.length];
    return { id, report: null, error: { id, class: errorClass, message: `${errorClass} failure of ${id} (generated)`, version: MAPVAL_VERSION } };
  }
  const all = baseReports();
  return { id, report: all[i % all.length], error: null };
}

/** The summary's rows, as `mapval batch` writes them (one per entry). */
export function summaryRow({ id, report, error }: FixtureEntry) {
  const input = report?.input;
  return {
    id,
    status: report ? "done" : "failed",
    errorClass: error?.class ?? null,
    boxX: input?.shape[0] ?? null,
    boxY: input?.shape[1] ?? null,
    boxZ: input?.shape[2] ?? null,
    voxelSize: input?.voxelSize ?? null,
    resolution: input?.resolution ?? null,
    threshold: input?.threshold ?? null,
    passed: report?.score.passed ?? null,
    evaluable: report?.score.evaluable ?? null,
    ...(Object.fromEntries(sectionIds.map((s) => [`status_${s}`, report?.sections[s].status ?? null])) as Record<`status_${Level0SectionId}`, SectionStatus | null>),
    seconds: report?.batch.seconds ?? 0.5,
    peakRssBytes: report?.batch.peakRssBytes ?? 50e6,
  };
}

export type SummaryRow = ReturnType<typeof summaryRow>;

/** Writes summary.arrow from rows (plain Float64 and Utf8 columns, as a writer other than the site's would). */
export function writeSummaryArrow(dir: string, rows: readonly Record<string, unknown>[]): void {
  const names = Object.keys(rows[0] ?? summaryRow(fixtureEntry(0)));
  const columns = Object.fromEntries(names.map((name) => {
    const values = rows.map((r) => r[name] ?? null);
    const numeric = values.some((v) => typeof v === "number");
    return [name, numeric ? values.map((v) => (v === null ? null : Number(v))) : values];
  }));
  // tableFromArrays infers Float64 for number arrays and Utf8 for strings; nulls stay null.
  const table = tableFromArrays(columns as Record<string, (number | null)[] | (string | null)[]>);
  writeFileSync(join(dir, "summary.arrow"), tableToIPC(table, "file"));
}

/** A batch output directory of `count` entries; returns the entries written. */
export function makeBatchDir(dir: string, count: number): FixtureEntry[] {
  mkdirSync(dir, { recursive: true });
  const entries = Array.from({ length: count }, (_, i) => fixtureEntry(i));
  for (const entry of entries) {
    mkdirSync(join(dir, entry.id), { recursive: true });
    if (entry.report) writeFileSync(join(dir, entry.id, "report.json"), JSON.stringify(entry.report));
    else writeFileSync(join(dir, entry.id, "error.json"), JSON.stringify(entry.error));
  }
  const rows = entries.map(summaryRow);
  writeSummaryArrow(dir, rows);
  const header = Object.keys(rows[0]);
  const csv = [header.join(","), ...rows.map((r) => header.map((k) => (r as Record<string, unknown>)[k] ?? "").join(","))];
  writeFileSync(join(dir, "summary.csv"), csv.join("\n") + "\n");
  return entries;
}

/** The bytes of a built site's files that a page loaded, from their URL paths ("/batch/" is batch/index.html). */
export function indexTransferBytes(site: string, urlPaths: Iterable<string>): number {
  let bytes = 0;
  for (const path of urlPaths) {
    const file = path.endsWith("/") ? `${path}index.html` : /\.[a-z0-9]+$/.test(path) ? path : `${path}.html`;
    bytes += statSync(join(site, decodeURIComponent(file))).size;
  }
  return bytes;
}
