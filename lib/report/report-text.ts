/**
 * The report (Level 0, or Level 0 and 1 combined) as text (`mapval report`: VRS's summary, abstract, score, section
 * table, warnings, then each section's result lines in VRS's number formats) and as the JSON object of
 * `mapval report --json`.
 */
import type { Level0Report } from "../level0/level0.js";
import type { CombinedReport } from "../level1/level1.js";
import type { FdrFscSectionResults } from "../level1/fdr-fsc.js";
import type { FscSectionResults } from "../level1/fsc.js";
import { sectionIdsIn } from "../section-registry.js";
import type { SectionResult } from "./report-types.js";
import type { MassResults } from "../level0/section-0a-mass.js";
import type { MaskResults } from "../level0/section-0b-mask.js";
import type { BackgroundResults } from "../level0/section-0c-background.js";
import { count, fixed, pValue, statusText, volumeA3 } from "./format.js";
import { MAPVAL_VERSION } from "../version.js";

/** What the map reader said about the file (NaN voxels, bogus NSYMBT, unknown stamp…), as the report lists it. */
const fileWarningPrefix = "map file: ";

/** A Level 0 report, or Level 0 and Level 1 combined (`combineReports`). */
export type Report = Level0Report | CombinedReport;

/** "Level 0", or "Level 0 and 1" for a combined report: the report's heading. */
export function reportLevels(report: Report): string {
  return "level1" in report ? "Level 0 and 1" : "Level 0";
}

/** The report's sections in report order (0.a–0.h, then 1.a–1.h when it has them). */
export function reportSections(report: Report): SectionResult<object>[] {
  const sections = report.sections as Record<string, SectionResult<object>>;
  return sectionIdsIn(sections).map((id) => sections[id]);
}

/**
 * The report's input warnings: the reader's about the map, each prefixed "map file: ", and about the half-map files
 * (HalfMapFiles.fileWarnings, labelled by the caller), then the analysis's own.
 */
export function inputWarningsOf(report: Report, fileWarnings: readonly string[], halfMaps?: HalfMapFiles): string[] {
  return [...fileWarnings.map((w) => fileWarningPrefix + w), ...(halfMaps?.fileWarnings ?? []), ...report.inputWarnings];
}

/** A file the report read: its name and the SHA-256 of its bytes. */
export interface ReportFile {
  file: string;
  sha256: string;
}

/** The files Level 1 read, for the report's input. */
export interface HalfMapFiles {
  half1: ReportFile;
  half2: ReportFile;
  /** The user's mask file, when one replaced Level 0's soft mask. */
  mask?: ReportFile;
  /** The map is the average of the halves (no map was given). */
  averaged: boolean;
  /** The reader's warnings about these files, each labelled with its file ("half map 1 file: …"). */
  fileWarnings?: readonly string[];
}

/** The reader's warnings about the half maps (and mask), labelled with their file, as HalfMapFiles' fileWarnings. */
export function halfMapFileWarnings(half1: readonly string[], half2: readonly string[], mask: readonly string[] = []): string[] {
  return [...half1.map((w) => `half map 1 file: ${w}`), ...half2.map((w) => `half map 2 file: ${w}`), ...mask.map((w) => `mask file: ${w}`)];
}

/** The report's file name for a map that is the average of its halves (no map given). */
export function averagedMapName(files: Pick<HalfMapFiles, "half1" | "half2">): string {
  return `average of ${files.half1.file} and ${files.half2.file}`;
}

export interface ReportJsonOptions {
  /** The map reader's warnings about the file (MapReadResult.warnings). */
  fileWarnings?: readonly string[];
  /** When the report was made (default: now). */
  generatedAt?: Date;
  /** The half maps (and mask) of a combined report. */
  halfMaps?: HalfMapFiles;
}

