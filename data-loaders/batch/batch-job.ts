/**
 * One entry of `mapval batch`: what the parent (data-loaders/batch/batch.ts) and the entry's child process
 * (data-loaders/batch/batch-entry.ts) say to each other, and the child's work: resolve the entry (EMDB through the scratch
 * cache, or the configured file) and, with Level 1, its half maps (the configured ones; for an accession of a text
 * list, the ones EMDB's record lists), read them, report the box and how many volumes it holds (the parent then sizes
 * the entry's time and memory limits), run Level 0 (and Level 1) on this thread as `mapval report` does and return the
 * report, or the failure with its class.
 */
import { createHash } from "node:crypto";
import { basename } from "node:path";
import { AnalysisInputError, MapFormatError } from "../../lib/errors.js";
import { chooseThreshold, EntriesConfigError, type ChosenThreshold, type EntryConfig, type UnknownContourRule } from "../../lib/entries.js";
import { analysisContext } from "../../lib/analysis-inputs.js";
import { runLevel0InContext, sectionIds } from "../../lib/level0/level0.js";
import { combineReports, runLevel1 } from "../../lib/level1/level1.js";
import { readMap } from "../../lib/io/mrc-reader.js";
import { reportJson } from "../../lib/report/report-text.js";
import { MAPVAL_VERSION } from "../../lib/version.js";
import { FileCache } from "../emdb/cache.js";
import { EmdbDataError, EmdbNotFoundError, EmdbUnreachableError } from "../emdb/emdb-client.js";
import type { MetadataIssue } from "../emdb/emdb-metadata.js";
import {
  loadEntry, loadHalfMaps, metadataKey, NoCachedCopyError, resolveEmdb, type EntryHalfMaps, type LoadedHalfMaps, type ResolvedEntry,
} from "../emdb/resolve-entry.js";
import { checkHalvesForMap, level1Options, readHalfMapFiles, withNoHalfMapsWarning } from "../cli/half-maps.js";

/** How an entry failed (error.json `class`). */
export type FailureClass = "download" | "parse" | "too-large" | "timeout" | "out-of-memory" | "internal";

/** One entry of the batch: an accession of a text list, or an entry of an entries configuration. */
export interface BatchEntry {
  /** Directory name under the output directory: the accession (EMD-1234) or the configured id. */
  id: string;
  /** What the entry's report depends on besides its files (the accession, or the configured entry and rule). */
  declaration: { emdb: string } | { entry: EntryConfig; unknownContour: UnknownContourRule };
}

export interface InputFile {
  name: string;
  sha256: string;
  bytes: number;
}

/** DIR/<id>/done.json. */
export interface DoneMarker {
  version: string;
  inputsSha256: string;
}

export interface EntryJob {
  entry: BatchEntry;
  /** The entries configuration the entry comes from (null for a text list). */
  entriesPath: string | null;
  /** Cache directory the maps are downloaded to (data-loaders/emdb/cache.ts layout). */
  scratchDir: string;
  /** The entry's done-marker from an earlier run: when the inputs are the same, nothing is computed again. */
  previous: DoneMarker | null;
  /** Level 1 too (--levels 0,1), from the entry's half maps when it has them. */
  level1: boolean;
}

/**
 * Whether the report holds Level 1 (report.json's `batch.entry.level1`, the summary's `level1` column): "computed",
 * "no half maps" (none configured, or EMDB's record lists fewer than two: `reason` says which), "not requested"
 * (--levels 0).
 */
export type Level1Status = "computed" | "no half maps" | "not requested";

/** What report.json's `batch.entry` says about the entry beyond the report: names, threshold choice, metadata issues. */
export interface EntrySummary {
  id: string;
  emdb: string | null;
  title: string | null;
  threshold: ChosenThreshold;
  metadataIssues: MetadataIssue[];
  level1: { status: Level1Status; reason: string | null };
}

export type FromEntry =
  /** The map's box, and the volumes of that box the entry analyses: 1 (the map), 3 (the map and its halves). */
  | { type: "box"; shape: [number, number, number]; volumes: 1 | 3 }
  | { type: "unchanged" }
  | {
      type: "done"; report: object; entry: EntrySummary; inputs: InputFile[]; inputsSha256: string;
      /** The process's CPU time (user and system) and peak resident memory. */
      cpuSeconds: number; peakRssBytes: number;
    }
  | { type: "failed"; class: FailureClass; message: string; peakRssBytes: number };

/**
 * The SHA-256 that the done-marker keeps: of the entry's declaration, the levels when Level 1 is asked for (a Level 0
 * run's digest is the one it always was), and its input files, in order.
 */
export function inputsDigest(entry: BatchEntry, inputs: readonly InputFile[], level1: boolean): string {
  const levels = level1 ? { levels: [0, 1] } : {};
  return createHash("sha256").update(JSON.stringify({ declaration: entry.declaration, ...levels, inputs })).digest("hex");
}

