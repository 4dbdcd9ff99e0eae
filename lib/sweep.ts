/**
 * The Level 0 verdicts of 0.a–0.c as functions of the threshold, for plots and for choosing a threshold.
 *
 * Shared across thresholds: the raw-mask components of every threshold come from one union-find pass
 * (componentSweep); the centre of mass, the map's sums, per-plane maxima and its sorted |values| are computed once.
 * Per threshold: the hard mask is built (hardMask: labelling + dilation, the dominant cost) only on the box that
 * holds the voxels above the threshold, grown by the dilation reach; the background's sums are the map's minus the
 * mask's, and its outliers the map's (binary search in the sorted |values|) minus the mask's. So the work per
 * threshold is proportional to that box, not to the map, and none of the rest of a report (mass table, figures, 0.d,
 * texts) is done.
 *
 * Exactness: counts, sizes, extents, overlaps and outlier counts equal runLevel0's. The background mean and σ come
 * from compensated sums about the map's mean with the mask's part subtracted, instead of the report's two passes
 * over the background: they agree to about 1e-11 relative (the report's plain sums are no more exact), so statuses
 * match except when a number sits on a limit to that precision.
 */
import { withDefaults, type CriteriaParameters } from "./criteria.js";
import { analysisVoxelSize } from "./level0.js";
import { hardMask, hardMaskThreshold, rawMaskThreshold } from "./masks.js";
import type { AnalysisMode, SectionStatus } from "./report-types.js";
import { centerOfMass, massFromExtent } from "./section-0a-mass.js";
import { maskVerdict } from "./section-0b-mask.js";
import { backgroundResults, backgroundVerdict, type BackgroundResults } from "./section-0c-background.js";
import { componentSweep } from "./sweep-components.js";
import type { Vec3, Volume } from "./volume.js";

export interface SweepOptions {
  voxelSize?: number;
  mode?: AnalysisMode;
  parameters?: Partial<CriteriaParameters>;
}

export interface SweepRow {
  threshold: number;
  rawVoxels: number;
  rawComponents: number;
  largestComponentVoxels: number;
  components95: number;
  remainingAverageVolume: number;
  constructedVoxels: number;
  overlap: number;
  spaceLeft: Vec3 | null;
  spaceRight: Vec3 | null;
  decentering: Vec3 | null;
  background: BackgroundResults;
  status: Record<"0.a" | "0.b" | "0.c", SectionStatus>;
  warnings: Record<"0.a" | "0.b" | "0.c", number>;
}

/** How many of the largest component sizes the union-find pass returns (enough to place VRS's background). */
const sizesKept = 100;

