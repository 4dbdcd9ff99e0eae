/**
 * 0.g LocOccupancy, as VRS runs `ucm.computations.occupancy` (docs/reference/local-methods.md "LocOccupancy"): on the resized map and its hard mask (lib/local/spiral-amplitude.ts `localGrid`), bands
 * f_j = linspace(1/15, 1/res, n_f) about one shell σ apart, n_f = max(1, ⌊(1/res − 1/15)/σ⌋); a voxel's occupancy is
 * the fraction of bands whose amplitude reaches the band's first quartile over the mask.
 */
import { runHere } from "../local/band-kernels.js";
import { AnalysisInputError } from "../errors.js";
import {
  isTooHomogeneous, localStatistics, quantileOfSelected, TOO_HOMOGENEOUS_WARNING, type LocalMapOutput, type LocalStatistics,
  type Percentiles,
} from "../local/local-stats.js";
import { statusFromWarnings, type AnalysisMode, type SectionResult } from "../report/report-types.js";
import { linspace, localGrid, spiralBandRun, type BandConsumer, type LocalGrid } from "../local/spiral-amplitude.js";
import type { Vec3, Volume } from "../io/volume.js";
import { sectionTitle } from "../section-registry.js";

export const locOccupancyTitle = sectionTitle("0.g");
/** Coarsest band (Å): the Scipion protocol's default `min_res` (the function's own default is 20). */
export const LOCAL_MIN_RESOLUTION = 15;
/** `protein_threshold`: the in-mask quantile a voxel's amplitude must reach. */
export const OCCUPANCY_QUANTILE = 0.25;
/** VRS warns below this median occupancy. */
export const OCCUPANCY_MEDIAN_MIN = 0.5;
/** VRS's "too homogeneous" limit on |p2.5 − p97.5| for occupancies. */
export const OCCUPANCY_HOMOGENEOUS_LIMIT = 0.1;

export interface LocalSectionOptions {
  /** Ts of the input map, Å. */
  voxelSize: number;
  /** The user's threshold (the resized map's hard mask is made with it). */
  threshold: number;
  /** Reported resolution (Å), or null when none was reported. */
  resolution: number | null;
  mode?: AnalysisMode;
  /** Most voxels of the resized box (lib/local/spiral-amplitude.ts, default MAX_LOCAL_BOX_VOXELS; smaller in tests). */
  maxBoxVoxels?: number;
}

/** Numbers every local section reports besides its statistics. */
export interface LocalGridResults {
  /** Shape of the resized map (x, y, z). */
  resizedShape: Vec3;
  /** resolution/2, VRS's sampling of the resized map, Å. */
  resizedVoxelSize: number;
  /** Å per voxel along x, y, z used for the frequencies (see `localGrid`). */
  frequencySampling: Vec3;
  /** Box the FFTs ran on: the resized box in every mode (lib/local/spiral-amplitude.ts says why). */
  fftShape: Vec3;
  /** Shell σ, 1/Å. */
  shellSigma: number;
  /** Band centres, 1/Å. */
  frequencies: number[];
  /**
   * Present only when VRS's box (the map resized to half the reported resolution) would have more voxels than
   * MAX_LOCAL_BOX_VOXELS (lib/local/spiral-amplitude.ts): the reported resolution, that box, and the resolution the map
   * was resized for instead (its box is `resizedShape`; the bands stop there).
   */
  boxCap?: { reportedResolution: number; reportedBox: Vec3; maxVoxels: number; analysedResolution: number };
}

/** The resized grid's numbers for a section's results; `frequencies` are the bands that section used. */
export function localGridResults(grid: LocalGrid, frequencies: number[]): LocalGridResults {
  return {
    resizedShape: grid.shape,
    resizedVoxelSize: grid.targetVoxelSize,
    frequencySampling: grid.sampling,
    fftShape: grid.shape,
    shellSigma: grid.spiral.sigma,
    frequencies,
    ...(grid.cap && { boxCap: { ...grid.cap, analysedResolution: grid.resolution } }),
  };
}

/** The section's note when the box cap changed the analysis (what was resized to what), else nothing. */
export function localGridNotes(grid: LocalGrid): { notes?: string[] } {
  if (!grid.cap) return {};
  const { reportedResolution, reportedBox, maxVoxels } = grid.cap;
  return {
    notes: [
      `The map resized to half the reported resolution (${reportedResolution / 2} Å per voxel) would be ` +
        `${reportedBox.join("×")} voxels, more than the ${maxVoxels} this analysis is bounded to (memory); ` +
        `it was resized to ${grid.targetVoxelSize.toFixed(3)} Å per voxel (${grid.shape.join("×")}) ` +
        `instead, so its bands stop at ${grid.resolution.toFixed(2)} Å rather than at the reported ${reportedResolution} Å.`,
    ],
  };
}

export interface LocOccupancyResults extends LocalStatistics, LocalGridResults {
  /** Per band: the first quartile of the amplitude over the mask. */
  thresholds: number[];
}

/** A section's result plus the local map for the site's slices (not part of the JSON contract). */
export type LocalSectionResult<R extends object> = SectionResult<R> & { localMap?: LocalMapOutput };

/** numpy's `linspace(1/15, 1/res, max(1, int((1/res − 1/15)/σ)))`; int() truncates towards zero. */
export function occupancyFrequencies(resolution: number, sigma: number): number[] {
  const low = 1 / LOCAL_MIN_RESOLUTION;
  const count = Math.max(1, Math.trunc((1 / resolution - low) / sigma));
  return linspace(low, 1 / resolution, count);
}

