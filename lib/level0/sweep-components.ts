/**
 * Connected components of `v >= t` for many thresholds t in one pass.
 *
 * Voxels are switched on from high to low value and merged with their already-on neighbours by union-find, so the
 * components at every threshold are produced on the way down instead of labelling the box once per threshold.
 * Only the order *between* thresholds matters, so instead of a full sort the voxels are bucketed by the highest
 * threshold they reach (counting sort; a lookup table of cells over the threshold range finds the bucket).
 *
 * The 95 % question needs the sorted component sizes at every threshold. A histogram count[size] (sizes < 4096) is
 * updated on every merge (O(1)), plus a list of sizes that became present; bigger components are kept as a set of
 * roots, which changes only when one crosses 4096 voxels or two big ones merge. Component sizes sum to at most N, so
 * at most √(2N) distinct sizes exist at any time (≈ 5 800 at 256³): each query compacts the list, sorts the distinct
 * sizes and walks them from the largest, taking equal sizes as a group: O(√N log N) per threshold, not O(components).
 *
 * Every component also keeps its voxels in a circular list (`next`; two lists are joined in O(1) by swapping two
 * successors), so the voxels that join the largest component between two thresholds can be handed out as they join
 * (`largestGrowth`), without scanning the voxels that are on: a hard mask per threshold then costs only its growth.
 *
 * Total: O(N) bucketing (up to O(N·K) if many thresholds crowd into one 1/(16K) slice of their range)
 * + O(A·26·α) merging for the A voxels above the lowest threshold + O(K·√N log N) for the 95 % queries.
 * Memory: Int32Array(N) union-find, Int32Array(N) lists and Uint32Array(A) order (12 bytes per voxel at most),
 * plus O(√N) for sizes.
 */
import { AnalysisInputError } from "../errors.js";
import type { Connectivity } from "../masks/components.js";
import type { Volume } from "../io/volume.js";

export interface ThresholdComponents {
  threshold: number;
  /** Voxels with value >= threshold. */
  rawVoxels: number;
  componentCount: number;
  /** 0 when rawVoxels is 0. */
  largestComponentVoxels: number;
  /**
   * Smallest k such that the k largest components hold ≥ 95 % (options.coverage) of rawVoxels, with VRS's test
   * (`cumulative / rawVoxels < 0.95` keeps adding). Counts components only (VRS's own `i - 1` counts the background's
   * position in its sorted list too, so it is one less when the background is smaller than the last component
   * needed; see components95SmallestVoxels). 0 when empty.
   */
  components95: number;
  /** Voxels in those components. */
  components95Voxels: number;
  /** Size of the smallest of those components, the last one taken (0 when empty). */
  components95SmallestVoxels: number;
  /** The `topK` largest component sizes, descending. */
  topSizes: number[];
}

export interface ComponentSweepOptions {
  /** How many of the largest sizes to return per threshold (default 10). */
  topK?: number;
  /** Fraction of the raw voxels `components95` must reach (default {@link COVERAGE} = 0.95). */
  coverage?: number;
  /**
   * Called once per distinct threshold, from the highest down, as soon as its figures are known.
   * `largestGrowth()` tells how the largest component at that threshold (on equal sizes the one labelComponents
   * numbers first, as largestComponentMask) differs from the one it returned at its previous call; see
   * {@link LargestGrowth}. Its array is valid only during the call.
   */
  onLevel?: (level: ThresholdComponents, largestGrowth: () => LargestGrowth) => void;
}

/**
 * The largest component as a change from the previous answer. `restarted: false`: it contains the previous largest
 * component and `voxels` are the voxels that joined it since (empty if none). `restarted: true` (first call, or
 * another component became the largest): `voxels` are all its voxels. Either way the union of the answers since the
 * last restart is the largest component's voxel set, each voxel listed once.
 */
export interface LargestGrowth {
  restarted: boolean;
  voxels: Int32Array;
}

/** Fraction of the raw voxels the largest components must reach (VRS 0.b). */
export const COVERAGE = 0.95;

