/**
 * Level 0.b Mask analysis: at the suggested threshold, is the mass in one connected piece, are the leftover blobs
 * small, and does the constructed mask (largest component, dilated) cover the raw mask?
 */
import type { ComponentSizes } from "../masks/components.js";
import { criteriaFor, criteriaNotes, criterionText, type CriteriaParameters } from "./criteria.js";
import { readerStats } from "../io/mrc-reader.js";
import type { AnalysisMode, SectionResult } from "../report/report-types.js";
import type { Volume } from "../io/volume.js";
import { sectionTitle } from "../section-registry.js";

/** What 0.b needs from a labelling of the raw mask: sizes[0] is the background, sizes[1..count] the components. */

export interface MassTableRow {
  threshold: number;
  voxels: number;
  kDa: number;
  aminoAcids: number;
}

export interface ComponentEntry {
  voxels: number;
  volume: number;
  percent: number;
  cumulativePercent: number;
}

export interface MaskResults {
  threshold: number;
  rawComponents: number;
  rawVoxels: number;
  rawVolume: number;
  /** Component sizes in voxels, largest first, at most 100. */
  componentSizes: number[];
  /** The components VRS lists: those summed to reach the mass fraction, at most 100. */
  components95List: ComponentEntry[];
  components95: number;
  remainingComponents: number;
  remainingVoxels: number;
  remainingAverageVoxels: number;
  remainingAverageVolume: number;
  /** Size range VRS prints as "Their size go from … to …" (voxels). */
  remainingFromVoxels: number;
  remainingToVoxels: number;
  constructedVoxels: number;
  constructedVolume: number;
  overlap: number;
  massTable: MassTableRow[];
}

export const maskTitle = sectionTitle("0.b");
/** Da per Å³ is 1/1.207; 110 Da per amino acid (VRS's constants). */
const angstrom3PerDa = 1.207;
const daPerResidue = 110;
const listedComponents = 100;
const tableSteps = 25;

const explanation =
  "Thresholding a good map at the suggested level should leave one large connected piece (the molecule) and, at " +
  "most, many tiny noise blobs holding little mass. The raw mask is every voxel at or above the threshold, split " +
  "into 26-connected components. The constructed mask keeps the largest component and dilates it by 2 Å; it is the " +
  "mask 0.a and 0.c use. The overlap is the fraction of raw-mask voxels inside the constructed mask. The table shows " +
  "how the mass above a threshold changes with the threshold (1.207 Å³ per Da, 110 Da per amino acid).";

/**
 * Thresholds of VRS's mass table: numpy's `arange(max/25, max, max/25)`, reproducing numpy's float64 row count
 * (24 or 25 rows) and its fill rule (g[i] = start + i·(g[1] − g[0])).
 */
export function massTableThresholds(maxValue: number): number[] {
  const step = maxValue / tableSteps;
  const length = Math.ceil((maxValue - step) / step);
  if (!(length > 0)) return [];
  const start = step;
  const delta = start + step - start;
  const g = [start];
  for (let i = 1; i < length; i++) g.push(start + i * delta);
  return g;
}

/**
 * Below this share of the raw mask's voxels in its largest component, the constructed mask (built from that component
 * alone) leaves out much of the density above the threshold: 0.a measures the spaces around part of the molecule and
 * 0.c counts the rest as background. A molecule with its noise blobs and small detached pieces keeps well above it
 * (the bundled maps that are one piece keep 100 %); GroEL's two rings at EMD-1997's contour keep 50 %.
 */
export const LARGEST_COMPONENT_MIN_FRACTION = 0.8;

/** What 0.a and 0.c say when their mask rests on part of the density: a note in both modes, a warning in default. */
export interface PartialMaskCaution {
  note: string;
  warning: string | null;
}

/** The caution for a largest component of `largestVoxels` out of `rawVoxels`, or null when it holds enough. */
export function partialMaskCaution(largestVoxels: number, rawVoxels: number, mode: AnalysisMode): PartialMaskCaution | null {
  const fraction = largestVoxels / rawVoxels;
  if (!(fraction < LARGEST_COMPONENT_MIN_FRACTION)) return null;
  const share = `${(100 * fraction).toFixed(0)} %`;
  const note =
    `The mask this section uses keeps only the largest connected component of the raw mask, which holds ${share} of ` +
    `its voxels (less than ${100 * LARGEST_COMPONENT_MIN_FRACTION} %): the rest of the density above the threshold is ` +
    "treated as outside the molecule (VRS does the same).";
  const warning = `This verdict rests on the largest component alone, ${share} of the density above the threshold.`;
  return { note, warning: mode === "default" ? warning : null };
}

export function mapMaximum(v: Volume): number {
  const data = v.data;
  const stats = readerStats(data);
  if (stats && stats.finiteCount === data.length) return stats.max;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) if (data[i] > max) max = data[i];
  return max;
}

