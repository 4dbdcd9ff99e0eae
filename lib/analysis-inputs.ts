/**
 * The one validation of what a Level 0 analysis is given: the voxel size (which source wins, and that it is
 * plausible), the resolution (not finer than the map's Nyquist), the threshold (finite), the grids the sections will
 * derive from the map (within a memory budget), and the map's non-finite voxels (replaced, and counted). `runLevel0`
 * and `sweep` call it; the CLI and the site loaders call it too before they compute 0.e–0.g on worker threads.
 * Rules and reasons: docs/analysis-inputs.md.
 */
import { withDefaults, type CriteriaParameters } from "./level0/criteria.js";
import { AnalysisInputError } from "./errors.js";
import { readerStats } from "./io/mrc-reader.js";
import type { AnalysisMode, SectionId } from "./report/report-types.js";
import { sectionRegistry, spectralSectionIds } from "./section-registry.js";
import { localGridBoxes } from "./local/spiral-amplitude.js";
import type { Vec3, Volume } from "./io/volume.js";

/**
 * Voxel sizes (Å) an analysis accepts. EMDB's single-particle maps are sampled at about 0.3–6 Å and its subtomogram
 * averages and tomograms at up to a few tens of Å; no detector samples finer than 0.05 Å, and at more than 100 Å a
 * voxel is larger than most macromolecules. Outside this range the value is a header or typing error.
 */
export const VOXEL_SIZE_RANGE: readonly [number, number] = [0.05, 100];

/**
 * Bytes the largest derived grid may take (estimated as below): 6 GiB. 0.f/0.g on a 512³ map at resolution 2·Ts take
 * an estimated 4 GiB, which leaves room for the map itself and the process.
 */
export const DEFAULT_MEMORY_BUDGET_BYTES = 6 * 2 ** 30;

/**
 * Memory per voxel of the map's Fourier transform (0.d, 0.e, and 0.f/0.g's resize): its float64 half spectrum
 * (≈ 8 bytes per voxel) and work buffers. Measured: 0.d adds 8.6 bytes per voxel to the peak at 128³.
 */
export const TRANSFORM_BYTES_PER_VOXEL = 12;

/**
 * Memory per voxel of 0.f/0.g's box: the resized map, its float32 spectrum, masks, noise region and the band
 * accumulators. Measured: 0.f and 0.g together add 24–28 bytes per voxel to the peak at 160³ and 128³.
 */
export const LOCAL_GRID_BYTES_PER_VOXEL = 32;

/** Where a number came from, named in every error and warning about it ("--voxel-size", "the map header", …). */
export interface Sourced {
  value: number;
  source: string;
}

export const HEADER_SOURCE = "the map header (CELLA / MX)";

/** Voxel sizes that differ by more than this fraction are reported as a disagreement. */
const VOXEL_SIZE_TOLERANCE = 0.01;

export function checkVoxelSize({ value, source }: Sourced): number {
  if (!(Number.isFinite(value) && value > 0))
    throw new AnalysisInputError("bad-voxel-size", `voxel size must be a positive number of Å, got ${value} from ${source}`);
  const [low, high] = VOXEL_SIZE_RANGE;
  if (value < low || value > high)
    throw new AnalysisInputError(
      "implausible-voxel-size",
      `voxel size ${value} Å from ${source} is outside the plausible range ${low}–${high} Å (docs/analysis-inputs.md)`,
    );
  return value;
}

export interface VoxelSizeInputs {
  /** The user's explicit value (--voxel-size): it wins over everything. */
  override?: Sourced;
  /** A recorded value (entries file, EMDB metadata): used only when the map header gives none. */
  recorded?: Sourced | null;
}

/**
 * Ts for the analysis. Precedence: the override, else the map header's X voxel size, else the recorded value; the
 * value chosen must be plausible. Every other value given is compared with it, and a disagreement is a warning, as
 * are anisotropic voxels (every section uses one size, the X one, as VRS).
 */
export function analysisVoxelSize(volume: Volume, inputs: VoxelSizeInputs = {}): { ts: number; source: string; warnings: string[] } {
  const warnings: string[] = [];
  const header: Sourced | null = volume.voxelSize === null ? null : { value: volume.voxelSize[0], source: HEADER_SOURCE };
  const chosen = inputs.override ?? header ?? inputs.recorded ?? null;
  if (chosen === null)
    throw new AnalysisInputError("unknown-voxel-size", "the map does not define its voxel size; give it with --voxel-size");
  const ts = checkVoxelSize(chosen);
  for (const other of [header, inputs.recorded ?? null]) {
    if (other === null || other === chosen) continue;
    if (!(Math.abs(other.value - ts) <= VOXEL_SIZE_TOLERANCE * ts))
      warnings.push(`The voxel size from ${other.source}, ${other.value} Å, differs from the ${ts} Å from ${chosen.source}, which is used.`);
  }
  if (chosen === header) {
    const [x, y, z] = volume.voxelSize!;
    if (Math.abs(y - x) > 1e-6 * x || Math.abs(z - x) > 1e-6 * x)
      warnings.push(`The map's voxels are anisotropic (${x}, ${y}, ${z} Å); like VRS, every section uses the X size, ${x} Å.`);
  }
  return { ts, source: chosen.source, warnings };
}

