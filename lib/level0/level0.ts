/**
 * The Level 0 report: builds the masks once, runs sections 0.a–0.h, and assembles score, abstract and warnings
 * the way VRS does (validationReport.py).
 *
 * For pages: `runLevel0(volume, { threshold, resolution, mode, parameters, figures, softMask, precomputed })` gives
 * the whole report. 0.e–0.g take seconds on large maps: a slider passes them (and 0.d, which does not depend on the
 * threshold) in `precomputed`, computed once at the entry's threshold.
 * `runLevel0WithWorkings` gives, beside the report, its working arrays (hard mask, input-figure data, local maps);
 * `sweep()` (lib/level0/sweep.ts) the verdicts over many thresholds;
 * `reportJson()` and `formatReport()` (lib/report/report-text.ts) the CLI's JSON and text.
 */
import type { CriteriaParameters } from "./criteria.js";
import { analysisContext, type AnalysisContext, type AnalysisInputOptions } from "../analysis-inputs.js";
import { AnalysisInputError } from "../errors.js";
import { inputFigures, type InputFigures } from "../report/figures.js";
import { hardMask, rawMaskThreshold, softMask, type HardMask } from "../masks/masks.js";
import { scoreOf, type AnalysisMode, type SectionId, type SectionResult } from "../report/report-types.js";
import {
  sectionIds, sectionTitle, spectralSectionIds, type Level0SectionId, type LocalSectionId, type SpectralSectionId,
} from "../section-registry.js";
import { centerOfMass, massFromExtent } from "./section-0a-mass.js";
import { massTable, maskSection, partialMaskCaution, type MassTableRow } from "./section-0b-mask.js";
import {
  backgroundResults, backgroundVerdict, type BackgroundSums,
} from "./section-0c-background.js";
import { bfactorSection } from "./section-0d-bfactor.js";
import { localResolutionSection } from "./section-0e-local-resolution.js";
import { localSections } from "./section-0f-locbfactor.js";
import { handSection } from "./section-0h-hand.js";
import { fixed } from "../report/format.js";
import { splitLocalMap, type LocalSection } from "./local-sections.js";
import type { LocalMapOutput } from "../local/local-stats.js";
import { readerStats } from "../io/mrc-reader.js";
import { mapValues } from "../masks/value-index.js";
import type { VoxelRuns } from "../masks/voxel-runs.js";
import type { Vec3, Volume } from "../io/volume.js";

/** Level 0's section ids in report order (lib/section-registry.ts). */
export { sectionIds };

export const emptyMaskMessage = "The mask obtained from the volume map is empty, try to lower the threshold value";
export const noResolutionNotice =
  "Some programs may not work properly since resolution parameter has not been reported.";

/**
 * Threshold, resolution and Ts with where each came from (named in errors), the recorded Ts, the mode and the memory
 * budget: see lib/analysis-inputs.ts. Ts defaults to the map's X voxel size (VRS uses a single size, pixel_spacing.x).
 */
export interface Level0Options extends Omit<AnalysisInputOptions, "computed">, Level0Run {
  parameters?: Partial<CriteriaParameters>;
}

/** What to compute, given the checked inputs. */
export interface Level0Run {
  /** Compute the input-figure data (adds a soft mask, which costs an FFT, when `softMask` is true). */
  figures?: boolean;
  softMask?: boolean;
  /**
   * Sections already computed for this map (the site keeps 0.d–0.h, computed once at the entry's threshold, across
   * slider moves). They are used as given (a local section's map goes to the workings); every other one is computed.
   */
  precomputed?: Partial<Record<Level0SectionId, SectionResult<object>>>;
  /**
   * Which of 0.d–0.h to compute (default: all). 0.e–0.g take seconds on a large map; a section left out is
   * reported as not measured, saying it was not requested. 0.a–0.c are always computed (they share the mask).
   */
  sections?: readonly Level0SectionId[];
  /** Called before each of 0.d–0.h is computed (the slow part), e.g. to show progress. */
  onSection?: (id: Level0SectionId, title: string) => void;
}

