/**
 * The kernel's and the components' types that src/components/*.js name in their JSDoc, as `Mapval.Name`. They are
 * imported here rather than with `import("…")` in the components: Framework copies the components' comments into
 * dist/, where scripts/build-site.mjs takes every `import("…")` for an import that must name a file of dist/.
 */
import type * as criteria from "../lib/level0/criteria.js";
import type * as entries from "../lib/entries.js";
import type * as figures from "../lib/report/figures.js";
import type * as colormap from "../lib/report/colormap.js";
import type * as lab from "../lib/lab/synthetic-map.js";
import type * as localStats from "../lib/local/local-stats.js";
import type * as localSections from "../lib/level0/local-sections.js";
import type * as reportTables from "../lib/report/report-tables.js";
import type * as reportText from "../lib/report/report-text.js";
import type * as reportTypes from "../lib/report/report-types.js";
import type * as mass from "../lib/level0/section-0a-mass.js";
import type * as mask from "../lib/level0/section-0b-mask.js";
import type * as background from "../lib/level0/section-0c-background.js";
import type * as bfactor from "../lib/level0/section-0d-bfactor.js";
import type * as level0 from "../lib/level0/level0.js";
import type * as directionalFsc from "../lib/level1/directional-fsc.js";
import type * as fdrFsc from "../lib/level1/fdr-fsc.js";
import type * as fsc from "../lib/level1/fsc.js";
import type * as level1Figures from "../lib/level1/level1-figures.js";
import type * as level1Local from "../lib/level1/level1-local.js";
import type * as registry from "../lib/section-registry.js";
import type * as siteEntry from "../data-loaders/site/site-entry.js";
import type * as isosurface from "../src/components/isosurface.js";
import type * as sliceView from "../src/components/slice-view.js";

declare global {
  namespace Mapval {
    type AnalysisMode = reportTypes.AnalysisMode;
    type AxisImages = figures.AxisImages;
    type BackgroundResults = background.BackgroundResults;
    type BFactorResults = bfactor.BFactorResults;
    type BfactorCorrectedSlices = NonNullable<ReturnType<typeof siteEntry.bfactorCorrectedSlices>>;
    type ChosenThreshold = entries.ChosenThreshold;
    type ColorLookup = colormap.ColorLookup;
    type ComponentRow = reportTables.ComponentRow;
    type CriteriaParameters = criteria.CriteriaParameters;
    type Criterion = criteria.Criterion;
    type EmdbHeader = ReturnType<typeof siteEntry.emdbHeader>;
    type EntryConfig = entries.EntryConfig;
    type FdrFscSectionResults = fdrFsc.FdrFscSectionResults;
    type Fsc3dSectionResults = directionalFsc.Fsc3dSectionResults;
    type FscSectionResults = fsc.FscSectionResults;
    type FscSectionShell = fsc.FscSectionShell;
    type FsoSectionResults = directionalFsc.FsoSectionResults;
    type GuinierRow = ReturnType<typeof reportTables.guinierRows>[number];
    type HalfMapFigures = level1Figures.HalfMapFigures;
    type HalfMapLocalResolutionResults = level1Local.HalfMapLocalResolutionResults;
    type HistogramBin = localStats.HistogramBin;
    type IsosurfaceView = isosurface.IsosurfaceView;
    type LabParameters = lab.LabParameters;
    type LabParameterSpec = (typeof lab.labParameterSpecs)[number];
    type Level0Report = level0.Level0Report;
    type LocalFscSectionResults = level1Local.LocalFscSectionResults;
    /** A local map's three slices through its mask, as the site loader writes them (null outside the mask). */
    type LocalMapSlices = ReturnType<typeof siteEntry.localSlices>;
    /** The worker's progress message of a 0.e–0.g run (ms since it started). */
    type LocalProgress = localSections.LocalProgress & { ms: number };
    /** A 0.e–0.g run of the page (src/components/worker-client.js's `localRun`). */
    type LocalRun = {
      id: number;
      threshold: number;
      mode: AnalysisMode;
      workers: number;
      state: "running" | "done" | "cancelled" | "error";
      progress: LocalProgress | null;
      started: number;
      /** The run's time, once done. */
      ms?: number;
      /** Why it failed, on error. */
      message?: string;
    };
    /** The report worker's 0.e–0.g of a report (src/workers/level0-worker.ts); current: they are in this report. */
    type LocalSections = {
      threshold: number;
      mode: AnalysisMode;
      current: boolean;
      sections: Partial<Record<registry.Level0SectionId, SectionResult>>;
    };
    type LocalStatistics = localStats.LocalStatistics;
    type MaskResults = mask.MaskResults;
    type MassResults = mass.MassResults;
    type MassTableRow = mask.MassTableRow;
    /** The worker's error answer to a report request, which names its threshold. */
    type ReportError = WorkerError & { threshold: number };
    type ReportGenerator = ReturnType<typeof reportText.reportJson>["generator"];
    type SectionResult = reportTypes.SectionResult<object>;
    type SectionStatus = reportTypes.SectionStatus;
    type SliceViewOptions = sliceView.SliceViewOptions;
    type SweepTableRow = reportTables.SweepTableRow;
    /** The report worker's error answer (src/workers/level0-worker.ts). */
    type WorkerError = { type: string; id: number | null; request: string; threshold?: number; message: string; code?: string };
  }
}

export {};
