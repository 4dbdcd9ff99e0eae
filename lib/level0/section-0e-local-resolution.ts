/**
 * 0.e Local resolution. VRS runs DeepRes, a neural network whose trained weights are not public (docs/reference/
 * local-methods.md "Local resolution"), so this section computes a different, clearly labelled estimate: MonoRes-style monogenic local resolution
 * from the single map, with the noise taken outside the mask (lib/local/monores.ts). It keeps VRS's applicability range
 * (2–13 Å), statistics (percentiles of the positive voxels, share of voxels finer than the reported resolution,
 * 25-bin histogram) and warning wording for DeepRes.
 *
 * Working grid: like DeepRes, which resamples to 1 Å/px, the map is resampled before the analysis when that saves
 * time without losing the resolutions that matter: to Ts_work ≈ max(Ts, resolution/4, box edge/160) (Nyquist at
 * half the reported resolution or finer), on a box whose x edge has only factors 2, 3 and 5. Maps already that
 * coarse are analysed at their own sampling.
 */
import { runHere, runWith } from "../local/band-kernels.js";
import { ignoreProgress, progressSteps, thenPlanned, type BandExecutor, type FractionDone, type Planned } from "../local/bands.js";
import { AnalysisInputError } from "../errors.js";
import { fastFftLength } from "../fourier/fft-batch.js";
import type { GridShape } from "../fourier/fft3d.js";
import {
  isTooHomogeneous, localStatistics, TOO_HOMOGENEOUS_WARNING, type LocalMapOutput, type LocalStatistics,
} from "../local/local-stats.js";
import { hardMask } from "../masks/masks.js";
import { MONORES_DEFAULTS, monoResPlanSteps, type MonoResDiagnostics, type MonoResResult, type SweepSpacing } from "../local/monores.js";
import { statusFromWarnings, type AnalysisMode, type SectionResult } from "../report/report-types.js";
import { resampleGridSteps } from "../fourier/resample.js";
import { allSteps, type Steps } from "../steps.js";
import type { Vec3, Volume } from "../io/volume.js";
import { sectionTitle } from "../section-registry.js";

export const localResolutionTitle = sectionTitle("0.e");
/** VRS runs DeepRes only for reported resolutions in this range (Å), bounds included. */
export const LOCAL_RESOLUTION_RANGE: readonly [number, number] = [2, 13];
/** Fewer voxels than this behind a percentile test (its tail, or the voxels finer than the resolution) get a note. */
export const MIN_PERCENTILE_VOXELS = 50;
/** Share of the voxels beyond each of the 2.5 % and 97.5 % percentiles of the "too homogeneous" test. */
const PERCENTILE_TAIL = 0.025;
/** The working grid's Nyquist is at most this fraction of the reported resolution (Ts_work ≥ resolution/4). */
export const WORKING_NYQUIST_FRACTION = 0.5;
/** Longest working box edge (voxels) before the sampling is coarsened further, to bound time and memory. */
export const MAX_WORKING_EDGE = 160;
/**
 * Statistics (Å) of R, the voxels with a local resolution (map > 0), as VRS takes them from DeepRes's map: numpy
 * linear percentiles, a 25-bin histogram, and `voxels` = |R|. `median` (= percentiles.p50) is the number VRS adds to
 * the resolution estimates of the abstract ("The average resolution of the map estimated by various methods goes
 * from …").
 */
/** How MonoRes swept the resolutions (0.e, and 1.e on the halves). */
export interface LocalResolutionSweep {
  lowestResolution: number;
  step: number;
  /** How the resolutions are placed (lib/local/monores.ts `SweepSpacing`): "bins" in vrs-compat, "fine" in default. */
  spacing: SweepSpacing;
  significance: number;
  /** Resolutions analysed (Å), from coarse to fine. */
  resolutions: number[];
  /** The noise's amplitude quantile each voxel was compared with, per resolution tested (map units); 1.e's noise is the half difference. */
  noiseThresholds: number[];
  stop: MonoResDiagnostics["stop"];
}

