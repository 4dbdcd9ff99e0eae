/**
 * Connected components of `v >= t` for many thresholds t in one pass.
 *
 * Voxels are switched on from high to low value and merged with their already-on neighbours by union-find, so the
 * components at every threshold are produced on the way down instead of labelling the box once per threshold.
 * Only the order *between* thresholds matters, so instead of a full sort the voxels are bucketed by the highest
 * threshold they reach (counting sort, binary search per voxel).
 *
 * The 95 % question needs the sorted component sizes at every threshold. A histogram count[size] is updated on every
 * merge (O(1)), plus a list of sizes that became present. Component sizes sum to at most N, so at most √(2N)
 * distinct sizes exist at any time (≈ 5 800 at 256³): each query compacts the list, sorts the distinct sizes and
 * walks them from the largest, O(√N log N) per threshold, instead of O(components).
 *
 * Total: O(N log K) bucketing + O(A·26·α) merging for the A voxels above the lowest threshold + O(K·√N log N).
 * Memory: Int32Array(N) union-find, Uint32Array(A) order, Int32Array(A + 1) size histogram.
 */
import { AnalysisInputError } from "./errors.js";
import type { Connectivity } from "./components.js";
import type { Volume } from "./volume.js";

export interface ThresholdComponents {
  threshold: number;
  /** Voxels with value >= threshold. */
  rawVoxels: number;
  componentCount: number;
  /** 0 when rawVoxels is 0. */
  largestComponentVoxels: number;
  /**
   * Smallest k such that the k largest components hold ≥ 95 % of rawVoxels, with VRS's test
   * (`cumulative / rawVoxels < 0.95` keeps adding). Counts components only (VRS's own `i - 1` counts the background's
   * position in its sorted list too, so it is one less when the raw mask covers more than half the box). 0 when empty.
   */
  components95: number;
  /** Voxels in those components. */
  components95Voxels: number;
  /** The `topK` largest component sizes, descending. */
  topSizes: number[];
}

export interface ComponentSweepOptions {
  /** How many of the largest sizes to return per threshold (default 10). */
  topK?: number;
}

/** Fraction of the raw voxels the largest components must reach (VRS 0.b). */
export const COVERAGE = 0.95;

/**
 * Components of `v.data >= t` for every t in `thresholds` (any order, duplicates allowed); results are in the
 * same order as `thresholds`. Agrees exactly with labelComponents(rawMask(v, t), …, connectivity) at each t.
 */
