/**
 * 1.c and 1.e, the local resolutions from the half maps.
 *
 * 1.c: the BlocRes-style local FSC of lib/level1/local-fsc.ts over Level 0's hard mask, with VRS's blocres statistics.
 *
 * 1.e Local resolution from the half maps: MonoRes (lib/local/monores.ts) with half maps, as VRS runs Xmipp's MonoRes
 * (`useHalfVolumes`, `noiseOnlyInHalves`): the map is (h1 + h2)/2, the noise the amplitude of (h1 − h2)/2, the hard
 * mask is Level 0's at the user's threshold, and the sweep starts at max(10, 5·resolution) + 3 Å and runs to Nyquist.
 * The working grid is 0.e's (lib/level0/section-0e-local-resolution.ts `workingGrid`): the same resampling keeps the cost
 * bounded on big boxes. Statistics, criteria and wording: docs/reference/level1.md "1.e".
 */
import { runHere, runWith } from "../local/band-kernels.js";
import { thenPlanned, type BandExecutor, type Planned } from "../local/bands.js";
import { checkResolution, type Sourced } from "../analysis-inputs.js";
import { AnalysisInputError } from "../errors.js";
import { checkHalfMaps } from "./fsc.js";
import type { Level1SectionResult } from "./level1-sections.js";
import {
  isTooHomogeneous, localStatistics, TOO_HOMOGENEOUS_WARNING, type LocalMapOutput, type LocalStatistics,
} from "../local/local-stats.js";
import { LOCAL_FSC_DEFAULTS, localFsc, type LocalFscOptions } from "./local-fsc.js";
import { hardMask } from "../masks/masks.js";
import { MONORES_DEFAULTS, monoResPlan, type MonoResResult, type SweepSpacing } from "../local/monores.js";
import { statusFromWarnings, type AnalysisMode } from "../report/report-types.js";
import { particularlyHighWarning, sweepResults, workingGrid, type LocalResolutionSweep } from "../level0/section-0e-local-resolution.js";
import type { Vec3, Volume } from "../io/volume.js";

export const halfMapLocalResolutionTitle = "1.e Local resolution (MonoRes)";

/** VRS's MonoRes sweep start: maxRes = max(10, 5·resolution) Å, and Xmipp starts the sweep 3 Å above it. */
export const MONORES_HALVES_MIN_MAX_RESOLUTION = 10;
export const MONORES_HALVES_RESOLUTION_FACTOR = 5;
export const MONORES_HALVES_SWEEP_MARGIN = 3;

/** The sweep's first (coarsest) resolution (Å) for a reported resolution (Å; null: none reported). */
export function halfMapSweepStart(resolution: number | null): number {
  const maxRes = Math.max(MONORES_HALVES_MIN_MAX_RESOLUTION, MONORES_HALVES_RESOLUTION_FACTOR * (resolution ?? 0));
  return maxRes + MONORES_HALVES_SWEEP_MARGIN;
}

export interface HalfMapLocalResolutionResults extends LocalStatistics {
  method: "monores-halves";
  /** 100·(share of the voxels with a local resolution finer than the reported resolution); null with none reported. */
  resolutionPercentile: number | null;
  workingGrid: { shape: Vec3; voxelSize: number; resampled: boolean };
  sweep: LocalResolutionSweep;
  maskVoxels: number;
  cliffRadius: number;
}

export interface HalfMapLocalResolutionSection extends Level1SectionResult<HalfMapLocalResolutionResults> {
  /** The local resolution map (Å, 0 where none was assigned) on the working grid, as 0.e's `localMap`. */
  localMap?: LocalMapOutput;
}

export interface HalfMapLocalResolutionOptions {
  /** The user's visualisation threshold, on the map the hard mask is built from. */
  threshold: number;
  /** Reported resolution (Å), or null. */
  resolution: number | null;
  /** Ts (Å per voxel) and where it came from, when the halves' headers should not be trusted. */
  voxelSize?: Sourced;
  mode?: AnalysisMode;
  /**
   * Level 0's hard mask of the primary map at the threshold, when the caller has it; by default it is built from the
   * average of the halves (the primary map when none is given).
   */
  hardMask?: Uint8Array;
}

const explanation =
  "MonoRes (Vilas et al. 2018) as VRS runs it on the two half maps: for resolutions from the sweep start down to " +
  "Nyquist, the local (monogenic) amplitude of the detail finer than that resolution in the average of the halves " +
  "is compared with the same amplitude of their half difference, which holds only noise; a voxel gets the finest " +
  `resolution at which it stays above the noise's ${100 * MONORES_DEFAULTS.significance}% quantile.`;

const criteria = [
  "The 2.5% and 97.5% percentiles of the local resolution differ by at least 0.01 Å (otherwise the output is too homogeneous).",
  "At least 0.1% of the voxels have a local resolution finer than the reported resolution.",
];

const base = { id: "1.e" as const, title: halfMapLocalResolutionTitle, explanation, criteria, summarySentence: null };

