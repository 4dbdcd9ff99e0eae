/**
 * The masks Level 0 is computed on: the raw threshold mask, VRS's hard mask (largest 26-connected component,
 * dilated by ceil(2/Ts) steps of the 18-neighbourhood) and its soft version (periodic real_gaussian 2, clipped at 0).
 */
import { AnalysisInputError } from "../errors.js";
import { componentsOfRuns, largestLabel, type ComponentSizes } from "./components.js";
import { dilate18Runs } from "./morphology.js";
import { maskOfRuns, runVoxels, voxelsOfRuns, type VoxelRuns } from "./voxel-runs.js";
import { realGaussianFilter } from "./gaussian.js";
import { mapValues } from "./value-index.js";
import type { Volume } from "../io/volume.js";

export type MaskMode = "default" | "vrs-compat";

/** Mask of voxels with `value >= threshold` (1/0). NaN voxels are outside. */
export function rawMask(v: Volume, threshold: number): Uint8Array {
  const data = v.data;
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) if (data[i] >= threshold) out[i] = 1;
  return out;
}

/**
 * Threshold VRS's 0.b applies to its raw mask. In "vrs-compat" it is the threshold rounded to float32, because numpy
 * compares a float32 map with a Python float in float32; this only matters when a voxel equals float32(threshold)
 * and that is below the threshold. "default" uses the exact value.
 */
export function rawMaskThreshold(threshold: number, mode: MaskMode = "default"): number {
  return mode === "vrs-compat" ? Math.fround(threshold) : threshold;
}

/**
 * Threshold the hard mask is built with. In "vrs-compat" the value reaches `xmipp_transform_threshold` through
 * Python "%f", so it is rounded to 6 decimals (half-even on the exact binary value, like C printf).
 */
export function hardMaskThreshold(threshold: number, mode: MaskMode = "default"): number {
  return mode === "vrs-compat" ? roundLikePercentF(threshold) : threshold;
}

/** The number Python's "%f" % x prints, read back. */
export function roundLikePercentF(x: number): number {
  if (!Number.isFinite(x) || Math.abs(x) >= 1e21) return x;
  const away = x.toFixed(6); // toFixed rounds exact halves away from zero
  // An exact half at the 7th decimal is x = odd/128 (x·10⁶ = m + ½ needs a power-of-two denominator);
  // printf then picks the even neighbour.
  const scaled = x * 128;
  if (!Number.isInteger(scaled) || Math.abs(scaled) % 2 !== 1) return Number(away);
  const lastDigit = Number(away[away.length - 1]);
  if (lastDigit % 2 === 0) return Number(away);
  return Number(x.toFixed(7).slice(0, -1)); // exact 7-digit form with the 5 cut off = rounded towards zero
}

export interface HardMaskOptions {
  /** Ts, Å per voxel: the dilation runs ceil(2/Ts) steps. */
  voxelSize: number;
  /**
   * "vrs-compat": threshold rounded to 6 decimals and no dilation into the outermost shell of the box, as VRS.
   * "default" (default): full-precision threshold and a plain dilation clipped to the box.
   */
  mode?: MaskMode;
}

export interface HardMask {
  /** 1/0 per voxel: largest component of `v >= hardMaskThreshold`, dilated (made at first use). */
  readonly mask: Uint8Array;
  /** Voxels set in `mask` (0 when nothing reaches the threshold; no error is thrown). */
  voxels: number;
  /** Those voxels as runs along x, in raster order. */
  runs: VoxelRuns;
  /** The indices of those voxels, in raster order (made at first use). */
  readonly maskVoxels: Int32Array;
  /** ceil(2/Ts). */
  dilationIterations: number;
  /** Size of the largest component before dilation (0 when empty). */
  largestComponentVoxels: number;
  /**
   * 26-connected components of the raw mask 0.b reports: `v >= rawMaskThreshold(threshold, mode)`. When the rounded
   * hard-mask threshold selects other voxels (rare), the hard mask is labelled separately and these stay the 0.b ones.
   */
  rawComponents: ComponentSizes;
  /** Threshold actually used for the hard mask. */
  appliedThreshold: number;
}

