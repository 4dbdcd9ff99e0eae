/**
 * The site's data for one configured entry, computed by the kernel in Node: the report at the entry's threshold
 * (author's contour, or the configured fallback, flagged), the sections the page does not recompute live (0.d–0.h,
 * for both modes), the threshold sweep, the tables as Arrow, the copy of the map the page draws its figures from
 * (downsampled above 160³ voxels) and, when that copy is coarser, the map at full size, which the page fetches when it
 * first needs live numbers (pageVolumes). An entry with half maps also gets Level 1 in both modes (entryLevel1): the
 * report is then both levels', and the halves are written for the page's live masked FSC (fetched with the full map
 * when the page's copy is coarser).
 *
 * Run as a script (`--id=<entry> --out=<dir>`) it writes those files into <dir>; src/data/entries.zip.ts runs one
 * such process per entry and packs the directories into the site's archive.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { tableFromJSON, tableToIPC } from "apache-arrow";
import type { BandExecutor } from "../../lib/local/bands.js";
import { analysisContext, analysisInputs } from "../../lib/analysis-inputs.js";
import { downsample, downsampleFactor } from "../../lib/fourier/downsample.js";
import { chooseThreshold, levelKeepingFraction } from "../../lib/entries.js";
import { fullestMaskPlanes, maxVarianceSlices, slice, type Axis, type AxisImages } from "../../lib/report/figures.js";
import type { HalfMapFigures } from "../../lib/level1/level1-figures.js";
import { runLevel0InContext, type Level0Report } from "../../lib/level0/level0.js";
import { computeLocalSections, splitLocalMap, type LocalSection } from "../../lib/level0/local-sections.js";
import type { LocalMapOutput } from "../../lib/local/local-stats.js";
import { hardMask } from "../../lib/masks/masks.js";
import { readMap } from "../../lib/io/mrc-reader.js";
import {
  componentRows, guinierRows, histogramRows, massTableRows, summaryRows, sweepRows,
} from "../../lib/report/report-tables.js";
import { halfMapFileWarnings, reportJson } from "../../lib/report/report-text.js";
import type { AnalysisMode, SectionResult } from "../../lib/report/report-types.js";
import { localSectionIds, sectionIds, spectralSectionIds, type Level0SectionId } from "../../lib/section-registry.js";
import type { MaskResults } from "../../lib/level0/section-0b-mask.js";
import { bfactorCorrectedMap, bfactorSection, type BFactorResults } from "../../lib/level0/section-0d-bfactor.js";
import { handSection } from "../../lib/level0/section-0h-hand.js";
import { sweep } from "../../lib/level0/sweep.js";
import type { Volume } from "../../lib/io/volume.js";
import { withBandPool } from "../workers/band-pool.js";
import { parseEmdbXml, type EmdbMetadata } from "../emdb/emdb-metadata.js";
import { loadEntry, loadHalfMaps, type ResolvedEntry } from "../emdb/resolve-entry.js";
import { combineReports, runLevel1With, type Level1Report, type Level1Workings } from "../../lib/level1/level1.js";
import { softMask } from "../../lib/masks/masks.js";
import { checkHalfMaps, checkHalvesAgainstMap } from "../../lib/level1/fsc.js";
import { AnalysisInputError } from "../../lib/errors.js";
import type { HalfMapFiles } from "../../lib/report/report-text.js";
import { level1SectionIds, type Level1SectionId } from "../../lib/section-registry.js";
import { siteEntriesPath } from "./site-entries.js";

/** Thresholds in the sweep behind the verdict-vs-threshold chart. */
export const SWEEP_THRESHOLDS = 100;
const MODES: AnalysisMode[] = ["default", "vrs-compat"];

type Sections = Partial<Record<Level0SectionId, LocalSection>>;

