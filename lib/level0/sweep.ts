/**
 * The Level 0 verdicts of 0.a–0.c as functions of the threshold, for plots and for choosing a threshold.
 *
 * One union-find pass over the voxels from the highest threshold down (componentSweep) gives the raw-mask components
 * at every threshold. As the threshold falls, the largest component mostly grows: componentSweep hands out only the
 * voxels that joined it, and the hard mask (its dilation) is kept up to date by spreading those alone
 * (GrowingDilation); when another component becomes the largest, the mask is rebuilt from it. Everything measured
 * on the mask is a running tally over the voxels it gains: size, extent, the background's sums (the map's minus the
 * mask's), the mask's voxels per threshold bucket (for its overlap with the raw mask) and per |value| bin (for the
 * background's outliers: the map's minus the mask's, see ValueIndex). The centre of mass and the map's sums are
 * computed once. Nothing else of a report (mass table, figures, 0.d, texts) is done.
 *
 * Exactness: counts, sizes, extents, overlaps and outlier counts equal runLevel0's. The background mean and σ come
 * from compensated sums about the map's mean with the mask's part subtracted, instead of the report's two passes
 * over the background: they agree to about 1e-11 relative (the report's plain sums are no more exact), so statuses
 * match except when a number sits on a limit to that precision.
 */
import { withDefaults, type CriteriaParameters } from "./criteria.js";
import { analysisVoxelSize, finiteMap } from "../analysis-inputs.js";
import { backgroundBySubtraction, CompensatedSum, mapSums, type MapSums } from "./level0.js";
import { hardMaskThreshold, rawMaskThreshold } from "../masks/masks.js";
import { GrowingDilation } from "../masks/morphology.js";
import type { AnalysisMode, SectionStatus } from "../report/report-types.js";
import { centerOfMass, massFromExtent } from "./section-0a-mass.js";
import { averageBlobVolume, maskVerdict, partialMaskCaution } from "./section-0b-mask.js";
import {
  backgroundResults, backgroundVerdict, type BackgroundResults, type BackgroundSums,
} from "./section-0c-background.js";
import { componentSweep } from "./sweep-components.js";
import { mapValues, ValueIndex } from "../masks/value-index.js";
import type { Vec3, Volume } from "../io/volume.js";

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

