/**
 * Statistics VRS prints for its local maps (0.e–0.g): numpy percentiles (default "linear" method) over the mask,
 * equal-width histograms, and the "too homogeneous" rule.
 *
 * d3-array's quantileSorted uses the same interpolation, but the project has no type declarations for d3-array, so
 * the few lines are written here, following numpy's own order of operations.
 */

import { selectNth } from "./quickselect.js";
import { binOfBits } from "../masks/value-index.js";
import type { Volume } from "../io/volume.js";

export interface Percentiles {
  p2_5: number;
  p25: number;
  p50: number;
  p75: number;
  p97_5: number;
}

export interface HistogramBin {
  x0: number;
  x1: number;
  count: number;
}

/** Histogram bins VRS draws for its local maps (numpy.histogram's count in 0.e). */
export const LOCAL_HISTOGRAM_BINS = 25;

/** What a local section reports about its map inside the mask. */
export interface LocalStatistics {
  /** numpy percentiles 2.5, 25, 50, 75, 97.5 of the map over the mask. */
  percentiles: Percentiles;
  /** = percentiles.p50, the value VRS's criterion uses. */
  median: number;
  mean: number;
  /** 25 equal-width bins from the smallest to the largest value in the mask. */
  histogram: HistogramBin[];
  /** Mask voxels the statistics are over. */
  voxels: number;
  /** VRS's central slice indices of the local map, ⌊n/2⌋ per axis (x, y, z). */
  centralSlices: { x: number; y: number; z: number };
}

/**
 * The local map itself, for the site's coloured slices; kept out of `results` (the JSON contract) because of its
 * size. `volume` is on the resized grid (voxelSize = the sampling used); `mask` is the resized hard mask the
 * statistics are over.
 */
export interface LocalMapOutput {
  volume: Volume;
  mask: Uint8Array;
}

/**
 * Statistics of `scale`·values over `mask` on an nx × ny × nz grid (occupancies pass their band counts and 1/n_f, so
 * the values are count/n_f in float64 as numpy's).
 */
export function localStatistics(
  values: ArrayLike<number>,
  mask: Uint8Array,
  shape: { nx: number; ny: number; nz: number },
  scale = 1,
): LocalStatistics {
  const sorted = sortedMaskedValues(values, mask, scale);
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) sum += sorted[i];
  const percentiles = percentilesOfSorted(sorted);
  return {
    percentiles,
    median: percentiles.p50,
    mean: sum / sorted.length,
    histogram: histogramOfSorted(sorted, LOCAL_HISTOGRAM_BINS),
    voxels: sorted.length,
    centralSlices: { x: Math.floor(shape.nx / 2), y: Math.floor(shape.ny / 2), z: Math.floor(shape.nz / 2) },
  };
}

/** VRS's "too homogeneous" warning. */
export const TOO_HOMOGENEOUS_WARNING =
  "Program output seems to be too homogeneous. There might be some program issues analyzing the data.";

/** numpy's lerp: a + t·(b − a), computed from b's side when t ≥ 0.5 (as numpy 1.22+ does, for monotonicity). */
function lerp(a: number, b: number, t: number): number {
  const d = b - a;
  return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

/** `np.quantile(values, q)` (linear) of values sorted ascending. NaN for an empty array. */
export function quantileOfSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const below = Math.min(Math.max(Math.floor(h), 0), n - 1);
  const above = Math.min(below + 1, n - 1);
  return lerp(sorted[below], sorted[above], h - below);
}

/** numpy's `np.percentile(values, [2.5, 25, 50, 75, 97.5])` of values sorted ascending. */
export function percentilesOfSorted(sorted: ArrayLike<number>): Percentiles {
  const at = (percent: number) => quantileOfSorted(sorted, percent / 100);
  return { p2_5: at(2.5), p25: at(25), p50: at(50), p75: at(75), p97_5: at(97.5) };
}

/** `scale`·values where `mask` is non-zero, in float64, sorted ascending. */
export function sortedMaskedValues(values: ArrayLike<number>, mask: Uint8Array, scale = 1): Float64Array {
  let count = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) count++;
  const out = new Float64Array(count);
  for (let i = 0, j = 0; i < mask.length; i++) if (mask[i] !== 0) out[j++] = values[i] * scale;
  return out.sort();
}

/**
 * `binCount` equal-width bins from the smallest to the largest value, the last one closed on the right (numpy's and
 * matplotlib's convention). A constant sample gives one bin of zero width.
 */
export function histogramOfSorted(sorted: ArrayLike<number>, binCount: number): HistogramBin[] {
  const n = sorted.length;
  if (n === 0) return [];
  const lo = sorted[0];
  const hi = sorted[n - 1];
  if (!(hi > lo)) return [{ x0: lo, x1: hi, count: n }];
  const width = (hi - lo) / binCount;
  const bins: HistogramBin[] = Array.from({ length: binCount }, (_, b) => ({
    x0: lo + b * width,
    x1: b === binCount - 1 ? hi : lo + (b + 1) * width,
    count: 0,
  }));
  for (let i = 0; i < n; i++) bins[Math.min(binCount - 1, Math.floor((sorted[i] - lo) / width))].count++;
  return bins;
}

/** VRS's isHomogeneous: |p2.5 − p97.5| below `limit`. */
export function isTooHomogeneous(p: Percentiles, limit: number): boolean {
  return Math.abs(p.p2_5 - p.p97_5) < limit;
}

/**
 * `np.quantile(values[select], q)` (linear) in O(N) time and without a copy of the selection: a histogram of the
 * selected values over the 65536 ordered bins of lib/masks/value-index.ts finds the bin of the order statistic below
 * (N − 1)·q; only that bin's values are gathered and selected, and the next order statistic is the next one in that bin
 * or the smallest value of the bins above. NaN values are not counted.
 */
export function quantileOfSelected(values: Float32Array, select: Uint8Array, q: number): number {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const counts = new Int32Array(0x10000);
  let n = 0;
  for (let i = 0; i < select.length; i++) {
    if (select[i] === 0) continue;
    const b = binOfBits(bits[i]);
    if (b < 0) continue;
    counts[b]++;
    n++;
  }
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const below = Math.min(Math.max(Math.floor(h), 0), n - 1);
  let bin = 0, before = 0;
  while (before + counts[bin] <= below) before += counts[bin++];
  // Float64 holds the float32 values exactly, and keeps selectNth to one array type (it runs twice as fast so).
  const inBin = new Float64Array(counts[bin]);
  let minAbove = Infinity;
  for (let i = 0, j = 0; i < select.length; i++) {
    if (select[i] === 0) continue;
    const b = binOfBits(bits[i]);
    if (b === bin) inBin[j++] = values[i];
    else if (b > bin && values[i] < minAbove) minAbove = values[i];
  }
  const rank = below - before;
  selectNth(inBin, rank);
  let next = inBin[rank];
  if (below + 1 < n) {
    next = minAbove;
    for (let j = rank + 1; j < inBin.length; j++) if (inBin[j] < next) next = inBin[j];
  }
  return lerp(inBin[rank], next, h - below);
}