/**
 * Voxels strictly above each threshold. VRS (numpy 1.x) compares float32 voxels with float32-rounded thresholds;
 * default mode compares with the exact thresholds.
 */
export function massTable(v: Volume, ts: number, mode: AnalysisMode, maxValue = mapMaximum(v)): MassTableRow[] {
  const thresholds = massTableThresholds(maxValue);
  const cuts = thresholds.map((g) => (mode === "vrs-compat" ? Math.fround(g) : g));
  // counts[k] = voxels above exactly k cuts. The cuts are evenly spaced, so the bucket is guessed by division and
  // corrected with the exact comparisons.
  const k = cuts.length;
  const counts = new Float64Array(k + 1);
  const data = v.data;
  const first = k > 0 ? cuts[0] : 0;
  const spacing = k > 1 ? (cuts[k - 1] - cuts[0]) / (k - 1) : 1;
  for (let i = 0; i < data.length; i++) {
    const d = data[i];
    if (!(d > first)) {
      counts[0]++;
      continue;
    }
    let above = Math.min(k, Math.max(1, Math.floor((d - first) / spacing) + 1));
    while (above > 1 && !(d > cuts[above - 1])) above--;
    while (above < k && d > cuts[above]) above++;
    counts[above]++;
  }
  const ts3 = ts ** 3;
  const rows: MassTableRow[] = [];
  let above = 0;
  for (let c = k; c >= 1; c--) {
    above += counts[c];
    rows.push({
      threshold: thresholds[c - 1],
      voxels: above,
      kDa: (above * ts3) / (angstrom3PerDa * 1000),
      aminoAcids: (above * ts3) / (daPerResidue * angstrom3PerDa),
    });
  }
  return rows.reverse();
}

/** Labels 1..count by decreasing size (ties: lower label first). */
function componentsBySize(c: ComponentSizes): Int32Array {
  const order = new Int32Array(c.count);
  for (let i = 0; i < c.count; i++) order[i] = i + 1;
  return order.sort((a, b) => c.sizes[b] - c.sizes[a] || a - b);
}

interface MassSplit {
  components95: number;
  summedVoxels: number;
  listed: ComponentEntry[];
  remainingComponents: number;
  remainingFromVoxels: number;
  remainingToVoxels: number;
}

/**
 * Smallest set of largest components holding `fraction` of the raw voxels. In vrs-compat mode this replays VRS's
 * loop over all labels sorted by size with the background (label 0) among them, which counts one component too few
 * when the background ends up after the set, and reports as "from" the smallest component inside the set.
 */
export function splitMass(c: ComponentSizes, fraction: number, ts: number, mode: AnalysisMode): MassSplit {
  const bySize = componentsBySize(c);
  let rawVoxels = 0;
  for (let l = 1; l <= c.count; l++) rawVoxels += c.sizes[l];
  const ts3 = ts ** 3;
  const listed: ComponentEntry[] = [];
  let summed = 0;
  let taken = 0;
  const take = (label: number, position: number) => {
    summed += c.sizes[label];
    taken++;
    if (position < listedComponents)
      listed.push({
        voxels: c.sizes[label],
        volume: c.sizes[label] * ts3,
        percent: (100 * c.sizes[label]) / rawVoxels,
        cumulativePercent: (100 * summed) / rawVoxels,
      });
  };
  if (mode === "vrs-compat") {
    // argsort(-sizes) over labels 0..count: the background goes before the components smaller than it.
    const all: number[] = [];
    let placed = false;
    for (const l of bySize) {
      if (!placed && c.sizes[0] >= c.sizes[l]) {
        all.push(0);
        placed = true;
      }
      all.push(l);
    }
    if (!placed) all.push(0);
    let i = 0;
    while (summed / rawVoxels < fraction && i < all.length) {
      if (all[i] > 0) take(all[i], i);
      i++;
    }
    const components95 = i - 1;
    return {
      components95,
      summedVoxels: summed,
      listed,
      remainingComponents: c.count - components95,
      remainingFromVoxels: c.sizes[all[components95]] ?? NaN,
      remainingToVoxels: c.sizes[all[all.length - 1]],
    };
  }
  while (taken < c.count && summed / rawVoxels < fraction) take(bySize[taken], taken);
  return {
    components95: taken,
    summedVoxels: summed,
    listed,
    remainingComponents: c.count - taken,
    remainingFromVoxels: taken < c.count ? c.sizes[bySize[taken]] : NaN,
    remainingToVoxels: taken < c.count ? c.sizes[bySize[c.count - 1]] : NaN,
  };
}

/**
 * The average volume of the components outside the mass-fraction set (Å³), which 0.b tests. VRS divides the
 * remaining voxels by themselves, so its "average blob volume" is one voxel (Ts³), NaN when none remain.
 */