export function halfMapLocalResolutionSection(
  half1: Volume,
  half2: Volume,
  options: HalfMapLocalResolutionOptions,
): HalfMapLocalResolutionSection {
  return runHere(halfMapLocalResolutionPlan(half1, half2, options));
}

/** `halfMapLocalResolutionSection` with MonoRes's bands computed by `executor` (e.g. worker threads). */
export function halfMapLocalResolutionSectionWith(
  executor: BandExecutor,
  half1: Volume,
  half2: Volume,
  options: HalfMapLocalResolutionOptions,
): Promise<HalfMapLocalResolutionSection> {
  return runWith(executor, halfMapLocalResolutionPlan(half1, half2, options));
}

/** The section up to MonoRes's band run (checks, average and difference, mask, working grids, FFTs). */
export function halfMapLocalResolutionPlan(
  half1: Volume,
  half2: Volume,
  options: HalfMapLocalResolutionOptions,
): Planned<HalfMapLocalResolutionSection> {
  const mode = options.mode ?? "default";
  const voxelSize = checkHalfMaps(half1, half2, { voxelSize: options.voxelSize });
  const resolution = checkResolution(options.resolution, voxelSize, "the resolution option");
  const n = half1.data.length;
  if (options.hardMask && options.hardMask.length !== n)
    throw new AnalysisInputError("mask-shape-mismatch", `the hard mask has ${options.hardMask.length} voxels, the half maps ${n}`);

  const difference = new Float32Array(n);
  for (let i = 0; i < n; i++) difference[i] = (half1.data[i] - half2.data[i]) / 2;
  const averageMap: Volume = { ...half1, data: averageOf(half1, half2) };
  const mask = options.hardMask ?? hardMask(averageMap, options.threshold, { voxelSize, mode }).mask;
  // 0.e's working grid keeps Nyquist at half the reported resolution or finer; with none reported, only the box edge
  // limit coarsens it (a "resolution" of 4·Ts asks for no coarsening).
  const gridResolution = resolution ?? 4 * voxelSize;
  const working = workingGrid(averageMap, mask, voxelSize, gridResolution);
  const noise = working.resampled ? workingGrid({ ...half1, data: difference }, mask, voxelSize, gridResolution).volume : { ...half1, data: difference };
  const spacing: SweepSpacing = mode === "vrs-compat" ? "bins" : "fine";
  const lowestResolution = halfMapSweepStart(resolution);
  const planned = monoResPlan(working.volume, working.mask, { voxelSize: working.voxelSize, spacing, lowestResolution, noise });
  return thenPlanned(planned, (outcome) => {
    if (!outcome.measured) return { ...base, status: "not-measured", warnings: [], results: null, reason: outcome.reason };
    return measuredSection(outcome, working, resolution, spacing, lowestResolution);
  });
}

function measuredSection(
  outcome: Extract<MonoResResult, { measured: true }>,
  working: ReturnType<typeof workingGrid>,
  resolution: number | null,
  spacing: SweepSpacing,
  lowestResolution: number,
): HalfMapLocalResolutionSection {
  const assigned = new Uint8Array(outcome.map.length);
  for (let i = 0; i < assigned.length; i++) if (outcome.map[i] > 0) assigned[i] = 1;
  const statistics = localStatistics(outcome.map, assigned, working.volume);
  const resolutionPercentile = finerPercentile(outcome.map, assigned, resolution, statistics.voxels);
  const d = outcome.diagnostics;
  const results: HalfMapLocalResolutionResults = {
    method: "monores-halves",
    ...statistics,
    resolutionPercentile,
    workingGrid: {
      shape: [working.volume.nx, working.volume.ny, working.volume.nz],
      voxelSize: working.voxelSize,
      resampled: working.resampled,
    },
    sweep: sweepResults(d, lowestResolution, spacing),
    maskVoxels: d.maskVoxels,
    cliffRadius: d.cliffRadius,
  };
  const warnings: string[] = [];
  if (isTooHomogeneous(statistics.percentiles, 0.01)) warnings.push(TOO_HOMOGENEOUS_WARNING);
  // VRS compares the fraction with 0.001, i.e. 0.1 %.
  if (resolution !== null && resolutionPercentile !== null && resolutionPercentile < 0.1)
    warnings.push(particularlyHighWarning(resolution, resolutionPercentile));
  const notes: string[] = [];
  if (resolution === null) notes.push("No resolution was reported, so the share of voxels finer than it is not computed.");
  if (working.resampled)
    notes.push(
      `The halves were resampled to ${working.voxelSize.toFixed(3)} Å/voxel (${results.workingGrid.shape.join("×")} voxels) ` +
        `before the analysis, to bound its cost; local resolutions finer than ${(2 * working.voxelSize).toFixed(2)} Å cannot be measured on that grid.`,
    );
  return {
    ...base,
    status: statusFromWarnings(warnings),
    warnings,
    results,
    notes,
    localMap: { volume: { ...working.volume, data: outcome.map }, mask: assigned },
  };
}