/**
 * The JSON contract: input, mode, sections keyed 0.a–0.h, then 1.a–1.h in a combined report ({title, status,
 * warnings, results, reason, notes}), score,
 * abstract, inputWarnings, generator. `status` is one of ok, warnings, does-not-apply, not-measured (could not be
 * measured; the reason says why), not-requested (left out with --sections); only ok and warnings count in the score.
 * `inputWarnings` lists the reader's warnings about the file ("map file: …", `fileWarnings`), then the analysis's.
 * `generator` holds the mapval version and `generatedAt`, the time the report was made (ISO 8601, UTC), the one field
 * in which two reports of the same map, threshold and mode differ.
 * A combined report's `input.halfMaps` names the halves ({file, sha256} each, `mask`: the user's mask file when given,
 * `averaged`: the map is their average) and gives Level 1's mask ("level0-soft" or "user") and the halves'
 * non-finite voxels. `sections["1.a"].results.shells` holds 1.a's rows {index, frequency (1/Å), resolution (Å), fsc,
 * fscMasked, fscCorrected, dpr, halfBit, threeSigma} (null where not computed) beside fscResolution,
 * fscMaskedResolution, fscCorrectedResolution, dprResolution and ssnrResolution (Å, 0.143 crossings for the FSC).
 * 1.b's results hold its `shells`, 1.g's its FSO `curve` and 1.h's its `curves` (docs/reference/level1.md).
 * Serialise with JSON.stringify, which writes NaN and ±Infinity as null.
 */
export function reportJson(report: Report, file: string, sha256: string, options: ReportJsonOptions = {}) {
  const { fileWarnings = [], generatedAt = new Date(), halfMaps } = options;
  const level1 = "level1" in report ? report.level1.input : undefined;
  return {
    input: {
      file,
      sha256,
      shape: report.input.shape,
      voxelSize: report.input.voxelSize,
      threshold: report.input.threshold,
      resolution: report.input.resolution,
      nonFiniteVoxels: report.input.nonFiniteVoxels,
      ...(level1 && {
        halfMaps: {
          half1: halfMaps?.half1 ?? null,
          half2: halfMaps?.half2 ?? null,
          ...(halfMaps?.mask && { maskFile: halfMaps.mask }),
          averaged: halfMaps?.averaged ?? false,
          mask: level1.mask,
          nonFiniteVoxels: level1.nonFiniteVoxels,
        },
      }),
    },
    mode: report.mode,
    sections: Object.fromEntries(
      reportSections(report).map((s) => [
        s.id,
        { title: s.title, status: s.status, warnings: s.warnings, results: s.results, reason: s.reason, notes: s.notes },
      ]),
    ),
    score: report.score,
    abstract: report.abstract,
    inputWarnings: inputWarningsOf(report, fileWarnings, halfMaps),
    generator: { name: "mapval", version: MAPVAL_VERSION, generatedAt: generatedAt.toISOString() },
  };
}

/** Python's "%W.Pf" for the aligned columns of a table: lib/report/format.ts's `fixed`, right-aligned in W characters. */
export function pyFixed(x: number, precision: number, width = 0): string {
  return fixed(x, precision).padStart(width);
}

export interface ReportFileInfo {
  file: string;
  sha256: string;
  /** The map reader's warnings about the file (MapReadResult.warnings). */
  fileWarnings?: readonly string[];
  /** The half maps (and mask) of a combined report. */
  halfMaps?: HalfMapFiles;
}

export function formatReport(report: Report, info: ReportFileInfo): string {
  const { input } = report;
  const sections = reportSections(report);
  const lines: string[] = [];
  lines.push(`mapval ${reportLevels(report)} report (${report.mode === "vrs-compat" ? "VRS-compatible mode" : "default mode"})`, "");
  lines.push(`Input map: ${info.file}`);
  lines.push(`SHA256 hash: ${info.sha256}`);
  if ("level1" in report) lines.push(...halfMapInputLines(report, info.halfMaps));
  lines.push(`Box: ${input.shape.join(" x ")} voxels`);
  lines.push(`Voxel size: ${fixed(input.voxelSize, 6)} (Å)`);
  lines.push(`Visualization threshold: ${fixed(input.threshold, 6)}`);
  lines.push(`Resolution estimated by user: ${input.resolution ?? "(not reported)"}`);
  for (const w of inputWarningsOf(report, info.fileWarnings ?? [], info.halfMaps)) lines.push(`Note: ${w}`);
  lines.push("", "Summarized overall quality", "");
  lines.push(report.abstract.join(" "), "");
  const width = Math.max(...sections.map((s) => s.title.length));
  for (const s of sections) lines.push(`${s.title.padEnd(width)}  ${statusText(s)}`);
  lines.push("", "Summary of the warnings across sections.", "");
  if (report.warningsSummary.length === 0) lines.push("No warnings.");
  for (const s of report.warningsSummary) {
    lines.push(`${s.title}`);
    s.warnings.forEach((w, i) => lines.push(`  ${i + 1}. ${w}`));
  }
  for (const s of sections) lines.push("", ...sectionText(s, report));
  return lines.join("\n") + "\n";
}