/**
 * The reported resolution, refused when it is not a positive number or, when `ts` is given (a section that uses the
 * resolution will run on a grid of that Ts), finer than Nyquist, 2·Ts.
 */
export function checkResolution(resolution: number | null, ts: number | null, source: string): number | null {
  if (resolution === null) return null;
  if (!(Number.isFinite(resolution) && resolution > 0))
    throw new AnalysisInputError("bad-resolution", `resolution must be a positive number of Å, got ${resolution} from ${source}`);
  if (ts !== null && resolution < 2 * ts)
    throw new AnalysisInputError(
      "resolution-beyond-nyquist",
      `resolution ${resolution} Å from ${source} is finer than the map's Nyquist limit, 2·Ts = ${2 * ts} Å (Ts = ${ts} Å): ` +
        "no section can measure detail the sampling cannot hold",
    );
  return resolution;
}

export function checkThreshold(threshold: number, source = "the threshold"): number {
  if (!Number.isFinite(threshold))
    throw new AnalysisInputError("bad-threshold", `threshold must be a finite number, got ${threshold} from ${source}`);
  return threshold;
}

/** A grid a section derives from the map, named for the error that refuses it. */
export interface DerivedGrid {
  what: string;
  shape: Vec3;
  bytesPerVoxel: number;
}

/** The sections that transform the map (0.d–0.g). */
const spectral: readonly SectionId[] = sectionRegistry.filter((s) => s.level === 0 && s.fourier).map((s) => s.id);
/** The sections that use the resolution (0.h only to decide whether it applies). */
const resolutionSections: readonly SectionId[] = spectralSectionIds;

/**
 * The largest grids the sections of `computed` make for a map of `dims`: the map's own Fourier transform (0.d, 0.e,
 * and 0.f/0.g's resize) and 0.f/0.g's resized box, transformed as it is (a cube in vrs-compat). 0.e's working grid is never
 * larger than the map. With no resolution, none of them is made.
 */
export function derivedGrids(
  dims: Vec3,
  o: { ts: number; resolution: number | null; mode: AnalysisMode; computed: readonly SectionId[] },
): DerivedGrid[] {
  if (o.resolution === null || !o.computed.some((id) => spectral.includes(id))) return [];
  const grids: DerivedGrid[] = [{ what: "the map's Fourier transform (0.d–0.g)", shape: dims, bytesPerVoxel: TRANSFORM_BYTES_PER_VOXEL }];
  if (o.computed.includes("0.f") || o.computed.includes("0.g")) {
    const { box } = localGridBoxes(dims, { voxelSize: o.ts, resolution: o.resolution, mode: o.mode });
    const what = `0.f/0.g's box, the map resized to ${o.resolution / 2} Å per voxel${o.mode === "vrs-compat" ? " in a cube" : ""},`;
    grids.push({ what, shape: box, bytesPerVoxel: LOCAL_GRID_BYTES_PER_VOXEL });
  }
  return grids;
}

export function checkMemoryBudget(grids: readonly DerivedGrid[], budgetBytes = DEFAULT_MEMORY_BUDGET_BYTES): void {
  if (!(budgetBytes > 0)) throw new AnalysisInputError("bad-memory-budget", `the memory budget must be a positive number of bytes, got ${budgetBytes}`);
  for (const { what, shape, bytesPerVoxel } of grids) {
    const bytes = shape[0] * shape[1] * shape[2] * bytesPerVoxel;
    if (bytes > budgetBytes)
      throw new AnalysisInputError(
        "memory-budget",
        `${what} would be ${shape.join("×")} voxels, about ${gib(bytes)} GiB, above the memory budget of ${gib(budgetBytes)} GiB ` +
          "(docs/analysis-inputs.md)",
      );
  }
}

const gib = (bytes: number) => +(bytes / 2 ** 30).toPrecision(3);

/** The map every section analyses: non-finite voxels replaced by the mean of the finite ones. */
export interface FiniteMap {
  volume: Volume;
  /** Voxels that were NaN or ±Inf. */
  nonFiniteVoxels: number;
  /** The value they were given (the finite voxels' mean); null when there were none. */
  fill: number | null;
}

const finiteMaps = new WeakMap<Volume, FiniteMap>();

/**
 * A map with NaN or ±Inf voxels cannot be summed or Fourier transformed, and a voxel cannot be left out of a transform:
 * every section sees such voxels as the mean of the finite ones (one rule for masks, sums and transforms). The copy is
 * made once per volume (volumes are immutable); a map with none is returned as it is.
 */