/** One line of the index page. */
export interface IndexRow {
  id: string;
  emdb: string | null;
  title: string | null;
  /** The configuration's `simulated` flag: the index labels the entry. */
  simulated: boolean;
  resolution: number | null;
  voxelSize: number;
  shape: [number, number, number];
  threshold: number;
  thresholdFromAuthors: boolean;
  thresholdExplanation: string;
  passed: number;
  evaluable: number;
  statuses: Record<Level0SectionId, string>;
  /** 1.a–1.h's statuses for an entry with half maps, else null (`passed`/`evaluable` then count Level 0 only). */
  level1Statuses: Record<Level1SectionId, string> | null;
  downsampleFactor: number;
}

/**
 * 0.d–0.h, which do not move with the slider (0.d and 0.h do not depend on the threshold; 0.e–0.g are computed at
 * the entry's threshold), per mode. 0.e–0.g have their bands computed on worker threads (`executor`); 0.e is computed
 * again for vrs-compat only when that mode's hard mask differs.
 */
async function precomputedSections(
  executor: BandExecutor,
  volume: Volume,
  threshold: number,
  resolution: number | null,
  ts: number,
) {
  const out = {} as Record<AnalysisMode, Sections>;
  const hardMasks = {} as Record<AnalysisMode, Uint8Array>;
  let defaultMask: Uint8Array | null = null;
  for (const mode of MODES) {
    const mask = hardMask(volume, threshold, { voxelSize: ts, mode }).mask;
    const sameMask = defaultMask !== null && mask.every((v, i) => v === defaultMask![i]);
    const options = { voxelSize: ts, threshold, resolution, mode, hardMask: mask };
    const local = await computeLocalSections(executor, volume, options, sameMask ? ["0.f", "0.g"] : localSectionIds);
    out[mode] = {
      "0.d": bfactorSection(volume, { voxelSize: ts, resolution, mode }),
      "0.e": sameMask ? out.default["0.e"] : local["0.e"],
      "0.f": local["0.f"],
      "0.g": local["0.g"],
      "0.h": handSection({ resolution }),
    };
    hardMasks[mode] = mask;
    defaultMask ??= mask;
  }
  return { sections: out, hardMasks };
}

/**
 * Three slices of a local map for its page, through the planes where its mask is widest (fullestMaskPlanes): null
 * outside the mask the statistics are over and where the value is not finite, values to 5 significant digits.
 */
export function localSlices(local: LocalMapOutput) {
  const { volume, mask } = local;
  const { nx, ny, nz } = volume;
  const planes = fullestMaskPlanes(mask, nx, ny, nz);
  const images = {} as Record<Axis, { width: number; height: number; index: number; data: (number | null)[] }>;
  for (const axis of ["x", "y", "z"] as const) {
    const index = planes[axis];
    // Slice, then mask: masking the whole map first would copy a box per local map.
    const image = slice(volume.data, nx, ny, nz, axis, index);
    const inMask = slice(mask, nx, ny, nz, axis, index).data;
    images[axis] = {
      width: image.width, height: image.height, index,
      data: Array.from(image.data, (v, i) => (inMask[i] && Number.isFinite(v) ? +v.toPrecision(5) : null)),
    };
  }
  return { shape: [nx, ny, nz], voxelSize: volume.voxelSize?.[0] ?? null, slices: images };
}

/**
 * What the page's header shows from EMDB: authors, deposition date and the entry's EMDB page. The metadata is the
 * one the entry was resolved with, else the header XML stored beside the map as <accession>.xml (data/maps/emd-1997.xml).
 */
export function emdbHeader(entry: Pick<ResolvedEntry, "emdbId" | "path" | "emdbMetadata">) {
  if (entry.emdbId === null) return null;
  let metadata: EmdbMetadata | null = entry.emdbMetadata;
  const headerXml = join(dirname(entry.path), `${entry.emdbId.toLowerCase()}.xml`);
  if (metadata === null && existsSync(headerXml)) metadata = parseEmdbXml(readFileSync(headerXml, "utf8"), entry.emdbId);
  return {
    url: `https://www.ebi.ac.uk/emdb/${entry.emdbId}`,
    authors: metadata?.authors ?? [],
    depositionDate: metadata?.depositionDate ?? null,
  };
}

/**
 * 0.d's figure under the Guinier plot: the max-variance slices of the B-factor corrected map, values to 5 significant
 * digits; null when no B was measured.
 */