/** The voxel-wise mean of the halves (the map of a report given only its halves). */
export function averageOf(half1: Volume, half2: Volume): Float32Array {
  const average = new Float32Array(half1.data.length);
  for (let i = 0; i < average.length; i++) average[i] = (half1.data[i] + half2.data[i]) / 2;
  return average;
}

/** 100·(share of the `voxels` assigned voxels finer than the reported resolution), VRS's `resolutionP`; null without one. */
function finerPercentile(map: Float32Array, assigned: Uint8Array, resolution: number | null, voxels: number): number | null {
  if (resolution === null) return null;
  let finer = 0;
  for (let i = 0; i < map.length; i++) if (assigned[i] && map[i] < resolution) finer++;
  return (100 * finer) / voxels;
}

export const localFscTitle = "1.c Local resolution (BlocRes-style local FSC)";

export interface LocalFscSectionResults extends LocalStatistics {
  method: "local-fsc";
  /** 100·(share of the voxels with a local resolution finer than the reported resolution); null with none reported. */
  resolutionPercentile: number | null;
  box: number;
  stride: number;
  cutoff: number;
  boxes: number;
  /** Boxes whose FSC never fell below the cutoff (2·Ts), fell below at the first shell (box·Ts), had an empty shell. */
  atNyquist: number;
  atBoxEdge: number;
  unmeasured: number;
}

export interface LocalFscSection extends Level1SectionResult<LocalFscSectionResults> {
  localMap?: LocalMapOutput;
}

export interface LocalFscSectionOptions extends HalfMapLocalResolutionOptions, Pick<LocalFscOptions, "box" | "stride"> {}

const localFscExplanation =
  "A local FSC in the manner of BlocRes (Cardone et al. 2013), which VRS runs: around points of the mask, a box of " +
  `${LOCAL_FSC_DEFAULTS.box} voxels of each half map is cut out and windowed, and the resolution where the FSC of the ` +
  `two boxes falls below ${LOCAL_FSC_DEFAULTS.cutoff} is given to the voxels nearest that point.`;

/** 1.c: the local FSC over the hard mask (Level 0's, or built from the average of the halves at the threshold). */
export function localFscSection(half1: Volume, half2: Volume, options: LocalFscSectionOptions): LocalFscSection {
  const mode = options.mode ?? "default";
  const voxelSize = checkHalfMaps(half1, half2, { voxelSize: options.voxelSize });
  const resolution = checkResolution(options.resolution, voxelSize, "the resolution option");
  const n = half1.data.length;
  if (options.hardMask && options.hardMask.length !== n)
    throw new AnalysisInputError("mask-shape-mismatch", `the hard mask has ${options.hardMask.length} voxels, the half maps ${n}`);
  const mask = options.hardMask ?? hardMask({ ...half1, data: averageOf(half1, half2) }, options.threshold, { voxelSize, mode }).mask;
  const base = { id: "1.c" as const, title: localFscTitle, explanation: localFscExplanation, criteria, summarySentence: null };
  const local = localFsc(half1, half2, { voxelSize, box: options.box, stride: options.stride, mask });
  // Loops, not TypedArray.from(map, f): V8 lists the mapped values first (hundreds of MB on a 256³ map).
  const assigned = new Uint8Array(n);
  let measuredVoxels = 0;
  for (let i = 0; i < n; i++) if (local.map[i] > 0) (assigned[i] = 1), measuredVoxels++;
  if (measuredVoxels === 0)
    return { ...base, status: "not-measured", warnings: [], results: null, reason: "No voxel of the mask got a local resolution (the mask is empty or its boxes hold no signal)." };
  const statistics = localStatistics(local.map, assigned, half1);
  const resolutionPercentile = finerPercentile(local.map, assigned, resolution, statistics.voxels);
  const { box, stride, cutoff, boxes, atNyquist, atBoxEdge, unmeasured } = local;
  const results: LocalFscSectionResults = {
    method: "local-fsc", ...statistics, resolutionPercentile, box, stride, cutoff, boxes, atNyquist, atBoxEdge, unmeasured,
  };
  const warnings: string[] = [];
  if (isTooHomogeneous(statistics.percentiles, 0.01)) warnings.push(TOO_HOMOGENEOUS_WARNING);
  if (resolution !== null && resolutionPercentile !== null && resolutionPercentile < 0.1)
    warnings.push(particularlyHighWarning(resolution, resolutionPercentile));
  const notes: string[] = [];
  if (resolution === null) notes.push("No resolution was reported, so the share of voxels finer than it is not computed.");
  if (stride > 1) notes.push(`Boxes were centred every ${stride} voxels (each voxel takes its nearest centre's resolution), to bound the cost.`);
  return { ...base, status: statusFromWarnings(warnings), warnings, results, notes, localMap: { volume: { ...half1, data: local.map }, mask: assigned } };
}