export function finiteMap(volume: Volume): FiniteMap {
  const known = finiteMaps.get(volume);
  if (known) return known;
  const data = volume.data;
  const stats = readerStats(data);
  if (stats && stats.finiteCount === data.length) return { volume, nonFiniteVoxels: 0, fill: null };
  let nonFinite = 0, sum = 0;
  for (let i = 0; i < data.length; i++) {
    const d = data[i];
    if (Number.isFinite(d)) sum += d;
    else nonFinite++;
  }
  let result: FiniteMap = { volume, nonFiniteVoxels: 0, fill: null };
  if (nonFinite === data.length)
    throw new AnalysisInputError("no-finite-voxels", `none of the map's ${data.length} voxels is a finite number`);
  if (nonFinite > 0) {
    const fill = Math.fround(sum / (data.length - nonFinite));
    const clean = Float32Array.from(data);
    for (let i = 0; i < clean.length; i++) if (!Number.isFinite(clean[i])) clean[i] = fill;
    result = { volume: { ...volume, data: clean }, nonFiniteVoxels: nonFinite, fill };
  }
  finiteMaps.set(volume, result);
  return result;
}

export function nonFiniteWarning({ nonFiniteVoxels, fill }: FiniteMap): string | null {
  if (nonFiniteVoxels === 0) return null;
  const voxels = nonFiniteVoxels === 1 ? "1 voxel is" : `${nonFiniteVoxels} voxels are`;
  return `${voxels} NaN or ±Inf; every section analysed ${nonFiniteVoxels === 1 ? "it" : "them"} as the mean of the finite voxels, ${+fill!.toPrecision(6)}.`;
}

export interface AnalysisInputOptions {
  threshold: number;
  thresholdSource?: string;
  /** Reported resolution (Å); null or absent when none was reported. */
  resolution?: number | null;
  resolutionSource?: string;
  /** The user's Ts in Å (wins over the header); see {@link analysisVoxelSize}. */
  voxelSize?: number;
  voxelSizeSource?: string;
  /** A recorded Ts (entries file, EMDB metadata), used when the header gives none. */
  recordedVoxelSize?: Sourced | null;
  mode?: AnalysisMode;
  /**
   * Sections that will be computed (default 0.d–0.h): their derived grids are checked, and the resolution against
   * 2·Ts when one of 0.d–0.h is among them.
   */
  computed?: readonly SectionId[];
  memoryBudgetBytes?: number;
}

export interface AnalysisInputs {
  /** The map to analyse: `finiteMap(volume).volume`. */
  volume: Volume;
  ts: number;
  voxelSizeSource: string;
  resolution: number | null;
  threshold: number;
  nonFiniteVoxels: number;
  /** Remarks for the report's input warnings. */
  warnings: string[];
}

/** Every check above, in one call, before anything is computed. */
export function analysisInputs(volume: Volume, o: AnalysisInputOptions): AnalysisInputs {
  const threshold = checkThreshold(o.threshold, o.thresholdSource);
  const { ts, source, warnings } = analysisVoxelSize(volume, {
    override: o.voxelSize === undefined ? undefined : { value: o.voxelSize, source: o.voxelSizeSource ?? "the voxelSize option" },
    recorded: o.recordedVoxelSize,
  });
  const computed = o.computed ?? resolutionSections;
  // Sections given precomputed were checked on the grid they ran on (the page's worker has a downsampled copy).
  const usesResolution = computed.some((id) => resolutionSections.includes(id));
  const resolution = checkResolution(o.resolution ?? null, usesResolution ? ts : null, o.resolutionSource ?? "the resolution option");
  const dims: Vec3 = [volume.nx, volume.ny, volume.nz];
  checkMemoryBudget(derivedGrids(dims, { ts, resolution, mode: o.mode ?? "default", computed }), o.memoryBudgetBytes);
  const finite = finiteMap(volume);
  const nonFinite = nonFiniteWarning(finite);
  return {
    volume: finite.volume, ts, voxelSizeSource: source, resolution, threshold,
    nonFiniteVoxels: finite.nonFiniteVoxels, warnings: nonFinite === null ? warnings : [...warnings, nonFinite],
  };
}

/**
 * What an analysis runs with, checked once: the map (finite), Ts, threshold, resolution, mode and criteria parameters.
 * A caller that validates before starting work (the CLI, the site loader) makes it and hands it on
 * (`runLevel0InContext`), so nothing is checked twice.
 */
export interface AnalysisContext extends AnalysisInputs {
  mode: AnalysisMode;
  parameters: CriteriaParameters;
}

export function analysisContext(
  volume: Volume,
  o: AnalysisInputOptions & { parameters?: Partial<CriteriaParameters> },
): AnalysisContext {
  return { ...analysisInputs(volume, o), mode: o.mode ?? "default", parameters: withDefaults(o.parameters) };
}
