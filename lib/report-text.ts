/**
 * The Level 0 report as text (`mapval report`: VRS's summary, abstract, score, section table, warnings, then each
 * section's result lines in VRS's number formats) and as the JSON object of `mapval report --json`.
 */
import type { Level0Report } from "./level0.js";
import { sectionIds } from "./level0.js";
import type { SectionResult } from "./report-types.js";
import type { MassResults } from "./section-0a-mass.js";
import type { MaskResults } from "./section-0b-mask.js";
import type { BackgroundResults } from "./section-0c-background.js";
import { MAPVAL_VERSION } from "./version.js";

/**
 * The JSON contract: input, mode, sections keyed 0.a–0.h ({status, warnings, results, …}), score, and `generator`:
 * the mapval version and `generatedAt`, the time the report was made (ISO 8601, UTC), the one field in which two
 * reports of the same map, threshold and mode differ. Serialise with JSON.stringify, which writes NaN and ±Infinity as
 * null.
 */
export function reportJson(report: Level0Report, file: string, sha256: string, generatedAt = new Date()) {
  return {
    input: {
      file,
      sha256,
      shape: report.input.shape,
      voxelSize: report.input.voxelSize,
      threshold: report.input.threshold,
      resolution: report.input.resolution,
    },
    mode: report.mode,
    sections: Object.fromEntries(
      sectionIds.map((id) => {
        const s = report.sections[id];
        return [id, { title: s.title, status: s.status, warnings: s.warnings, results: s.results, reason: s.reason, notes: s.notes }];
      }),
    ),
    score: report.score,
    abstract: report.abstract,
    inputWarnings: report.inputWarnings,
    generator: { name: "mapval", version: MAPVAL_VERSION, generatedAt: generatedAt.toISOString() },
  };
}

/** Python's "%W.Pf": right-aligned in W characters, "nan"/"inf" as Python prints them. */
export function pyFixed(x: number, precision: number, width = 0): string {
  const s = Number.isNaN(x) ? "nan" : !Number.isFinite(x) ? (x > 0 ? "inf" : "-inf") : x.toFixed(precision);
  return s.padStart(width);
}

/** VRS's summary-table cell. */
export function statusText(s: SectionResult<object>): string {
  switch (s.status) {
    case "ok":
      return "OK";
    case "warnings":
      return `${s.warnings.length} warnings`;
    case "does-not-apply":
      return "Does not apply";
    case "not-measured":
      return "Could not be measured";
  }
}

export interface ReportFileInfo {
  file: string;
  sha256: string;
}

export function formatReport(report: Level0Report, info: ReportFileInfo): string {
  const { input } = report;
  const lines: string[] = [];
  lines.push(`mapval Level 0 report (${report.mode === "vrs-compat" ? "VRS-compatible mode" : "default mode"})`, "");
  lines.push(`Input map: ${info.file}`);
  lines.push(`SHA256 hash: ${info.sha256}`);
  lines.push(`Box: ${input.shape.join(" x ")} voxels`);
  lines.push(`Voxel size: ${pyFixed(input.voxelSize, 6)} (Å)`);
  lines.push(`Visualization threshold: ${pyFixed(input.threshold, 6)}`);
  lines.push(`Resolution estimated by user: ${input.resolution ?? "(not reported)"}`);
  for (const w of report.inputWarnings) lines.push(`Note: ${w}`);
  lines.push("", "Summarized overall quality", "");
  lines.push(report.abstract.join(" "), "");
  const width = Math.max(...sectionIds.map((id) => report.sections[id].title.length));
  for (const id of sectionIds) {
    const s = report.sections[id];
    lines.push(`${s.title.padEnd(width)}  ${statusText(s)}`);
  }
  lines.push("", "Summary of the warnings across sections.", "");
  if (report.warningsSummary.length === 0) lines.push("No warnings.");
  for (const s of report.warningsSummary) {
    lines.push(`${s.title}`);
    s.warnings.forEach((w, i) => lines.push(`  ${i + 1}. ${w}`));
  }
  for (const id of sectionIds) lines.push("", ...sectionText(report.sections[id], report));
  return lines.join("\n") + "\n";
}

function sectionText(s: SectionResult<object>, report: Level0Report): string[] {
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
          `The estimated B-factor was ${pyFixed(b.B, 1, 5)}. The fitted line was log|F| = ${pyFixed(b.slope, 1, 4)}/R^2 + (${pyFixed(b.intercept, 1, 4)}).`,
        );
    }
    if (s.id === "0.e" || s.id === "0.f" || s.id === "0.g") lines.push(...percentileLines(s.id, s.results as LocalResults));
  }
  for (const n of s.notes ?? []) if (n !== s.reason) lines.push(`Note: ${n}`);
  if (s.criteria?.length) lines.push("Criteria:", ...s.criteria.map((c) => `  - ${c}`));
  s.warnings.forEach((w, i) => lines.push(`  ${i + 1}. ${w}`));
  return lines;
}

