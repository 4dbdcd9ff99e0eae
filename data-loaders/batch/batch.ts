/**
 * `mapval batch --entries FILE --out DIR [--shard I/N] [--levels 0|0,1] [--workers K] …`: Level 0 (and Level 1, from
 * the entries' half maps) reports for many entries, resumable, one child process per entry (data-loaders/batch/batch-entry.ts), sharded by the engine that runs it
 * (Slurm array, Kubernetes Indexed Job). The output directory's format is a contract with the site: docs/batch.md.
 *
 * Writes are atomic (a temporary name, then rename) and ordered so that a `kill -9` at any moment leaves each entry
 * done (done.json and report.json), failed (error.json) or untouched: a rerun of the same command redoes only the
 * entries without a current done-marker, and ends with the same files an uninterrupted run writes.
 */
import { fork, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { AnalysisInputError } from "../../lib/errors.js";
import { normalizeEmdbId } from "../../lib/entries.js";
import { sectionIds } from "../../lib/level0/level0.js";
import { level1SectionIds } from "../../lib/section-registry.js";
import { MAPVAL_VERSION } from "../../lib/version.js";
import { defaultPoolSize, poolSize } from "../workers/band-pool.js";
import { FileCache, sha256Hex } from "../emdb/cache.js";
import type { CliIO } from "../cli/cli-io.js";
import {
  inputsDigest, type BatchEntry, type DoneMarker, type EntryJob, type FailureClass, type FromEntry, type InputFile,
} from "./batch-job.js";
import { createStatusLine } from "../cli/progress.js";
import { loadEntriesConfig, mapKey } from "../emdb/resolve-entry.js";

export const batchUsage =
  "usage: mapval batch --entries FILE --out DIR [--shard I/N] [--levels 0|0,1] [--workers K] [--entry-timeout S] [--entry-memory MB] [--scratch DIR] [--keep-maps] [--recheck-inputs] [--list] [--summary-only]";

const batchHelp = `${batchUsage}
  --entries FILE      EMDB accessions, one a line (# starts a comment), or an entries configuration (JSON, docs/entries.md)
  --out DIR           output directory (format: docs/batch.md)
  --shard I/N         process shard I of N (0 ≤ I < N); default from SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT,
                      else JOB_COMPLETION_INDEX/${"MAPVAL_SHARD_COUNT"}, else 0/1
  --levels L          0 (default): Level 0; 0,1 (or 1: Level 1 needs Level 0's masks, so both run): Level 0 and,
                      for entries with half maps (the configured half1/half2; for an accession of a text list, the
                      two EMDB's record lists), Level 1 in the same report; the others get Level 0 and say
                      "no half maps" in the summary's level1 column
  --workers K         entries analysed at once, one process each (default MAPVAL_WORKERS, else the number of cores)
  --entry-timeout S   seconds an entry may take (default: sized from the map's box, docs/batch.md)
  --entry-memory MB   resident memory an entry's process may use (default: sized from the map's box)
  --scratch DIR       where maps are downloaded (default DIR/.scratch); each is removed after its entry
  --keep-maps         keep the downloaded maps in the scratch directory (a rerun then reads them from there)
  --recheck-inputs    fetch EMDB entries that are done again and redo those whose files changed
  --list              print the ids of this shard's entries and stop
  --summary-only      only write DIR/summary.csv and DIR/summary.arrow from the entries' files
exit codes: 0 run finished (failed entries are in DIR/<id>/error.json), 2 bad arguments or unusable entries file
`;

/** Variables that give the shard when --shard is not given. */
export const SHARD_COUNT_VARIABLE = "MAPVAL_SHARD_COUNT";
/** More shards than entries EMDB has is a mistake, not a plan. */
export const MAX_SHARDS = 1_000_000;
/** Entries in one FILE (EMDB holds about 50 000) and the size of FILE. */
export const MAX_ENTRIES = 1_000_000;
const MAX_ENTRIES_FILE_BYTES = 256 * 2 ** 20;

class UsageError extends Error {}

export interface Shard {
  index: number;
  count: number;
  /** Where the shard came from, for messages. */
  source: string;
}

/** A whole number within [min, max] from text, or a UsageError naming `what`. */
function boundedInteger(text: string, what: string, min: number, max: number): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${what} must be a whole number from ${min} to ${max}, got "${text}"`);
  }
  return n;
}

function checkedShard(index: number, count: number, source: string): Shard {
  if (index >= count) throw new UsageError(`${source}: shard index ${index} is not below the shard count ${count}`);
  return { index, count, source };
}

/** "I/N" from --shard. */
export function parseShard(text: string): Shard {
  const match = /^\s*(\S+)\s*\/\s*(\S+)\s*$/.exec(text);
  if (!match) throw new UsageError(`--shard takes I/N (e.g. 0/4), got "${text}"`);
  const count = boundedInteger(match[2]!, "--shard's N", 1, MAX_SHARDS);
  return checkedShard(boundedInteger(match[1]!, "--shard's I", 0, MAX_SHARDS - 1), count, "--shard");
}

/**
 * The shard an array engine gives: Slurm's SLURM_ARRAY_TASK_ID (less SLURM_ARRAY_TASK_MIN, so --array=1-N works)
 * of SLURM_ARRAY_TASK_COUNT (a contiguous --array with step 1), else Kubernetes' JOB_COMPLETION_INDEX of
 * MAPVAL_SHARD_COUNT (set it to the Job's `completions`); null when neither is set.
 */
export function shardFromEnvironment(env: NodeJS.ProcessEnv = process.env): Shard | null {
  const set = (name: string) => env[name] !== undefined && env[name]!.trim() !== "";
  if (set("SLURM_ARRAY_TASK_ID")) {
    if (!set("SLURM_ARRAY_TASK_COUNT")) throw new UsageError("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not");
    const id = boundedInteger(env.SLURM_ARRAY_TASK_ID!, "SLURM_ARRAY_TASK_ID", 0, 2 ** 31);
    const min = set("SLURM_ARRAY_TASK_MIN") ? boundedInteger(env.SLURM_ARRAY_TASK_MIN!, "SLURM_ARRAY_TASK_MIN", 0, id) : 0;
    const count = boundedInteger(env.SLURM_ARRAY_TASK_COUNT!, "SLURM_ARRAY_TASK_COUNT", 1, MAX_SHARDS);
    return checkedShard(id - min, count, "SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN");
  }
  if (set("JOB_COMPLETION_INDEX")) {
    if (!set(SHARD_COUNT_VARIABLE)) throw new UsageError(`JOB_COMPLETION_INDEX is set but ${SHARD_COUNT_VARIABLE} (the Job's completions) is not`);
    const count = boundedInteger(env[SHARD_COUNT_VARIABLE]!, SHARD_COUNT_VARIABLE, 1, MAX_SHARDS);
    return checkedShard(boundedInteger(env.JOB_COMPLETION_INDEX!, "JOB_COMPLETION_INDEX", 0, MAX_SHARDS - 1), count, "JOB_COMPLETION_INDEX");
  }
  return null;
}

