/**
 * `mapval report [MAP] --threshold T [--resolution R] [--half1 H1 --half2 H2 [--mask M] | --no-half-maps] [--voxel-size S] [--vrs-compat] [--json]`
 *
 * MAP is a file path, an entry id of mapval.entries.json, or an EMDB accession (EMD-1234: the configured file, else
 * the cache, else a download). For a configured entry or accession, the author's contour, resolution and voxel size
 * are the defaults of --threshold, --resolution and --voxel-size. A file path has no defaults (the file and the
 * arguments given are the whole input), so --threshold is required; when the file is a configured entry's file (the
 * same real path, or the SHA-256 the entry records), the message names that entry, whose id gives its values.
 * Numbers may be negative (`--threshold -0.5` or `--threshold=-0.5`).
 * --sections 0.a,0.b,0.c,0.d computes only those (0.e–0.g take seconds on large maps; 0.a–0.c always run).
 * 0.e–0.g run first, their bands on worker threads (data-loaders/workers/band-pool.ts; --workers N, default MAPVAL_WORKERS or
 * the number of cores), and go to the report as precomputed sections.
 *
 * Level 1: with --half1 and --half2 (map files, read with the same reader and limits as MAP), sections 1.a–1.h run
 * too (1.e's bands on the same worker threads) with Level 0's masks of MAP at the threshold, or with --mask M (a soft
 * mask file on the halves' grid, values in [0, 1]) instead of the soft mask; the report combines both levels (one
 * score). Without MAP, the map is the average of the halves (the report's input says so). The halves and MAP must
 * share one grid and one voxel size. --sections takes 1.x ids too (only those of Level 1 are then computed).
 * An entry whose configuration gives `half1`/`half2` (files, or "emdb": the half maps EMDB's record lists, through the
 * cache like maps) gets Level 1 from them as if they were given with --half1 and --half2; --no-half-maps leaves them
 * out (Level 0 only). When EMDB's record lists fewer than two, the report says so in its input warnings (Level 0 only).
 *
 * Exit codes: 0 report written (whatever its verdicts) or --help, 2 bad arguments or unusable input (one-line message
 * on stderr), 1 unexpected failure. With --json, stdout is one JSON object; NaN and ±Infinity are written as null.
 */
import { createHash } from "node:crypto";
import { basename } from "node:path";
import { parseArgs } from "node:util";
import { AnalysisInputError, MapFormatError } from "../../lib/errors.js";
import { analysisContext } from "../../lib/analysis-inputs.js";
import { emptyMaskMessage, runLevel0InContext } from "../../lib/level0/level0.js";
import { computeLocalSections, localProgressText } from "../../lib/level0/local-sections.js";
import { checkHalfMaps } from "../../lib/level1/fsc.js";
import { averageOf } from "../../lib/level1/level1-local.js";
import { combineReports, runLevel1With } from "../../lib/level1/level1.js";
import {
  level1SectionIds, localSectionIds, sectionIds, sectionRegistry, type Level0SectionId, type Level1SectionId, type SectionId,
} from "../../lib/section-registry.js";
import { readMap } from "../../lib/io/mrc-reader.js";
import type { Volume } from "../../lib/io/volume.js";
import { averagedMapName, formatReport, halfMapFileWarnings, reportJson, type Report } from "../../lib/report/report-text.js";
import { mapMaximum } from "../../lib/level0/section-0b-mask.js";
import { defaultPoolSize, poolSize, withBandPool } from "../workers/band-pool.js";
import { MapFileError, readMapFile, type MapFile } from "./read-map-file.js";
import { joinNegativeNumbers, type CliIO } from "./cli-io.js";
import { createStatusLine } from "./progress.js";
import { resolveArgument, type ResolvedEntry, type ResolveOptions } from "../emdb/resolve-entry.js";
import { checkHalvesForMap, level1Options, readEntryHalfMaps, withNoHalfMapsWarning, type HalfMapInput } from "./half-maps.js";

export const reportUsage =
  "usage: mapval report [MAP] --threshold T [--resolution R] [--half1 H1 --half2 H2 [--mask M] | --no-half-maps] [--voxel-size S] [--vrs-compat] [--sections 0.a,…] [--workers N] [--json]   (MAP: file, entry id or EMD-N; without it, the average of the halves)";

