/**
 * mapval's public API: what `import … from "mapval"` gives (docs/package.md). Everything not exported here is internal
 * and may change without notice. The kernel is pure TypeScript with no DOM and no Node imports, so the same module
 * runs in Node, Deno and the browser.
 */

// Reading maps (MRC/CCP4, gzip-compressed or not).
export { DEFAULT_MAX_BYTES, computeStats, isGzip, modeName, parseMap, readMap } from "./io/mrc-reader.js";
export type { MapHeader, MapReadResult, MapStats, ReadOptions } from "./io/mrc-reader.js";
export { makeVolume, voxelCount } from "./io/volume.js";
export type { Vec3, Volume } from "./io/volume.js";

// Level 0 and the threshold sweep.
export { runLevel0, runLevel0InContext, runLevel0WithWorkings } from "./level0/level0.js";
// The sections: ids, titles and what each depends on (lib/section-registry.ts).
export {
  level0Sections, level1SectionIds, level1Sections, sectionIds, sectionIdsIn, sectionRegistry, sectionSpec, sectionTitle,
} from "./section-registry.js";
export type { Level0SectionId, Level1SectionId, SectionSpec } from "./section-registry.js";
export {
  analysisContext, analysisInputs, analysisVoxelSize, DEFAULT_MEMORY_BUDGET_BYTES, VOXEL_SIZE_RANGE,
} from "./analysis-inputs.js";
export type { AnalysisContext, AnalysisInputOptions, AnalysisInputs } from "./analysis-inputs.js";
export type { Level0Input, Level0Options, Level0Report, Level0Run, Level0Workings } from "./level0/level0.js";
export { computeLocalSections, localSectionIds } from "./level0/local-sections.js";
export type { LocalSection, LocalSectionId } from "./level0/local-sections.js";
export type { BandExecutor } from "./local/bands.js";
export { sweep } from "./level0/sweep.js";
export type { SweepOptions, SweepRow } from "./level0/sweep.js";

// Level 1 from two half maps: the report of 1.a–1.h, combined with Level 0's (docs/reference/level1.md).
export { combineReports, maskedFscAtThreshold, runLevel1, runLevel1With, runLevel1WithWorkings } from "./level1/level1.js";
export type { CombinedReport, Level1Input, Level1Options, Level1Report, Level1Workings } from "./level1/level1.js";
export {
  checkHalfMaps, correctedFsc, DPR_THRESHOLD, firstCrossing, fscAnalysis, fscUnmaskedPart, fscWithMask, halfBitThreshold,
  fscAnalysisWith, fscWithMaskedCurves, maskedPairFsc, pairFscBuffers, takeRandomisedHalves,
} from "./level1/fsc.js";
export type {
  FscCrossings, FscOptions, FscResult, FscSectionResults, FscSectionShell, FscShell, FscUnmaskedPart, PairFscBuffers, SsnrCurve,
} from "./level1/fsc.js";
export type { Level1SectionResult } from "./level1/level1-sections.js";

// Masks.
export { hardMask, hardMaskThreshold, rawMask, rawMaskThreshold, softMask } from "./masks/masks.js";
export type { HardMask, HardMaskOptions, MaskMode } from "./masks/masks.js";

// Criteria (VRS's thresholds for each warning).
export { criteria, criteriaFor, criterionText, vrsParameters, withDefaults } from "./level0/criteria.js";
export type { CriteriaParameters, Criterion, CriterionParameter } from "./level0/criteria.js";

// The report as JSON (the `mapval report --json` contract), as text, as tables and as Jupyter displays.
export { formatReport, reportJson } from "./report/report-text.js";
export { pValue, statusText } from "./report/format.js";
export type { HalfMapFiles, Report, ReportFile, ReportFileInfo } from "./report/report-text.js";
export { componentRows, guinierRows, histogramRows, massTableRows, summaryRows, sweepRows } from "./report/report-tables.js";
export type { ComponentRow, SummaryRow, SweepTableRow } from "./report/report-tables.js";
export { Display, displayMassTable, displayReport, displaySection, displaySweep, jupyterDisplay } from "./report/display.js";
export type { MimeBundle } from "./report/display.js";

// The teaching lab's synthetic map and its presets (docs/lab.md).
export {
  buildSyntheticMap, checkLabParameters, labParameterChanges, labParameterSpecs, labParametersFromQuery, labPresets, labQuery,
  parameterRange,
} from "./lab/synthetic-map.js";
export type { LabParameters, LabPreset, LabPresetName, SyntheticMap } from "./lab/synthetic-map.js";
// What changed between two reports: verdicts flipped, numbers that crossed a criterion's limit (docs/lab.md).
export { reportChanges } from "./report/report-changes.js";
export type { ComparedReport, CriterionCrossing, ReportChanges, VerdictFlip } from "./report/report-changes.js";

// Errors: bad input is one of these, with a stable `code`.
export { AnalysisInputError, MapFormatError } from "./errors.js";
export type { AnalysisInputErrorCode, MapFormatErrorCode } from "./errors.js";

// Result types.
export type { AnalysisMode, SectionId, SectionResult, SectionStatus } from "./report/report-types.js";
export type { MassResults } from "./level0/section-0a-mass.js";
export type { ComponentEntry, MaskResults, MassTableRow } from "./level0/section-0b-mask.js";
export type { BackgroundResults } from "./level0/section-0c-background.js";
export type { BFactorResults, GuinierPlot } from "./level0/section-0d-bfactor.js";
export type { LocalResolutionResults } from "./level0/section-0e-local-resolution.js";
export type { LocBfactorResults } from "./level0/section-0f-locbfactor.js";
export type { LocOccupancyResults } from "./level0/section-0g-lococcupancy.js";
export type { HandResults } from "./level0/section-0h-hand.js";
export type { HistogramBin, LocalStatistics, Percentiles } from "./local/local-stats.js";
