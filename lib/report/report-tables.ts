/**
 * The report's tables as plain rows (one object per row, flat columns), for the site's Arrow/CSV/JSON downloads and
 * plots. The loader writes them at the entry's threshold; the page rebuilds the threshold-dependent ones (summary,
 * components, mass table) from the live report, so a download always matches what the page shows.
 */
import type { Level0Report } from "../level0/level0.js";
import { sectionIds } from "../section-registry.js";
import { statusText } from "./format.js";
import type { Level0SectionId, SectionResult, SectionStatus } from "./report-types.js";
import type { MaskResults } from "../level0/section-0b-mask.js";
import type { BFactorResults } from "../level0/section-0d-bfactor.js";
import type { LocalStatistics } from "../local/local-stats.js";
import type { SweepRow } from "../level0/sweep.js";

export interface SummaryRow {
  section: Level0SectionId;
  title: string;
  status: SectionStatus;
  /** VRS's table cell: "OK", "2 warnings", "Does not apply", "Could not be measured", "Not requested". */
  statusText: string;
  warnings: number;
  /** The warnings, one per line. */
  warningText: string;
}

export function summaryRows(sections: Level0Report["sections"]): SummaryRow[] {
  return sectionIds.map((id) => {
    const s = sections[id];
    return {
      section: id, title: s.title, status: s.status, statusText: statusText(s), warnings: s.warnings.length,
      warningText: s.warnings.join("\n"),
    };
  });
}

export interface ComponentRow {
  /** 1 = largest. */
  rank: number;
  voxels: number;
  volume: number;
  percent: number;
  cumulativePercent: number;
  /** Among the components that hold the mass fraction (VRS's list). */
  inMassSet: boolean;
}

/** The raw mask's components (at most 100, largest first), in voxels, Å³ and % of the raw mask. */
export function componentRows(mask: MaskResults, voxelSize: number): ComponentRow[] {
  let cumulative = 0;
  return mask.componentSizes.map((voxels, i) => {
    cumulative += voxels;
    return {
      rank: i + 1,
      voxels,
      volume: voxels * voxelSize ** 3,
      percent: (100 * voxels) / mask.rawVoxels,
      cumulativePercent: (100 * cumulative) / mask.rawVoxels,
      inMassSet: i < mask.components95,
    };
  });
}

export function massTableRows(mask: MaskResults) {
  return mask.massTable.map((row) => ({ ...row }));
}

export type SweepTableRow = ReturnType<typeof sweepRows>[number];

/** One row per threshold: the raw and constructed masks, the background test and the 0.a–0.c verdicts. */
export function sweepRows(rows: SweepRow[]) {
  return rows.map((r) => ({
    threshold: r.threshold,
    rawVoxels: r.rawVoxels,
    rawComponents: r.rawComponents,
    largestComponentVoxels: r.largestComponentVoxels,
    components95: r.components95,
    remainingAverageVolume: r.remainingAverageVolume,
    constructedVoxels: r.constructedVoxels,
    overlap: r.overlap,
    backgroundMean: r.background.mean,
    backgroundStd: r.background.std,
    backgroundP: r.background.p,
    outlierRatio: r.background.outlierRatio,
    status0a: r.status["0.a"],
    status0b: r.status["0.b"],
    status0c: r.status["0.c"],
    warnings0a: r.warnings["0.a"],
    warnings0b: r.warnings["0.b"],
    warnings0c: r.warnings["0.c"],
  }));
}

/** 0.d's Guinier plot: one row per shell; fit and corrected are null when no line was fitted. */
export function guinierRows(section: SectionResult<object>) {
  const r = section.results as BFactorResults | null;
  if (!r) return [];
  const g = r.guinier;
  return g.x.map((x, i) => ({
    inverseResolutionSquared: x,
    resolution: x > 0 ? 1 / Math.sqrt(x) : Infinity,
    lnF: g.lnF[i],
    fit: g.fit.length ? g.fit[i] : null,
    corrected: g.corrected.length ? g.corrected[i] : null,
    fitted: g.fitted[i],
  }));
}

/** A local section's (0.e–0.g) histogram over its mask; empty when it has no results. */
export function histogramRows(section: SectionResult<object>) {
  const r = section.results as LocalStatistics | null;
  if (!r?.histogram) return [];
  return r.histogram.map((bin) => ({ x0: bin.x0, x1: bin.x1, count: bin.count }));
}