/**
 * The shard an entry belongs to: the first 32 bits of the SHA-256 of its id (the accession of a text list) modulo N.
 * It depends on the id alone, so adding entries to FILE never moves a finished one to another shard.
 */
export function shardOf(id: string, count: number): number {
  return parseInt(sha256Hex(new TextEncoder().encode(id)).slice(0, 8), 16) % count;
}

export interface EntriesFile {
  entries: BatchEntry[];
  /** The configuration's path when FILE is one (the child resolves configured files against it). */
  entriesPath: string | null;
}

/** FILE as a list of entries: an entries configuration when it starts with "{", else accessions one a line. */
export function readEntriesFile(path: string): EntriesFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`--entries ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
  if (text.length > MAX_ENTRIES_FILE_BYTES) throw new UsageError(`--entries ${path}: larger than ${MAX_ENTRIES_FILE_BYTES} bytes`);
  if (/^\uFEFF?\s*\{/.test(text)) {
    const config = loadEntriesConfig(path);
    if (config.entries.length > MAX_ENTRIES) throw new UsageError(`--entries ${path}: more than ${MAX_ENTRIES} entries`);
    return {
      entries: config.entries.map((entry) => ({ id: entry.id, declaration: { entry, unknownContour: config.unknownContour } })),
      entriesPath: path,
    };
  }
  const entries: BatchEntry[] = [];
  const firstLine = new Map<string, number>();
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/#.*/, "").trim();
    if (line === "") return;
    const emdb = normalizeEmdbId(line);
    if (emdb === null) problems.push(`line ${index + 1}: expected an EMDB accession such as EMD-1234, found "${line.slice(0, 40)}"`);
    else if (firstLine.has(emdb)) problems.push(`line ${index + 1}: ${emdb} is already on line ${firstLine.get(emdb)}`);
    else {
      firstLine.set(emdb, index + 1);
      entries.push({ id: emdb, declaration: { emdb } });
    }
  });
  if (problems.length > 0) {
    const more = problems.length > 5 ? `; … and ${problems.length - 5} more` : "";
    throw new UsageError(`--entries ${path}: ${problems.slice(0, 5).join("; ")}${more}`);
  }
  if (entries.length > MAX_ENTRIES) throw new UsageError(`--entries ${path}: more than ${MAX_ENTRIES} entries`);
  return { entries, entriesPath: null };
}

export interface EntryLimits {
  /** Seconds for the entry; null: sized from the box once it is known. */
  seconds: number | null;
  /** Resident bytes for the entry's process; null: sized from the box. */
  memoryBytes: number | null;
}

/** Until the box is known (the download and the reading), an entry may take this long and this much memory. */
export const BEFORE_BOX_LIMITS = { seconds: 1800, memoryBytes: 6 * 2 ** 30 };

/**
 * What Level 1 adds per voxel of the box for an entry with half maps (three volumes instead of one; docs/batch.md
 * "Limits per entry"): 25 times its CPU time and 3 times its resident memory, measured on the bundled 100³ pair at
 * 7 Å (28 CPU-s and 77 MiB on top of Level 0's).
 */
export const LEVEL1_LIMITS = { secondsPerVoxel: 7e-4, bytesPerVoxel: 240 };

/**
 * Default limits for an entry of `voxels` voxels (docs/batch.md "Limits per entry"). Time is wall time, so it is
 * sized for a shared node and for resolutions near 2·Ts: at least 25 times the CPU time measured at 7 Å at 100³–384³. Memory: twice the largest grids the analysis may derive per voxel (32 bytes for 0.f/0.g's grid at a
 * resolution of 2·Ts, 12 for the transform, the map and its copies; docs/analysis-inputs.md), 5–10 times the peaks
 * measured at 7 Å. With `volumes` 3 (the map and its half maps, Level 1), LEVEL1_LIMITS more per voxel.
 */
export function defaultLimits(voxels: number, volumes: 1 | 3 = 1): { seconds: number; memoryBytes: number } {
  const halves = volumes === 3 ? LEVEL1_LIMITS : { secondsPerVoxel: 0, bytesPerVoxel: 0 };
  return {
    seconds: Math.ceil(120 + (2e-4 + halves.secondsPerVoxel) * voxels),
    memoryBytes: Math.ceil(512 * 2 ** 20 + (200 + halves.bytesPerVoxel) * voxels),
  };
}

type Outcome =
  | { kind: "done"; message: Extract<FromEntry, { type: "done" }>; seconds: number }
  | { kind: "unchanged" }
  | { kind: "failed"; class: FailureClass; message: string; seconds: number; peakRssBytes: number };

/** Resident and peak resident bytes of a process (Linux /proc); null where that is not available. */
async function residentBytes(pid: number): Promise<{ rss: number; peak: number } | null> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => null);
  if (status === null) return null;
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s*(\\d+)`, "m").exec(status)?.[1] ?? Number.NaN) * 1024;
  return { rss: kib("VmRSS"), peak: kib("VmHWM") };
}

