/**
 * `mapval report FILE --threshold T [--resolution R] [--voxel-size S] [--vrs-compat] [--json]`
 *
 * Exit codes: 0 report written (whatever its verdicts), 2 bad arguments or unusable input (one-line message on
 * stderr), 1 unexpected failure. With --json, stdout is one JSON object; NaN and ±Infinity are written as null.
 */
import { basename } from "node:path";
import { parseArgs } from "node:util";
import { AnalysisInputError, MapFormatError } from "../lib/errors.js";
import { emptyMaskMessage, runLevel0 } from "../lib/level0.js";
import { formatReport, reportJson } from "../lib/report-text.js";
import { mapMaximum } from "../lib/section-0b-mask.js";
import type { CliIO } from "./cli.js";
import { MapFileError, readMapFile } from "./read-map-file.js";

export const reportUsage =
  "usage: mapval report FILE --threshold T [--resolution R] [--voxel-size S] [--vrs-compat] [--json]";

class UsageError extends Error {}

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
      args,
      allowPositionals: true,
      options: {
        threshold: { type: "string" },
        resolution: { type: "string" },
        "voxel-size": { type: "string" },
        "vrs-compat": { type: "boolean", default: false },
        json: { type: "boolean", default: false },
      },
    });
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? "missing FILE" : "give exactly one FILE");
    const threshold = positiveNumber("threshold", values.threshold);
    if (threshold === undefined) throw new UsageError("missing --threshold");
    const resolution = positiveNumber("resolution", values.resolution) ?? null;
    const voxelSize = positiveNumber("voxel-size", values["voxel-size"]);
    const path = positionals[0];

    const { sha256, result } = await readMapFile(path);
    const { volume } = result;
    const maximum = mapMaximum(volume);
    if (!(threshold <= maximum))
      throw new UsageError(`${emptyMaskMessage} (threshold ${threshold} is above the map maximum ${maximum})`);
    const report = runLevel0(volume, {
      threshold,
      resolution,
      voxelSize,
      mode: values["vrs-compat"] ? "vrs-compat" : "default",
    });
    const file = basename(path);
    io.out(values.json ? JSON.stringify(reportJson(report, file, sha256)) + "\n" : formatReport(report, { file, sha256 }));
    return 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof AnalysisInputError || e instanceof MapFormatError || e instanceof MapFileError) {
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