/** The sections every report computes (they share the mask): the ones that are neither spectral nor optional. */
const alwaysRun = sectionRegistry.filter((s) => s.level === 0 && !s.spectral).map((s) => s.id).join(",");

const reportHelp = `${reportUsage}
  MAP            a map file (MRC/CCP4, may be gzip), an entry id of mapval.entries.json, or an EMDB accession;
                 without it (with --half1 and --half2), the map is the average of the two half maps
  --threshold T  density level of the mask (default: the entry's author's contour)
  --resolution R reported resolution in Å (default: the entry's)
  --half1 H1     half map 1 (a map file): adds Level 1 (1.a–1.h) from the two half maps; needs --half2
  --half2 H2     half map 2, on the grid and voxel size of half 1 and MAP
  --mask M       a soft mask file (values in [0, 1], the halves' grid) for Level 1 instead of Level 0's soft mask
  --no-half-maps Level 0 only, for an entry whose configuration gives half maps (its "half1"/"half2": used by default)
  --voxel-size S Å per voxel (default: the entry's, else the map header's; applies to the halves too)
  --vrs-compat   reproduce VRS's numbers, quirks included
  --sections L   compute only these sections (${alwaysRun} always run); the others read "Not requested":
${sectionRegistry.map((s) => `                 ${s.title}`).join("\n")}
  --workers N    worker threads for ${localSectionIds.join(",")} and 1.e (default MAPVAL_WORKERS, else the number of cores)
  --json         one JSON object on stdout (contract: lib/report/report-text.ts reportJson)
exit codes: 0 report written, 2 bad arguments or unusable input, 1 unexpected failure
`;

/**
 * --sections split by level (undefined: every section of that level). Whether there are half maps for 1.x ids is
 * known once the map is resolved (an entry may configure them); `withHalves`: --half1/--half2 were given.
 */
function sectionList(text: string | undefined, withHalves: boolean): { level0?: Level0SectionId[]; level1?: Level1SectionId[] } {
  if (text === undefined) return {};
  const known: readonly string[] = [...sectionIds, ...level1SectionIds];
  const ids = text.split(",").map((t) => t.trim());
  const unknown = ids.filter((id) => !known.includes(id));
  const allowed: readonly SectionId[] = withHalves ? [...sectionIds, ...level1SectionIds] : sectionIds;
  if (unknown.length > 0) throw new UsageError(`--sections takes section ids from ${allowed.join(",")}; got "${unknown.join(",") || text}"`);
  return {
    level0: sectionIds.filter((id) => ids.includes(id)),
    level1: level1SectionIds.filter((id) => ids.includes(id)),
  };
}

class UsageError extends Error {}