const MEMORY_POLL_MS = 100;
const STDERR_TAIL = 4096;

/** Run one entry in a child process under its limits. */
function runEntry(script: string, job: EntryJob, limits: EntryLimits): Promise<Outcome> {
  const started = performance.now();
  const heapMegabytes = Math.ceil((limits.memoryBytes ?? BEFORE_BOX_LIMITS.memoryBytes) / 2 ** 20);
  const child: ChildProcess = fork(script, [], {
    execArgv: [`--max-old-space-size=${heapMegabytes}`],
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL)));
  return new Promise((resolvePromise) => {
    let result: FromEntry | null = null;
    let killedFor: { class: FailureClass; message: string } | null = null;
    let peakRssBytes = 0;
    let memoryLimit = limits.memoryBytes ?? BEFORE_BOX_LIMITS.memoryBytes;
    let timer: NodeJS.Timeout | undefined;
    const kill = (why: { class: FailureClass; message: string }) => {
      if (killedFor !== null || result !== null) return;
      killedFor = why;
      child.kill("SIGKILL");
    };
    const arm = (seconds: number) => {
      clearTimeout(timer);
      timer = setTimeout(() => kill({ class: "timeout", message: `stopped after the entry's limit of ${seconds} s` }), seconds * 1000);
    };
    arm(limits.seconds ?? BEFORE_BOX_LIMITS.seconds);
    const poll = setInterval(async () => {
      const usage = child.pid === undefined ? null : await residentBytes(child.pid);
      if (usage === null) return;
      peakRssBytes = Math.max(peakRssBytes, usage.peak);
      if (usage.rss > memoryLimit) {
        kill({ class: "out-of-memory", message: `stopped at ${mebibytes(usage.rss)} resident, above the entry's limit of ${mebibytes(memoryLimit)}` });
      }
    }, MEMORY_POLL_MS);

    child.on("message", (message: FromEntry) => {
      if (message.type === "box") {
        const sized = defaultLimits(message.shape[0] * message.shape[1] * message.shape[2], message.volumes);
        memoryLimit = limits.memoryBytes ?? sized.memoryBytes;
        if (limits.seconds === null) arm(sized.seconds);
      } else result = message;
    });
    child.on("error", (error) => kill({ class: "internal", message: `the entry's process failed: ${error.message}` }));
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      clearInterval(poll);
      const seconds = round((performance.now() - started) / 1000, 2);
      if (result?.type === "done") {
        resolvePromise({ kind: "done", message: result, seconds });
      } else if (result?.type === "unchanged") resolvePromise({ kind: "unchanged" });
      else if (result?.type === "failed") {
        resolvePromise({ kind: "failed", class: result.class, message: result.message, seconds, peakRssBytes: result.peakRssBytes });
      } else {
        const why = killedFor ?? exitFailure(code, signal, stderr);
        resolvePromise({ kind: "failed", ...why, seconds, peakRssBytes });
      }
    });
    child.send(job);
  });
}