export interface Level0Input {
  shape: Vec3;
  /** Ts used by every section, Å. */
  voxelSize: number;
  threshold: number;
  resolution: number | null;
  /** NaN or ±Inf voxels, analysed as the mean of the finite ones (lib/analysis-inputs.ts finiteMap). */
  nonFiniteVoxels: number;
}

export interface Level0Report {
  input: Level0Input;
  mode: AnalysisMode;
  parameters: CriteriaParameters;
  sections: Record<Level0SectionId, SectionResult<object>>;
  score: { passed: number; evaluable: number };
  /** VRS's "Summarized overall quality" paragraph, one sentence per entry. */
  abstract: string[];
  /** Sections with warnings, in order (VRS's "Summary of the warnings across sections"). */
  warningsSummary: { id: SectionId; title: string; warnings: string[] }[];
  /** Remarks about the input (anisotropic voxels…). */
  inputWarnings: string[];
}

/** Sections the caller did not ask for, as not requested, so every report still has 0.a–0.h. */
function notRequested(requested: readonly Level0SectionId[]): Partial<Record<Level0SectionId, SectionResult<object>>> {
  const out: Partial<Record<Level0SectionId, SectionResult<object>>> = {};
  for (const id of spectralSectionIds)
    if (!requested.includes(id))
      out[id] = {
        id, title: sectionTitle(id), status: "not-requested", warnings: [], results: null, summarySentence: null,
        reason: `Not computed in this run (requested: ${requested.join(", ")})`,
      };
  return out;
}

/** 0.d–0.h, each computed only when not given; 0.f and 0.g share their resized map and bands. */
function spectralSections(
  o: AnalysisContext & { hardMask: HardMask },
  given: Partial<Record<Level0SectionId, SectionResult<object>>>,
  onSection: (id: Level0SectionId, title: string) => void = () => undefined,
): Record<SpectralSectionId, SectionResult<object>> {
  const { volume } = o;
  const common = { voxelSize: o.ts, threshold: o.threshold, resolution: o.resolution, mode: o.mode };
  const compute = <S extends SectionResult<object>>(id: SpectralSectionId, run: () => S): SectionResult<object> => {
    const ready = given[id];
    if (ready) return ready;
    onSection(id, sectionTitle(id));
    return run();
  };
  const wanted = { bfactor: given["0.f"] === undefined, occupancy: given["0.g"] === undefined };
  let local: ReturnType<typeof localSections> | undefined;
  const localSection = (id: "0.f" | "0.g") => {
    local ??= localSections(volume, common, wanted);
    return local[id];
  };
  return {
    "0.d": compute("0.d", () => bfactorSection(volume, common)),
    "0.e": compute("0.e", () => localResolutionSection(volume, { ...common, hardMask: o.hardMask.mask })),
    "0.f": compute("0.f", () => localSection("0.f")),
    "0.g": compute("0.g", () => localSection("0.g")),
    "0.h": compute("0.h", () => handSection({ resolution: o.resolution })),
  };
}

/** What runLevel0 computes besides the report: the arrays pages and figures draw from. */
export interface Level0Workings {
  hardMask: HardMask;
  /** With `figures: true`. */
  figures?: InputFigures;
  /** The local maps of 0.e–0.g, computed here or given with their sections in `precomputed`. */
  localMaps: Partial<Record<LocalSectionId, LocalMapOutput>>;
}

/** The report (what reportJson serialises); `runLevel0WithWorkings` gives its working arrays too. */
export function runLevel0(map: Volume, options: Level0Options): Level0Report {
  return runLevel0WithWorkings(map, options).report;
}

export function runLevel0WithWorkings(map: Volume, options: Level0Options): { report: Level0Report; workings: Level0Workings } {
  const given = options.precomputed ?? {};
  const computed = (options.sections ?? sectionIds).filter((id) => given[id] === undefined);
  return runLevel0InContext(analysisContext(map, { ...options, computed }), options);
}

/**
 * Level 0 on inputs checked by `analysisContext` (whose `computed` must cover the sections computed here: its memory
 * and Nyquist checks are not repeated).
 */