export function componentSweep(
  v: Volume,
  thresholds: number[],
  connectivity: Connectivity = 26,
  options: ComponentSweepOptions = {},
): ThresholdComponents[] {
  for (const t of thresholds)
    if (Number.isNaN(t)) throw new AnalysisInputError("bad-threshold", "a sweep threshold is NaN");
  if (connectivity !== 6 && connectivity !== 18 && connectivity !== 26)
    throw new RangeError(`connectivity must be 6, 18 or 26, got ${connectivity}`);
  const topK = options.topK ?? 10;
  const { nx, ny, nz, data } = v;
  const n = nx * ny * nz;
  const nxy = nx * ny;
  const levels = [...new Set(thresholds)].sort((a, b) => b - a); // distinct, descending
  const k = levels.length;

  // parent[i]: 0 = off, < 0 = root of a component of -parent[i] voxels, > 0 = parent index + 1.
  // Before the merge phase it holds each voxel's bucket + 1 (0 = below every threshold).
  const parent = new Int32Array(n);
  const bucketStart = new Int32Array(k + 1);
  for (let i = 0; i < n; i++) {
    const value = data[i];
    if (!(value >= levels[k - 1])) continue;
    let lo = 0, hi = k - 1; // first level the value reaches
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (value >= levels[mid]) hi = mid;
      else lo = mid + 1;
    }
    parent[i] = lo + 1;
    bucketStart[lo + 1]++;
  }
  for (let b = 0; b < k; b++) bucketStart[b + 1] += bucketStart[b];
  const active = k > 0 ? bucketStart[k] : 0;
  const order = new Uint32Array(active);
  const fill = bucketStart.slice(0, k);
  for (let i = 0; i < n; i++) {
    const b = parent[i];
    if (b === 0) continue;
    order[fill[b - 1]++] = i;
    parent[i] = 0;
  }

  const offsets = neighbourOffsets(connectivity);
  const linear = Int32Array.from(offsets, ([dx, dy, dz]) => dx + nx * dy + nxy * dz);
  const degree = offsets.length;
  const sizeCount = new Int32Array(active + 1);
  const present: number[] = [];
  let rawVoxels = 0;
  let componentCount = 0;
  let largest = 0;

  const find = (a: number): number => {
    while (parent[a] > 0) {
      const up = parent[a] - 1;
      if (parent[up] > 0) parent[a] = parent[up]; // path halving
      a = parent[a] - 1;
    }
    return a;
  };
  const sizeAdded = (s: number) => {
    if (sizeCount[s]++ === 0) present.push(s);
  };
  /** Merge the set rooted at `root` with the set of `j`; returns the new root. */
  const merge = (root: number, j: number): number => {
    const other = find(j);
    if (other === root) return root;
    const a = -parent[root], b = -parent[other];
    sizeCount[a]--;
    sizeCount[b]--;
    sizeAdded(a + b);
    componentCount--;
    if (a + b > largest) largest = a + b;
    if (a >= b) {
      parent[other] = root + 1;
      parent[root] = -(a + b);
      return root;
    }
    parent[root] = other + 1;
    parent[other] = -(a + b);
    return other;
  };

  const byLevel: ThresholdComponents[] = [];
  for (let b = 0; b < k; b++) {
    for (let p = bucketStart[b]; p < bucketStart[b + 1]; p++) {
      const i = order[p];
      parent[i] = -1;
      rawVoxels++;
      componentCount++;
      if (largest === 0) largest = 1;
      sizeAdded(1);
      let root = i;
      const z = (i / nxy) | 0;
      const rest = i - z * nxy;
      const y = (rest / nx) | 0;
      const x = rest - y * nx;
      if (x > 0 && x < nx - 1 && y > 0 && y < ny - 1 && z > 0 && z < nz - 1) {
        for (let t = 0; t < degree; t++) {
          const j = i + linear[t];
          if (parent[j] !== 0) root = merge(root, j);
        }
      } else {
        for (let t = 0; t < degree; t++) {
          const o = offsets[t];
          const xx = x + o[0], yy = y + o[1], zz = z + o[2];
          if (xx < 0 || xx >= nx || yy < 0 || yy >= ny || zz < 0 || zz >= nz) continue;
          const j = i + linear[t];
          if (parent[j] !== 0) root = merge(root, j);
        }
      }
    }
    byLevel.push(summarise(levels[b], rawVoxels, componentCount, largest, sizeCount, present, topK));
  }
  const byThreshold = new Map(levels.map((t, b) => [t, byLevel[b]]));
  return thresholds.map((t) => ({ ...byThreshold.get(t)!, topSizes: [...byThreshold.get(t)!.topSizes] }));
}

function summarise(
  threshold: number,
  rawVoxels: number,
  componentCount: number,
  largest: number,
  sizeCount: Int32Array,
  present: number[],
  topK: number,
): ThresholdComponents {
  // Compact the list of sizes to those still present, once each.
  const distinct: number[] = [];
  for (const s of present) {
    if (sizeCount[s] > 0) {
      distinct.push(s);
      sizeCount[s] = -sizeCount[s]; // mark as taken
    }
  }
  for (const s of distinct) sizeCount[s] = -sizeCount[s];
  distinct.sort((a, b) => b - a);
  present.length = 0;
  present.push(...distinct);

  let components95 = 0;
  let cumulative = 0;
  if (rawVoxels > 0) {
    for (const s of distinct) {
      if (!(cumulative / rawVoxels < COVERAGE)) break;
      const available = sizeCount[s];
      // Components of this size still needed, estimated then corrected with the exact test.
      let need = Math.min(available, Math.max(1, Math.ceil((COVERAGE * rawVoxels - cumulative) / s)));
      while (need > 1 && !((cumulative + (need - 1) * s) / rawVoxels < COVERAGE)) need--;
      while (need < available && (cumulative + need * s) / rawVoxels < COVERAGE) need++;
      components95 += need;
      cumulative += need * s;
    }
  }
  const topSizes: number[] = [];
  for (const s of distinct) {
    for (let c = sizeCount[s]; c > 0 && topSizes.length < topK; c--) topSizes.push(s);
    if (topSizes.length >= topK) break;
  }
  return {
    threshold,
    rawVoxels,
    componentCount,
    largestComponentVoxels: largest,
    components95,
    components95Voxels: cumulative,
    topSizes,
  };
}

function neighbourOffsets(connectivity: Connectivity): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let dz = -1; dz <= 1; dz++)
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const nonZero = Math.abs(dx) + Math.abs(dy) + Math.abs(dz);
        if (nonZero > 0 && (connectivity === 26 || nonZero <= (connectivity === 18 ? 2 : 1))) out.push([dx, dy, dz]);
      }
  return out;
}