export function bfactorCorrectedSlices(volume: Volume, section: SectionResult<object>, voxelSize: number, resolution: number | null) {
  const B = (section.results as BFactorResults | null)?.B ?? null;
  if (B === null || resolution === null) return null;
  const corrected = bfactorCorrectedMap(volume, { voxelSize, resolution, B });
  const slices = maxVarianceSlices(corrected.data, corrected.nx, corrected.ny, corrected.nz);
  return Object.fromEntries(
    (["x", "y", "z"] as const).map((axis) => {
      const { width, height, index, data } = slices[axis];
      return [axis, pageImage({ width, height, index, data })];
    }),
  ) as Record<Axis, { width: number; height: number; index: number; data: number[] }>;
}

/** An image for report.json: values to 5 significant digits in a plain array (a Float32Array would be an object). */
export function pageImage<T extends { data: ArrayLike<number> }>(image: T): Omit<T, "data"> & { data: number[] } {
  return { ...image, data: Array.from(image.data, (v) => +v.toPrecision(5)) };
}

/** The half maps' input figures (max-variance slices of each half and of their difference) as pageImage images. */
export function halfMapPageFigures(figures: HalfMapFigures) {
  const images = (slices: AxisImages) => Object.fromEntries((["x", "y", "z"] as const).map((axis) => [axis, pageImage(slices[axis])]));
  return { half1: images(figures.half1), half2: images(figures.half2), difference: images(figures.difference) };
}

/** Longest side of the local-map copy that colours the page's surface views (64³ float32 = 1 MiB at most). */
export const LOCAL_SURFACE_SIDE = 64;

/**
 * A local map for colouring the page's isosurface views: every `stride`-th voxel on each axis, so that no side exceeds
 * LOCAL_SURFACE_SIDE, NaN outside the mask; `voxelSize` is the copy's (stride × the local map's).
 */
export function localSurfaceGrid(local: LocalMapOutput, maxSide = LOCAL_SURFACE_SIDE) {
  const { volume, mask } = local;
  const { nx, ny, nz } = volume;
  const stride = Math.max(1, Math.ceil(Math.max(nx, ny, nz) / maxSide));
  const [sx, sy, sz] = [nx, ny, nz].map((n) => Math.ceil(n / stride));
  const values = new Float32Array(sx * sy * sz);
  for (let z = 0, i = 0; z < sz; z++)
    for (let y = 0; y < sy; y++)
      for (let x = 0; x < sx; x++, i++) {
        const at = stride * x + nx * (stride * y + ny * stride * z);
        values[i] = mask[at] ? volume.data[at] : NaN;
      }
  const voxelSize = volume.voxelSize === null ? null : volume.voxelSize[0] * stride;
  return { shape: [sx, sy, sz] as [number, number, number], voxelSize, values };
}

/** What the page and the index need of an entry's Level 1 (entryLevel1). */
export interface EntryLevel1 {
  /** Per mode; null without half maps. */
  reports: Record<AnalysisMode, Level1Report> | null;
  /** The default mode's (its local maps are the page's figures). */
  workings: Level1Workings | null;
  /** For reportJson's input.halfMaps. */
  halfMaps: HalfMapFiles | undefined;
  /** The page's facts: where the halves come from, or why there are none (an EMDB record listing fewer than two). */
  page: { source: string; half1: HalfMapPageFile; half2: HalfMapPageFile; shape: number[] } | { note: string } | null;
  /** half1.f32 and half2.f32: each half's voxels as read (the map's grid) for the page's live masked FSC; empty without. */
  files: Record<"half1.f32" | "half2.f32", Uint8Array>;
}

interface HalfMapPageFile {
  file: string;
  sha256: string;
  fileWarnings: string[];
}

/**
 * Level 1 of an entry with half maps in each mode, as `mapval report MAP --half1 H1 --half2 H2 [--vrs-compat]`
 * computes it: that mode's Level 0 hard mask of the map at the threshold (`hardMasks`) and its soft mask, the map's
 * voxel size and resolution (the page recomputes 1.a on threshold moves; the other sections are the entry
 * threshold's), 1.e's bands on worker threads.
 */