export function runLevel0InContext(context: AnalysisContext, options: Level0Run = {}): { report: Level0Report; workings: Level0Workings } {
  const { volume, ts, threshold, resolution, mode, parameters, warnings: inputWarnings } = context;

  const hard = hardMask(volume, threshold, { voxelSize: ts, mode });
  if (hard.voxels === 0) throw new AnalysisInputError("empty-mask", emptyMaskMessage);
  const rawThreshold = rawMaskThreshold(threshold, mode);
  const cached = thresholdIndependent(volume, ts, mode);

  // One pass over the mask's voxels serves 0.a (extent), 0.b (size, overlap) and 0.c (the background's sums are the
  // map's minus the mask's); one more counts the background's outliers, also as the map's minus the mask's.
  const m = measureHardMask(volume, hard.runs, rawThreshold, cached.sums.shift);
  const backgroundNumbers = backgroundBySubtraction(cached.sums, m, volume.data.length);
  const outlierLimit = parameters.outlierSigmas * Math.sqrt(backgroundNumbers.squaredDeviations / backgroundNumbers.n);
  let rawVoxels = 0;
  for (let l = 1; l <= hard.rawComponents.count; l++) rawVoxels += hard.rawComponents.sizes[l];
  const caution = partialMaskCaution(hard.largestComponentVoxels, rawVoxels, mode);
  const background = backgroundVerdict(
    backgroundResults(backgroundNumbers, backgroundOutliers(volume, hard.runs, outlierLimit), parameters.outlierSigmas),
    mode,
    parameters,
    caution,
  );
  const withMaps: Record<Level0SectionId, LocalSection> = {
    "0.a": massFromExtent([volume.nx, volume.ny, volume.nz], m.extent, cached.centerOfMass, ts, mode, parameters, caution),
    "0.b": maskSection({
      volume, threshold, rawThreshold, rawComponents: hard.rawComponents, ts, mode, parameters,
      massTable: cached.massTable,
      constructed: { constructedVoxels: m.constructed, overlap: m.both / rawVoxels },
    }),
    "0.c": background,
    ...spectralSections(
      { ...context, hardMask: hard },
      { ...(options.sections ? notRequested(options.sections) : {}), ...options.precomputed },
      options.onSection,
    ),
    ...options.precomputed,
  };
  const sections = {} as Record<Level0SectionId, SectionResult<object>>;
  const localMaps: Level0Workings["localMaps"] = {};
  for (const id of sectionIds) {
    const { numbers, localMap } = splitLocalMap(withMaps[id]);
    sections[id] = numbers;
    if (localMap) localMaps[id as LocalSectionId] = localMap;
  }

  let figures: InputFigures | undefined;
  if (options.figures) {
    figures = inputFigures({
      volume,
      rawThreshold,
      hardMask: hard.mask,
      softMask: options.softMask ? softMask(hard.mask, volume.nx, volume.ny, volume.nz) : undefined,
      outlierLimit,
    });
  }
  const report: Level0Report = {
    input: { shape: [volume.nx, volume.ny, volume.nz], voxelSize: ts, threshold, resolution, nonFiniteVoxels: context.nonFiniteVoxels },
    mode,
    parameters,
    sections,
    ...assemble(sections, resolution),
    inputWarnings,
  };
  return { report, workings: { hardMask: hard, figures, localMaps } };
}

/**
 * Numbers that do not depend on the threshold, kept per volume so that moving the threshold does not recompute
 * them. Volumes are treated as immutable: a volume whose data is changed in place must be a new object.
 */
interface PerVolume {
  centerOfMass: Vec3;
  sums: MapSums;
  massTables: Map<string, MassTableRow[]>;
}
const perVolume = new WeakMap<Volume, PerVolume>();

function thresholdIndependent(volume: Volume, ts: number, mode: AnalysisMode) {
  let entry = perVolume.get(volume);
  if (!entry) {
    entry = { centerOfMass: centerOfMass(volume), sums: mapSums(volume.data), massTables: new Map() };
    perVolume.set(volume, entry);
  }
  const key = `${mode} ${ts}`;
  let table = entry.massTables.get(key);
  if (!table) {
    table = massTable(volume, ts, mode);
    entry.massTables.set(key, table);
  }
  return { centerOfMass: entry.centerOfMass, sums: entry.sums, massTable: table };
}