/** How MonoRes swept, from its diagnostics: the results' `sweep` of 0.e and of 1.e. */
export function sweepResults(d: MonoResDiagnostics, lowestResolution: number, spacing: SweepSpacing): LocalResolutionSweep {
  return {
    lowestResolution,
    step: MONORES_DEFAULTS.step,
    spacing,
    significance: MONORES_DEFAULTS.significance,
    resolutions: d.resolutions,
    noiseThresholds: d.noiseThresholds,
    stop: d.stop,
  };
}

export interface LocalResolutionResults extends LocalStatistics {
  method: "monores-style";
  /** 100·(share of R finer, i.e. smaller, than the reported resolution). */
  resolutionPercentile: number;
  /** Grid the map was analysed on (see the module comment). */
  workingGrid: { shape: Vec3; voxelSize: number; resampled: boolean };
  sweep: LocalResolutionSweep;
  /** Hard-mask voxels on the working grid inside the noise sphere, and those kept by MonoRes's refinement. */
  maskVoxels: number;
  refinedMaskVoxels: number;
  noiseVoxels: number;
  /** Radius (working voxels) beyond which voxels are neither molecule nor noise (Xmipp's cliff radius). */
  cliffRadius: number;
}

export interface LocalResolutionSection extends SectionResult<LocalResolutionResults> {
  /**
   * The local resolution map, as 0.f/0.g give theirs: `volume` holds Å per voxel (0 where none was assigned) on the
   * working grid, whose voxelSize and origin place it over the input map; `mask` marks R, the voxels the statistics
   * are over. Absent when the section does not apply or was not measured. Kept outside `results` (the JSON
   * contract) because of its size; the site colours slices with it.
   */
  localMap?: LocalMapOutput;
}

export interface LocalResolutionOptions {
  /** Ts, Å per voxel. */
  voxelSize: number;
  /** The user's visualisation threshold (the hard mask is built at it). */
  threshold: number;
  /** Reported resolution (Å), or null. */
  resolution: number | null;
  mode?: AnalysisMode;
  /** The hard mask at this threshold, when the caller already has it (level0.ts does). */
  hardMask?: Uint8Array;
}

const explanation =
  "VRS estimates the local resolution with DeepRes, a neural network whose trained weights are not publicly " +
  "available, so it is not run here. Instead the local resolution is computed with a MonoRes-style method " +
  "(Vilas et al. 2018) on the map alone: for resolutions from " +
  `${MONORES_DEFAULTS.lowestResolution} Å down to Nyquist, the local (monogenic) amplitude of the map's detail finer ` +
  "than that resolution is compared with the same amplitude outside the mask, which is taken as noise; a voxel gets " +
  `the finest resolution at which it stays above the noise's ${100 * MONORES_DEFAULTS.significance}% quantile. ` +
  "It needs genuine noise outside the mask, so maps masked around the molecule cannot be measured. " +
  "These numbers are not DeepRes's and can differ from them; the statistics and warnings are those VRS applies to DeepRes.";

const criteria = [
  "The 2.5% and 97.5% percentiles of the local resolution differ by at least 0.01 Å " +
    "(otherwise the output is too homogeneous).",
  "At least 0.1% of the voxels have a local resolution finer than the reported resolution.",
];

const base = { id: "0.e" as const, title: localResolutionTitle, explanation, criteria, summarySentence: null };

function withoutResults(status: "does-not-apply" | "not-measured", reason: string): LocalResolutionSection {
  return { ...base, status, warnings: [], results: null, reason };
}

export function localResolutionSection(volume: Volume, options: LocalResolutionOptions): LocalResolutionSection {
  return runHere(localResolutionPlan(volume, options));
}

/** `localResolutionSection` with MonoRes's bands computed by `executor` (e.g. worker threads). */
export async function localResolutionSectionWith(
  executor: BandExecutor,
  volume: Volume,
  options: LocalResolutionOptions,
): Promise<LocalResolutionSection> {
  return runWith(executor, localResolutionPlan(volume, options));
}