export async function entryLevel1(
  entry: Pick<ResolvedEntry, "id" | "halfMaps" | "emdbMetadata">,
  context: ReturnType<typeof analysisContext>,
  hardMasks: Record<AnalysisMode, Uint8Array>,
  resolutionSource: string | undefined,
): Promise<EntryLevel1> {
  const empty = { "half1.f32": new Uint8Array(0), "half2.f32": new Uint8Array(0) };
  const loaded = await loadHalfMaps(entry, { offline: true });
  if (loaded === null) return { reports: null, workings: null, halfMaps: undefined, page: null, files: empty };
  if (loaded.status === "not-listed") return { reports: null, workings: null, halfMaps: undefined, page: { note: loaded.message }, files: empty };
  const [read1, read2] = await Promise.all([readMap(loaded.half1.bytes), readMap(loaded.half2.bytes)]);
  const { volume } = context;
  try {
    checkHalvesAgainstMap(volume, context.ts, read1.volume, checkHalfMaps(read1.volume, read2.volume));
  } catch (error) {
    if (error instanceof AnalysisInputError) throw new AnalysisInputError(error.code, `${entry.id}: ${error.message}`);
    throw error;
  }
  const runs = await withBandPool(async (pool) => {
    const byMode = {} as Record<AnalysisMode, Awaited<ReturnType<typeof runLevel1With>>>;
    for (const mode of MODES) {
      byMode[mode] = await runLevel1With(pool.execute, read1.volume, read2.volume, {
        threshold: context.threshold,
        resolution: context.resolution,
        resolutionSource,
        mode,
        voxelSize: context.ts,
        voxelSizeSource: context.voxelSizeSource,
        hardMask: hardMasks[mode],
        softMask: softMask(hardMasks[mode], volume.nx, volume.ny, volume.nz),
        figures: mode === "default",
      });
    }
    return byMode;
  });
  const reports = { default: runs.default.report, "vrs-compat": runs["vrs-compat"].report };
  const named = (half: typeof loaded.half1, read: typeof read1): HalfMapPageFile => ({
    file: half.name, sha256: half.sha256, fileWarnings: read.warnings,
  });
  const bytesOf = (data: Float32Array) => new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return {
    reports, workings: runs.default.workings,
    halfMaps: {
      half1: { file: loaded.half1.name, sha256: loaded.half1.sha256 }, half2: { file: loaded.half2.name, sha256: loaded.half2.sha256 },
      averaged: false,
      // Labelled as `mapval report --half1 --half2` labels them.
      fileWarnings: halfMapFileWarnings(read1.warnings, read2.warnings),
    },
    page: { source: loaded.source, half1: named(loaded.half1, read1), half2: named(loaded.half2, read2), shape: [read1.volume.nx, read1.volume.ny, read1.volume.nz] },
    files: { "half1.f32": bytesOf(read1.volume.data), "half2.f32": bytesOf(read2.volume.data) },
  };
}

/**
 * The page's volumes: `live`, the copy its figures are drawn from (the map itself up to 160³ voxels, else downsampled),
 * and `full`, the file's voxels for the page's worker when `live` is coarser (empty otherwise: the worker then analyses
 * `live`, which is the map). `full` holds the voxels as read, non-finite ones included, so that the worker checks and
 * replaces them as `mapval report` does, with the same input warning.
 */
export function pageVolumes(read: Volume, finite: Volume) {
  const factor = downsampleFactor([finite.nx, finite.ny, finite.nz]);
  const live = downsample(finite, factor);
  const full = factor === 1 ? new Uint8Array(0) : new Uint8Array(read.data.buffer, read.data.byteOffset, read.data.byteLength);
  return { factor, live, full };
}

function arrow(rows: object[]): Uint8Array {
  return tableToIPC(tableFromJSON(rows as Record<string, unknown>[]), "file");
}