/** Voxels of the map beyond the limit (|value| > limit) that are outside the mask: the map's minus the mask's. */
function backgroundOutliers(volume: Volume, mask: VoxelRuns, limit: number): number {
  const data = volume.data;
  let outliers = mapValues(data).countBeyond(limit);
  for (let r = 0; r < mask.runs; r++) for (let i = mask.first[r]; i <= mask.last[r]; i++) if (Math.abs(data[i]) > limit) outliers--;
  return outliers;
}

/**
 * Neumaier's compensated sum. The background's sums are differences of two large sums (map minus mask), so their
 * rounding errors must stay at the level of one addition, not of millions.
 */
export class CompensatedSum {
  // Plain field initialisers: with constructor parameter properties V8 runs `add` several times slower.
  private sum = 0;
  private compensation = 0;
  /** A sum and its compensation accumulated elsewhere (a hot loop keeps them in local variables). */
  static of(sum: number, compensation: number): CompensatedSum {
    const s = new CompensatedSum();
    s.sum = sum;
    s.compensation = compensation;
    return s;
  }
  add(x: number): void {
    const t = this.sum + x;
    this.compensation += Math.abs(this.sum) >= Math.abs(x) ? this.sum - t + x : x - t + this.sum;
    this.sum = t;
  }
  /** The sum with its compensation. */
  get value(): number {
    return this.sum + this.compensation;
  }
  /** this − other, each with its compensation. */
  minus(other: CompensatedSum): number {
    return this.sum - other.sum + (this.compensation - other.compensation);
  }
}

/** Sums of the map's values about their mean (`shift`), compensated. */
export interface MapSums {
  shift: number;
  sum: CompensatedSum;
  squares: CompensatedSum;
}

export function mapSums(data: Float32Array): MapSums {
  // The reader's mean of an all-finite map is the same sum, in the same order, over the same count.
  const stats = readerStats(data);
  const shift = stats?.finiteCount === data.length ? stats.mean : plainMean(data);
  const sum = new CompensatedSum(), squares = new CompensatedSum();
  for (let i = 0; i < data.length; i++) {
    const e = data[i] - shift;
    sum.add(e);
    squares.add(e * e);
  }
  return { shift, sum, squares };
}

function plainMean(data: Float32Array): number {
  let total = 0;
  for (let i = 0; i < data.length; i++) total += data[i];
  return total / data.length;
}

/** What the report needs from the hard mask, in one pass over its voxels. */
export interface HardMaskNumbers {
  extent: { first: Vec3; last: Vec3 } | null;
  constructed: number;
  /** Voxels in the hard mask and at or above the raw threshold. */
  both: number;
  /** Compensated sums of (value − shift) and its square over the mask. */
  sum: CompensatedSum;
  squares: CompensatedSum;
}

function measureHardMask(volume: Volume, mask: VoxelRuns, rawThreshold: number, shift: number): HardMaskNumbers {
  const { nx, ny, data } = volume;
  const { runs, first, last } = mask;
  if (runs === 0) return { extent: null, constructed: 0, both: 0, sum: new CompensatedSum(), squares: new CompensatedSum() };
  // The runs are in raster order: z runs from the first's to the last's, y and x are tracked per run.
  const z0 = Math.floor(first[0] / (nx * ny)), z1 = Math.floor(last[runs - 1] / (nx * ny));
  let x0 = nx, x1 = -1, y0 = ny, y1 = -1;
  let constructed = 0, both = 0;
  // Neumaier sums of (d − shift) and its square, inlined (see CompensatedSum): ≈8 % of a 160³ slider step.
  let sum = 0, sumCompensation = 0, squares = 0, squaresCompensation = 0;
  for (let r = 0; r < runs; r++) {
    const row = (first[r] / nx) | 0;
    const y = row % ny, rowStart = row * nx;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
    if (first[r] - rowStart < x0) x0 = first[r] - rowStart;
    if (last[r] - rowStart > x1) x1 = last[r] - rowStart;
    constructed += last[r] - first[r] + 1;
    for (let i = first[r]; i <= last[r]; i++) {
      const d = data[i];
      if (d >= rawThreshold) both++;
      const e = d - shift;
      let t = sum + e;
      sumCompensation += Math.abs(sum) >= Math.abs(e) ? sum - t + e : e - t + sum;
      sum = t;
      const e2 = e * e;
      t = squares + e2;
      squaresCompensation += squares >= e2 ? squares - t + e2 : e2 - t + squares;
      squares = t;
    }
  }
  return {
    extent: { first: [x0, y0, z0], last: [x1, y1, z1] },
    constructed,
    both,
    sum: CompensatedSum.of(sum, sumCompensation),
    squares: CompensatedSum.of(squares, squaresCompensation),
  };
}