/**
 * Component sizes below BIG are counted in a histogram; the few components of BIG voxels or more (fewer than N/BIG
 * at any time) are tracked by their roots, so the histogram stays small whatever the box size.
 */
const BIG = 4096;

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
  const coverage = options.coverage ?? COVERAGE;
  if (!(coverage >= 0 && coverage <= 1)) throw new RangeError(`coverage must be in [0, 1], got ${coverage}`);
  const { nx, ny, nz, data } = v;
  const n = nx * ny * nz;
  const nxy = nx * ny;
  const levels = [...new Set(thresholds)].sort((a, b) => b - a); // distinct, descending
  const k = levels.length;

  // parent[i]: 0 = off, < 0 = root of a component of -parent[i] voxels, > 0 = parent index + 1.
  // Before the merge phase it holds each voxel's bucket + 1 (0 = below every threshold).
  const parent = new Int32Array(n);
  // next[i]: the voxel after i in the circular list of its component's voxels (valid for voxels that are on).
  const next = new Int32Array(n);
  const bucketStart = new Int32Array(k + 1);
  const guess = bucketGuess(levels);
  for (let i = 0; i < n; i++) {
    const value = data[i];
    if (!(value >= levels[k - 1])) continue;
    // Bucket = first level the value reaches. Start from a table guess and walk to the exact answer (rarely > 1 step).
    let b = guess(value);
    while (b > 0 && value >= levels[b - 1]) b--;
    while (value < levels[b]) b++;
    parent[i] = b + 1;
    bucketStart[b + 1]++;
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
  // 26-connectivity shortcut (see the merge loop): faces in the order -x, +x, -y, +y, -z, +z, the 20 edges and
  // corners, and for each face the 8 offsets on the opposite side other than the opposite face itself.
  const skip = connectivity === 26;
  const faceStep = Int32Array.of(-1, 1, -nx, nx, -nxy, nxy);
  const notFace = Int32Array.from(
    offsets.filter(([dx, dy, dz]) => Math.abs(dx) + Math.abs(dy) + Math.abs(dz) > 1),
    ([dx, dy, dz]) => dx + nx * dy + nxy * dz,
  );
  const farSide = [0, 1, 2, 3, 4, 5].map((f) => {
    const axis = f >> 1;
    const side = f % 2 === 0 ? 1 : -1; // the face is at -side·unit, the far side at +side
    return Int32Array.from(
      offsets.filter((o) => o[axis] === side && Math.abs(o[0]) + Math.abs(o[1]) + Math.abs(o[2]) > 1),
      ([dx, dy, dz]) => dx + nx * dy + nxy * dz,
    );
  });
  const sizeCount = new Int32Array(Math.min(active + 1, BIG));
  const bigRoots = new Set<number>();
  const present: number[] = [];
  let compactedLength = 0;
  let rawVoxels = 0;
  let componentCount = 0;
  let largest = 0;
  let largestRoot = -1; // root of a component of `largest` voxels (the only one when no other has that size)

  const find = (a: number): number => {
    while (parent[a] > 0) {
      const up = parent[a] - 1;
      if (parent[up] > 0) parent[a] = parent[up]; // path halving
      a = parent[a] - 1;
    }
    return a;
  };
  /** Count one more component of s < BIG voxels. */
  const sizeAdded = (s: number) => {
    if (sizeCount[s]++ === 0) {
      present.push(s);
      // A growing component passes through many sizes between two thresholds; compacting when the list doubles
      // keeps it O(√N) long at O(1) amortised cost per push.
      if (present.length > 4096 + 2 * compactedLength) compactedLength = compactSizes(present, sizeCount).length;
    }
  };
  // The component largestGrowth last answered with (its root, -1 for none), and the voxels that joined it since.
  let followed = -1;
  let joinedFollowed = new Int32Array(64);
  let joinedCount = 0;
  /** Append the voxels of the component rooted at `r` (its circular list) to joinedFollowed. */
  const listInto = (r: number) => {
    let i = r;
    do {
      if (joinedCount === joinedFollowed.length) {
        const grown = new Int32Array(2 * joinedFollowed.length);
        grown.set(joinedFollowed);
        joinedFollowed = grown;
      }
      joinedFollowed[joinedCount++] = i;
      i = next[i];
    } while (i !== r);
  };
  /** Merge the set rooted at `root` with the set of `j`; returns the new root. */
  const merge = (root: number, j: number): number => {
    if (parent[j] === root + 1) return root;
    const other = find(j);
    if (other === root) return root;
    if (root === followed) listInto(other);
    else if (other === followed) listInto(root);
    const link = next[root];
    next[root] = next[other];
    next[other] = link;
    const a = -parent[root], b = -parent[other];
    const joined = a >= b ? root : other, joinedSize = a >= b ? a : b;
    const absorbed = a >= b ? other : root, absorbedSize = a >= b ? b : a;
    const size = a + b;
    // Big components are tracked by root; the set only changes when one crosses BIG or two big ones meet.
    if (joinedSize < BIG) sizeCount[joinedSize]--;
    if (absorbedSize < BIG) sizeCount[absorbedSize]--;
    else bigRoots.delete(absorbed);
    if (size < BIG) sizeAdded(size);
    else if (joinedSize < BIG) bigRoots.add(joined);
    componentCount--;
    parent[absorbed] = joined + 1;
    parent[joined] = -size;
    if (absorbed === followed) followed = joined;
    if (size > largest) {
      largest = size;
      largestRoot = joined;
    }
    return joined;
  };
  const componentsOfSize = (s: number): number => {
    if (s < BIG) return sizeCount[s];
    let count = 0;
    for (const r of bigRoots) if (-parent[r] === s) count++;
    return count;
  };
  const largestGrowth = (): LargestGrowth => {
    let root = largestRoot;
    if (largest > 0 && componentsOfSize(largest) > 1) {
      // Equal sizes: the component met first in raster order is the one labelComponents numbers first.
      for (let i = 0; i < n; i++)
        if (parent[i] !== 0 && -parent[(root = find(i))] === largest) break;
    }
    const restarted = largest === 0 || root !== followed;
    if (restarted) {
      joinedCount = 0;
      followed = largest === 0 ? -1 : root;
      if (followed >= 0) listInto(followed);
    }
    const voxels = joinedFollowed.subarray(0, joinedCount);
    joinedCount = 0;
    return { restarted, voxels };
  };

  const byLevel: ThresholdComponents[] = [];
  for (let b = 0; b < k; b++) {
    for (let p = bucketStart[b]; p < bucketStart[b + 1]; p++) {
      const i = order[p];
      parent[i] = -1;
      next[i] = i;
      rawVoxels++;
      componentCount++;
      if (largest === 0) {
        largest = 1;
        largestRoot = i;
      }
      sizeAdded(1);
      let root = i;
      const z = (i / nxy) | 0;
      const rest = i - z * nxy;
      const y = (rest / nx) | 0;
      const x = rest - y * nx;
      if (x > 0 && x < nx - 1 && y > 0 && y < ny - 1 && z > 0 && z < nz - 1) {
        if (skip) {
          // A neighbour j of i that is also 26-adjacent to an on face neighbour f is already in f's set: whichever
          // of j and f came on later was merged with the other. So after the first on face, only the 9 voxels on
          // the far side need a look, and none if the opposite face is on (it touches all 9).
          let face = -1;
          for (let f = 0; f < 6; f++)
            if (parent[i + faceStep[f]] !== 0) {
              face = f;
              break;
            }
          if (face < 0) {
            for (let t = 0; t < 20; t++) {
              const j = i + notFace[t];
              if (parent[j] !== 0) root = merge(root, j);
            }
          } else {
            root = merge(root, i + faceStep[face]);
            const opposite = i - faceStep[face];
            if (parent[opposite] !== 0) root = merge(root, opposite);
            else {
              const far = farSide[face];
              for (let t = 0; t < 8; t++) {
                const j = i + far[t];
                if (parent[j] !== 0) root = merge(root, j);
              }
            }
          }
        } else
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
    const bigSizes = Array.from(bigRoots, (r) => -parent[r]);
    const counts = { rawVoxels, componentCount, largest };
    const level = summarise(levels[b], counts, sizeCount, present, bigSizes, topK, coverage);
    byLevel.push(level);
    options.onLevel?.({ ...level, topSizes: [...level.topSizes] }, largestGrowth);
  }
  const byThreshold = new Map(levels.map((t, b) => [t, byLevel[b]]));
  return thresholds.map((t) => ({ ...byThreshold.get(t)!, topSizes: [...byThreshold.get(t)!.topSizes] }));
}

function summarise(
  threshold: number,
  { rawVoxels, componentCount, largest }: { rawVoxels: number; componentCount: number; largest: number },
  sizeCount: Int32Array,
  present: number[],
  bigSizes: number[],
  topK: number,
  coverage: number,
): ThresholdComponents {
  // Groups of equal sizes, largest first: each big component on its own (all ≥ BIG), then the histogram's sizes.
  const sizes = bigSizes.sort((a, b) => b - a);
  const counts = sizes.map(() => 1);
  for (const s of compactSizes(present, sizeCount).sort((a, b) => b - a)) {
    sizes.push(s);
    counts.push(sizeCount[s]);
  }

  let components95 = 0;
  let cumulative = 0;
  let smallest = 0;
  if (rawVoxels > 0) {
    for (let g = 0; g < sizes.length; g++) {
      const s = sizes[g];
      if (!(cumulative / rawVoxels < coverage)) break;
      const available = counts[g];
      // Components of this size still needed, estimated then corrected with the exact test.
      let need = Math.min(available, Math.max(1, Math.ceil((coverage * rawVoxels - cumulative) / s)));
      while (need > 1 && !((cumulative + (need - 1) * s) / rawVoxels < coverage)) need--;
      while (need < available && (cumulative + need * s) / rawVoxels < coverage) need++;
      components95 += need;
      cumulative += need * s;
      smallest = s;
    }
  }
  const topSizes: number[] = [];
  for (let g = 0; g < sizes.length && topSizes.length < topK; g++)
    for (let c = counts[g]; c > 0 && topSizes.length < topK; c--) topSizes.push(sizes[g]);
  return {
    threshold,
    rawVoxels,
    componentCount,
    largestComponentVoxels: largest,
    components95,
    components95Voxels: cumulative,
    components95SmallestVoxels: smallest,
    topSizes,
  };
}

/** Reduce `present` in place to the sizes whose count is positive, each once; returns it. */
function compactSizes(present: number[], sizeCount: Int32Array): number[] {
  let kept = 0;
  for (let r = 0; r < present.length; r++) {
    const s = present[r];
    if (sizeCount[s] > 0) {
      present[kept++] = s;
      sizeCount[s] = -sizeCount[s]; // mark as kept so a repeat is dropped
    }
  }
  present.length = kept;
  for (let r = 0; r < kept; r++) sizeCount[present[r]] = -sizeCount[present[r]];
  return present;
}

/**
 * A near-exact, branch-light first guess of the bucket of a value: the value range of the levels is cut into cells
 * and each cell remembers the bucket of its top. Callers correct the guess with comparisons.
 */
function bucketGuess(levels: number[]): (value: number) => number {
  const k = levels.length;
  const top = levels[0], bottom = levels[k - 1];
  if (k < 2 || !(top > bottom) || !Number.isFinite(top - bottom)) return () => 0;
  const cells = 16 * k;
  const scale = cells / (top - bottom);
  const start = new Int32Array(cells + 1);
  for (let c = 0, b = 0; c <= cells; c++) {
    const cellTop = top - c / scale;
    while (b < k - 1 && cellTop < levels[b]) b++;
    start[c] = b;
  }
  return (value) => {
    const c = Math.floor((top - value) * scale);
    return c <= 0 ? 0 : c >= cells ? k - 1 : start[c];
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