interface LocalResults {
  percentiles: { p2_5: number; p25: number; p50: number; p75: number; p97_5: number };
  voxels: number;
  resolutionPercentile?: number;
}

const localQuantity = { "0.e": "Local resolution (Å)", "0.f": "Local B-factor (Å²)", "0.g": "Local Occupancy [0-1]" };

/** VRS's table of representative percentiles of a local map (0.e–0.g). */
function percentileLines(id: "0.e" | "0.f" | "0.g", r: LocalResults): string[] {
  const p = r.percentiles;
  const rows: [string, number][] = [["2.5%", p.p2_5], ["25%", p.p25], ["50%", p.p50], ["75%", p.p75], ["97.5%", p.p97_5]];
  const lines = [`Over ${r.voxels} voxels, some representative percentiles are:`, `Percentile  ${localQuantity[id]}`];
  for (const [label, value] of rows) lines.push(`${label.padEnd(10)}  ${pyFixed(value, 2)}`);
  if (r.resolutionPercentile !== undefined)
    lines.push(`The reported resolution occupies the ${pyFixed(r.resolutionPercentile, 2)} percentile of the local resolutions.`);
  return lines;
}

function massLines(r: MassResults): string[] {
  const axes = ["X", "Y", "Z"];
  return [
    ...axes.map(
      (ax, a) =>
        `The space from the left and right in ${ax} are ${pyFixed(r.spaceLeft[a], 2, 6)} and ${pyFixed(r.spaceRight[a], 2, 6)} Å, respectively. There is a decentering ratio (abs(Right-Left)/Size)% of ${pyFixed(r.decentering[a], 2, 5)}%`,
    ),
    `The center of mass is at (x,y,z)=(${r.centerOfMass.map((c) => pyFixed(c, 2, 6)).join(",")}). The decentering of the center of mass (abs(Center)/Size)% is ${pyFixed(r.centerOfMassOffset[0], 2, 5)}, ${pyFixed(r.centerOfMassOffset[1], 2, 5)}, and ${pyFixed(r.centerOfMassOffset[2], 2, 5)}, respectively.`,
  ];
}

function maskLines(r: MaskResults, ts: number): string[] {
  const ts3 = ts ** 3;
  const lines = [
    `Raw mask: At threshold ${pyFixed(r.threshold, 6)}, there are ${r.rawComponents} connected components with a total number of voxels of ${r.rawVoxels} and a volume of ${pyFixed(r.rawVolume, 2, 5)} Å³.`,
    "Components up to 95% of the mass (No. voxels (volume in Å³), percentage, cumulated percentage):",
    r.components95List
      .map((c) => `(${c.voxels} (${pyFixed(c.volume, 2, 5)}), ${pyFixed(c.percent, 2, 5)}, ${pyFixed(c.cumulativePercent, 2, 5)})`)
      .join(", "),
    `Number of components to reach 95% of the mass: ${r.components95}`,
    `The average size of the remaining ${r.remainingComponents} components is ${pyFixed(r.remainingAverageVoxels, 2, 5)} voxels (${pyFixed(r.remainingAverageVolume, 2, 5)} Å³). Their size go from ${r.remainingFromVoxels} voxels (${pyFixed(r.remainingFromVoxels * ts3, 2, 5)} Å³) to ${r.remainingToVoxels} voxels (${pyFixed(r.remainingToVoxels * ts3, 2, 5)} Å³).`,
    "Threshold  Voxel mass  Molecular mass(kDa)  # Aminoacids",
    ...r.massTable.map(
      (row) =>
        `${pyFixed(row.threshold, 4, 9)}  ${pyFixed(row.voxels, 2, 10)}  ${pyFixed(row.kDa, 2, 19)}  ${pyFixed(row.aminoAcids, 2, 12)}`,
    ),
    `Constructed mask: After keeping the largest component of the previous mask and dilating it by 2Å, there is a total number of voxels of ${r.constructedVoxels} and a volume of ${pyFixed(r.constructedVolume, 2, 5)} Å³. The overlap between the raw and constructed mask is ${pyFixed(r.overlap, 2, 5)}.`,
  ];
  return lines;
}

function backgroundLines(r: BackgroundResults): string[] {
  const pText = r.p === 0 && Number.isFinite(r.log10P) ? `${pyFixed(r.p, 6)} (log10 p = ${r.log10P.toFixed(1)})` : pyFixed(r.p, 6);
  return [
    `The null hypothesis that the background mean is 0 was tested with a one-sample Student's t-test. The resulting t-statistic and p-value were ${pyFixed(r.t, 2, 5)} and ${pText}, respectively.`,
    `The mean and standard deviation (σ) of the background were ${pyFixed(r.mean, 6)} and ${pyFixed(r.std, 6)}. The percentage of background voxels whose absolute value is larger than 5 times the standard deviation is ${pyFixed(r.outlierPercent, 2, 5)} %. The same percentage from a Gaussian would be ${pyFixed(r.gaussianPercent, 6)}% (ratio between the two percentages: ${pyFixed(r.outlierRatio, 6)}).`,
  ];
}
