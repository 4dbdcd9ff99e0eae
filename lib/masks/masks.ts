/**
 * The masks Level 0 is computed on: the raw threshold mask, VRS's hard mask (largest 26-connected component,
 * dilated by ceil(2/Ts) steps of the 18-neighbourhood) and its soft version (periodic real_gaussian 2, clipped at 0).
 */
import { AnalysisInputError } from "../errors.js";
import { componentRuns, largestLabel, type ComponentSizes } from "./components.js";
import { dilate18Voxels, maskOf } from "./morphology.js";
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
  /** The indices of those voxels, in raster order. */
  maskVoxels: Int32Array;
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
 * (its ValueIndex from the second threshold on), labelling works on their runs along x, and the dilation on bit
 * rows around the largest component: a moving threshold costs about O(raw + hard voxels), not O(box).
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
  const reportVoxels = values.atLeast(reportThreshold);
  const rawComponents = componentRuns(reportVoxels, nx, ny, nz, 26);
  // The rounded hard-mask threshold rarely selects other voxels; when it does, its mask is labelled on its own.
  const [low, high] = [reportThreshold, appliedThreshold].sort((a, b) => a - b);
  const same = low === high || values.countAtLeast(low) === values.countAtLeast(high);
  const hard = same ? rawComponents : componentRuns(values.atLeast(appliedThreshold), nx, ny, nz, 26);
  const largest = largestLabel(hard);
  const largestComponentVoxels = largest === 0 ? 0 : hard.sizes[largest];
  const seeds = new Int32Array(largestComponentVoxels);
  for (let r = 0, k = 0; r < hard.runs; r++)
    if (hard.label[r] === largest) for (let i = hard.first[r]; i <= hard.last[r]; i++) seeds[k++] = i;
  const dilationIterations = Math.ceil(2 / o.voxelSize);
  const shellRule = { skipBorderShell: mode === "vrs-compat" };
  const maskVoxels = dilate18Voxels(seeds, nx, ny, nz, dilationIterations, shellRule);
  // A slider move needs only the voxels; the box-sized mask is made when figures or a page ask for it.
  let mask: Uint8Array | undefined;
  return {
    get mask() {
      return (mask ??= maskOf(maskVoxels, v.data.length));
    },
    voxels: maskVoxels.length,
    maskVoxels,
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
