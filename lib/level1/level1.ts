/**
 * The Level 1 report: sections 1.a–1.h from two half maps, run one after the other, and the report that combines
 * them with Level 0's (VRS's single score over both levels).
 *
 * For callers: `runLevel1(half1, half2, { threshold, resolution, hardMask, softMask })` with Level 0's masks of the
 * primary map at the threshold (runLevel0WithWorkings gives the hard mask; `softMask` of lib/masks/masks.ts the soft
 * one); without them the masks are made from the average of the halves at the threshold. `runLevel1With(executor, …)`
 * computes 1.e's MonoRes bands and 1.a's FFTs with a band executor (worker threads, lib/local/bands.ts). `combineReports(level0,
 * level1)` gives the report `reportJson` and `formatReport` (lib/report/report-text.ts) write. A threshold move
 * recomputes only 1.a's masked and corrected FSC: `maskedFscAtThreshold`. Where each rule comes from:
 * docs/reference/level1.md.
 */
import { checkResolution, finiteMap, nonFiniteWarning, type FiniteMap, type Sourced } from "../analysis-inputs.js";
import { AnalysisInputError } from "../errors.js";
import { hardMask as makeHardMask, softMask as makeSoftMask } from "../masks/masks.js";
import { assembleSections, emptyMaskMessage, measuredMedian, type Level0Report } from "../level0/level0.js";
import { splitLocalMap, type LocalSection } from "../level0/local-sections.js";
import type { LocalMapOutput } from "../local/local-stats.js";
import type { AnalysisMode, SectionId, SectionResult } from "../report/report-types.js";
import {
  level1SectionIds, sectionIdsIn, sectionTitle, type Level0SectionId, type Level1SectionId,
} from "../section-registry.js";
import { directionalFsc, fsc3dSection, fsoSection, type DirectionalFscResult } from "./directional-fsc.js";
import { fdrFsc, fdrFscSection } from "./fdr-fsc.js";
import {
  checkHalfMaps, DEFAULT_FSC_SEED, fscAnalysis, fscAnalysisWith, fscSection, fscWithMask, maskedHalfMapCheck, type FscResult, type FscSectionResults,
  type FscUnmaskedPart,
} from "./fsc.js";
import { halfMapFigures, type HalfMapFigures } from "./level1-figures.js";
import { averageOf, halfMapLocalResolutionSection, halfMapLocalResolutionSectionWith, localFscSection } from "./level1-local.js";
import type { BandExecutor } from "../local/bands.js";
import { monodirSection, resmapSection, type Level1SectionResult } from "./level1-sections.js";
import type { Vec3, Volume } from "../io/volume.js";

export interface Level1Options {
  /** The visualisation threshold of the primary map: Level 0's masks are made there. */
  threshold: number;
  /** Reported resolution (Å), or null: the sections that compare with it then do not apply. */
  resolution?: number | null;
  resolutionSource?: string;
  mode?: AnalysisMode;
  /** Ts (Å) instead of half 1's header. */
  voxelSize?: number;
  voxelSizeSource?: string;
  /** Level 0's hard mask (1/0 per voxel) of the primary map at the threshold: 1.c and 1.e analyse its voxels. */
  hardMask?: Uint8Array;
  /** Level 0's soft mask (values in [0, 1]) of the primary map at the threshold: 1.a's masked FSC, 1.b, 1.g and 1.h. */
  softMask?: Float32Array;
  /** A mask volume (values in [0, 1], the halves' grid) replacing the soft mask, e.g. the user's own. */
  userMask?: Volume;
  /** Which of 1.a–1.h to compute (default all); the others are reported as not requested. */
  sections?: readonly Level1SectionId[];
  /** Sections already computed for these halves, masks and options: used as given (a local map goes to the workings). */
  precomputed?: Partial<Record<Level1SectionId, LocalSection>>;
  /** Seed of 1.a's phase randomisation and 1.b's permutations (default: each one's own, 1 and 3). */
  seed?: number;
  /** Compute the half-map input figures (max-variance slices of each half and of their difference). */
  figures?: boolean;
  /** Called before each section is computed, e.g. to show progress. */
  onSection?: (id: Level1SectionId, title: string) => void;
  /**
   * 1.a's mask-independent part for these halves, mode, seed and Ts, kept from an earlier run (`fscUnmaskedPart`):
   * 1.a then costs four forward FFTs instead of eight, as on a page's threshold move.
   */
  fscPart?: FscUnmaskedPart;
}