/** The class of an error thrown while resolving, reading or analysing an entry. */
export function failureClass(error: unknown): FailureClass {
  if (error instanceof EmdbNotFoundError || error instanceof EmdbUnreachableError || error instanceof NoCachedCopyError) {
    return "download";
  }
  if (error instanceof EmdbDataError) {
    if (error.cause instanceof MapFormatError) return failureClass(error.cause);
    // The client's size limits ("above the N-byte limit", "more than the N-byte limit") are the only ones it words so.
    return /-byte limit/.test(error.message) ? "too-large" : "download";
  }
  if (error instanceof MapFormatError) return error.code === "too-large" ? "too-large" : "parse";
  if (error instanceof AnalysisInputError) return error.code === "memory-budget" ? "too-large" : "parse";
  if (error instanceof EntriesConfigError) return "parse";
  if (error instanceof RangeError && /allocation failed|Array buffer|Invalid typed array length/i.test(error.message)) {
    return "out-of-memory";
  }
  return "internal";
}

export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/** The entry's map, metadata and (with Level 1) half maps, and the files they came from. */
async function resolve(job: EntryJob): Promise<{ entry: ResolvedEntry; halves: LoadedHalfMaps | null; inputs: InputFile[] }> {
  const cache = new FileCache(job.scratchDir);
  const notices: string[] = [];
  const options = { cache, log: (line: string) => void notices.push(line) };
  const { declaration } = job.entry;
  const entry =
    "emdb" in declaration
      ? await resolveEmdb(declaration.emdb, options)
      : await loadEntry(declaration.entry.id, { ...options, entriesPath: job.entriesPath ?? undefined });
  const inputs: InputFile[] = [{ name: basename(entry.path), sha256: entry.sha256, bytes: entry.bytes.length }];
  // The configured half maps; an accession of a text list has the ones EMDB's record lists.
  const source: EntryHalfMaps | null = !job.level1 ? null : "emdb" in declaration ? { kind: "emdb", emdbId: declaration.emdb } : entry.halfMaps;
  const halves = source === null ? null : await loadHalfMaps({ halfMaps: source, emdbMetadata: entry.emdbMetadata }, options);
  // EMDB's metadata names the half maps of an entry whose map is a configured file: it is an input then too.
  if (entry.emdbId !== null && (entry.origin !== "entries-file" || source?.kind === "emdb")) {
    for (const kind of ["json", "xml"] as const) {
      const key = metadataKey(entry.emdbId, kind);
      const record = await cache.recordOf(key);
      if (record !== null) inputs.push({ name: basename(key), sha256: record.sha256, bytes: record.bytes });
    }
  }
  if (halves?.status === "loaded")
    for (const half of [halves.half1, halves.half2]) inputs.push({ name: half.name, sha256: half.sha256, bytes: half.bytes.length });
  return { entry, halves, inputs };
}

/** The entry's work; every message goes through `send`, the last one being unchanged, done or (thrown) failed. */
export async function runEntryJob(job: EntryJob, send: (message: FromEntry) => void): Promise<void> {
  const { entry, halves: loaded, inputs } = await resolve(job);
  const inputsSha256 = inputsDigest(job.entry, inputs, job.level1);
  if (job.previous !== null && job.previous.version === MAPVAL_VERSION && job.previous.inputsSha256 === inputsSha256) {
    send({ type: "unchanged" });
    return;
  }
  const { volume, stats, warnings: fileWarnings } = await readMap(entry.bytes);
  const halves = loaded === null ? null : await readHalfMapFiles(loaded);
  send({ type: "box", shape: [volume.nx, volume.ny, volume.nz], volumes: halves?.input ? 3 : 1 });
  const threshold = chooseThreshold(entry.contour, volume.data, stats.max, entry.unknownContour);
  const resolutionSource = entry.resolution?.source;
  const context = analysisContext(volume, {
    threshold: threshold.level,
    thresholdSource: threshold.explanation,
    resolution: entry.resolution?.angstrom ?? null,
    resolutionSource,
    recordedVoxelSize: entry.voxelSize === null ? null : { value: entry.voxelSize, source: entry.voxelSizeSource ?? entry.id },
    computed: sectionIds,
  });
  if (halves?.input) checkHalvesForMap(volume, context, halves.input);
  const level0 = runLevel0InContext(context);
  const level1: EntrySummary["level1"] =
    !job.level1 ? { status: "not requested", reason: null }
    : halves?.input ? { status: "computed", reason: null }
    : { status: "no half maps", reason: halves?.note ?? "the entry has no half maps configured" };
  const report = halves?.input
    ? combineReports(level0.report, runLevel1(halves.input.half1, halves.input.half2, level1Options(context, halves.input, level0.workings.hardMask.mask, resolutionSource)))
    : halves?.note !== undefined ? withNoHalfMapsWarning(level0.report, halves.note) : level0.report;
  send({
    type: "done",
    report: reportJson(report, basename(entry.path), entry.sha256, { fileWarnings, halfMaps: halves?.input?.files }),
    entry: { id: job.entry.id, emdb: entry.emdbId, title: entry.title, threshold, metadataIssues: entry.issues, level1 },
    inputs,
    inputsSha256,
    cpuSeconds: +((process.cpuUsage().user + process.cpuUsage().system) / 1e6).toFixed(2),
    peakRssBytes: peakRssBytes(),
  });
}
