/**
 * 0.f LocBfactor, as VRS runs `ucm.computations.bfactor` (docs/reference/local-methods.md "LocBFactor"), and `localSections`, which gives 0.f and 0.g from one resize, one mask and one set of band amplitudes.
 *
 * For each of the bands f_j = linspace(1/15, 1/res, 10) (1/Å) on the resized map: noise_j = 0.9-quantile of the
 * amplitude m_j over the noise region (outside the mask, inside the inscribed sphere), y_j = ln(m_j²/(m_j + noise_j)),
 * and per voxel the least-squares slope of y against f²; B = 4·slope (Å², negative when amplitudes fall off).
 * The slope is streamed: slope = Σ_j w_j·y_j with w_j = (x_j − x̄)/Σ(x − x̄)², so no band is kept.
 *
 * By design this runs more negative than the global B of 0.d (the shell is normalised by its sum: docs/reference/
 * local-methods.md "Spiral (Riesz) amplitude").
 */
import { runHere, runWith } from "../local/band-kernels.js";
import { ignoreProgress, type BandExecutor, type FractionDone, type Planned } from "../local/bands.js";
import {
  isTooHomogeneous, localStatistics, quantileOfSelected, TOO_HOMOGENEOUS_WARNING, type LocalStatistics, type Percentiles,
} from "../local/local-stats.js";
import {
  doesNotApplyReason, emptyResizedMaskReason, localGridNotes, localGridResults, localMapOutput, occupancyDoesNotApply, occupancyNotMeasured,
  occupancySection, OccupancyAccumulator, LOCAL_MIN_RESOLUTION,
  type LocalGridResults, type LocalSectionOptions, type LocalSectionResult, type LocOccupancyResults,
} from "./section-0g-lococcupancy.js";
import { linspace, localGridSteps, spiralBandRun, type BandConsumer, type LocalGrid } from "../local/spiral-amplitude.js";
import { allSteps, type Steps } from "../steps.js";
import type { Volume } from "../io/volume.js";
import { sectionTitle } from "../section-registry.js";
import { statusFromWarnings } from "../report/report-types.js";

export const locBfactorTitle = sectionTitle("0.f");
/** `num_points`: bands in the fit. */
export const BFACTOR_BANDS = 10;
/** `noise_threshold`: the noise level is this quantile of the amplitude over the noise region. */
export const NOISE_QUANTILE = 0.9;
/** VRS's accepted interval for the median local B (Å²). */
export const LOCAL_BFACTOR_RANGE: readonly [number, number] = [-300, 0];
/** VRS's "too homogeneous" limit on |p2.5 − p97.5| for local B-factors. */
export const BFACTOR_HOMOGENEOUS_LIMIT = 0.01;
/**
 * Floor for m and the noise level in "default" mode: a map that is exactly zero somewhere (a masked map) would give
 * ln 0; the Python port has no guard (its result is then NaN, reported here as not measured in vrs-compat).
 */
const AMPLITUDE_FLOOR = 1e-30;

export interface LocBfactorResults extends LocalStatistics, LocalGridResults {
  /** Per band: the 0.9-quantile of m over the noise region. */
  noise: number[];
  /** Voxels of the noise region (outside the mask, inside the inscribed sphere). */
  noiseRegionVoxels: number;
}

/** Streams the per-voxel slope of ln(m²/(m + noise)) against f². */
export class BfactorAccumulator implements BandConsumer {
  readonly frequencies: number[];
  /** Per band, in the order of `frequencies`. */
  readonly noise: number[];
  /** Σ_j w_j·y_j so far; 4× it is B once every band has been added. */
  private readonly slope: Float32Array;
  private readonly weights: Map<number, number>;

  constructor(private readonly grid: LocalGrid, resolution: number, private readonly floor: number) {
    this.frequencies = linspace(1 / LOCAL_MIN_RESOLUTION, 1 / resolution, BFACTOR_BANDS);
    const x = this.frequencies.map((f) => f * f);
    const mean = x.reduce((a, b) => a + b, 0) / x.length;
    const spread = x.reduce((a, b) => a + (b - mean) ** 2, 0);
    this.weights = new Map(this.frequencies.map((f, j) => [f, (x[j] - mean) / spread]));
    this.noise = this.frequencies.map(() => NaN);
    this.slope = new Float32Array(grid.spiral.voxels);
  }