export interface Level1Input {
  shape: Vec3;
  voxelSize: number;
  /** Which mask the masked sections used: Level 0's soft mask at the threshold, or the user's. */
  mask: "level0-soft" | "user";
  /** NaN or ±Inf voxels of each half, analysed as that half's finite mean. */
  nonFiniteVoxels: [number, number];
}

export interface Level1Report {
  input: Level1Input;
  sections: Record<Level1SectionId, SectionResult<object>>;
  /** Remarks about the halves (masked halves, non-finite voxels). */
  inputWarnings: string[];
  /** With `figures: true`. */
  figures?: HalfMapFigures;
}

/** What runLevel1 computes besides the report: the local maps of 1.c and 1.e (for pages). */
export interface Level1Workings {
  localMaps: Partial<Record<"1.c" | "1.e", LocalMapOutput>>;
}

export function runLevel1(half1: Volume, half2: Volume, options: Level1Options): Level1Report {
  return runLevel1WithWorkings(half1, half2, options).report;
}

/** The inputs every section shares, checked once before any section runs. */
interface Level1Context {
  /** The halves with non-finite voxels replaced (finiteMap). */
  half1: Volume;
  half2: Volume;
  nonFiniteVoxels: [number, number];
  inputWarnings: string[];
  ts: number;
  voxelSize: Sourced;
  resolution: number | null;
  threshold: number;
  mode: AnalysisMode;
  hardMask: Uint8Array;
  /** The soft mask, or the user's mask, as a volume on the halves' grid. */
  mask: Volume;
  maskKind: Level1Input["mask"];
  requested: readonly Level1SectionId[];
}

/** What every Level 1 run checks of its inputs before any mask is made (`level1Inputs`). */
export interface Level1Inputs {
  ts: number;
  /** Ts and where it is from (the option's source, or half map 1's header). */
  voxelSize: Sourced;
  resolution: number | null;
  /** Each half with its non-finite voxels replaced by its finite mean (finiteMap), as Level 0 does. */
  finite: [FiniteMap, FiniteMap];
}

/**
 * The inputs `runLevel1` and `maskedFscAtThreshold` share, checked once: the halves against each other (and `mask`,
 * a mask volume given on their grid), Ts, the reported resolution, and the masks given by length; no mask is made here.
 */
export function level1Inputs(
  half1: Volume,
  half2: Volume,
  options: Pick<Level1Options, "resolution" | "resolutionSource" | "voxelSize" | "voxelSizeSource" | "hardMask" | "softMask">,
  mask?: Volume,
): Level1Inputs {
  const override = options.voxelSize === undefined ? undefined : { value: options.voxelSize, source: options.voxelSizeSource ?? "the voxelSize option" };
  const n = half1.data.length;
  for (const [name, given] of [["hard", options.hardMask], ["soft", options.softMask]] as const)
    if (given && given.length !== n)
      throw new AnalysisInputError("mask-shape-mismatch", `the ${name} mask has ${given.length} voxels, the half maps ${n}`);
  const ts = checkHalfMaps(half1, half2, { voxelSize: override, mask });
  const voxelSize: Sourced = override ?? { value: ts, source: "half map 1's header" };
  const resolution = checkResolution(options.resolution ?? null, ts, options.resolutionSource ?? "the resolution option");
  return { ts, voxelSize, resolution, finite: [finiteMap(half1), finiteMap(half2)] };
}