export function sweep(volume: Volume, thresholds: number[], options: SweepOptions = {}): SweepRow[] {
  const mode = options.mode ?? "default";
  const p = withDefaults(options.parameters);
  const { ts } = analysisVoxelSize(volume, options.voxelSize);
  const { nx, ny, nz, data } = volume;
  const n = data.length;
  const rawThresholds = thresholds.map((t) => rawMaskThreshold(t, mode));
  const components = componentSweep(volume, rawThresholds, 26, { topK: sizesKept });
  const com = centerOfMass(volume);
  const whole = wholeMapSums(volume);
  const reach = Math.ceil(2 / ts);
  const ts3 = ts ** 3;

  return thresholds.map((threshold, row) => {
    const c = components[row];
    const rawThreshold = rawThresholds[row];
    // Every voxel the raw or hard mask can select lies in `box`; the hard mask stays within `reach` of them.
    const lowest = Math.min(rawThreshold, hardMaskThreshold(threshold, mode));
    const box = whole.boxAbove(lowest, reach + 1);

    let x0 = nx, y0 = ny, z0 = nz, x1 = -1, y1 = -1, z1 = -1;
    let constructed = 0, both = 0;
    const maskSum = new CompensatedSum(), maskSquares = new CompensatedSum();
    let hard: Uint8Array | null = null;
    if (box) {
      hard = hardMask(crop(volume, box), threshold, { voxelSize: ts, mode }).mask;
      // One pass over the box: the mask's extent, size, overlap with the raw mask, and its shifted sums.
      const [bx, by, bz] = box.size;
      for (let z = 0, k = 0; z < bz; z++)
        for (let y = 0; y < by; y++) {
          let left = -1, right = -1;
          const rowStart = box.start[0] + nx * (box.start[1] + y + ny * (box.start[2] + z));
          for (let x = 0; x < bx; x++, k++) {
            if (hard[k] === 0) continue;
            const d = data[rowStart + x];
            if (left < 0) left = x;
            right = x;
            constructed++;
            if (d >= rawThreshold) both++;
            const e = d - whole.shift;
            maskSum.add(e);
            maskSquares.add(e * e);
          }
          if (left < 0) continue;
          x0 = Math.min(x0, box.start[0] + left);
          x1 = Math.max(x1, box.start[0] + right);
          y0 = Math.min(y0, box.start[1] + y);
          y1 = Math.max(y1, box.start[1] + y);
          z0 = Math.min(z0, box.start[2] + z);
          z1 = box.start[2] + z;
        }
    }

    // Background = whole map minus the mask.
    const bgCount = n - constructed;
    const bgSum = whole.sum.minus(maskSum);
    const squaredDeviations = Math.max(0, whole.squares.minus(maskSquares) - (bgSum * bgSum) / bgCount);
    const std = Math.sqrt(squaredDeviations / bgCount);
    const limit = p.outlierSigmas * std;
    let outliers = whole.countAbove(limit);
    if (box && hard) outliers -= countMaskedAbove(data, hard, box, nx, ny, limit);
    const background = backgroundResults(
      { n: bgCount, sum: bgSum + bgCount * whole.shift, squaredDeviations },
      outliers,
      p.outlierSigmas,
    );

    const extent = x1 < 0 ? null : { first: [x0, y0, z0] as Vec3, last: [x1, y1, z1] as Vec3 };
    const mass = massFromExtent([nx, ny, nz], extent, com, ts, mode, p);

    const components95 = mode === "vrs-compat" ? vrsComponents95(c.components95, n - c.rawVoxels, c.topSizes) : c.components95;
    const remainingComponents = c.componentCount - components95;
    const remainingVoxels = c.rawVoxels - c.components95Voxels;
    const remainingAverageVolume =
      mode === "vrs-compat" ? (remainingVoxels / remainingVoxels) * ts3 : (remainingVoxels / remainingComponents) * ts3;
    const overlap = both / c.rawVoxels;
    const mask = maskVerdict({ rawVoxels: c.rawVoxels, components95, remainingComponents, remainingAverageVolume, overlap }, mode, p);
    const bg = backgroundVerdict(background, mode, p);

    return {
      threshold,
      rawVoxels: c.rawVoxels,
      rawComponents: c.componentCount,
      largestComponentVoxels: c.largestComponentVoxels,
      components95,
      remainingAverageVolume,
      constructedVoxels: constructed,
      overlap,
      spaceLeft: mass.results?.spaceLeft ?? null,
      spaceRight: mass.results?.spaceRight ?? null,
      decentering: mass.results?.decentering ?? null,
      background,
      status: { "0.a": mass.status, "0.b": mask.status, "0.c": bg.status },
      warnings: { "0.a": mass.warnings.length, "0.b": mask.warnings.length, "0.c": bg.warnings.length },
    };
  });
}

/**
 * Neumaier's compensated sum: the background's sums are differences of two large sums (map minus mask), so their
 * rounding errors must stay at the level of one addition, not of millions.
 */
class CompensatedSum {
  private sum = 0;
  private compensation = 0;
  add(x: number): void {
    const t = this.sum + x;
    this.compensation += Math.abs(this.sum) >= Math.abs(x) ? this.sum - t + x : x - t + this.sum;
    this.sum = t;
  }
  /** this − other, each with its compensation. */
  minus(other: CompensatedSum): number {
    return this.sum - other.sum + (this.compensation - other.compensation);
  }
}

interface Box {
  start: Vec3;
  size: Vec3;
}

/**
 * Threshold-independent sums of the whole map: shifted sums for the background by subtraction, per-plane maxima for
 * the box holding the voxels above a threshold, and the sorted |values| to count outliers by binary search.
 */