/**
 * The section up to MonoRes's band run (checks, mask, working grid, FFT), or the section when it needs no band;
 * `onProgress` follows the preparing.
 */
export function localResolutionPlan(
  volume: Volume,
  options: LocalResolutionOptions,
  onProgress: FractionDone = ignoreProgress,
): Planned<LocalResolutionSection> {
  return allSteps(localResolutionPlanSteps(volume, options, onProgress));
}

/** `localResolutionPlan` in steps (lib/steps.ts): the hard mask, then those of the working grid and of MonoRes's set-up. */
export function* localResolutionPlanSteps(
  volume: Volume,
  options: LocalResolutionOptions,
  onProgress: FractionDone = ignoreProgress,
): Steps<Planned<LocalResolutionSection>> {
  const { voxelSize, threshold, resolution } = options;
  const mode = options.mode ?? "default";
  if (!(Number.isFinite(voxelSize) && voxelSize > 0)) {
    throw new AnalysisInputError("bad-voxel-size", `voxelSize must be a positive number of Å, got ${voxelSize}`);
  }
  if (resolution === null) {
    return { done: withoutResults("does-not-apply", "This method cannot be applied to maps with no resolution reported.") };
  }
  if (!(Number.isFinite(resolution) && resolution > 0)) {
    throw new AnalysisInputError("bad-resolution", `resolution must be a positive number of Å or null, got ${resolution}`);
  }
  if (resolution < LOCAL_RESOLUTION_RANGE[0]) {
    return { done: withoutResults("does-not-apply", "This method cannot be applied to maps with a resolution better than 2Å.") };
  }
  if (resolution > LOCAL_RESOLUTION_RANGE[1]) {
    return { done: withoutResults("does-not-apply", "This method cannot be applied to maps with a resolution worse than 13Å.") };
  }

  const mask = options.hardMask ?? hardMask(volume, threshold, { voxelSize, mode }).mask;
  yield;
  // Shares of the time at 256³ (the working grid's resampling reads the whole map; MonoRes's set-up, the working grid).
  const [gridProgress, monoResProgress] = progressSteps(onProgress, [0.85, 0.15]);
  const working = yield* workingGridSteps(volume, mask, voxelSize, resolution, gridProgress);
  // vrs-compat keeps Xmipp's MonoRes sweep (whole Fourier bins); default mode sweeps finer where the grid allows.
  const spacing: SweepSpacing = mode === "vrs-compat" ? "bins" : "fine";
  const planned = yield* monoResPlanSteps(working.volume, working.mask, { voxelSize: working.voxelSize, spacing }, monoResProgress);
  return thenPlanned(planned, (outcome) => {
    if (!outcome.measured) return withoutResults("not-measured", outcome.reason);
    return measuredSection(outcome, working, voxelSize, resolution, spacing);
  });
}