export function sweep(map: Volume, thresholds: number[], options: SweepOptions = {}): SweepRow[] {
  const { volume } = finiteMap(map); // as runLevel0 sees it
  const mode = options.mode ?? "default";
  const p = withDefaults(options.parameters);
  const override = options.voxelSize === undefined ? undefined : { value: options.voxelSize, source: "the voxelSize option" };
  const { ts } = analysisVoxelSize(volume, { override });
  const { nx, ny, nz, data } = volume;
  const n = data.length;
  const rawThresholds = thresholds.map((t) => rawMaskThreshold(t, mode));
  const hardThresholds = thresholds.map((t) => hardMaskThreshold(t, mode));
  const rowsByHardThreshold = new Map<number, number[]>();
  hardThresholds.forEach((t, row) => rowsByHardThreshold.set(t, [...(rowsByHardThreshold.get(t) ?? []), row]));
  const sums = mapSums(volume.data);
  const values = mapValues(volume.data).index();
  const hard = new GrowingDilation(nx, ny, nz, Math.ceil(2 / ts), mode === "vrs-compat");
  const tally = new MaskTally(volume, [...new Set([...rawThresholds, ...hardThresholds])], sums.shift);
  const masks: MaskNumbers[] = new Array(thresholds.length);

  // One union-find pass gives the components at every raw threshold and, at every hard-mask threshold, what joined
  // the largest component; the hard mask and its tally grow by that much.
  const components = componentSweep(volume, [...rawThresholds, ...hardThresholds], 26, {
    topK: sizesKept,
    coverage: p.massFraction,
    onLevel: (level, largestGrowth) => {
      const rows = rowsByHardThreshold.get(level.threshold);
      if (!rows) return;
      const growth = largestGrowth();
      if (growth.restarted) {
        hard.clear();
        tally.clear();
      }
      const before = hard.size;
      hard.add(growth.voxels);
      tally.add(hard.voxels.subarray(before, hard.size), values);
      for (const row of rows) masks[row] = tally.measure(rawThresholds[row], sums, values, hard, p.outlierSigmas);
    },
  }).slice(0, thresholds.length);

  const com = centerOfMass(volume);
  return thresholds.map((threshold, row) => {
    const c = components[row];
    const m = masks[row];
    const background = backgroundResults(m.background, m.outliers, p.outlierSigmas);
    const caution = partialMaskCaution(c.largestComponentVoxels, c.rawVoxels, mode);
    const mass = massFromExtent([nx, ny, nz], m.extent, com, ts, mode, p, caution);
    const components95 = mode === "vrs-compat" ? vrsComponents95(c.components95, n - c.rawVoxels, c.topSizes) : c.components95;
    const remainingComponents = c.componentCount - components95;
    const remainingVoxels = c.rawVoxels - c.components95Voxels;
    const remainingAverageVolume = averageBlobVolume(remainingVoxels, remainingComponents, ts, mode);
    const overlap = m.both / c.rawVoxels;
    const mask = maskVerdict({ rawVoxels: c.rawVoxels, components95, remainingComponents, remainingAverageVolume, overlap }, mode, p);
    const bg = backgroundVerdict(background, mode, p, caution);
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

/** Running figures of a hard mask that gains voxels: what measure() needs at any threshold. */
class MaskTally {
  private constructed = 0;
  private readonly first: Vec3 = [Infinity, Infinity, Infinity];
  private readonly last: Vec3 = [-Infinity, -Infinity, -Infinity];
  private sum = new CompensatedSum();
  private squares = new CompensatedSum();
  /** The sweep's distinct thresholds, descending; bucket b holds values in [levels[b], levels[b − 1]). */
  private readonly levels: number[];
  /** Mask voxels per threshold bucket (the last one: below every threshold, or NaN). */
  private readonly perLevel: Int32Array;
  /** Mask voxels per ValueIndex bin. */
  private readonly perBin = new Int32Array(ValueIndex.bins);

  constructor(private readonly volume: Volume, thresholds: number[], private readonly shift: number) {
    this.levels = thresholds.sort((a, b) => b - a);
    this.perLevel = new Int32Array(this.levels.length + 1);
  }

  clear(): void {
    this.constructed = 0;
    this.first.fill(Infinity);
    this.last.fill(-Infinity);
    this.sum = new CompensatedSum();
    this.squares = new CompensatedSum();
    this.perLevel.fill(0);
    this.perBin.fill(0);
  }

  add(voxels: Int32Array, values: ValueIndex): void {
    const { nx, ny, data } = this.volume;
    const nxy = nx * ny;
    const { first, last, levels } = this;
    for (let s = 0; s < voxels.length; s++) {
      const i = voxels[s];
      const z = (i / nxy) | 0, rest = i - z * nxy, y = (rest / nx) | 0, x = rest - y * nx;
      if (x < first[0]) first[0] = x;
      if (x > last[0]) last[0] = x;
      if (y < first[1]) first[1] = y;
      if (y > last[1]) last[1] = y;
      if (z < first[2]) first[2] = z;
      if (z > last[2]) last[2] = z;
      const d = data[i];
      const e = d - this.shift;
      this.sum.add(e);
      this.squares.add(e * e);
      // Bucket: the first (highest) threshold d reaches, by binary search.
      let lo = 0, hi = levels.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (d >= levels[mid]) hi = mid;
        else lo = mid + 1;
      }
      this.perLevel[lo]++;
      const bin = values.binOfVoxel(i);
      if (bin >= 0) this.perBin[bin]++;
    }
    this.constructed += voxels.length;
  }

  /** The mask's numbers with `rawThreshold` (one of the sweep's thresholds) for the raw mask. */
  measure(rawThreshold: number, map: MapSums, values: ValueIndex, hard: GrowingDilation, outlierSigmas: number): MaskNumbers {
    const { constructed } = this;
    let both = 0;
    for (let b = 0; b < this.levels.length && this.levels[b] >= rawThreshold; b++) both += this.perLevel[b];
    const background = backgroundBySubtraction(map, { constructed, sum: this.sum, squares: this.squares }, this.volume.data.length);
    const limit = outlierSigmas * Math.sqrt(background.squaredDeviations / background.n);
    const outliers = values.countBeyond(limit) - values.countBeyondIn(limit, this.perBin, (i) => hard.has(i));
    return {
      extent: constructed === 0 ? null : { first: [...this.first], last: [...this.last] },
      constructed,
      both,
      background,
      outliers,
    };
  }
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