  /** False when the bands coincide (resolution 15 Å), so no slope exists. */
  get fittable(): boolean {
    return [...this.weights.values()].every(Number.isFinite);
  }

  add(f0: number, amplitude: Float32Array): void {
    const noise = Math.max(quantileOfSelected(amplitude, this.grid.noiseRegion, NOISE_QUANTILE), this.floor);
    this.noise[this.frequencies.indexOf(f0)] = noise;
    const weight = this.weights.get(f0)!;
    const { slope, floor } = this;
    for (let i = 0; i < slope.length; i++) {
      const m = Math.max(amplitude[i], floor);
      slope[i] += weight * Math.log((m * m) / (m + noise));
    }
  }

  /** The local B map, 4·slope at every voxel (the accumulator's buffer, scaled in place). */
  map(): Float32Array {
    const { slope } = this;
    for (let i = 0; i < slope.length; i++) slope[i] *= 4;
    return slope;
  }
}

const explanation =
  "LocBfactor estimates a local B-factor: the map (resized to half the reported resolution) is split into 10 " +
  "Gaussian frequency shells from 15 Å to the reported resolution; in each shell the local amplitude of the spiral " +
  "(Riesz) transform, weighted by its excess over the noise outside the mask, gives ln A at every voxel, and B is 4× " +
  "the slope of ln A against 1/d². It runs more negative than the global B of 0.d by construction.";

const criteria = [
  `The median local B-factor inside the resized hard mask is in [${LOCAL_BFACTOR_RANGE[0]}, ${LOCAL_BFACTOR_RANGE[1]}] Å².`,
];

const base = { id: "0.f" as const, title: locBfactorTitle, explanation, criteria };

function bfactorDoesNotApply(reason: string): LocalSectionResult<LocBfactorResults> {
  return { ...base, status: "does-not-apply", warnings: [], results: null, reason, summarySentence: null };
}

function bfactorNotMeasured(reason: string): LocalSectionResult<LocBfactorResults> {
  return { ...base, status: "not-measured", warnings: [], results: null, reason, summarySentence: null };
}

const noNoiseRegionReason =
  "No voxel of the resized map lies outside the hard mask and inside the inscribed sphere, so the noise level " +
  "LocBfactor compares amplitudes with cannot be measured.";
const sameBandsReason =
  "The reported resolution equals the 15 Å start of the fit, so all bands coincide and no slope can be fitted.";

/** VRS's warnings, in its order. */
export function locBfactorWarnings(p: Percentiles): string[] {
  const warnings: string[] = [];
  if (isTooHomogeneous(p, BFACTOR_HOMOGENEOUS_LIMIT)) warnings.push(TOO_HOMOGENEOUS_WARNING);
  const [low, high] = LOCAL_BFACTOR_RANGE;
  if (p.p50 < low || p.p50 > high) warnings.push("The median B-factor is out of the interval [-300,0]");
  return warnings;
}

function bfactorSection(grid: LocalGrid, accumulator: BfactorAccumulator): LocalSectionResult<LocBfactorResults> {
  const values = accumulator.map();
  const statistics = localStatistics(values, grid.mask, grid.spiral);
  if (!Number.isFinite(statistics.percentiles.p2_5) || !Number.isFinite(statistics.percentiles.p97_5))
    return bfactorNotMeasured(
      "The band amplitude is exactly zero at some voxels (a masked map?), so ln 0 makes the local B undefined there.",
    );
  const warnings = locBfactorWarnings(statistics.percentiles);
  return {
    ...base,
    status: statusFromWarnings(warnings),
    warnings,
    results: {
      ...statistics,
      ...localGridResults(grid, accumulator.frequencies),
      noise: accumulator.noise,
      noiseRegionVoxels: grid.noiseRegionVoxels,
    },
    summarySentence: warnings.length > 0 ? "There seems to be a problem with its local B-factor (see Sec. 0.f). " : null,
    ...localGridNotes(grid),
    localMap: localMapOutput(values, grid),
  };
}