export function averageBlobVolume(remainingVoxels: number, remainingComponents: number, ts: number, mode: AnalysisMode): number {
  const voxels = mode === "vrs-compat" ? remainingVoxels / remainingVoxels : remainingVoxels / remainingComponents;
  return voxels * ts ** 3;
}

export interface MaskSectionInput {
  volume: Volume;
  /** The threshold the user gave. */
  threshold: number;
  /** The threshold actually compared with the voxels for the raw mask (float32-rounded in vrs-compat mode). */
  rawThreshold: number;
  rawComponents: ComponentSizes;
  ts: number;
  mode: AnalysisMode;
  parameters: CriteriaParameters;
  /** The mass table, when the caller has it (it does not depend on the threshold). */
  massTable?: MassTableRow[];
  /** Constructed-mask size and its overlap with the raw mask (lib/level0/level0.ts measures them in its pass over the mask). */
  constructed: { constructedVoxels: number; overlap: number };
}

export function maskSection(input: MaskSectionInput): SectionResult<MaskResults> {
  const { volume, threshold, rawComponents: c, ts, mode, parameters: p } = input;
  const ts3 = ts ** 3;
  const base = {
    id: "0.b" as const,
    title: maskTitle,
    explanation,
    criteria: criteriaFor("0.b").map((cr) => criterionText(cr, p)),
  };
  let rawVoxels = 0;
  for (let l = 1; l <= c.count; l++) rawVoxels += c.sizes[l];
  const split = splitMass(c, p.massFraction, ts, mode);
  const remainingVoxels = rawVoxels - split.summedVoxels;
  const remainingAverageVoxels = remainingVoxels / split.remainingComponents;
  const { constructedVoxels, overlap } = input.constructed;
  const results: MaskResults = {
    threshold,
    rawComponents: c.count,
    rawVoxels,
    rawVolume: rawVoxels * ts3,
    componentSizes: Array.from(componentsBySize(c).subarray(0, listedComponents), (l) => c.sizes[l]),
    components95List: split.listed,
    components95: split.components95,
    remainingComponents: split.remainingComponents,
    remainingVoxels,
    remainingAverageVoxels,
    remainingAverageVolume: averageBlobVolume(remainingVoxels, split.remainingComponents, ts, mode),
    remainingFromVoxels: split.remainingFromVoxels,
    remainingToVoxels: split.remainingToVoxels,
    constructedVoxels,
    constructedVolume: constructedVoxels * ts3,
    overlap,
    massTable: input.massTable ?? massTable(volume, ts, mode),
  };

  return { ...base, results, ...maskVerdict(results, mode, p) };
}

export type MaskVerdictNumbers = Pick<
  MaskResults,
  "rawVoxels" | "components95" | "remainingComponents" | "remainingAverageVolume" | "overlap"
>;

/** Status, warnings and notes of 0.b from its numbers (shared with the threshold sweep). */
export function maskVerdict(r: MaskVerdictNumbers, mode: AnalysisMode, p: CriteriaParameters) {
  const notes: string[] = criteriaNotes("0.b");
  if (r.rawVoxels === 0 && mode === "default") {
    const reason = "No voxel is at or above the threshold, so the raw mask is empty.";
    return { status: "not-measured" as const, warnings: [], reason, notes: [reason], summarySentence: null };
  }
  const fractionText = `${+(p.massFraction * 100).toFixed(6)}%`;
  const warnings: string[] = [];
  if (r.components95 > p.maxComponentsForMass)
    warnings.push(
      `There might be a problem of connectivity at this threshold because more than ${p.maxComponentsForMass} connected components are needed to reach ${fractionText} of the total mask. Probably a smaller threshold will not cause this issue.`,
    );
  if (r.remainingAverageVolume > p.maxAverageBlobVolume)
    warnings.push(
      `There might be a problem with noise and artifacts, because the average noise blob has a volume of ${r.remainingAverageVolume.toFixed(6)} Å³.`,
    );
  if (r.overlap < p.minOverlap)
    warnings.push(
      `There might be a problem in the construction of the mask, because the overlap is smaller than ${p.minOverlap}. A common reason is that the suggested threshold causes too many disconnected components.`,
    );
  if (r.remainingComponents === 0 && mode === "default")
    notes.push(
      `No component is left outside the ${fractionText} set, so there is no noise blob to average and the blob-size test passes.`,
    );
  if (Number.isNaN(r.overlap) && mode === "default") {
    const reason = "The overlap between the raw and constructed masks is undefined.";
    return { status: "not-measured" as const, warnings, reason, notes: [...notes, reason], summarySentence: null };
  }
  return {
    status: warnings.length > 0 ? ("warnings" as const) : ("ok" as const),
    warnings,
    notes,
    summarySentence:
      warnings.length > 0
        ? "There seems to be a problem with the suggested threshold (see Sec. 0.b). "
        : "There is no problem with the suggested threshold. ",
  };
}