/** One section's block of the text report: its title and status, result lines, notes, criteria and warnings. */
export function sectionText(s: SectionResult<object>, report: Report): string[] {
  const lines = [`== ${s.title}: ${statusText(s)}`];
  if (s.reason) lines.push(s.reason);
  if (s.results) {
    if (s.id === "0.a") lines.push(...massLines(s.results as MassResults));
    if (s.id === "0.b") lines.push(...maskLines(s.results as MaskResults, report.input.voxelSize));
    if (s.id === "0.c") lines.push(...backgroundLines(s.results as BackgroundResults));
    if (s.id === "0.d") {
      const b = s.results as { B: number | null; slope: number | null; intercept: number | null };
      if (b.B !== null && b.slope !== null && b.intercept !== null)
        lines.push(
          `The estimated B-factor was ${fixed(b.B, 1)}. The fitted line was log|F| = ${fixed(b.slope, 1)}/R^2 + (${fixed(b.intercept, 1)}).`,
        );
    }
    if (s.id === "0.e" || s.id === "0.f" || s.id === "0.g" || s.id === "1.c" || s.id === "1.e")
      lines.push(...percentileLines(s.id, s.results as LocalResults));
    if (s.id === "1.a") lines.push(...fscLines(s.results as FscSectionResults));
    if (s.id === "1.b") lines.push(...fdrFscLines(s.results as FdrFscSectionResults));
    if (s.id === "1.g" || s.id === "1.h") lines.push(...(s.results as { sentences: string[] }).sentences);
  }
  for (const n of s.notes ?? []) if (n !== s.reason) lines.push(`Note: ${n}`);
  if (s.criteria?.length) lines.push("Criteria:", ...s.criteria.map((c) => `  - ${c}`));
  s.warnings.forEach((w, i) => lines.push(`  ${i + 1}. ${w}`));
  return lines;
}

/** The half maps' lines of the input block: each file and its hash, and the mask Level 1 used. */
function halfMapInputLines(report: CombinedReport, files: HalfMapFiles | undefined): string[] {
  const lines: string[] = [];
  for (const [label, file] of [["Half map 1", files?.half1], ["Half map 2", files?.half2]] as const)
    if (file) lines.push(`${label}: ${file.file}`, `SHA256 hash: ${file.sha256}`);
  const mask = report.level1.input.mask === "user"
    ? `the user's mask${files?.mask ? ` ${files.mask.file} (SHA256 hash: ${files.mask.sha256})` : ""}`
    : "Level 0's soft mask at the visualization threshold";
  lines.push(`Level 1 mask: ${mask}`);
  return lines;
}

/** VRS's 1.a sentences, then the masked and corrected FSC's 0.143 crossings (mapval's additions). */
function fscLines(r: FscSectionResults): string[] {
  const at = (v: number | null) => (v === null ? "does not cross 0.143" : `${fixed(v, 2)} Å`);
  const lines = [...r.sentences];
  if (r.crossings.fscMasked) lines.push(`The masked FSC: ${at(r.fscMaskedResolution)}. The corrected (phase-randomised) FSC: ${at(r.fscCorrectedResolution)}.`);
  return lines;
}

/** 1.b's resolution (mapval's wording; VRS prints SPOC's line). */
function fdrFscLines(r: FdrFscSectionResults): string[] {
  if (r.FDRResolution === null) return [];
  return [`The resolution at 1 % FDR-FSC is ${fixed(r.FDRResolution, 2)} Å (${count(r.significantShells, "significant shell")} beyond the origin).`];
}

interface LocalResults {
  percentiles: { p2_5: number; p25: number; p50: number; p75: number; p97_5: number };
  voxels: number;
  resolutionPercentile?: number | null;
}

const localQuantity = {
  "0.e": "Local resolution (Å)", "0.f": "Local B-factor (Å²)", "0.g": "Local Occupancy [0-1]",
  "1.c": "Local resolution (Å)", "1.e": "Local resolution (Å)",
};

