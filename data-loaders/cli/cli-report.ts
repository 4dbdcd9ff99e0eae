/**
 * `mapval report MAP --threshold T [--resolution R] [--voxel-size S] [--vrs-compat] [--json]`
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
 * Exit codes: 0 report written (whatever its verdicts) or --help, 2 bad arguments or unusable input (one-line message
 * on stderr), 1 unexpected failure. With --json, stdout is one JSON object; NaN and ±Infinity are written as null.
 */
import { basename } from "node:path";
import { parseArgs } from "node:util";
import { AnalysisInputError, MapFormatError } from "../../lib/errors.js";
import { analysisContext } from "../../lib/analysis-inputs.js";
import { emptyMaskMessage, runLevel0InContext } from "../../lib/level0/level0.js";
import { computeLocalSections, localProgressText } from "../../lib/level0/local-sections.js";
import { localSectionIds, sectionIds, sectionRegistry, type Level0SectionId } from "../../lib/section-registry.js";
import { readMap } from "../../lib/io/mrc-reader.js";
import { formatReport, reportJson } from "../../lib/report/report-text.js";
import { mapMaximum } from "../../lib/level0/section-0b-mask.js";
import { defaultPoolSize, poolSize, withBandPool } from "../workers/band-pool.js";
import { joinNegativeNumbers, type CliIO } from "./cli-io.js";
import { createStatusLine } from "./progress.js";
import { resolveArgument, type ResolvedEntry } from "../emdb/resolve-entry.js";

export const reportUsage =
  "usage: mapval report MAP --threshold T [--resolution R] [--voxel-size S] [--vrs-compat] [--sections 0.a,…] [--workers N] [--json]   (MAP: file, entry id or EMD-N)";

/** The sections every report computes (they share the mask): the ones that are neither spectral nor optional. */
const alwaysRun = sectionRegistry.filter((s) => s.level === 0 && !s.spectral).map((s) => s.id).join(",");

const reportHelp = `${reportUsage}
  MAP            a map file (MRC/CCP4, may be gzip), an entry id of mapval.entries.json, or an EMDB accession
  --threshold T  density level of the mask (default: the entry's author's contour)
  --resolution R reported resolution in Å (default: the entry's)
  --voxel-size S Å per voxel (default: the entry's, else the map header's)
  --vrs-compat   reproduce VRS's numbers, quirks included
  --sections L   compute only these sections (${alwaysRun} always run); the others read "Not requested":
${sectionRegistry.filter((s) => s.level === 0).map((s) => `                 ${s.title}`).join("\n")}
  --workers N    worker threads for ${localSectionIds.join(",")} (default MAPVAL_WORKERS, else the number of cores)
  --json         one JSON object on stdout (contract: lib/report/report-text.ts reportJson)
exit codes: 0 report written, 2 bad arguments or unusable input, 1 unexpected failure
`;

function sectionList(text: string | undefined): Level0SectionId[] | undefined {
  if (text === undefined) return undefined;
  const ids = text.split(",").map((t) => t.trim());
  const known = ids.filter((id): id is Level0SectionId => (sectionIds as readonly string[]).includes(id));
  const unknown = ids.filter((id) => !known.includes(id as Level0SectionId));
  if (unknown.length > 0 || ids.length === 0)
    throw new UsageError(`--sections takes section ids from ${sectionIds.join(",")}; got "${unknown.join(",") || text}"`);
  return known;
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
async function resolveMap(argument: string): Promise<ResolvedEntry> {
  try {
    return await resolveArgument(argument);
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

export async function runReport(args: string[], io: CliIO): Promise<number> {
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
      },
    });
    if (values.help) {
      io.out(reportHelp);
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? "missing FILE" : "give exactly one FILE");
    const thresholdArgument = positiveNumber("threshold", values.threshold);
    const resolutionArgument = positiveNumber("resolution", values.resolution);
    const voxelSizeArgument = positiveNumber("voxel-size", values["voxel-size"]);
    const sections = sectionList(values.sections);
    const workers = workerCount(values.workers);

    const entry = await resolveMap(positionals[0]);
    const threshold = thresholdArgument ?? entry.contour?.level;
    if (threshold === undefined) {
      const listed = entry.listedAs === null ? "" : `; it is the file of entry ${entry.listedAs}: "mapval report ${entry.listedAs}" uses that entry's contour, resolution and voxel size`;
      throw new UsageError(`missing --threshold (no author's contour is known for ${entry.id}${listed})`);
    }
    const { volume, warnings: fileWarnings } = await readMapNamed(entry);
    const analysis = {
      threshold,
      thresholdSource: thresholdArgument === undefined ? `the author's contour (${entry.contour?.source})` : "--threshold",
      resolution: resolutionArgument ?? entry.resolution?.angstrom ?? null,
      resolutionSource: resolutionArgument === undefined ? entry.resolution?.source : "--resolution",
      voxelSize: voxelSizeArgument,
      voxelSizeSource: "--voxel-size",
      recordedVoxelSize: entry.voxelSize === null ? null : { value: entry.voxelSize, source: entry.voxelSizeSource ?? entry.id },
      mode: values["vrs-compat"] ? ("vrs-compat" as const) : ("default" as const),
    };
    // Every input checked, and the derived grids sized, once, before any section starts.
    const context = analysisContext(volume, { ...analysis, computed: sections });
    const maximum = mapMaximum(volume);
    if (!(threshold <= maximum))
      throw new UsageError(`${emptyMaskMessage} (threshold ${threshold} is above the map maximum ${maximum})`);
    const status = createStatusLine();
    let report;
    try {
      const local = localSectionIds.filter((id) => sections === undefined || sections.includes(id));
      const precomputed = local.length === 0 ? {} : await withBandPool(async (pool) => {
        status.show(`mapval report: computing ${local.join(", ")} (${pool.size} worker thread${pool.size > 1 ? "s" : ""})…`);
        const options = { voxelSize: context.ts, threshold: context.threshold, resolution: context.resolution, mode: context.mode };
        const threads = `${pool.size} worker thread${pool.size > 1 ? "s" : ""}`;
        return computeLocalSections(pool.execute, context.volume, options, local, (p) => status.show(`mapval report: ${localProgressText(p)} (${threads})…`));
      }, { size: workers });
      report = runLevel0InContext(context, {
        sections,
        precomputed,
        onSection: (_, title) => status.show(`mapval report: computing ${title}…`),
      }).report;
    } finally {
      status.done();
    }
    const file = basename(entry.path);
    const sha256 = entry.sha256;
    io.out(
      values.json
        ? JSON.stringify(reportJson(report, file, sha256, { fileWarnings })) + "\n"
        : formatReport(report, { file, sha256, fileWarnings }),
    );
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