/** The section from MonoRes's result on the working grid. */
function measuredSection(
  outcome: Extract<MonoResResult, { measured: true }>,
  working: WorkingGrid,
  voxelSize: number,
  resolution: number,
  spacing: SweepSpacing,
): LocalResolutionSection {
  // A loop, not Uint8Array.from(map, f): V8 lists the mapped values first (≈200 MB and 1 s at 160³).
  const assigned = new Uint8Array(outcome.map.length);
  for (let i = 0; i < assigned.length; i++) if (outcome.map[i] > 0) assigned[i] = 1;
  const statistics = localStatistics(outcome.map, assigned, working.volume);
  let finer = 0;
  for (let i = 0; i < outcome.map.length; i++) if (assigned[i] && outcome.map[i] < resolution) finer++;
  const resolutionPercentile = (100 * finer) / statistics.voxels;
  const d = outcome.diagnostics;
  const results: LocalResolutionResults = {
    method: "monores-style",
    ...statistics,
    resolutionPercentile,
    workingGrid: {
      shape: [working.volume.nx, working.volume.ny, working.volume.nz],
      voxelSize: working.voxelSize,
      resampled: working.resampled,
    },
    sweep: sweepResults(d, MONORES_DEFAULTS.lowestResolution, spacing),
    maskVoxels: d.maskVoxels,
    refinedMaskVoxels: d.refinedMaskVoxels,
    noiseVoxels: d.noiseVoxels,
    cliffRadius: d.cliffRadius,
  };

  const warnings: string[] = [];
  if (isTooHomogeneous(statistics.percentiles, 0.01)) warnings.push(TOO_HOMOGENEOUS_WARNING);
  if (resolutionPercentile < 0.1) {
    warnings.push(particularlyHighWarning(resolution, resolutionPercentile));
  }
  const notes: string[] = [];
  // A percentile test decided by a handful of voxels flips with them: say so.
  const tail = Math.floor(PERCENTILE_TAIL * statistics.voxels);
  if (tail < MIN_PERCENTILE_VOXELS)
    notes.push(
      `The 2.5% and 97.5% percentiles (the "too homogeneous" test) rest on ${tail} voxels each, fewer than ` +
        `${MIN_PERCENTILE_VOXELS}; they may move with a few voxels.`,
    );
  const nyquistFiner = 2 * working.voxelSize < resolution;
  if (nyquistFiner && finer < MIN_PERCENTILE_VOXELS)
    notes.push(
      `Only ${finer} ${finer === 1 ? "voxel is" : "voxels are"} finer than the reported resolution, fewer than ` +
        `${MIN_PERCENTILE_VOXELS}: the share of voxels finer than the reported resolution (the "particularly high" ` +
        "test) rests on them and may move with a few voxels.",
    );
  if (working.resampled) {
    notes.push(
      `The map was resampled from ${voxelSize} to ${working.voxelSize.toFixed(3)} Å/voxel ` +
        `(${results.workingGrid.shape.join("×")} voxels) before the analysis, as DeepRes resamples to 1 Å/voxel; ` +
        `local resolutions finer than ${(2 * working.voxelSize).toFixed(2)} Å cannot be measured on that grid.`,
    );
  }
  if (!nyquistFiner) {
    notes.push(
      `Nyquist on the analysed grid (${(2 * working.voxelSize).toFixed(2)} Å) is not finer than the reported ` +
        "resolution, so no voxel can be finer than it; the share of voxels finer than the reported resolution says " +
        "nothing about the map here.",
    );
  }
  return {
    ...base,
    status: statusFromWarnings(warnings),
    warnings,
    results,
    notes,
    localMap: { volume: { ...working.volume, data: outcome.map }, mask: assigned },
  };
}

/** Python's "%5.2f". */
/** VRS's warning when fewer than 0.1 % of the voxels are finer than the reported resolution (0.e and 1.e). */
export function particularlyHighWarning(resolution: number, percentile: number): string {
  return (
    `The reported resolution, ${printf52(resolution)} Å, is particularly high with respect to the local resolution ` +
    `distribution. It occupies the ${printf52(percentile)} percentile`
  );
}

function printf52(x: number): string {
  return x.toFixed(2).padStart(5);
}

/** Smallest even fast FFT length ≥ n: m is even and fast exactly when m/2 is fast. */
export function fastEvenLength(n: number): number {
  return 2 * fastFftLength(n / 2);
}

interface WorkingGrid {
  volume: Volume;
  mask: Uint8Array;
  /** Ts of the working grid along x (the sampling MonoRes uses). */
  voxelSize: number;
  resampled: boolean;
}

/**
 * The grid MonoRes runs on (module comment). Resampling is band-limited (Fourier), after Xmipp's raised-cosine
 * low-pass at the new Nyquist, about the box centre as Xmipp scales (output voxel ⌊m/2⌋ on input voxel ⌊n/2⌋). The
 * mask is interpolated trilinearly and binarised at 0.5, which avoids the ringing a Fourier resampling would add.
 * `onProgress` follows the work.
 */
export function workingGrid(
  volume: Volume,
  mask: Uint8Array,
  voxelSize: number,
  resolution: number,
  onProgress: FractionDone = ignoreProgress,
): WorkingGrid {
  return allSteps(workingGridSteps(volume, mask, voxelSize, resolution, onProgress));
}