/** Why a child ended without a result: V8's heap limit (it aborts), or anything else. */
function exitFailure(code: number | null, signal: NodeJS.Signals | null, stderr: string): { class: FailureClass; message: string } {
  const lastLine = stderr.trim().split("\n").filter((l) => l.trim() !== "").slice(-1)[0] ?? "";
  if (/heap out of memory|Allocation failed/i.test(stderr)) {
    return { class: "out-of-memory", message: `the entry's process ran out of memory (${lastLine.trim()})` };
  }
  const how = signal === null ? `with code ${code}` : `on signal ${signal}`;
  return { class: "internal", message: `the entry's process exited ${how} without a result${lastLine ? ` (${lastLine.trim()})` : ""}` };
}

function round(x: number, digits: number): number {
  return +x.toFixed(digits);
}

function mebibytes(bytes: number): string {
  return `${Math.round(bytes / 2 ** 20)} MiB`;
}

/** writeAtomically's temporary files: `<name>.partial-<pid>-<8 hex digits>`. */
const PARTIAL_FILE = /\.partial-\d+-[0-9a-f]{8}$/;

/** Write a file so that it appears whole or not at all. */
async function writeAtomically(path: string, text: string | Uint8Array): Promise<void> {
  const temporary = `${path}.partial-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await writeFile(temporary, text, { flush: true });
    await rename(temporary, path);
  } finally {
    await rm(temporary, { force: true });
  }
}

async function readJson<T>(path: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as T;
  } catch {
    return null;
  }
}

const entryFile = (out: string, id: string, name: "report.json" | "done.json" | "error.json") => join(out, id, name);

/**
 * The input files of an entry whose map (and, with Level 1, half maps) are configured local files, as the child lists
 * them; null for an entry with a file fetched from EMDB (its files are only known after a download).
 */
function localInputs(entry: BatchEntry, entriesPath: string | null, level1: boolean): InputFile[] | null {
  if (!("entry" in entry.declaration) || entry.declaration.entry.file === null || entriesPath === null) return null;
  const { file, half1, half2 } = entry.declaration.entry;
  const halves = level1 && half1 !== null && half2 !== null ? [half1, half2] : [];
  if (halves.some((h) => h.kind === "emdb")) return null;
  const inputs: InputFile[] = [];
  for (const relative of [file, ...halves.map((h) => (h.kind === "file" ? h.file : ""))]) {
    const path = join(dirname(entriesPath), relative);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      return null; // the child reports why
    }
    inputs.push({ name: basename(path), sha256: sha256Hex(bytes), bytes: bytes.length });
  }
  return inputs;
}

/** Entries to run, and those left alone because a current done-marker says they are finished. */
async function plan(entries: BatchEntry[], out: string, entriesPath: string | null, recheck: boolean, level1: boolean) {
  const run: { entry: BatchEntry; previous: DoneMarker | null }[] = [];
  let finished = 0;
  for (const entry of entries) {
    const marker = await readJson<DoneMarker>(entryFile(out, entry.id, "done.json"));
    const current = marker !== null && marker.version === MAPVAL_VERSION && existsSync(entryFile(out, entry.id, "report.json"));
    const inputs = current ? localInputs(entry, entriesPath, level1) : null;
    if (current && inputs !== null) {
      if (inputsDigest(entry, inputs, level1) === marker.inputsSha256) finished++;
      else run.push({ entry, previous: null });
    } else if (current && !recheck) finished++;
    else run.push({ entry, previous: current ? marker : null });
  }
  return { run, finished };
}

/** Record an entry's outcome in its directory, in an order a crash cannot turn into a wrong state (module comment). */
async function record(out: string, entry: BatchEntry, outcome: Outcome): Promise<void> {
  const dir = join(out, entry.id);
  await mkdir(dir, { recursive: true });
  // A run killed inside writeAtomically leaves its temporary file behind; the entry's outcome replaces it.
  for (const name of await readdir(dir)) if (PARTIAL_FILE.test(name)) await rm(join(dir, name), { force: true });
  if (outcome.kind === "unchanged") return;
  if (outcome.kind === "done") {
    const { report, entry: summary, inputs, inputsSha256, cpuSeconds, peakRssBytes } = outcome.message;
    const batch = { mapvalVersion: MAPVAL_VERSION, inputs, seconds: outcome.seconds, cpuSeconds, peakRssBytes, entry: summary };
    await writeAtomically(entryFile(out, entry.id, "report.json"), JSON.stringify({ ...report, batch }) + "\n");
    const marker: DoneMarker = { version: MAPVAL_VERSION, inputsSha256 };
    await writeAtomically(entryFile(out, entry.id, "done.json"), JSON.stringify(marker) + "\n");
    await rm(entryFile(out, entry.id, "error.json"), { force: true });
    return;
  }
  await rm(entryFile(out, entry.id, "done.json"), { force: true });
  const error = { id: entry.id, class: outcome.class, message: outcome.message, version: MAPVAL_VERSION };
  await writeAtomically(entryFile(out, entry.id, "error.json"), JSON.stringify(error) + "\n");
  await rm(entryFile(out, entry.id, "report.json"), { force: true });
}

/** The downloaded files of an entry (the cache's emdb/<accession> directory: its map, metadata and half maps). */
function scratchOf(scratch: string, entry: BatchEntry): string | null {
  const emdb = "emdb" in entry.declaration ? entry.declaration.emdb : entry.declaration.entry.emdb;
  return emdb === null ? null : dirname(new FileCache(scratch).pathOf(mapKey(emdb)));
}

/**
 * The child's script: build/batch-entry.js beside the compiled CLI; from the sources, batch-entry.ts and the kernel
 * bundled into one file by esbuild (a development tool; ≈0.2 s once per run), so that a child starts in ≈0.1 s
 * instead of compiling the TypeScript through tsx again in every process.
 */
async function childScript(scratch: string): Promise<{ path: string; remove: () => Promise<void> }> {
  if (!import.meta.url.endsWith(".ts")) return { path: fileURLToPath(new URL("./batch-entry.js", import.meta.url)), remove: async () => undefined };
  const { build } = createRequire(import.meta.url)("esbuild") as typeof import("esbuild");
  const path = join(scratch, `batch-entry-${process.pid}-${randomBytes(4).toString("hex")}.mjs`);
  await build({
    entryPoints: [fileURLToPath(new URL("./batch-entry.ts", import.meta.url))],
    outfile: path,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // CommonJS dependencies bundled into an ES module call require for Node's modules.
    banner: { js: "import { createRequire as __mapvalRequire } from 'node:module'; const require = __mapvalRequire(import.meta.url);" },
    logLevel: "silent",
  });
  return { path, remove: () => rm(path, { force: true }) };
}

/** summary.csv's and summary.arrow's columns, in order (docs/batch.md). */
export const SUMMARY_COLUMNS = [
  "id", "status", "errorClass", "boxX", "boxY", "boxZ", "voxelSize", "resolution", "threshold", "passed", "evaluable",
  ...sectionIds.map((s) => `status_${s}`), "level1", ...level1SectionIds.map((s) => `status_${s}`), "seconds", "peakRssBytes",
];

/**
 * One entry's row: status "done" or "failed", errorClass, numbers, `status_0.a`…`status_1.h`: the section's status,
 * `level1`: the report's Level1Status; null when not known (a Level 1 section's status in a report without Level 1).
 */
export type SummaryRow = Record<string, string | number | null>;

interface ReportFile {
  input: { shape: number[]; voxelSize: number; threshold: number; resolution: number | null };
  sections: Record<string, { status: string }>;
  score: { passed: number; evaluable: number };
  batch: { seconds: number; peakRssBytes: number; entry: { level1?: { status: string } } };
}

/** One row per entry of FILE that has an outcome in DIR, in FILE's order. */
export async function summaryRows(entries: BatchEntry[], out: string): Promise<SummaryRow[]> {
  const rows: SummaryRow[] = [];
  for (const { id } of entries) {
    const done = await readJson<DoneMarker>(entryFile(out, id, "done.json"));
    const report = done === null ? null : await readJson<ReportFile>(entryFile(out, id, "report.json"));
    if (report !== null) {
      const [boxX, boxY, boxZ] = report.input.shape;
      rows.push({
        id, status: "done", errorClass: null, boxX, boxY, boxZ, voxelSize: report.input.voxelSize,
        resolution: report.input.resolution, threshold: report.input.threshold,
        passed: report.score.passed, evaluable: report.score.evaluable,
        ...Object.fromEntries(sectionIds.map((s) => [`status_${s}`, report.sections[s]?.status ?? null])),
        level1: report.batch.entry.level1?.status ?? null,
        ...Object.fromEntries(level1SectionIds.map((s) => [`status_${s}`, report.sections[s]?.status ?? null])),
        seconds: report.batch.seconds, peakRssBytes: report.batch.peakRssBytes,
      });
      continue;
    }
    const error = await readJson<{ class: FailureClass }>(entryFile(out, id, "error.json"));
    if (error === null) continue;
    rows.push({
      id, status: "failed", errorClass: error.class, boxX: null, boxY: null, boxZ: null, voxelSize: null, resolution: null,
      threshold: null, passed: null, evaluable: null,
      ...Object.fromEntries([...sectionIds, ...level1SectionIds].map((s) => [`status_${s}`, null])),
      level1: null,
      seconds: null, peakRssBytes: null,
    });
  }
  return rows;
}

const INTEGER_COLUMNS = new Set(["boxX", "boxY", "boxZ", "passed", "evaluable"]);
const NUMBER_COLUMNS = new Set(["voxelSize", "resolution", "threshold", "seconds", "peakRssBytes"]);

function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function summaryCsv(rows: SummaryRow[]): string {
  const lines = [SUMMARY_COLUMNS.join(",")];
  for (const row of rows) lines.push(SUMMARY_COLUMNS.map((c) => csvField(row[c])).join(","));
  return lines.join("\n") + "\n";
}

/** The rows as an Arrow IPC file: Int32 box and score, Float64 numbers, Utf8 strings; null where not known. */
export async function summaryArrow(rows: SummaryRow[]): Promise<Uint8Array> {
  const arrow = await import("apache-arrow");
  const columns = Object.fromEntries(
    SUMMARY_COLUMNS.map((c) => {
      const type = INTEGER_COLUMNS.has(c) ? new arrow.Int32() : NUMBER_COLUMNS.has(c) ? new arrow.Float64() : new arrow.Utf8();
      return [c, arrow.vectorFromArray(rows.map((row) => row[c] ?? null), type)];
    }),
  );
  return arrow.tableToIPC(new arrow.Table(columns), "file");
}

async function writeSummary(entries: BatchEntry[], out: string): Promise<SummaryRow[]> {
  const rows = await summaryRows(entries, out);
  await writeAtomically(join(out, "summary.csv"), summaryCsv(rows));
  await writeAtomically(join(out, "summary.arrow"), await summaryArrow(rows));
  return rows;
}

/** "1 h 05 min", "3 min 20 s", "12 s". */
function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
  if (s >= 60) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  return `${s} s`;
}

/** The progress line: entries done, failed and remaining after `seconds`, the rate so far and the time left at it. */
export function progressText(done: number, failed: number, remaining: number, seconds: number): string {
  const rate = (done + failed) / (seconds / 60);
  const eta = done + failed > 0 ? `, ETA ${duration((remaining / rate) * 60)}` : "";
  return `mapval batch: ${done} done, ${failed} failed, ${remaining} remaining · ${(rate || 0).toFixed(1)} entries/min${eta}`;
}

function options(args: string[]) {
  return parseArgs({
    args,
    options: {
      help: { type: "boolean", short: "h", default: false },
      entries: { type: "string" },
      out: { type: "string" },
      shard: { type: "string" },
      levels: { type: "string", default: "0" },
      workers: { type: "string" },
      "entry-timeout": { type: "string" },
      "entry-memory": { type: "string" },
      scratch: { type: "string" },
      "keep-maps": { type: "boolean", default: false },
      "recheck-inputs": { type: "boolean", default: false },
      list: { type: "boolean", default: false },
      "summary-only": { type: "boolean", default: false },
    },
  }).values;
}

function positive(text: string | undefined, name: string, max: number): number | null {
  if (text === undefined) return null;
  const x = Number(text);
  if (text.trim() === "" || !(x > 0) || !(x <= max)) throw new UsageError(`--${name} must be a number above 0 and at most ${max}, got "${text}"`);
  return x;
}

/** --levels: whether Level 1 runs too ("1" alone means both: Level 1 is made with Level 0's masks, one score). */
function withLevel1(text: string): boolean {
  const list = text.split(",").map((l) => l.trim());
  const unknown = list.filter((l) => l !== "0" && l !== "1");
  if (unknown.length > 0) throw new UsageError(`--levels takes 0, 1 or 0,1, got "${text}"`);
  return list.includes("1");
}

export async function runBatch(args: string[], io: CliIO, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let values: ReturnType<typeof options>;
  let entries: EntriesFile;
  let shard: Shard;
  let limits: EntryLimits;
  let workers: number;
  let level1: boolean;
  try {
    values = options(args);
    if (values.help) {
      io.out(batchHelp);
      return 0;
    }
    if (values.entries === undefined || values.out === undefined) throw new UsageError(`missing ${values.entries === undefined ? "--entries FILE" : "--out DIR"}`);
    level1 = withLevel1(values.levels);
    shard = values.shard !== undefined ? parseShard(values.shard) : shardFromEnvironment(env) ?? { index: 0, count: 1, source: "default" };
    const memoryMegabytes = positive(values["entry-memory"], "entry-memory", 2 ** 22);
    limits = {
      seconds: positive(values["entry-timeout"], "entry-timeout", 7 * 24 * 3600),
      memoryBytes: memoryMegabytes === null ? null : memoryMegabytes * 2 ** 20,
    };
    workers = values.workers === undefined ? defaultPoolSize(env) : poolSize(values.workers, "--workers");
    entries = readEntriesFile(resolve(values.entries));
  } catch (e) {
    const known = e instanceof UsageError || e instanceof AnalysisInputError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") || (e instanceof Error && e.name === "EntriesConfigError");
    if (!known) throw e;
    const usage = e instanceof UsageError && e.message.startsWith("missing") ? ` (${batchUsage})` : "";
    io.err(`mapval batch: ${(e as Error).message.replace(/\s*\n\s*/g, "; ")}${usage}\n`);
    return 2;
  }
  const out = resolve(values.out);
  await mkdir(out, { recursive: true });
  if (values["summary-only"]) {
    const rows = await writeSummary(entries.entries, out);
    io.out(`mapval batch: summary of ${rows.length} of ${entries.entries.length} entries in ${join(out, "summary.csv")} and summary.arrow\n`);
    return 0;
  }
  const mine = entries.entries.filter((e) => shardOf(e.id, shard.count) === shard.index);
  if (values.list) {
    io.out(mine.map((e) => e.id).join("\n") + (mine.length > 0 ? "\n" : ""));
    return 0;
  }

  const started = performance.now();
  const scratch = resolve(values.scratch ?? join(out, ".scratch"));
  await mkdir(scratch, { recursive: true });
  const { run, finished } = await plan(mine, out, entries.entriesPath, values["recheck-inputs"], level1);
  const counts = { done: 0, unchanged: 0, failed: 0 };
  const failures = new Map<FailureClass, number>();
  const status = createStatusLine();
  const showProgress = () => {
    const processed = counts.done + counts.failed + counts.unchanged;
    status.show(progressText(counts.done + counts.unchanged, counts.failed, run.length - processed, (performance.now() - started) / 1000));
  };

  const child = await childScript(scratch);
  try {
    let next = 0;
    const worker = async () => {
      while (next < run.length) {
        const { entry, previous } = run[next++]!;
        const job: EntryJob = { entry, entriesPath: entries.entriesPath, scratchDir: scratch, previous, level1 };
        const outcome = await runEntry(child.path, job, limits);
        await record(out, entry, outcome);
        const downloaded = scratchOf(scratch, entry);
        if (downloaded !== null && !values["keep-maps"]) await rm(downloaded, { recursive: true, force: true });
        if (outcome.kind === "failed") failures.set(outcome.class, (failures.get(outcome.class) ?? 0) + 1);
        counts[outcome.kind]++;
        showProgress();
      }
    };
    showProgress();
    await Promise.all(Array.from({ length: Math.min(workers, Math.max(run.length, 1)) }, worker));
  } finally {
    status.done();
    await child.remove();
  }
  await writeSummary(entries.entries, out);
  const classes = [...failures].map(([c, n]) => `${c} ${n}`).join(", ");
  io.out(
    `mapval batch: shard ${shard.index}/${shard.count}, ${mine.length} entries: ${counts.done} done, ` +
      `${finished + counts.unchanged} already done, ${counts.failed} failed${classes ? ` (${classes})` : ""}; ` +
      `${duration((performance.now() - started) / 1000)}; ${join(out, "summary.csv")}\n`,
  );
  return 0;
}