function level1Context(half1: Volume, half2: Volume, options: Level1Options): Level1Context {
  const mode = options.mode ?? "default";
  // The mask the masked sections use, when given, is checked as maskedFscAtThreshold checks it (values in [0, 1]).
  const givenMask = options.userMask ?? (options.softMask && { ...half1, data: options.softMask });
  const { ts, voxelSize, resolution, finite: [finite1, finite2] } = level1Inputs(half1, half2, options, givenMask);
  const clean1 = finite1.volume, clean2 = finite2.volume;
  // Without Level 0's hard mask, it is made as Level 0 makes it, from the average of the halves.
  const hard = options.hardMask ?? makeHardMask({ ...half1, data: averageOf(clean1, clean2) }, options.threshold, { voxelSize: ts, mode }).mask;
  if (!hard.some((v) => v !== 0)) throw new AnalysisInputError("empty-mask", emptyMaskMessage);
  const mask: Volume = options.userMask ?? { ...half1, data: options.softMask ?? makeSoftMask(hard, half1.nx, half1.ny, half1.nz) };
  const requested = options.sections ?? level1SectionIds;
  const unknown = requested.filter((id) => !level1SectionIds.includes(id));
  if (unknown.length > 0) throw new AnalysisInputError("unknown-section", `not Level 1 sections: ${unknown.join(", ")}`);
  return {
    half1: clean1, half2: clean2, nonFiniteVoxels: [finite1.nonFiniteVoxels, finite2.nonFiniteVoxels],
    inputWarnings: halfMapWarnings(finite1, finite2, ts), ts, voxelSize, resolution, threshold: options.threshold, mode, hardMask: hard, mask,
    maskKind: options.userMask ? "user" : "level0-soft", requested,
  };
}

export function runLevel1WithWorkings(
  half1: Volume,
  half2: Volume,
  options: Level1Options,
): { report: Level1Report; workings: Level1Workings } {
  return runLevel1InContext(level1Context(half1, half2, options), options);
}

/**
 * `runLevel1WithWorkings` with 1.e's MonoRes bands and 1.a's FFTs (`fscAnalysisWith`, unless `fscPart` is given)
 * computed by `executor` (e.g. worker threads): 1.e runs first, then 1.a, then the other sections in order. The
 * numbers are runLevel1's.
 */
export async function runLevel1With(
  executor: BandExecutor,
  half1: Volume,
  half2: Volume,
  options: Level1Options,
): Promise<{ report: Level1Report; workings: Level1Workings }> {
  const c = level1Context(half1, half2, options);
  const precomputed = { ...options.precomputed };
  if (c.requested.includes("1.e") && !precomputed["1.e"]) {
    options.onSection?.("1.e", sectionTitle("1.e"));
    precomputed["1.e"] = await halfMapLocalResolutionSectionWith(executor, c.half1, c.half2, localOptions(c));
  }
  if (c.requested.includes("1.a") && !precomputed["1.a"] && !options.fscPart) {
    options.onSection?.("1.a", sectionTitle("1.a"));
    const fsc = await fscAnalysisWith(executor, c.half1, c.half2, { mask: c.mask, mode: c.mode, seed: options.seed, voxelSize: c.voxelSize });
    precomputed["1.a"] = fscSection(fsc, c.resolution);
  }
  return runLevel1InContext(c, { ...options, precomputed });
}

function localOptions(c: Level1Context) {
  return { threshold: c.threshold, resolution: c.resolution, voxelSize: c.voxelSize, mode: c.mode, hardMask: c.hardMask };
}