/** `workingGrid` in steps (lib/steps.ts): those of the map's resampling, then a plane of the mask's at a time. */
export function* workingGridSteps(
  volume: Volume,
  mask: Uint8Array,
  voxelSize: number,
  resolution: number,
  onProgress: FractionDone = ignoreProgress,
): Steps<WorkingGrid> {
  const dims: Vec3 = [volume.nx, volume.ny, volume.nz];
  const longestEdge = Math.max(...dims) * voxelSize;
  const target = Math.max(voxelSize, (WORKING_NYQUIST_FRACTION * resolution) / 2, longestEdge / MAX_WORKING_EDGE);
  const mx = fastEvenLength((volume.nx * voxelSize) / target);
  if (mx >= volume.nx) {
    onProgress(1);
    return { volume, mask, voxelSize, resampled: false };
  }
  const workingVoxelSize = (volume.nx * voxelSize) / mx;
  const sizes = dims.map((n, a) =>
    a === 0 ? mx : Math.max(2, Math.round((n * voxelSize) / workingVoxelSize)),
  ) as Vec3;
  const shape: GridShape = { nx: sizes[0], ny: sizes[1], nz: sizes[2] };
  const shift = dims.map((n, a) => Math.floor(n / 2) - (Math.floor(sizes[a] / 2) * n) / sizes[a]) as Vec3;

  const lowPass = { cutoff: voxelSize / workingVoxelSize / 2 };
  const [mapProgress, maskProgress] = progressSteps(onProgress, [0.95, 0.05]);
  const data = Float32Array.from(yield* resampleGridSteps(volume, shape, shift, lowPass, mapProgress));
  yield;
  const sampling = dims.map((n, a) => (voxelSize * n) / sizes[a]) as Vec3;
  const origin = volume.origin.map((o, a) => o + shift[a] * voxelSize) as Vec3;
  return {
    volume: { ...shape, data, voxelSize: sampling, origin },
    mask: yield* resampleMask(mask, dims, sizes, shift, maskProgress),
    voxelSize: workingVoxelSize,
    resampled: true,
  };
}

/** Trilinear (periodic) interpolation of a 0/1 mask at output voxel j ↦ input position j·n/m + shift, ≥ 0.5; a step per plane. */
function* resampleMask(mask: Uint8Array, from: Vec3, to: Vec3, shift: Vec3, onProgress: FractionDone): Steps<Uint8Array> {
  const [nx, ny] = from;
  const axis = (a: number) => {
    const lo = new Int32Array(to[a]), hi = new Int32Array(to[a]), t = new Float64Array(to[a]);
    for (let j = 0; j < to[a]; j++) {
      const p = (j * from[a]) / to[a] + shift[a];
      const f = Math.floor(p);
      lo[j] = ((f % from[a]) + from[a]) % from[a];
      hi[j] = (lo[j] + 1) % from[a];
      t[j] = p - f;
    }
    return { lo, hi, t };
  };
  const X = axis(0), Y = axis(1), Z = axis(2);
  const out = new Uint8Array(to[0] * to[1] * to[2]);
  const at = (x: number, y: number, z: number) => mask[x + nx * (y + ny * z)];
  for (let k = 0, i = 0; k < to[2]; k++) {
    for (let j = 0; j < to[1]; j++)
      for (let l = 0; l < to[0]; l++, i++) {
        const tx = X.t[l], ty = Y.t[j], tz = Z.t[k];
        const plane = (z: number) =>
          (1 - ty) * ((1 - tx) * at(X.lo[l], Y.lo[j], z) + tx * at(X.hi[l], Y.lo[j], z)) +
          ty * ((1 - tx) * at(X.lo[l], Y.hi[j], z) + tx * at(X.hi[l], Y.hi[j], z));
        if ((1 - tz) * plane(Z.lo[k]) + tz * plane(Z.hi[k]) >= 0.5) out[i] = 1;
      }
    onProgress((k + 1) / to[2]);
    yield;
  }
  return out;
}