/** Counts, per voxel, the bands whose amplitude reaches the band's in-mask quantile. */
export class OccupancyAccumulator implements BandConsumer {
  readonly frequencies: number[];
  /** Per band, in the order of `frequencies` (bands may be fed in another order). */
  readonly thresholds: number[];
  /** Per voxel, the bands it passed. */
  readonly counts: Uint8Array | Uint16Array;

  constructor(private readonly grid: LocalGrid, resolution: number) {
    this.frequencies = occupancyFrequencies(resolution, grid.spiral.sigma);
    this.thresholds = this.frequencies.map(() => NaN);
    const voxels = grid.spiral.voxels;
    this.counts = this.frequencies.length <= 255 ? new Uint8Array(voxels) : new Uint16Array(voxels);
  }

  add(f0: number, amplitude: Float32Array): void {
    const threshold = quantileOfSelected(amplitude, this.grid.mask, OCCUPANCY_QUANTILE);
    this.thresholds[this.frequencies.indexOf(f0)] = threshold;
    const { counts } = this;
    for (let i = 0; i < counts.length; i++) if (amplitude[i] >= threshold) counts[i]++;
  }

  /** The occupancy map, count/n_f at every voxel. */
  map(): Float32Array {
    const out = new Float32Array(this.counts.length);
    const n = this.frequencies.length;
    for (let i = 0; i < out.length; i++) out[i] = this.counts[i] / n;
    return out;
  }
}

const explanation =
  "LocOccupancy estimates how much of each voxel the macromolecule occupies: the map (resized to half the reported " +
  "resolution) is split into Gaussian frequency shells from 15 Å to the reported resolution; in each shell the local " +
  "amplitude of the spiral (Riesz) transform is compared with its first quartile inside the mask, and the occupancy " +
  "is the fraction of shells where the voxel reaches it.";

const criteria = [`The median occupancy inside the resized hard mask is at least ${OCCUPANCY_MEDIAN_MIN * 100}%.`];

const base = { id: "0.g" as const, title: locOccupancyTitle, explanation, criteria };

export function occupancyDoesNotApply(reason: string): LocalSectionResult<LocOccupancyResults> {
  return { ...base, status: "does-not-apply", warnings: [], results: null, reason, summarySentence: null };
}

export function occupancyNotMeasured(reason: string): LocalSectionResult<LocOccupancyResults> {
  return { ...base, status: "not-measured", warnings: [], results: null, reason, summarySentence: null };
}

/** Why 0.f and 0.g do not apply (VRS's wording), or null when they do; throws on a resolution that is not a number. */
export function doesNotApplyReason(options: LocalSectionOptions): string | null {
  const { resolution } = options;
  if (resolution === null) return "This method cannot be applied to maps with no resolution reported.";
  if (!(Number.isFinite(resolution) && resolution > 0))
    throw new AnalysisInputError("bad-resolution", `resolution must be a positive number of Å or null, got ${resolution}`);
  return null;
}

export const emptyResizedMaskReason =
  "The hard mask of the map resized to half the reported resolution is empty at this threshold, so there are no " +
  "molecule voxels to analyse.";

/**
 * VRS's warnings, in its order. Since about 75 % of the mask passes every band, the mean occupancy is ≈ 0.75 and a
 * median below 0.5 would need a mean below 0.75: the median warning can only fire through ties on tiny masks.
 */
export function locOccupancyWarnings(p: Percentiles): string[] {
  const warnings: string[] = [];
  if (isTooHomogeneous(p, OCCUPANCY_HOMOGENEOUS_LIMIT)) warnings.push(TOO_HOMOGENEOUS_WARNING);
  if (p.p50 < OCCUPANCY_MEDIAN_MIN) warnings.push("The median occupancy is less than 50%");
  return warnings;
}

/** Section 0.g from a filled accumulator. */
export function occupancySection(grid: LocalGrid, accumulator: OccupancyAccumulator): LocalSectionResult<LocOccupancyResults> {
  const values = accumulator.map();
  const statistics = localStatistics(accumulator.counts, grid.mask, grid.spiral, 1 / accumulator.frequencies.length);
  const warnings = locOccupancyWarnings(statistics.percentiles);
  return {
    ...base,
    status: statusFromWarnings(warnings),
    warnings,
    results: {
      ...statistics,
      ...localGridResults(grid, accumulator.frequencies),
      thresholds: accumulator.thresholds,
    },
    summarySentence: warnings.length > 0 ? "There seems to be a problem with its local occupancy (see Sec. 0.g). " : null,
    ...localGridNotes(grid),
    localMap: localMapOutput(values, grid),
  };
}

/** The local map on the resized grid, with the mask its statistics are over. */
export function localMapOutput(values: Float32Array, grid: LocalGrid): LocalMapOutput {
  const [nx, ny, nz] = grid.shape;
  return { volume: { nx, ny, nz, data: values, voxelSize: grid.sampling, origin: grid.origin }, mask: grid.mask };
}

/** 0.g alone (use `localSections` in section-0f-locbfactor.ts to get 0.f and 0.g from one set of band amplitudes). */
export function locOccupancySection(volume: Volume, options: LocalSectionOptions): LocalSectionResult<LocOccupancyResults> {
  const reason = doesNotApplyReason(options);
  if (reason) return occupancyDoesNotApply(reason);
  const grid = localGrid(volume, { ...options, resolution: options.resolution! });
  if (grid.maskVoxels === 0) return occupancyNotMeasured(emptyResizedMaskReason);
  const accumulator = new OccupancyAccumulator(grid, grid.resolution);
  return runHere({
    run: spiralBandRun(grid.spiral.setup, [accumulator]),
    finish: () => occupancySection(grid, accumulator),
  });
}