/** VRS's table of representative percentiles of a local map (0.e–0.g, 1.c, 1.e). */
function percentileLines(id: keyof typeof localQuantity, r: LocalResults): string[] {
  const p = r.percentiles;
  const rows: [string, number][] = [["2.5%", p.p2_5], ["25%", p.p25], ["50%", p.p50], ["75%", p.p75], ["97.5%", p.p97_5]];
  const lines = [`Over ${count(r.voxels, "voxel")}, some representative percentiles are:`, `Percentile  ${localQuantity[id]}`];
  for (const [label, value] of rows) lines.push(`${label.padEnd(10)}  ${pyFixed(value, 2)}`);
  if (r.resolutionPercentile !== undefined && r.resolutionPercentile !== null)
    lines.push(`The reported resolution occupies the ${fixed(r.resolutionPercentile, 2)} percentile of the local resolutions.`);
  return lines;
}

function massLines(r: MassResults): string[] {
  const axes = ["X", "Y", "Z"];
  return [
    ...axes.map(
      (ax, a) =>
        `The space from the left and right in ${ax} are ${fixed(r.spaceLeft[a], 2)} and ${fixed(r.spaceRight[a], 2)} Å, respectively. There is a decentering ratio (abs(Right-Left)/Size)% of ${fixed(r.decentering[a], 2)}%`,
    ),
    `The center of mass is at (x,y,z)=(${r.centerOfMass.map((c) => fixed(c, 2)).join(",")}). The decentering of the center of mass (abs(Center)/Size)% is ${fixed(r.centerOfMassOffset[0], 2)}, ${fixed(r.centerOfMassOffset[1], 2)}, and ${fixed(r.centerOfMassOffset[2], 2)}, respectively.`,
  ];
}

function maskLines(r: MaskResults, ts: number): string[] {
  const ts3 = ts ** 3;
  const lines = [
    `Raw mask: At threshold ${fixed(r.threshold, 6)}, there ${r.rawComponents === 1 ? "is" : "are"} ${count(r.rawComponents, "connected component")} with a total number of voxels of ${r.rawVoxels} and a volume of ${volumeA3(r.rawVolume)}.`,
    "Components up to 95% of the mass (No. voxels (volume in Å³), percentage, cumulated percentage):",
    r.components95List
      .map((c) => `(${c.voxels} (${fixed(c.volume, 2)}), ${fixed(c.percent, 2)}, ${fixed(c.cumulativePercent, 2)})`)
      .join(", "),
    `Number of components to reach 95% of the mass: ${r.components95}`,
    remainingComponentsSentence(r, ts3),
    "Threshold  Voxel mass  Molecular mass(kDa)  # Aminoacids",
    ...r.massTable.map(
      (row) =>
        `${pyFixed(row.threshold, 4, 9)}  ${pyFixed(row.voxels, 2, 10)}  ${pyFixed(row.kDa, 2, 19)}  ${pyFixed(row.aminoAcids, 2, 12)}`,
    ),
    `Constructed mask: After keeping the largest component of the previous mask and dilating it by 2Å, there is a total number of voxels of ${r.constructedVoxels} and a volume of ${volumeA3(r.constructedVolume)}. The overlap between the raw and constructed mask is ${fixed(r.overlap, 2)}.`,
  ];
  return lines;
}

/** VRS's sentence on the components beyond the 95 % set; with none left it says so instead of printing NaNs. */
export function remainingComponentsSentence(r: MaskResults, ts3: number): string {
  if (r.remainingComponents === 0) return "No other components remain.";
  return `The average size of the remaining ${count(r.remainingComponents, "component")} is ${fixed(r.remainingAverageVoxels, 2)} voxels (${volumeA3(r.remainingAverageVolume)}). Their size go from ${count(r.remainingFromVoxels, "voxel")} (${volumeA3(r.remainingFromVoxels * ts3)}) to ${count(r.remainingToVoxels, "voxel")} (${volumeA3(r.remainingToVoxels * ts3)}).`;
}

function backgroundLines(r: BackgroundResults): string[] {
  return [
    `The null hypothesis that the background mean is 0 was tested with a one-sample Student's t-test. The resulting t-statistic and p-value were ${fixed(r.t, 2)} and ${pValue(r.p, r.log10P)}, respectively.`,
    `The mean and standard deviation (σ) of the background were ${fixed(r.mean, 6)} and ${fixed(r.std, 6)}. The percentage of background voxels whose absolute value is larger than 5 times the standard deviation is ${fixed(r.outlierPercent, 2)} %. The same percentage from a Gaussian would be ${fixed(r.gaussianPercent, 6)}% (ratio between the two percentages: ${fixed(r.outlierRatio, 6)}).`,
  ];
}