/** --workers, else MAPVAL_WORKERS, else the number of cores. */
function workerCount(option: string | undefined): number {
  try {
    return option === undefined ? defaultPoolSize() : poolSize(option, "--workers");
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** The map could not be had (no such file or entry, not in EMDB, offline with no cached copy…): the user's to fix. */
async function resolveMap(argument: string, options: ResolveOptions): Promise<ResolvedEntry> {
  try {
    return await resolveArgument(argument, options);
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message.replace(/\s*\n\s*/g, "; ") : String(e));
  }
}

/** The reader's result; a format error names the file it is about. */
async function readMapNamed(entry: ResolvedEntry) {
  try {
    return await readMap(entry.bytes);
  } catch (e) {
    if (e instanceof MapFormatError) throw new MapFormatError(e.code, `${entry.path}: ${e.message}`);
    throw e;
  }
}

function positiveNumber(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const x = Number(text);
  if (text.trim() === "" || !Number.isFinite(x)) throw new UsageError(`--${name} must be a number, got "${text}"`);
  if (name !== "threshold" && !(x > 0)) throw new UsageError(`--${name} must be positive, got ${text}`);
  return x;
}

/** A map file of Level 1 (--half1, --half2, --mask): unreadable or malformed is the user's to fix. */
async function readLevel1File(option: string, path: string): Promise<MapFile> {
  try {
    return await readMapFile(path);
  } catch (e) {
    if (e instanceof MapFileError) throw new UsageError(`--${option} ${e.message}`);
    if (e instanceof MapFormatError) throw new MapFormatError(e.code, `--${option} ${e.message}`);
    throw e;
  }
}

async function readHalfMaps(values: { half1?: string; half2?: string; mask?: string }, averaged: boolean): Promise<HalfMapInput | null> {
  if (values.half1 === undefined && values.half2 === undefined) {
    if (values.mask !== undefined) throw new UsageError("--mask is Level 1's mask: it needs --half1 and --half2");
    return null;
  }
  if (values.half1 === undefined || values.half2 === undefined) {
    const [given, missing] = values.half1 === undefined ? ["half2", "half1"] : ["half1", "half2"];
    throw new UsageError(`--${given} needs --${missing}: Level 1 takes both half maps`);
  }
  const [h1, h2, mask] = await Promise.all([
    readLevel1File("half1", values.half1),
    readLevel1File("half2", values.half2),
    values.mask === undefined ? undefined : readLevel1File("mask", values.mask),
  ]);
  const named = (f: MapFile) => ({ file: basename(f.path), sha256: f.sha256 });
  const fileWarnings = halfMapFileWarnings(h1.result.warnings, h2.result.warnings, mask?.result.warnings);
  return {
    half1: h1.result.volume,
    half2: h2.result.volume,
    mask: mask?.result.volume,
    files: { half1: named(h1), half2: named(h2), ...(mask && { mask: named(mask) }), averaged, fileWarnings },
  };
}

/** The entry's configured half maps; a file that cannot be had or read is the user's to fix, as with --half1. */
async function entryHalfMaps(entry: ResolvedEntry, options: ResolveOptions) {
  try {
    return await readEntryHalfMaps(entry, options);
  } catch (e) {
    if (e instanceof MapFormatError || e instanceof AnalysisInputError) throw e;
    throw new UsageError(e instanceof Error ? e.message.replace(/\s*\n\s*/g, "; ") : String(e));
  }
}

/**
 * The map when none is given: the average of the halves (float32, with half 1's header), named after them and hashed
 * over its voxels' float32 bytes.
 */
function averageMap(halves: HalfMapInput): { volume: Volume; file: string; sha256: string } {
  checkHalfMaps(halves.half1, halves.half2);
  const data = averageOf(halves.half1, halves.half2);
  const sha256 = createHash("sha256").update(new Uint8Array(data.buffer)).digest("hex");
  return { volume: { ...halves.half1, data }, file: averagedMapName(halves.files), sha256 };
}

/** `resolve`: where entries are looked up (default: the repository's mapval.entries.json, the user's cache). */
export async function runReport(args: string[], io: CliIO, resolve: Pick<ResolveOptions, "entriesPath"> = {}): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: joinNegativeNumbers(args, ["--threshold", "--resolution", "--voxel-size", "--workers"]),
      allowPositionals: true,
      options: {
        help: { type: "boolean", short: "h", default: false },
        threshold: { type: "string" },
        resolution: { type: "string" },
        "voxel-size": { type: "string" },
        "vrs-compat": { type: "boolean", default: false },
        sections: { type: "string" },
        workers: { type: "string" },
        json: { type: "boolean", default: false },
        half1: { type: "string" },
        half2: { type: "string" },
        mask: { type: "string" },
        "no-half-maps": { type: "boolean", default: false },
      },
    });
    if (values.help) {
      io.out(reportHelp);
      return 0;
    }
    const withHalves = values.half1 !== undefined || values.half2 !== undefined;
    if (positionals.length > 1) throw new UsageError("give exactly one FILE");
    if (positionals.length === 0 && !withHalves) throw new UsageError("missing FILE");
    if (values["no-half-maps"] && (withHalves || values.mask !== undefined))
      throw new UsageError(`--no-half-maps leaves Level 1 out: it cannot go with --${values.mask !== undefined && !withHalves ? "mask" : "half1/--half2"}`);
    const thresholdArgument = positiveNumber("threshold", values.threshold);
    const resolutionArgument = positiveNumber("resolution", values.resolution);
    const voxelSizeArgument = positiveNumber("voxel-size", values["voxel-size"]);
    const sections = sectionList(values.sections, withHalves);
    const workers = workerCount(values.workers);

    const given = await readHalfMaps(values, positionals.length === 0);
    const entry = positionals.length === 1 ? await resolveMap(positionals[0], resolve) : null;
    // Halves given on the command line win over the entry's configured ones.
    const configured = given === null && entry !== null && !values["no-half-maps"] ? await entryHalfMaps(entry, resolve) : null;
    const halves = given ?? configured?.input ?? null;
    if (halves === null && sections.level1 !== undefined && sections.level1.length > 0)
      throw new UsageError(`--sections ${sections.level1.join(",")}: Level 1 sections need --half1 and --half2 (or an entry with configured half maps)`);
    const average = entry === null ? averageMap(halves!) : null;
    const threshold = thresholdArgument ?? entry?.contour?.level;
    if (threshold === undefined) {
      const listed = entry?.listedAs ? `; it is the file of entry ${entry.listedAs}: "mapval report ${entry.listedAs}" uses that entry's contour, resolution and voxel size` : "";
      throw new UsageError(`missing --threshold (no author's contour is known for ${entry?.id ?? average!.file}${listed})`);
    }
    const { volume, warnings: fileWarnings } = entry ? await readMapNamed(entry) : { volume: average!.volume, warnings: [] };
    const analysis = {
      threshold,
      thresholdSource: thresholdArgument === undefined ? `the author's contour (${entry?.contour?.source})` : "--threshold",
      resolution: resolutionArgument ?? entry?.resolution?.angstrom ?? null,
      resolutionSource: resolutionArgument === undefined ? entry?.resolution?.source : "--resolution",
      voxelSize: voxelSizeArgument,
      voxelSizeSource: "--voxel-size",
      recordedVoxelSize: entry?.voxelSize == null ? null : { value: entry.voxelSize, source: entry.voxelSizeSource ?? entry.id },
      mode: values["vrs-compat"] ? ("vrs-compat" as const) : ("default" as const),
    };
    // Every input checked, and the derived grids sized, once, before any section starts.
    const context = analysisContext(volume, { ...analysis, computed: sections.level0 });
    if (halves) checkHalvesForMap(volume, context, halves, voxelSizeArgument === undefined ? undefined : { value: voxelSizeArgument, source: "--voxel-size" });
    const maximum = mapMaximum(volume);
    if (!(threshold <= maximum))
      throw new UsageError(`${emptyMaskMessage} (threshold ${threshold} is above the map maximum ${maximum})`);
    const status = createStatusLine();
    let report: Report;
    try {
      report = await withBandPool(async (pool) => {
        const threads = `${pool.size} worker thread${pool.size > 1 ? "s" : ""}`;
        const local = localSectionIds.filter((id) => sections.level0 === undefined || sections.level0.includes(id));
        if (local.length > 0) status.show(`mapval report: computing ${local.join(", ")} (${threads})…`);
        const options = { voxelSize: context.ts, threshold: context.threshold, resolution: context.resolution, mode: context.mode };
        const precomputed = local.length === 0 ? {} : await computeLocalSections(
          pool.execute, context.volume, options, local, (p) => status.show(`mapval report: ${localProgressText(p)} (${threads})…`),
        );
        const level0 = runLevel0InContext(context, {
          sections: sections.level0,
          precomputed,
          onSection: (_, title) => status.show(`mapval report: computing ${title}…`),
        });
        if (!halves) return configured?.note === undefined ? level0.report : withNoHalfMapsWarning(level0.report, configured.note);
        const level1 = await runLevel1With(pool.execute, halves.half1, halves.half2, {
          ...level1Options(context, halves, level0.workings.hardMask.mask, analysis.resolutionSource),
          sections: sections.level1,
          onSection: (id, title) => status.show(`mapval report: computing ${title}${id === "1.e" ? ` (${threads})` : ""}…`),
        });
        return combineReports(level0.report, level1.report);
      }, { size: workers });
    } finally {
      status.done();
    }
    const file = entry ? basename(entry.path) : average!.file;
    const sha256 = entry ? entry.sha256 : average!.sha256;
    const info = { fileWarnings, halfMaps: halves?.files };
    io.out(values.json ? JSON.stringify(reportJson(report, file, sha256, info)) + "\n" : formatReport(report, { file, sha256, ...info }));
    return 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof AnalysisInputError || e instanceof MapFormatError) {
      const usage = e instanceof UsageError && /missing|exactly one/.test(e.message) ? ` (${reportUsage})` : "";
      io.err(`mapval report: ${e.message}${usage}\n`);
      return 2;
    }
    if (e instanceof TypeError && (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      io.err(`mapval report: ${e.message} (${reportUsage})\n`);
      return 2;
    }
    throw e; // the dispatcher reports it with exit code 1
  }
}
