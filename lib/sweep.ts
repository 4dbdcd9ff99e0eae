/**
 * The Level 0 verdicts of 0.a–0.c as functions of the threshold, for plots and for choosing a threshold.
 *
 * What is shared across thresholds: the components of the raw mask for every threshold come from one union-find
 * pass (componentSweep); the centre of mass does not depend on the threshold and is computed once.
 * What is redone per threshold: the hard mask (hardMask: labelling + dilation, the dominant cost), then one fused
 * pass for the mask's extent, size, overlap and the background's sums, and one pass counting background outliers.
 * This skips everything else a full report does (mass table, figures, 0.d, the section texts).
 *
 * Exactness: counts, sizes, extents and overlaps equal runLevel0's. The background mean and σ come from one pass of
 * sums about the map's mean instead of the report's two passes: they agree to about 1e-10 relative, so statuses
 * match except when a number sits on a limit to that precision.
 */
import { withDefaults, type CriteriaParameters } from "./criteria.js";
import { analysisVoxelSize } from "./level0.js";
import { hardMask } from "./masks.js";
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
  const rawThresholds = thresholds.map((t) => (mode === "vrs-compat" ? Math.fround(t) : t));
  const components = componentSweep(volume, rawThresholds, 26, { topK: sizesKept });
  const com = centerOfMass(volume);
  let total = 0;
  for (let i = 0; i < n; i++) total += data[i];
  const shift = total / n;
  const ts3 = ts ** 3;

  return thresholds.map((threshold, row) => {
    const c = components[row];
    const rawThreshold = rawThresholds[row];
    const hard = hardMask(volume, threshold, { voxelSize: ts, mode }).mask;

    // One pass: the mask's extent, size and overlap with the raw mask; the background's shifted sums.
    let x0 = nx, y0 = ny, z0 = nz, x1 = -1, y1 = -1, z1 = -1;
    let constructed = 0, both = 0, bgCount = 0, bgSum = 0, bgSquares = 0;
    for (let z = 0, i = 0; z < nz; z++)
      for (let y = 0; y < ny; y++) {
        let left = -1, right = -1;
        for (let x = 0; x < nx; x++, i++) {
          const d = data[i];
          if (hard[i] !== 0) {
            if (left < 0) left = x;
            right = x;
            constructed++;
            if (d >= rawThreshold) both++;
          } else {
            const e = d - shift;
            bgCount++;
            bgSum += e;
            bgSquares += e * e;
          }
        }
        if (left < 0) continue;
        if (left < x0) x0 = left;
        if (right > x1) x1 = right;
        if (y < y0) y0 = y;
        y1 = Math.max(y1, y);
        if (z < z0) z0 = z;
        z1 = z;
      }
    const meanShifted = bgSum / bgCount;
    const squaredDeviations = Math.max(0, bgSquares - bgSum * meanShifted);
    const std = Math.sqrt(squaredDeviations / bgCount);
    const limit = p.outlierSigmas * std;
    let outliers = 0;
    for (let i = 0; i < n; i++) if (hard[i] === 0 && Math.abs(data[i]) > limit) outliers++;
    const background = backgroundResults(
      { n: bgCount, sum: bgSum + bgCount * shift, squaredDeviations },
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
 * VRS's count of components for 95 % (see splitMass): one less than the true count when its size-sorted list puts
 * the background after the last component it needed, i.e. when the background is smaller than that component.
 * Exact while that component is among the `sizesKept` largest; beyond that (a component larger than half the box
 * and over 100 components needed) the true count is returned.
 */
function vrsComponents95(count: number, backgroundVoxels: number, largestSizes: number[]): number {
  if (count === 0 || count > largestSizes.length) return count;
  return backgroundVoxels >= largestSizes[count - 1] ? count : count - 1;
}