/**
 * VRS's hard mask (see {@link HardMask}). The voxels at or above the threshold come from the map's MapValues
 * (its ValueIndex from the second threshold on) as runs along x, labelling works on those runs, and the dilation on
 * bit rows around the largest component: a moving threshold costs about O(raw runs + words near the hard mask), not
 * O(box).
 */
export function hardMask(v: Volume, threshold: number, o: HardMaskOptions): HardMask {
  if (!Number.isFinite(threshold))
    throw new AnalysisInputError("bad-threshold", `threshold must be finite, got ${threshold}`);
  if (!(o.voxelSize > 0) || !Number.isFinite(o.voxelSize))
    throw new AnalysisInputError("bad-voxel-size", `voxel size must be a positive number of Å, got ${o.voxelSize}`);
  const mode = o.mode ?? "default";
  const { nx, ny, nz } = v;
  const values = mapValues(v.data);
  const reportThreshold = rawMaskThreshold(threshold, mode);
  const appliedThreshold = hardMaskThreshold(threshold, mode);
  const rawComponents = componentsOfRuns(values.runsAtLeast(reportThreshold, nx), nx, ny, nz, 26);
  // The rounded hard-mask threshold rarely selects other voxels; when it does, its mask is labelled on its own.
  const [low, high] = [reportThreshold, appliedThreshold].sort((a, b) => a - b);
  const same = low === high || values.countAtLeast(low) === values.countAtLeast(high);
  const hard = same ? rawComponents : componentsOfRuns(values.runsAtLeast(appliedThreshold, nx), nx, ny, nz, 26);
  const largest = largestLabel(hard);
  const largestComponentVoxels = largest === 0 ? 0 : hard.sizes[largest];
  let seedRuns = 0;
  for (let r = 0; r < hard.runs; r++) if (hard.label[r] === largest) seedRuns++;
  const seeds = { runs: seedRuns, first: new Int32Array(seedRuns), last: new Int32Array(seedRuns) };
  for (let r = 0, k = 0; r < hard.runs; r++)
    if (hard.label[r] === largest) {
      seeds.first[k] = hard.first[r];
      seeds.last[k++] = hard.last[r];
    }
  const dilationIterations = Math.ceil(2 / o.voxelSize);
  const shellRule = { skipBorderShell: mode === "vrs-compat" };
  const runs = dilate18Runs(seeds, nx, ny, nz, dilationIterations, shellRule);
  // A slider move needs only the runs; the box-sized mask and the voxel list are made when something asks for them.
  let mask: Uint8Array | undefined, maskVoxels: Int32Array | undefined;
  return {
    get mask() {
      return (mask ??= maskOfRuns(runs, v.data.length));
    },
    get maskVoxels() {
      return (maskVoxels ??= voxelsOfRuns(runs));
    },
    voxels: runVoxels(runs),
    runs,
    dilationIterations,
    largestComponentVoxels,
    rawComponents: { count: rawComponents.count, sizes: rawComponents.sizes },
    appliedThreshold,
  };
}

/** σ of Xmipp's `real_gaussian` filter VRS applies (a real-space Gaussian of σ/√2 = 1.414 voxels). */
export const SOFT_MASK_SIGMA = 2;

/**
 * VRS's soft mask: the hard mask filtered with Xmipp's periodic `real_gaussian 2` (see lib/masks/gaussian.ts), negative
 * ringing set to 0. Values in [0, ~1].
 */
export function softMask(hard: Uint8Array, nx: number, ny: number, nz: number): Float32Array {
  const out = realGaussianFilter(hard, nx, ny, nz, SOFT_MASK_SIGMA);
  for (let i = 0; i < out.length; i++) if (out[i] < 0) out[i] = 0;
  return out;
}