/**
 * The background's sums (outside the mask) as the map's minus the mask's (the report's and the sweep's). A squared
 * deviation within the rounding of that difference (a few ulps of the two sums of squares) is taken as 0: a constant
 * background beside a mask left ~1e-9 of σ and passed 0.c instead of reading as constant.
 */
export function backgroundBySubtraction(
  whole: MapSums,
  mask: { constructed: number; sum: CompensatedSum; squares: CompensatedSum },
  voxels: number,
): BackgroundSums {
  const n = voxels - mask.constructed;
  const shiftedSum = whole.sum.minus(mask.sum);
  const difference = whole.squares.minus(mask.squares) - (shiftedSum * shiftedSum) / n;
  const rounding = 8 * Number.EPSILON * (whole.squares.value + mask.squares.value);
  const squaredDeviations = difference > rounding ? difference : 0;
  return { n, sum: shiftedSum + n * whole.shift, squaredDeviations };
}

/** The median of a measured local-resolution section (0.e, 1.c, 1.e): one of VRS's resolution estimates. */
export function measuredMedian(section: SectionResult<object>): number[] {
  const median = (section.results as { median?: number } | null)?.median;
  const measured = section.status === "ok" || section.status === "warnings";
  return measured && median !== undefined && Number.isFinite(median) ? [median] : [];
}

/**
 * VRS's sentence on the resolution estimates (at Level 0 only the local-resolution median, from 0.e), with its
 * numbers to one decimal (VRS pads them to four characters, "%4.1f"; mapval does not); null when there is no estimate.
 */
function resolutionEstimatesSentence(estimates: readonly number[], resolution: number | null): string | null {
  if (estimates.length === 0) return null;
  const mean = estimates.reduce((a, b) => a + b, 0) / estimates.length;
  let sentence =
    `The average resolution of the map estimated by various methods goes from ${fixed(Math.min(...estimates), 1)}Å ` +
    `to ${fixed(Math.max(...estimates), 1)}Å with an average of ${fixed(mean, 1)}Å.`;
  sentence +=
    resolution === null
      ? " The resolution was not reported by the user."
      : ` The resolution reported by the user was ${fixed(resolution, 1)}Å.`;
  if (resolution !== null && resolution < 0.8 * mean) sentence += " The resolution reported may be overestimated.";
  return sentence;
}

/** Score, abstract and warnings summary of Level 0's sections, as VRS writes them. */
export function assemble(sections: Record<Level0SectionId, SectionResult<object>>, resolution: number | null) {
  return assembleSections(sectionIds.map((id) => sections[id]), measuredMedian(sections["0.e"]), resolution);
}

/**
 * Score, abstract and warnings summary from sections in report order (one or both levels) and the resolution
 * estimates they gave, as VRS writes them: one score over every evaluable item.
 */
export function assembleSections(ordered: readonly SectionResult<object>[], estimates: readonly number[], resolution: number | null) {
  const score = scoreOf(ordered);
  const abstract = ordered.flatMap((s) => (s.summarySentence ? [s.summarySentence.trim()] : []));
  const resolutionSentence = resolutionEstimatesSentence(estimates, resolution);
  if (resolutionSentence !== null) abstract.push(resolutionSentence);
  abstract.push(`The overall score (passing tests) of this report is ${score.passed} out of ${score.evaluable} evaluable items.`);
  if (resolution === null) abstract.push(noResolutionNotice);
  const warningsSummary = ordered
    .filter((s) => s.warnings.length > 0)
    .map((s) => ({ id: s.id, title: s.title, warnings: s.warnings }));
  return { score, abstract, warningsSummary };
}