/** The files of one entry (paths relative to the entry's directory of the archive) and its index line. */
export async function entryFiles(
  id: string,
  entriesPath?: string,
): Promise<{ files: Record<string, Uint8Array | string>; index: IndexRow }> {
  const entry = await loadEntry(id, { offline: true, entriesPath });
  const read = await readMap(entry.bytes);
  const { stats } = read;
  const threshold = chooseThreshold(entry.contour, read.volume.data, stats.max, entry.unknownContour);
  const analysis = {
    threshold: threshold.level,
    resolution: entry.resolution?.angstrom ?? null,
    resolutionSource: entry.resolution?.source,
    recordedVoxelSize: entry.voxelSize === null ? null : { value: entry.voxelSize, source: entry.voxelSizeSource ?? id },
  };
  // Checked for both modes before anything is computed; every section, the sweep and the page use the finite map.
  analysisInputs(read.volume, { ...analysis, mode: "vrs-compat" });
  const context = analysisContext(read.volume, analysis);
  const { volume, ts, resolution } = context;
  const file = basename(entry.path);

  const { sections: precomputed, hardMasks } = await withBandPool((pool) => precomputedSections(pool.execute, volume, threshold.level, resolution, ts));
  const level0 = runLevel0InContext(context, { precomputed: precomputed.default });
  const report: Level0Report = level0.report;
  const level1 = await entryLevel1(entry, context, hardMasks, analysis.resolutionSource);
  // With half maps, the page's report, JSON and score are both levels' (VRS's one score).
  const combined = level1.reports === null ? report : combineReports(report, level1.reports.default);

  // The page's figures are drawn from `live` and say so when it is not the deposited map; its numbers are the full map's.
  const { factor, live, full } = pageVolumes(read.volume, volume);
  const markers = {
    author: threshold.fromAuthors ? threshold.level : null,
    twoSigma: stats.mean + 2 * stats.std,
    onePercent: levelKeepingFraction(read.volume.data, 0.01),
  };
  const candidates = [threshold.level, markers.twoSigma, markers.onePercent].filter((t) => t <= stats.max);
  const low = Math.min(levelKeepingFraction(read.volume.data, 0.2), ...candidates);
  const high = Math.max(levelKeepingFraction(read.volume.data, 0.0005), ...candidates);
  const thresholds = Array.from({ length: SWEEP_THRESHOLDS }, (_, i) => low + ((high - low) * i) / (SWEEP_THRESHOLDS - 1));
  const sweepTable = sweepRows(sweep(volume, thresholds, { voxelSize: ts }));

  const localMaps: Record<string, ReturnType<typeof localSlices> & { surface: { shape: number[]; voxelSize: number | null } }> = {};
  const localSurfaceFiles: Record<string, Uint8Array> = {};
  for (const s of localSectionIds) {
    const local = precomputed.default[s]?.localMap;
    // The page names every file of the entry; a section without a local map gets an empty one.
    localSurfaceFiles[`local-surface-${s}.f32`] = new Uint8Array(0);
    if (!local) continue;
    const { shape, voxelSize, values } = localSurfaceGrid(local);
    localMaps[s] = { ...localSlices(local), surface: { shape, voxelSize } };
    localSurfaceFiles[`local-surface-${s}.f32`] = new Uint8Array(values.buffer);
  }
  const level1LocalMaps = Object.fromEntries(
    Object.entries(level1.workings?.localMaps ?? {}).map(([s, local]) => [s, localSlices(local)]),
  );
  const mask = report.sections["0.b"].results as MaskResults;
  const page = {
    entry: {
      id: entry.id, emdb: entry.emdbId, title: entry.title, simulated: entry.simulated, attribution: entry.attribution, notes: entry.notes,
      file, sha256: entry.sha256, fileWarnings: read.warnings, resolution: entry.resolution, contour: entry.contour, emdbHeader: emdbHeader(entry),
    },
    threshold,
    map: {
      shape: [volume.nx, volume.ny, volume.nz], voxelSize: ts, origin: volume.origin,
      min: stats.min, max: stats.max, mean: stats.mean, std: stats.std,
    },
    live: { shape: [live.nx, live.ny, live.nz], voxelSize: ts * factor, origin: live.origin, factor },
    // What the page fetches for live numbers when `live` is coarser (volume-full.f32, then half1.f32 and half2.f32 of
    // an entry with half maps): their sizes, shown before.
    full: factor === 1 ? null : {
      shape: [volume.nx, volume.ny, volume.nz], bytes: full.byteLength,
      halfBytes: level1.reports === null ? null : [level1.files["half1.f32"].byteLength, level1.files["half2.f32"].byteLength],
    },
    markers,
    range: [low, high],
    report: {
      input: combined.input, mode: combined.mode, parameters: combined.parameters, sections: combined.sections, score: combined.score,
      abstract: combined.abstract, warningsSummary: combined.warningsSummary, inputWarnings: combined.inputWarnings,
      // Level 1's input and the halves' figures (combineReports' `level1`), the figures as page images.
      ...(level1.reports && { level1: { input: level1.reports.default.input, figures: halfMapPageFigures(level1.reports.default.figures!) } }),
    },
    json: reportJson(combined, file, entry.sha256, { fileWarnings: read.warnings, halfMaps: level1.halfMaps }),
    level1: level1.page,
    // Per mode, the sections the page does not recompute at every threshold: 0.d–0.h, and 1.a–1.h at the entry's
    // threshold (the worker recomputes 1.a; the page shows the others, marked with their threshold).
    precomputed: Object.fromEntries(MODES.map((mode) => [mode, {
      ...Object.fromEntries(spectralSectionIds.map((s) => [s, splitLocalMap(precomputed[mode][s]!).numbers])),
      ...level1.reports?.[mode].sections,
    }])),
    localMaps: { ...localMaps, ...level1LocalMaps },
    bfactorSlices: bfactorCorrectedSlices(volume, report.sections["0.d"], ts, resolution),
  };
  const data = new Uint8Array(live.data.buffer, live.data.byteOffset, live.data.byteLength);
  const files: Record<string, Uint8Array | string> = {
    "report.json": JSON.stringify(page),
    "volume.f32": data,
    "volume-full.f32": full,
    "summary.arrow": arrow(summaryRows(report.sections)),
    "components.arrow": arrow(componentRows(mask, ts)),
    "mass-table.arrow": arrow(massTableRows(mask)),
    "sweep.arrow": arrow(sweepTable),
    "guinier.arrow": arrow(guinierRows(report.sections["0.d"])),
    "local-resolution.arrow": arrow(histogramRows(report.sections["0.e"])),
    "local-bfactor.arrow": arrow(histogramRows(report.sections["0.f"])),
    "local-occupancy.arrow": arrow(histogramRows(report.sections["0.g"])),
    ...localSurfaceFiles,
    ...level1.files,
  };
  const index: IndexRow = {
    id: entry.id, emdb: entry.emdbId, title: entry.title, simulated: entry.simulated, resolution, voxelSize: ts,
    shape: [volume.nx, volume.ny, volume.nz], threshold: threshold.level, thresholdFromAuthors: threshold.fromAuthors,
    thresholdExplanation: threshold.explanation, passed: combined.score.passed, evaluable: combined.score.evaluable,
    statuses: Object.fromEntries(sectionIds.map((s) => [s, report.sections[s].status])) as Record<Level0SectionId, string>,
    level1Statuses: level1.reports === null ? null : Object.fromEntries(level1SectionIds.map((s) => [s, level1.reports!.default.sections[s].status])) as Record<Level1SectionId, string>,
    downsampleFactor: factor,
  };
  return { files, index };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { id, out } = parseArgs({ options: { id: { type: "string" }, out: { type: "string" } } }).values;
  if (!id || !out) throw new Error("usage: site-entry.ts --id=<entry> --out=<dir>");
  const started = performance.now();
  const { files, index } = await entryFiles(id, siteEntriesPath());
  mkdirSync(out, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(out, name), content);
  writeFileSync(join(out, "index-row.json"), JSON.stringify(index));
  process.stderr.write(`${id}: ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}