function runLevel1InContext(c: Level1Context, options: Level1Options): { report: Level1Report; workings: Level1Workings } {
  const onSection = options.onSection ?? (() => undefined);
  const local = localOptions(c);
  let directional: DirectionalFscResult | undefined;
  const directionalResult = () => (directional ??= directionalFsc(c.half1, c.half2, { mask: c.mask, mode: c.mode, voxelSize: c.voxelSize }));
  const compute: Record<Level1SectionId, () => LocalSection> = {
    "1.a": () => fscSection(maskedFsc(c.half1, c.half2, c.mask, { ...c, seed: options.seed, part: options.fscPart }), c.resolution),
    "1.b": () => fdrFscSection(fdrFsc(c.half1, c.half2, { mask: c.mask, mode: c.mode, seed: options.seed, voxelSize: c.voxelSize }), c.resolution),
    "1.c": () => localFscSection(c.half1, c.half2, local),
    "1.d": resmapSection,
    "1.e": () => halfMapLocalResolutionSection(c.half1, c.half2, local),
    "1.f": monodirSection,
    "1.g": () => fsoSection(directionalResult(), c.resolution),
    "1.h": () => fsc3dSection(directionalResult(), c.resolution),
  };
  const sections = {} as Record<Level1SectionId, SectionResult<object>>;
  const localMaps: Level1Workings["localMaps"] = {};
  for (const id of level1SectionIds) {
    if (!c.requested.includes(id)) {
      sections[id] = notRequested(id, c.requested);
      continue;
    }
    const given = options.precomputed?.[id];
    if (!given) onSection(id, sectionTitle(id));
    const { numbers, localMap } = splitLocalMap(given ?? compute[id]());
    sections[id] = numbers;
    if (localMap && (id === "1.c" || id === "1.e")) localMaps[id] = localMap;
  }
  const report: Level1Report = {
    input: {
      shape: [c.half1.nx, c.half1.ny, c.half1.nz], voxelSize: c.ts, mask: c.maskKind, nonFiniteVoxels: c.nonFiniteVoxels,
    },
    sections,
    inputWarnings: c.inputWarnings,
    ...(options.figures && { figures: halfMapFigures(c.half1, c.half2) }),
  };
  return { report, workings: { localMaps } };
}

function notRequested(id: Level1SectionId, requested: readonly Level1SectionId[]): SectionResult<object> {
  return {
    id, title: sectionTitle(id), status: "not-requested", warnings: [], results: null, summarySentence: null,
    reason: `Not computed in this run (requested: ${requested.join(", ")})`,
  };
}

/**
 * The last halfMapWarnings of each half map 1 (the volume as given), with the half map 2 and Ts they were of: they do
 * not depend on the threshold, and a page's threshold moves run Level 1 again on the same halves.
 */
const knownHalfMapWarnings = new WeakMap<Volume, { half2: Volume; ts: number; warnings: string[] }>();

/** The masked-half check of each half and their non-finite voxels, labelled "half map 1"/"half map 2". */
function halfMapWarnings(half1: FiniteMap, half2: FiniteMap, ts: number): string[] {
  const known = knownHalfMapWarnings.get(half1.volume);
  if (known && known.half2 === half2.volume && known.ts === ts) return [...known.warnings];
  const warnings: string[] = [];
  for (const [label, half] of [["half map 1", half1], ["half map 2", half2]] as const) {
    const masked = maskedHalfMapCheck(half.volume, label, ts).warning;
    if (masked) warnings.push(masked);
    const nonFinite = nonFiniteWarning(half);
    if (nonFinite) warnings.push(`${label}: ${nonFinite}`);
  }
  knownHalfMapWarnings.set(half1.volume, { half2: half2.volume, ts, warnings: [...warnings] });
  return warnings;
}

/**
 * 1.a at another threshold: the masked and corrected FSC with the soft mask made there (values in [0, 1], the halves'
 * grid); the unmasked FSC, DPR and SSNR do not depend on it. The same section `runLevel1` gives with that soft mask.
 */
export function maskedFscAtThreshold(
  half1: Volume,
  half2: Volume,
  softMask: Float32Array,
  options: Pick<Level1Options, "resolution" | "resolutionSource" | "mode" | "voxelSize" | "voxelSizeSource" | "seed" | "fscPart"> = {},
): Level1SectionResult<FscSectionResults> {
  const mask: Volume = { ...half1, data: softMask };
  const { ts, voxelSize, resolution, finite: [finite1, finite2] } = level1Inputs(half1, half2, { ...options, softMask }, mask);
  const result = maskedFsc(finite1.volume, finite2.volume, mask, { mode: options.mode ?? "default", seed: options.seed, voxelSize, ts, part: options.fscPart });
  return fscSection(result, resolution);
}