export interface LocalSections {
  "0.f": LocalSectionResult<LocBfactorResults>;
  "0.g": LocalSectionResult<LocOccupancyResults>;
}

/**
 * 0.f and 0.g together: one resize, one hard mask, one forward FFT, and each distinct band computed once (the two
 * band lists share their end points). Either section may be left out.
 */
export function localSections(
  volume: Volume,
  options: LocalSectionOptions,
  wanted: LocalSectionsWanted = { bfactor: true, occupancy: true },
): LocalSections {
  return runHere(localSectionsPlan(volume, options, wanted));
}

/** `localSections` with the bands computed by `executor` (e.g. worker threads). */
export async function localSectionsWith(
  executor: BandExecutor,
  volume: Volume,
  options: LocalSectionOptions,
  wanted: LocalSectionsWanted = { bfactor: true, occupancy: true },
): Promise<LocalSections> {
  return runWith(executor, localSectionsPlan(volume, options, wanted));
}

export interface LocalSectionsWanted {
  bfactor: boolean;
  occupancy: boolean;
}

/**
 * `localSections` up to its band run (resize, mask, FFT, accumulators), or its sections when no band is needed;
 * `onProgress` follows the preparing.
 */
export function localSectionsPlan(
  volume: Volume,
  options: LocalSectionOptions,
  wanted: LocalSectionsWanted,
  onProgress: FractionDone = ignoreProgress,
): Planned<LocalSections> {
  return allSteps(localSectionsPlanSteps(volume, options, wanted, onProgress));
}

/** `localSectionsPlan` in steps (lib/steps.ts): those of its grid (lib/local/spiral-amplitude.ts `localGridSteps`). */
export function* localSectionsPlanSteps(
  volume: Volume,
  options: LocalSectionOptions,
  wanted: LocalSectionsWanted,
  onProgress: FractionDone = ignoreProgress,
): Steps<Planned<LocalSections>> {
  const reason = doesNotApplyReason(options);
  if (reason) return { done: { "0.f": bfactorDoesNotApply(reason), "0.g": occupancyDoesNotApply(reason) } };
  const mode = options.mode ?? "default";
  const grid = yield* localGridSteps(volume, { ...options, resolution: options.resolution! }, onProgress);
  // The bands run to the resolution the grid is made for (the reported one below the box cap).
  const { resolution } = grid;
  if (grid.maskVoxels === 0)
    return { done: { "0.f": bfactorNotMeasured(emptyResizedMaskReason), "0.g": occupancyNotMeasured(emptyResizedMaskReason) } };

  const floor = mode === "vrs-compat" ? 0 : AMPLITUDE_FLOOR;
  let bfactor: BfactorAccumulator | null = wanted.bfactor ? new BfactorAccumulator(grid, resolution, floor) : null;
  let bfactorReason = "Not requested.";
  if (bfactor && grid.noiseRegionVoxels === 0) [bfactor, bfactorReason] = [null, noNoiseRegionReason];
  else if (bfactor && !bfactor.fittable) [bfactor, bfactorReason] = [null, sameBandsReason];
  const occupancy = wanted.occupancy ? new OccupancyAccumulator(grid, resolution) : null;
  return {
    run: spiralBandRun(grid.spiral.setup, [bfactor, occupancy].filter((c) => c !== null)),
    finish: () => ({
      "0.f": bfactor ? bfactorSection(grid, bfactor) : bfactorNotMeasured(bfactorReason),
      "0.g": occupancy ? occupancySection(grid, occupancy) : occupancyNotMeasured("Not requested."),
    }),
  };
}

/** 0.f alone. */
export function locBfactorSection(volume: Volume, options: LocalSectionOptions): LocalSectionResult<LocBfactorResults> {
  return localSections(volume, options, { bfactor: true, occupancy: false })["0.f"];
}
