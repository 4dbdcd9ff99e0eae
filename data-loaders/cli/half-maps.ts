/**
 * Level 1's inputs on the Node side, shared by `mapval report` (data-loaders/cli/cli-report.ts) and the entries of
 * `mapval batch` (data-loaders/batch/batch-job.ts): an entry's configured half maps read as the report's input, the
 * checks of the halves against the map, and the options Level 1 runs with (Level 0's masks of the map at the
 * threshold), so that both commands compute the same Level 1 from the same files.
 */
import { MapFormatError } from "../../lib/errors.js";
import type { AnalysisContext } from "../../lib/analysis-inputs.js";
import { readMap } from "../../lib/io/mrc-reader.js";
import type { Volume } from "../../lib/io/volume.js";
import { checkHalfMaps, checkHalvesAgainstMap } from "../../lib/level1/fsc.js";
import type { Level1Options } from "../../lib/level1/level1.js";
import { softMask } from "../../lib/masks/masks.js";
import { halfMapFileWarnings, type HalfMapFiles } from "../../lib/report/report-text.js";
import { loadHalfMaps, type HalfMapFile, type LoadedHalfMaps, type ResolveOptions, type ResolvedEntry } from "../emdb/resolve-entry.js";

/** The half maps (and mask) as read, with what the report says about their files. */
export interface HalfMapInput {
  half1: Volume;
  half2: Volume;
  mask?: Volume;
  files: HalfMapFiles;
}

/** An entry's half maps: read (`input`), or why there are none although some were configured (`note`). */
export type EntryHalfMapInput = { input: HalfMapInput; note?: undefined } | { input?: undefined; note: string };

/** The report with the input warning saying why its entry's configured half maps gave no Level 1 (`note`). */
export function withNoHalfMapsWarning<R extends { inputWarnings: string[] }>(report: R, note: string): R {
  return { ...report, inputWarnings: [...report.inputWarnings, `Level 1 not computed: ${note}`] };
}

/**
 * The entry's configured half maps (files of the configuration, or EMDB's through the cache like maps), read with
 * the map reader; null when the entry configures none. A format error names the file.
 */
export async function readEntryHalfMaps(
  entry: Pick<ResolvedEntry, "halfMaps" | "emdbMetadata">,
  options: ResolveOptions,
): Promise<EntryHalfMapInput | null> {
  const loaded = await loadHalfMaps(entry, options);
  return loaded === null ? null : await readHalfMapFiles(loaded);
}

/** Half maps as loaded (loadHalfMaps: bytes and hashes) read with the map reader. */
export async function readHalfMapFiles(loaded: LoadedHalfMaps): Promise<EntryHalfMapInput> {
  if (loaded.status === "not-listed") return { note: loaded.message };
  const read = async (half: HalfMapFile) => {
    try {
      return await readMap(half.bytes);
    } catch (e) {
      if (e instanceof MapFormatError) throw new MapFormatError(e.code, `${half.path}: ${e.message}`);
      throw e;
    }
  };
  const [read1, read2] = [await read(loaded.half1), await read(loaded.half2)];
  return {
    input: {
      half1: read1.volume,
      half2: read2.volume,
      files: {
        half1: { file: loaded.half1.name, sha256: loaded.half1.sha256 },
        half2: { file: loaded.half2.name, sha256: loaded.half2.sha256 },
        averaged: false,
        fileWarnings: halfMapFileWarnings(read1.warnings, read2.warnings),
      },
    },
  };
}

/**
 * The halves (and mask) share one grid and voxel size with each other and with the map; `voxelSize` is the user's
 * override of every header's. Throws AnalysisInputError before anything is computed.
 */
export function checkHalvesForMap(map: Volume, context: Pick<AnalysisContext, "ts">, halves: HalfMapInput, voxelSize?: { value: number; source: string }): void {
  const halfTs = checkHalfMaps(halves.half1, halves.half2, { mask: halves.mask, voxelSize });
  checkHalvesAgainstMap(map, context.ts, halves.half1, halfTs);
}

/** Level 1's options for these halves: Level 0's hard mask of the map at the threshold and its soft mask (or the user's mask). */
export function level1Options(
  context: AnalysisContext,
  halves: HalfMapInput,
  hardMask: Uint8Array,
  resolutionSource: string | undefined,
): Level1Options {
  const { nx, ny, nz } = context.volume;
  return {
    threshold: context.threshold,
    resolution: context.resolution,
    resolutionSource,
    mode: context.mode,
    voxelSize: context.ts,
    voxelSizeSource: context.voxelSizeSource,
    hardMask,
    ...(halves.mask ? { userMask: halves.mask } : { softMask: softMask(hardMask, nx, ny, nz) }),
  };
}