/**
 * 1.a's FSC with `mask`: from `part` when one is given (it must be of these halves, mode, seed and Ts: a part of
 * other options throws), else computed whole (fscAnalysis). The numbers are the same either way (test/fsc-part.test.ts).
 */
function maskedFsc(
  half1: Volume,
  half2: Volume,
  mask: Volume,
  o: { mode: AnalysisMode; seed?: number; voxelSize?: Sourced; ts: number; part?: FscUnmaskedPart },
): FscResult {
  const { part } = o;
  if (!part) return fscAnalysis(half1, half2, { mask, mode: o.mode, seed: o.seed, voxelSize: o.voxelSize });
  const seed = o.seed ?? DEFAULT_FSC_SEED;
  if (part.mode !== o.mode || part.seed !== seed || part.voxelSize !== o.ts || part.half1.data.length !== half1.data.length)
    throw new RangeError(
      `the FSC part is of ${part.mode} mode, seed ${part.seed}, Ts ${part.voxelSize} Å and ${part.half1.data.length} voxels; ` +
        `this 1.a is of ${o.mode}, ${seed}, ${o.ts} Å and ${half1.data.length}`,
    );
  return fscWithMask(part, mask);
}

/** Level 0 and Level 1 in one report: the sections of both in registry order, one score, one abstract. */
export interface CombinedReport extends Omit<Level0Report, "sections"> {
  sections: Record<Level0SectionId, SectionResult<object>> & Record<Level1SectionId, SectionResult<object>>;
  level1: Pick<Level1Report, "input" | "figures">;
}

/** The resolution estimates a Level 1 section gives VRS's abstract ("goes from … to …"). */
function level1Estimates(sections: Record<Level1SectionId, SectionResult<object>>): number[] {
  // An estimate counts when its section measured it, with or without a reported resolution to compare it with.
  const measured = (s: SectionResult<object>) => s.results !== null && s.status !== "not-measured" && s.status !== "not-requested";
  const value = (id: Level1SectionId, key: string): number[] => {
    const s = sections[id];
    const v = (s.results as Record<string, unknown> | null)?.[key];
    return measured(s) && typeof v === "number" && Number.isFinite(v) ? [v] : [];
  };
  const fsc = sections["1.a"];
  const fscEstimates = measured(fsc) ? ((fsc.results as { resolutionEstimates?: number[] } | null)?.resolutionEstimates ?? []) : [];
  return [
    ...fscEstimates,
    ...value("1.b", "FDRResolution"),
    ...measuredMedian(sections["1.c"]),
    ...measuredMedian(sections["1.e"]),
    ...value("1.g", "FSOresolution"),
    ...value("1.h", "FSC3DresolutionGlobal"),
  ];
}

/**
 * The report of both levels: Level 0's input, mode and parameters, the sections 0.a–0.h then 1.a–1.h, and the score,
 * abstract and warnings summary over both (VRS's single "N out of M evaluable items"). The abstract's resolution
 * range takes 0.e's median and every Level 1 estimate.
 */
export function combineReports(level0: Level0Report, level1: Level1Report): CombinedReport {
  const sections = { ...level0.sections, ...level1.sections };
  const ordered = sectionIdsIn(sections).map((id: SectionId) => sections[id]);
  const estimates = [...measuredMedian(level0.sections["0.e"]), ...level1Estimates(level1.sections)];
  return {
    ...level0,
    sections,
    ...assembleSections(ordered, estimates, level0.input.resolution),
    inputWarnings: [...level0.inputWarnings, ...level1.inputWarnings],
    level1: { input: level1.input, ...(level1.figures && { figures: level1.figures }) },
  };
}