function wholeMapSums(v: Volume) {
  const { nx, ny, nz, data } = v;
  const n = data.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += data[i];
  const shift = total / n;
  const sum = new CompensatedSum(), squares = new CompensatedSum();
  const maxX = new Float64Array(nx).fill(-Infinity);
  const maxY = new Float64Array(ny).fill(-Infinity);
  const maxZ = new Float64Array(nz).fill(-Infinity);
  const magnitudes = new Float32Array(n);
  for (let z = 0, i = 0; z < nz; z++)
    for (let y = 0; y < ny; y++) {
      let rowMax = -Infinity;
      for (let x = 0; x < nx; x++, i++) {
        const d = data[i];
        const e = d - shift;
        sum.add(e);
        squares.add(e * e);
        magnitudes[i] = Math.abs(d);
        if (d > rowMax) rowMax = d;
        if (d > maxX[x]) maxX[x] = d;
      }
      if (rowMax > maxY[y]) maxY[y] = rowMax;
      if (rowMax > maxZ[z]) maxZ[z] = rowMax;
    }
  magnitudes.sort();
  const span = (maxima: Float64Array, t: number, pad: number): [number, number] | null => {
    let first = 0;
    while (first < maxima.length && !(maxima[first] >= t)) first++;
    if (first === maxima.length) return null;
    let last = maxima.length - 1;
    while (!(maxima[last] >= t)) last--;
    return [Math.max(0, first - pad), Math.min(maxima.length - 1, last + pad)];
  };
  return {
    shift,
    sum,
    squares,
    /** Box of every voxel ≥ t, grown by `pad` voxels (clipped to the map), or null when no voxel reaches t. */
    boxAbove(t: number, pad: number): Box | null {
      const sx = span(maxX, t, pad), sy = span(maxY, t, pad), sz = span(maxZ, t, pad);
      if (!sx || !sy || !sz) return null;
      return { start: [sx[0], sy[0], sz[0]], size: [sx[1] - sx[0] + 1, sy[1] - sy[0] + 1, sz[1] - sz[0] + 1] };
    },
    /** Voxels with |value| > limit. */
    countAbove(limit: number): number {
      let lo = 0, hi = n; // first index with magnitude > limit
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (magnitudes[mid] > limit) hi = mid;
        else lo = mid + 1;
      }
      return n - lo;
    },
  };
}

/**
 * The part of the map inside `box` as a volume. The box reaches one voxel beyond where the dilation can go, or the
 * map's own edge, so the VRS rule "never dilate into the outermost shell" gives the same mask as on the whole map.
 */
function crop(v: Volume, box: Box): Volume {
  const [bx, by, bz] = box.size;
  const [sx, sy, sz] = box.start;
  const out = new Float32Array(bx * by * bz);
  for (let z = 0, k = 0; z < bz; z++)
    for (let y = 0; y < by; y++, k += bx) {
      const from = sx + v.nx * (sy + y + v.ny * (sz + z));
      out.set(v.data.subarray(from, from + bx), k);
    }
  return { nx: bx, ny: by, nz: bz, data: out, voxelSize: v.voxelSize, origin: v.origin };
}

function countMaskedAbove(data: Float32Array, mask: Uint8Array, box: Box, nx: number, ny: number, limit: number): number {
  const [bx, by, bz] = box.size;
  let count = 0;
  for (let z = 0, k = 0; z < bz; z++)
    for (let y = 0; y < by; y++) {
      const rowStart = box.start[0] + nx * (box.start[1] + y + ny * (box.start[2] + z));
      for (let x = 0; x < bx; x++, k++) if (mask[k] !== 0 && Math.abs(data[rowStart + x]) > limit) count++;
    }
  return count;
}

/**
 * VRS's count of components for 95 % (see splitMass): one less than the true count when its size-sorted list puts
 * the background after the last component it needed, i.e. when the background is smaller than that component.
 * Exact while that component is among the `sizesKept` largest; beyond that (a component larger than half the box
 * and over 100 components needed) the true count is returned.
 */
function vrsComponents95(count: number, backgroundVoxels: number, largestSizes: number[]): number {
  if (count === 0 || count > largestSizes.length) return count;
  return backgroundVoxels >= largestSizes[count - 1] ? count : count - 1;
}
