/**
 * The Level 0 verdicts of 0.a–0.c as functions of the threshold, for plots and for choosing a threshold.
 *
 * One union-find pass over the voxels from the highest threshold down (componentSweep) gives the raw-mask components
 * at every threshold and hands out the largest component at each hard-mask threshold; that component is dilated
 * (dilate18Seeds, as hardMask does) and measured at once, scanning only the box it can reach. The background's sums
 * are the map's minus the mask's, and its outliers the map's (binary search in the sorted |values|) minus the mask's.
 * The centre of mass, the map's sums and the sorted |values| are computed once. Nothing else of a report (mass
 * table, figures, 0.d, texts) is done.
 *
 * Exactness: counts, sizes, extents, overlaps and outlier counts equal runLevel0's. The background mean and σ come
 * from compensated sums about the map's mean with the mask's part subtracted, instead of the report's two passes
 * over the background: they agree to about 1e-11 relative (the report's plain sums are no more exact), so statuses
 * match except when a number sits on a limit to that precision.
 */
import { withDefaults, type CriteriaParameters } from "./criteria.js";
import { analysisVoxelSize, CompensatedSum, mapSums, sortedMagnitudes } from "./level0.js";
import { hardMaskThreshold, rawMaskThreshold } from "./masks.js";
import { dilate18Seeds } from "./morphology.js";
import type { AnalysisMode, SectionStatus } from "./report-types.js";
import { centerOfMass, massFromExtent } from "./section-0a-mass.js";
import { maskVerdict } from "./section-0b-mask.js";
import {
  backgroundResults, backgroundVerdict, type BackgroundResults, type BackgroundSums,
} from "./section-0c-background.js";
import { COVERAGE, componentSweep, type ThresholdComponents } from "./sweep-components.js";
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
  const hardThresholds = thresholds.map((t) => hardMaskThreshold(t, mode));
  const rowsByHardThreshold = new Map<number, number[]>();
  hardThresholds.forEach((t, row) => rowsByHardThreshold.set(t, [...(rowsByHardThreshold.get(t) ?? []), row]));
  const whole = wholeMapSums(volume);
  const reach = Math.ceil(2 / ts);
  const masks: MaskNumbers[] = new Array(thresholds.length);

  // One union-find pass gives the components at every raw threshold and, at every hard-mask threshold, the largest
  // component, which is dilated and measured on the spot (only its box is scanned).
  const components = componentSweep(volume, [...rawThresholds, ...hardThresholds], 26, {
    topK: sizesKept,
    onLevel: (level, largestComponent) => {
      const rows = rowsByHardThreshold.get(level.threshold);
      if (!rows) return;
      const seeds = largestComponent();
      const hard =
        seeds.length > 0 ? dilate18Seeds(seeds, nx, ny, nz, reach, { skipBorderShell: mode === "vrs-compat" }).mask : null;
      const box = hard ? seedBox(seeds, nx, ny, nz, reach) : null;
      for (const row of rows) masks[row] = measureMask(volume, hard, box, rawThresholds[row], whole, p.outlierSigmas);
    },
  }).slice(0, thresholds.length);

  const com = centerOfMass(volume);
  const ts3 = ts ** 3;
  return thresholds.map((threshold, row) => {
    const c = components[row];
    const m = masks[row];
    const background = backgroundResults(m.background, m.outliers, p.outlierSigmas);
    const mass = massFromExtent([nx, ny, nz], m.extent, com, ts, mode, p);
    const needed = massSet(c, p.massFraction);
    const components95 = mode === "vrs-compat" ? vrsComponents95(needed.count, n - c.rawVoxels, c.topSizes) : needed.count;
    const remainingComponents = c.componentCount - components95;
    const remainingVoxels = c.rawVoxels - needed.voxels;
    const remainingAverageVolume =
      mode === "vrs-compat" ? (remainingVoxels / remainingVoxels) * ts3 : (remainingVoxels / remainingComponents) * ts3;
    const overlap = m.both / c.rawVoxels;
    const mask = maskVerdict({ rawVoxels: c.rawVoxels, components95, remainingComponents, remainingAverageVolume, overlap }, mode, p);
    const bg = backgroundVerdict(background, mode, p);
    return {
      threshold,
      rawVoxels: c.rawVoxels,
      rawComponents: c.componentCount,
      largestComponentVoxels: c.largestComponentVoxels,
      components95,
      remainingAverageVolume,
      constructedVoxels: m.constructed,
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

interface MaskNumbers {
  extent: { first: Vec3; last: Vec3 } | null;
  constructed: number;
  /** Voxels in both the hard mask and the raw mask. */
  both: number;
  background: BackgroundSums;
  outliers: number;
}

/** Box of the seeds grown by `reach` voxels, clipped to the map: the dilated mask lies inside it. */
function seedBox(seeds: Int32Array, nx: number, ny: number, nz: number, reach: number): Box {
  let x0 = nx, y0 = ny, z0 = nz, x1 = 0, y1 = 0, z1 = 0;
  const nxy = nx * ny;
  for (let s = 0; s < seeds.length; s++) {
    const i = seeds[s];
    const z = (i / nxy) | 0, rest = i - z * nxy, y = (rest / nx) | 0, x = rest - y * nx;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
    if (z < z0) z0 = z;
    if (z > z1) z1 = z;
  }
  const lo = (a: number) => Math.max(0, a - reach);
  return {
    start: [lo(x0), lo(y0), lo(z0)],
    size: [Math.min(nx - 1, x1 + reach) - lo(x0) + 1, Math.min(ny - 1, y1 + reach) - lo(y0) + 1, Math.min(nz - 1, z1 + reach) - lo(z0) + 1],
  };
}

/** Extent, size, overlap of a hard mask (null = empty) and the background's sums and outliers, scanning its box. */
function measureMask(
  volume: Volume,
  hard: Uint8Array | null,
  box: Box | null,
  rawThreshold: number,
  whole: ReturnType<typeof wholeMapSums>,
  outlierSigmas: number,
): MaskNumbers {
  const { nx, ny, nz, data } = volume;
  let x0 = nx, y0 = ny, z0 = nz, x1 = -1, y1 = -1, z1 = -1;
  let constructed = 0, both = 0;
  const maskSum = new CompensatedSum(), maskSquares = new CompensatedSum();
  if (hard && box) {
    const [bx, by, bz] = box.size;
    for (let z = 0; z < bz; z++)
      for (let y = 0; y < by; y++) {
        const rowStart: number = box.start[0] + nx * (box.start[1] + y + ny * (box.start[2] + z));
        let left = -1, right = -1;
        for (let x = 0; x < bx; x++) {
          const i = rowStart + x;
          if (hard[i] === 0) continue;
          const d = data[i];
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
  const n = data.length - constructed;
  const sum = whole.sum.minus(maskSum);
  const squaredDeviations = Math.max(0, whole.squares.minus(maskSquares) - (sum * sum) / n);
  const limit = outlierSigmas * Math.sqrt(squaredDeviations / n);
  let outliers = whole.countAbove(limit);
  if (hard && box) {
    const [bx, by, bz] = box.size;
    for (let z = 0; z < bz; z++)
      for (let y = 0; y < by; y++) {
        const rowStart: number = box.start[0] + nx * (box.start[1] + y + ny * (box.start[2] + z));
        for (let x = 0; x < bx; x++) if (hard[rowStart + x] !== 0 && Math.abs(data[rowStart + x]) > limit) outliers--;
      }
  }
  return {
    extent: x1 < 0 ? null : { first: [x0, y0, z0], last: [x1, y1, z1] },
    constructed,
    both,
    background: { n, sum: sum + n * whole.shift, squaredDeviations },
    outliers,
  };
}

interface Box {
  start: Vec3;
  size: Vec3;
}

/** Threshold-independent: the map's compensated sums, and its sorted |values| to count outliers. */
function wholeMapSums(v: Volume) {
  const magnitudes = sortedMagnitudes(v);
  return { ...mapSums(v.data), countAbove: (limit: number) => magnitudes.countAbove(limit) };
}

/**
 * How many of the largest components hold `fraction` of the raw voxels, and their voxels. componentSweep answers for
 * 95 %; another fraction is walked through the `sizesKept` largest sizes, and is NaN if they do not reach it.
 */
function massSet(c: ThresholdComponents, fraction: number): { count: number; voxels: number } {
  if (fraction === COVERAGE) return { count: c.components95, voxels: c.components95Voxels };
  let count = 0, voxels = 0;
  for (const size of c.topSizes) {
    if (!(voxels / c.rawVoxels < fraction)) break;
    voxels += size;
    count++;
  }
  return voxels / c.rawVoxels < fraction && count === c.topSizes.length && count < c.componentCount
    ? { count: NaN, voxels: NaN }
    : { count, voxels };
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
