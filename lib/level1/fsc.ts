/**
 * 1.a from two half maps: Fourier shell correlation (unmasked, masked with a given soft mask, and phase-randomised
 * corrected), differential phase residual (DPR) and VRS's spectral SNR, with the crossings VRS looks for and the
 * half-bit and 3σ criteria curves; VRS's logistic fit ("well preserved up to"), the 1.a verdict and the masked-half
 * check. What each number is and where the rules come from: docs/reference/level1.md.
 *
 * Shells follow Xmipp's frc_dpr (and RELION's getFSC): every stored bin of the r2c half spectrum with digital radius
 * R ≤ 0.5 falls in shell round(R·Xdim) (`shellIndex` of radial.ts); rows are shells 1 … ⌊Xdim/2⌋ at frequency
 * i/(Xdim·Ts).
 */
import { analysisVoxelSize, checkMemoryBudget, checkResolution, finiteMap, type FiniteMap, type Sourced } from "../analysis-inputs.js";
import { AnalysisInputError } from "../errors.js";
import { halfWidth, inverseRealFft3d, realFft3d, type GridShape, type HalfSpectrum } from "../fourier/fft3d.js";
import { fixed } from "../report/format.js";
import {
  particularlyHighWording,
  REPORTED_RESOLUTION_FRACTION,
  reportedResolutionCriterion,
  type Level1SectionResult,
  type ResolutionEstimate,
} from "./level1-sections.js";
import { digitalFrequencies, shellIndex } from "../fourier/radial.js";
import { seededRandom } from "../random.js";
import { sharedFloat64Array, type BandComputer, type BandExecutor, type BandJob } from "../local/bands.js";
import { statusFromWarnings, type AnalysisMode } from "../report/report-types.js";
import type { Vec3, Volume } from "../io/volume.js";

/**
 * One row of the 1.a table (the `results.shells` contract of issue 15): null where the curve was not computed, NaN
 * where a half has no power in the shell (could not be measured).
 */
export interface FscShell {
  index: number;
  /** 1/Å. */
  frequency: number;
  /** Å, 1/frequency. */
  resolution: number;
  fsc: number;
  fscMasked: number | null;
  fscCorrected: number | null;
  /** Degrees. */
  dpr: number;
}

/** Where a curve first crosses each criterion, as a resolution in Å (null: no crossing, VRS's findFirstCross). */
export interface FscCrossings {
  "0.143": number | null;
  "0.5": number | null;
  halfBit: number | null;
  threeSigma: number | null;
}

export interface SsnrCurve {
  /**
   * Shells 0 … ⌊Xdim/2⌋ (r = ⌊distance in Fourier pixels⌋), in 1/Å; in VRS's wrong units under vrs-compat
   * (docs/reference/level1.md).
   */
  frequency: number[];
  /** Mean over the shell's full-space voxels of |F(h1+h2)| / |F(h1−h2)| (NaN: no voxel with noise). */
  meanRatio: number[];
  /** log10(meanRatio − 1), the curve VRS plots and crosses at 0 (NaN where meanRatio < 1, as numpy). */
  log10: number[];
  /** Voxels left out because |F(h1−h2)| is 0 there (their ratio is infinite). */
  excludedVoxels: number;
}

export interface FscResult {
  voxelSize: number;
  mode: AnalysisMode;
  shells: FscShell[];
  /** Voxels of each row's full shell (both Friedel halves): the n of the criteria curves. */
  shellVoxels: number[];
  /** van Heel & Schatz (2005) half-bit curve per row. */
  halfBit: number[];
  /** 3/√n per row. */
  threeSigma: number[];
  /** 0.143 crossings (Å) of the unmasked, masked and corrected FSC, the DPR crossing and the SSNR crossing. */
  fscResolution: number | null;
  fscMaskedResolution: number | null;
  fscCorrectedResolution: number | null;
  dprResolution: number | null;
  ssnrResolution: number | null;
  /** The DPR level crossed (degrees): 103.9 by default, VRS's code's 102.9 under vrs-compat. */
  dprThreshold: number;
  crossings: { fsc: FscCrossings; fscMasked: FscCrossings | null; fscCorrected: FscCrossings | null };
  ssnr: SsnrCurve;
  /**
   * Phase randomisation of the corrected FSC: from which shell (null: the unmasked FSC never falls below 0.8, so the
   * corrected FSC is the masked one), the seed, and per row the FSC of the masked phase-randomised halves (null when
   * nothing was randomised); null without a mask.
   */
  randomisation: { fromShell: number | null; seed: number; fscRandomisedMasked: number[] | null } | null;
  /** NaN/±Inf voxels of each half, analysed as that half's finite mean (analysis-inputs.ts finiteMap). */
  nonFiniteVoxels: [number, number];
}

export interface FscOptions {
  /** Soft mask (values in [0, 1], the halves' grid) for the masked and corrected FSC. */
  mask?: Volume;
  /** "vrs-compat" reproduces VRS's SSNR frequency units and its DPR threshold. */
  mode?: AnalysisMode;
  /** Seed of the phase randomisation, an integer in [0, 2³²) (default 1): the same seed, the same corrected FSC. */
  seed?: number;
  /** The voxel size to use instead of half 1's header. */
  voxelSize?: Sourced;
  memoryBudgetBytes?: number;
}

/** FSC levels: RELION's/Rosenthal & Henderson's 0.143 and the traditional 0.5. */
export const FSC_LEVELS = { "0.143": 0.143, "0.5": 0.5 } as const;
/** RELION's rule: the corrected FSC randomises phases from the first shell where the unmasked FSC is below 0.8. */
export const RANDOMISE_BELOW = 0.8;
/** Random phases give an RMS phase difference of 180/√3 = 103.9°; VRS's code compares with 102.9. */
export const DPR_THRESHOLD = { default: 103.9, "vrs-compat": 102.9 } as const;
/** Half maps smaller than this along an axis have too few shells for any crossing. */
export const MIN_HALF_MAP_SIZE = 8;
/**
 * Peak bytes per voxel that `checkHalfMaps` admits for an analysis of the halves: `fscAnalysis` and each `fscWithMask`
 * hold at most three float64 half spectra (≈ 8 bytes a voxel each; two since the masked pairs' FFTs run in place);
 * 1.b and 1.g two, and float32 masks.
 */
export const FSC_BYTES_PER_VOXEL = 28;
/** `fscUnmaskedPart` for masks: its randomised halves in float64 (16 bytes a voxel) and a mask's FSC_BYTES_PER_VOXEL. */
export const FSC_PART_BYTES_PER_VOXEL = 16 + FSC_BYTES_PER_VOXEL;

/** 1.a for two half maps of the same grid; throws AnalysisInputError when they cannot be compared. */
export function fscAnalysis(half1: Volume, half2: Volume, options: FscOptions = {}): FscResult {
  const { mode, seed } = checkModeAndSeed(options);
  const ts = checkHalfMaps(half1, half2, options);
  const { part, spectra } = unmaskedPart(half1, half2, ts, mode, seed, options.mask !== undefined);
  return fscResult(part, options.mask ? maskedCurves(part, options.mask.data, spectra) : null);
}

/**
 * What 1.a keeps of two half maps for any mask: the (finite) halves, their unmasked FSC, DPR and SSNR, and the
 * phase-randomised halves the corrected FSC needs (float64 as the inverse FFT gives them, views of the two spectrum
 * buffers: 16 bytes a voxel, so that the corrected FSC is the one a single `fscAnalysis` gives). Made once by
 * `fscUnmaskedPart`; `fscWithMask` then gives 1.a for a mask at the cost of four forward FFTs, as on a threshold move
 * (`maskedPairFsc` twice: the two pairs may be computed on two threads and combined by `fscWithMaskedCurves`).
 */
export interface FscUnmaskedPart {
  readonly half1: Volume;
  readonly half2: Volume;
  readonly voxelSize: number;
  readonly mode: AnalysisMode;
  readonly seed: number;
  readonly unmasked: PairShellSums;
  readonly fsc: number[];
  readonly dpr: number[];
  readonly ssnr: SsnrCurve;
  /**
   * The randomisation shell (null: the unmasked FSC never falls below 0.8, nothing is randomised) and the halves with
   * their phases randomised from it (null too once given away by `takeRandomisedHalves`); null when the part was made
   * without masks in mind (`forMasks: false`).
   */
  readonly randomised: { fromShell: number | null; halves: [Float64Array, Float64Array] | null } | null;
  readonly nonFiniteVoxels: [number, number];
}

/**
 * `fscAnalysis` with the FFTs and the phase randomisation of the two halves on `executor` (e.g. worker threads), one
 * task per half in each of four steps: the halves' forward FFTs, their randomisation and inverse FFTs, then the masked
 * randomised pair's FFTs and the masked pair's. The sums and curves are computed here between the steps, in the two
 * spectrum buffers the halves share with the workers (shared memory: no copies, and the peak memory of two spectra).
 * The numbers are `fscAnalysis`'s, bit for bit; where shared memory is missing (a browser page that is not
 * cross-origin isolated), it is `fscAnalysis` on this thread.
 */
export async function fscAnalysisWith(executor: BandExecutor, half1: Volume, half2: Volume, options: FscOptions = {}): Promise<FscResult> {
  const { mode, seed } = checkModeAndSeed(options);
  const ts = checkHalfMaps(half1, half2, options);
  if (typeof SharedArrayBuffer !== "function") return fscAnalysis(half1, half2, options);
  const finite: [FiniteMap, FiniteMap] = [finiteMap(half1), finiteMap(half2)];
  const { nx, ny, nz } = half1;
  const n = nx * ny * nz, hx = halfWidth(nx);
  const buffers: [Float64Array, Float64Array] = [sharedFloat64Array(2 * hx * ny * nz), sharedFloat64Array(2 * hx * ny * nz)];
  const spectra = buffers.map((data) => ({ nx, ny, nz, hx, data })) as [HalfSpectrum, HalfSpectrum];
  const shellCount = Math.floor(nx / 2) + 1;
  const onBothHalves = (step: FscHalvesSetup["step"], fromShell: number | null = null, accept = (_: 0 | 1, __: Float64Array) => {}) => {
    const job: FscHalvesJob = {
      kind: "fsc-halves", setup: { shape: [nx, ny, nz], spectra: buffers, step, fromShell, seed }, tasks: [0, 1],
      result: { type: "float64", length: step === "sums" ? SHELL_SUM_FIELDS.length * shellCount : 1 },
    };
    return executor({ job, accept: (index, result) => (accept(job.tasks[index], result as Float64Array), true) });
  };
  buffers[0].set(finite[0].volume.data);
  buffers[1].set(finite[1].volume.data);
  await onBothHalves("forward");
  // The unmasked sums of the even and of the odd shells on the two workers, the SSNR here meanwhile.
  const unmasked = emptyShellSums(shellCount);
  const summed = onBothHalves("sums", null, (parity, result) => {
    SHELL_SUM_FIELDS.forEach((field, f) => {
      for (let shell = parity; shell < shellCount; shell += 2) unmasked[field][shell] = result[f * shellCount + shell];
    });
  });
  const ssnr = ssnrCurve(spectra[0], spectra[1], ts, mode);
  await summed;
  const curves = unmaskedCurves(unmasked, ssnr);
  const { mask } = options;
  if (!mask) return fscResult(partOf(finite, ts, mode, seed, curves, null), null);
  const fromShell = randomisationShell(curves.fsc);
  if (fromShell !== null) await onBothHalves("randomise-inverse", fromShell);
  const halves = fromShell === null ? null : buffers.map((b) => b.subarray(0, n)) as [Float64Array, Float64Array];
  const part = partOf(finite, ts, mode, seed, curves, { fromShell, halves });
  // maskedPairFsc's products and FFTs in place, with the two FFTs of each pair on the executor.
  const pairFsc = async (a: ArrayLike<number>, b: ArrayLike<number>, roundToFloat32: boolean) => {
    maskedInto(a, mask.data, buffers[0], n, roundToFloat32);
    maskedInto(b, mask.data, buffers[1], n, roundToFloat32);
    await onBothHalves("forward");
    return correlation(correlationSums(spectra[0], spectra[1]));
  };
  const randomisedFsc = halves && (await pairFsc(halves[0], halves[1], false));
  const fscMasked = await pairFsc(part.half1.data, part.half2.data, true);
  return fscResult(part, maskedCurvesOf(part, fscMasked, randomisedFsc));
}

/** 1.a's work on each half on a band executor (`fscAnalysisWith`): task h is half h. */
export interface FscHalvesSetup {
  readonly shape: readonly [number, number, number];
  /** Each half's spectrum buffer (2·⌊nx/2 + 1⌋·ny·nz values), in shared memory for worker threads. */
  readonly spectra: readonly [Float64Array, Float64Array];
  /**
   * "forward": the grid at the buffer's start transformed in place; "randomise-inverse": the spectrum randomised from
   * `fromShell` with `seed` and inverted in place (`randomisedHalf`); "sums": the pair's unmasked shell sums of the
   * even (task 0) or odd (task 1) shells, each field's ⌊nx/2⌋ + 1 shells after the other's (SHELL_SUM_FIELDS).
   */
  readonly step: "forward" | "randomise-inverse" | "sums";
  readonly fromShell: number | null;
  readonly seed: number;
}

export type FscHalvesJob = BandJob<"fsc-halves", FscHalvesSetup, 0 | 1>;

/** The computer of an "fsc-halves" job's tasks (lib/local/band-kernels.ts); the result is the sums' or unused. */
export function fscHalvesComputer(job: FscHalvesJob): BandComputer {
  const { shape, spectra, step, fromShell, seed } = job.setup;
  const [nx, ny, nz] = shape;
  const hx = halfWidth(nx);
  if (spectra.some((s) => s.length !== 2 * hx * ny * nz))
    throw new RangeError(`the fsc-halves buffers must hold 2·${hx}·${ny}·${nz} values each`);
  if (step === "randomise-inverse" && !(Number.isInteger(fromShell) && fromShell! >= 1))
    throw new RangeError(`the randomisation shell must be a whole number from 1, got ${fromShell}`);
  return (index, out) => {
    const half = job.tasks[index];
    const data = spectra[half];
    if (step === "forward") realFft3d({ nx, ny, nz, data: data.subarray(0, nx * ny * nz) }, data);
    else if (step === "randomise-inverse") randomisedHalf({ nx, ny, nz, hx, data }, fromShell!, seed, half);
    else {
      const [a, b] = spectra.map((d) => ({ nx, ny, nz, hx, data: d }));
      const sums = shellSums(a, b, half);
      SHELL_SUM_FIELDS.forEach((field, f) => out.set(sums[field], f * sums[field].length));
      return;
    }
    out[0] = half;
  };
}

/** The fields of PairShellSums, in the order an "fsc-halves" sums result holds them. */
const SHELL_SUM_FIELDS = ["cross", "power1", "power2", "phaseResidual", "amplitudeSum", "fullCount"] as const;

function emptyShellSums(shellCount: number): PairShellSums {
  const sums = {} as PairShellSums;
  for (const field of SHELL_SUM_FIELDS) sums[field] = new Float64Array(shellCount);
  return sums;
}

/**
 * The mask-independent part of `fscAnalysis` (same options but the mask). `forMasks: false` leaves out the
 * randomised halves (two inverse FFTs and 16 bytes a voxel) when no mask will follow.
 */
export function fscUnmaskedPart(
  half1: Volume,
  half2: Volume,
  options: Omit<FscOptions, "mask"> & { forMasks?: boolean } = {},
): FscUnmaskedPart {
  const { mode, seed } = checkModeAndSeed(options);
  const forMasks = options.forMasks ?? true;
  const bytesPerVoxel = forMasks ? FSC_PART_BYTES_PER_VOXEL : FSC_BYTES_PER_VOXEL;
  const ts = checkHalfMaps(half1, half2, { ...options, bytesPerVoxel });
  return unmaskedPart(half1, half2, ts, mode, seed, forMasks).part;
}

/** `fscAnalysis` with `mask` (none: the unmasked curves alone) from a part made by `fscUnmaskedPart`. */
export function fscWithMask(part: FscUnmaskedPart, mask?: Volume): FscResult {
  if (!mask) return fscResult(part, null);
  randomisedOf(part);
  checkMask(mask, part.half1);
  return fscResult(part, maskedCurves(part, mask.data, null));
}

/** The phase randomisation's seed when none is given. */
export const DEFAULT_FSC_SEED = 1;

function checkModeAndSeed(options: Pick<FscOptions, "mode" | "seed">): { mode: AnalysisMode; seed: number } {
  const mode = options.mode ?? "default";
  if (!(mode in DPR_THRESHOLD))
    throw new AnalysisInputError("bad-mode", `mode must be "default" or "vrs-compat", got ${JSON.stringify(mode)}`);
  const seed = options.seed ?? DEFAULT_FSC_SEED;
  if (!(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32))
    throw new AnalysisInputError("bad-seed", `the randomisation seed must be an integer from 0 to 2^32 − 1, got ${seed}`);
  return { mode, seed };
}

/**
 * The part and the two float64 spectrum buffers it was computed in. With `forMasks`, the unmasked spectra are
 * phase-randomised and inverted in place, so the part's randomised halves are the first nx·ny·nz values of those
 * buffers; otherwise the buffers are free.
 */
function unmaskedPart(half1: Volume, half2: Volume, ts: number, mode: AnalysisMode, seed: number, forMasks: boolean) {
  const finite: [FiniteMap, FiniteMap] = [finiteMap(half1), finiteMap(half2)];
  const spectra: [HalfSpectrum, HalfSpectrum] = [realFft3d(finite[0].volume), realFft3d(finite[1].volume)];
  const curves = unmaskedCurves(shellSums(spectra[0], spectra[1]), ssnrCurve(spectra[0], spectra[1], ts, mode));
  let randomised: FscUnmaskedPart["randomised"] = null;
  if (forMasks) {
    const fromShell = randomisationShell(curves.fsc);
    const halves: [Float64Array, Float64Array] | null =
      fromShell === null ? null : [randomisedHalf(spectra[0], fromShell, seed, 0), randomisedHalf(spectra[1], fromShell, seed, 1)];
    randomised = { fromShell, halves };
  }
  const part = partOf(finite, ts, mode, seed, curves, randomised);
  return { part, spectra: [spectra[0].data, spectra[1].data] as [Float64Array, Float64Array] };
}

/** The unmasked FSC and DPR of the halves' unmasked sums, with their SSNR. */
function unmaskedCurves(unmasked: PairShellSums, ssnr: SsnrCurve) {
  return { unmasked, fsc: correlation(unmasked), dpr: phaseResidual(unmasked), ssnr };
}

/** RELION's randomisation shell: the first (from 1) where the unmasked FSC is below 0.8, null when there is none. */
function randomisationShell(fsc: readonly number[]): number | null {
  return firstIndex(fsc, (v, i) => i >= 1 && v < RANDOMISE_BELOW);
}

function partOf(
  finite: [FiniteMap, FiniteMap],
  ts: number,
  mode: AnalysisMode,
  seed: number,
  curves: ReturnType<typeof unmaskedCurves>,
  randomised: FscUnmaskedPart["randomised"],
): FscUnmaskedPart {
  return {
    half1: finite[0].volume, half2: finite[1].volume, voxelSize: ts, mode, seed, ...curves, randomised,
    nonFiniteVoxels: [finite[0].nonFiniteVoxels, finite[1].nonFiniteVoxels],
  };
}

/** The masked FSC, the corrected FSC and its randomisation. */
interface MaskedCurves {
  fscMasked: number[];
  fscCorrected: number[];
  randomisation: NonNullable<FscResult["randomisation"]>;
}

/** FscResult of a part and, with a mask, its masked curves. */
function fscResult(part: FscUnmaskedPart, withMask: MaskedCurves | null): FscResult {
  const { half1, voxelSize: ts, mode, unmasked, fsc, dpr, ssnr } = part;
  const rowCount = unmasked.cross.length - 1;
  const fscMasked = withMask?.fscMasked ?? null, fscCorrected = withMask?.fscCorrected ?? null;
  const { nx } = half1;
  const shells: FscShell[] = [];
  for (let i = 1; i <= rowCount; i++) {
    const frequency = i / (nx * ts);
    shells.push({
      index: i, frequency, resolution: 1 / frequency, fsc: fsc[i], dpr: dpr[i],
      fscMasked: fscMasked ? fscMasked[i] : null,
      fscCorrected: fscCorrected ? fscCorrected[i] : null,
    });
  }
  const frequencies = shells.map((s) => s.frequency);
  const shellVoxels = Array.from(unmasked.fullCount.subarray(1));
  const halfBit = shellVoxels.map(halfBitThreshold);
  const threeSigma = shellVoxels.map((n) => 3 / Math.sqrt(n));
  const crossingsOf = (curve: number[]): FscCrossings => {
    const rows = curve.slice(1);
    return {
      "0.143": resolutionAt(firstCrossing(frequencies, rows, FSC_LEVELS["0.143"], "below")),
      "0.5": resolutionAt(firstCrossing(frequencies, rows, FSC_LEVELS["0.5"], "below")),
      halfBit: resolutionAt(firstCrossing(frequencies, rows, halfBit, "below")),
      threeSigma: resolutionAt(firstCrossing(frequencies, rows, threeSigma, "below")),
    };
  };
  const crossings = {
    fsc: crossingsOf(fsc),
    fscMasked: fscMasked && crossingsOf(fscMasked),
    fscCorrected: fscCorrected && crossingsOf(fscCorrected),
  };
  const dprThreshold = DPR_THRESHOLD[mode];
  return {
    voxelSize: ts, mode, shells, shellVoxels, halfBit, threeSigma,
    fscResolution: crossings.fsc["0.143"],
    fscMaskedResolution: crossings.fscMasked?.["0.143"] ?? null,
    fscCorrectedResolution: crossings.fscCorrected?.["0.143"] ?? null,
    dprResolution: resolutionAt(firstCrossing(frequencies, dpr.slice(1), dprThreshold, "above")),
    ssnrResolution: resolutionAt(firstCrossing(ssnr.frequency, ssnr.log10, 0, "below")),
    dprThreshold, crossings, ssnr, randomisation: withMask?.randomisation ?? null,
    nonFiniteVoxels: part.nonFiniteVoxels,
  };
}

const shapeOf = (v: Volume) => `${v.nx}×${v.ny}×${v.nz}`;

/**
 * The voxel size of the pair, once the halves (and the mask) are known to share one grid and one voxel size and to fit
 * the memory budget at `bytesPerVoxel` (default FSC_BYTES_PER_VOXEL).
 */
export function checkHalfMaps(
  half1: Volume,
  half2: Volume,
  options: Pick<FscOptions, "mask" | "voxelSize" | "memoryBudgetBytes"> & { bytesPerVoxel?: number } = {},
): number {
  const sameGrid = (v: Volume) => v.nx === half1.nx && v.ny === half1.ny && v.nz === half1.nz;
  if (!sameGrid(half2))
    throw new AnalysisInputError(
      "half-map-shape-mismatch",
      `half map 2 is ${shapeOf(half2)} voxels, half map 1 is ${shapeOf(half1)}: they must share one grid`,
    );
  if (Math.min(half1.nx, half1.ny, half1.nz) < MIN_HALF_MAP_SIZE)
    throw new AnalysisInputError(
      "half-map-too-small",
      `the half maps are ${shapeOf(half1)} voxels; 1.a needs at least ${MIN_HALF_MAP_SIZE} along each axis`,
    );
  const { ts } = analysisVoxelSize(half1, { override: options.voxelSize });
  if (!options.voxelSize && half2.voxelSize !== null && !(Math.abs(half2.voxelSize[0] - ts) <= 0.01 * ts))
    throw new AnalysisInputError("half-map-voxel-size-mismatch", `half map 2 has ${half2.voxelSize[0]} Å voxels, half map 1 has ${ts} Å`);
  if (options.mask) checkMask(options.mask, half1);
  const bytesPerVoxel = options.bytesPerVoxel ?? FSC_BYTES_PER_VOXEL;
  const spectra = { what: "1.a's half-map spectra", shape: [half1.nx, half1.ny, half1.nz] as Vec3, bytesPerVoxel };
  checkMemoryBudget([spectra], options.memoryBudgetBytes);
  return ts;
}

/** A soft mask must share the halves' grid and hold values in [0, 1]. */
function checkMask(mask: Volume, grid: Volume): void {
  if (mask.nx !== grid.nx || mask.ny !== grid.ny || mask.nz !== grid.nz)
    throw new AnalysisInputError(
      "mask-shape-mismatch",
      `the mask is ${shapeOf(mask)} voxels, the half maps ${shapeOf(grid)}: it must share their grid`,
    );
  const { data } = mask;
  for (let i = 0; i < data.length; i++)
    if (!(data[i] >= 0 && data[i] <= 1))
      throw new AnalysisInputError("bad-mask-value", `mask voxel ${i} is ${data[i]}; a soft mask holds values in [0, 1]`);
}

/**
 * The halves must be on the map's grid with its voxel size (to 1 %, as checkHalfMaps compares the halves): the CLI's
 * and the page worker's check of a map given with its half maps.
 */
export function checkHalvesAgainstMap(map: Volume, mapTs: number, half: Volume, halfTs: number): void {
  if (map.nx !== half.nx || map.ny !== half.ny || map.nz !== half.nz)
    throw new AnalysisInputError(
      "half-map-shape-mismatch",
      `the half maps are ${shapeOf(half)} voxels, the map ${shapeOf(map)}: they must share its grid`,
    );
  if (!(Math.abs(halfTs - mapTs) <= 0.01 * mapTs))
    throw new AnalysisInputError("half-map-voxel-size-mismatch", `the half maps have ${halfTs} Å voxels, the map ${mapTs} Å`);
}

/**
 * The masked FSC, the corrected FSC and its randomisation for a mask: the FSC of the masked halves and of the masked
 * randomised halves (`maskedPairFsc` twice, four forward FFTs, each in place). `spent`: the part's own spectrum
 * buffers when the part is used once (fscAnalysis); its randomised halves (their starts) are then multiplied by the
 * mask in place, so that no buffer is added. Otherwise the part is left as it is and two spectra are allocated for both
 * pairs.
 */
function maskedCurves(part: FscUnmaskedPart, mask: Float32Array, spent: [Float64Array, Float64Array] | null): MaskedCurves {
  const { half1, half2 } = part;
  const { halves } = randomisedOf(part);
  const buffers = pairFscBuffers(half1, spent ?? undefined);
  const randomisedFsc = halves && maskedPairFsc(halves[0], halves[1], mask, half1, false, buffers);
  // The masked halves are rounded to float32, the halves' own precision.
  const fscMasked = maskedPairFsc(half1.data, half2.data, mask, half1, true, buffers);
  return maskedCurvesOf(part, fscMasked, randomisedFsc);
}

/** The part's randomisation, once it is known to have one whose halves (if any) are still there. */
function randomisedOf(part: FscUnmaskedPart): NonNullable<FscUnmaskedPart["randomised"]> {
  const { randomised } = part;
  if (!randomised)
    throw new RangeError("this FSC part was made with forMasks: false, so it has no randomised halves for a mask");
  if (randomised.fromShell !== null && !randomised.halves)
    throw new RangeError("this FSC part's randomised halves were taken (takeRandomisedHalves): its masked curves are computed elsewhere");
  return randomised;
}

/** The corrected FSC and the randomisation of a masked FSC and the FSC of the masked randomised halves. */
function maskedCurvesOf(part: FscUnmaskedPart, fscMasked: number[], randomisedFsc: number[] | null): MaskedCurves {
  const fromShell = part.randomised!.fromShell;
  const fscCorrected =
    randomisedFsc === null || fromShell === null ? fscMasked.slice() : correctedFsc(fscMasked, randomisedFsc, fromShell);
  const randomisation = { fromShell, seed: part.seed, fscRandomisedMasked: randomisedFsc && randomisedFsc.slice(1) };
  return { fscMasked, fscCorrected, randomisation };
}

/**
 * `fscWithMask(part, mask)` when its two masked curves were computed elsewhere (e.g. another worker): `fscMasked` =
 * `maskedPairFsc(part.half1.data, part.half2.data, mask, part.half1, true)` and `fscRandomisedMasked` = the same of the
 * part's randomised halves with `false`, null when the part randomises nothing (`randomised.fromShell` null).
 */
export function fscWithMaskedCurves(part: FscUnmaskedPart, fscMasked: number[], fscRandomisedMasked: number[] | null): FscResult {
  const { randomised } = part;
  if (!randomised)
    throw new RangeError("this FSC part was made with forMasks: false, so it has no randomisation for masked curves");
  const shells = part.unmasked.cross.length;
  for (const [name, curve] of [["masked", fscMasked], ["randomised masked", fscRandomisedMasked]] as const)
    if (curve && curve.length !== shells) throw new RangeError(`the ${name} FSC has ${curve.length} shells, the part ${shells}`);
  if ((fscRandomisedMasked === null) !== (randomised.fromShell === null))
    throw new RangeError(
      randomised.fromShell === null
        ? "this FSC part randomises nothing, so there is no randomised masked FSC to give"
        : `this FSC part randomises from shell ${randomised.fromShell}: the corrected FSC needs the randomised masked FSC`,
    );
  return fscResult(part, maskedCurvesOf(part, fscMasked, fscRandomisedMasked));
}

/**
 * The randomised halves of a part (null when it randomises nothing), given away: the part no longer holds them, so
 * `fscWithMask` then refuses it and its masked curves come through `fscWithMaskedCurves`. Each half is a view of its
 * own buffer (`half.buffer`, 2·⌊nx/2 + 1⌋·ny·nz float64, transferable to another worker).
 */
export function takeRandomisedHalves(part: FscUnmaskedPart): [Float64Array, Float64Array] | null {
  const randomised = randomisedOf(part);
  const { halves } = randomised;
  randomised.halves = null;
  return halves;
}

/**
 * Where `maskedPairFsc` works: the two half spectra (2·⌊nx/2 + 1⌋·ny·nz values each). Each product is written into
 * the start of its spectrum and transformed in place, so an input may be that start itself (multiplied in place).
 */
export interface PairFscBuffers {
  spectra: [Float64Array, Float64Array];
}

/** Buffers for `maskedPairFsc` on `shape`: the spectra given, or new ones. */
export function pairFscBuffers(shape: GridShape, spectra?: [Float64Array, Float64Array]): PairFscBuffers {
  const length = 2 * halfWidth(shape.nx) * shape.ny * shape.nz;
  return { spectra: spectra ?? [new Float64Array(length), new Float64Array(length)] };
}

/**
 * The FSC per shell (0 … ⌊nx/2⌋, the part's curves) of a·mask and b·mask on the grid `shape`, each product rounded to
 * float32 when `roundToFloat32` (as the masked halves are: the halves' own precision). Two forward FFTs, in `buffers`
 * or in buffers of its own.
 */
export function maskedPairFsc(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  mask: ArrayLike<number>,
  shape: GridShape,
  roundToFloat32: boolean,
  buffers: PairFscBuffers = pairFscBuffers(shape),
): number[] {
  const { nx, ny, nz } = shape;
  const n = nx * ny * nz;
  for (const [name, values] of [["a", a], ["b", b], ["mask", mask]] as const)
    if (values.length !== n) throw new RangeError(`${name} has ${values.length} values, the ${nx}×${ny}×${nz} grid ${n}`);
  const [spectrumA, spectrumB] = buffers.spectra.map((data, i) => {
    maskedInto(i === 0 ? a : b, mask, data, n, roundToFloat32);
    return realFft3d({ nx, ny, nz, data: data.subarray(0, n) }, data);
  });
  return correlation(correlationSums(spectrumA, spectrumB));
}

/** values·mask into out's first n values (rounded to float32 when asked); `values` may be those values themselves. */
function maskedInto(values: ArrayLike<number>, mask: ArrayLike<number>, out: Float64Array, n: number, roundToFloat32: boolean): void {
  if (roundToFloat32) for (let i = 0; i < n; i++) out[i] = Math.fround(values[i] * mask[i]);
  else for (let i = 0; i < n; i++) out[i] = values[i] * mask[i];
}

/** Per-shell Σ Re(z1·conj z2), Σ|z1|², Σ|z2|² over the stored bins of two half spectra (shells 0 … ⌊Xdim/2⌋). */
export interface CorrelationSums {
  cross: Float64Array;
  power1: Float64Array;
  power2: Float64Array;
}

/** Per-shell sums over the stored bins of two half spectra (shells 0 … ⌊Xdim/2⌋, digital radius ≤ 0.5). */
export interface PairShellSums extends CorrelationSums {
  /** Σ (|z1| + |z2|)·Δφ² (Δφ in degrees, wrapped to [−180, 180]) and Σ (|z1| + |z2|). */
  phaseResidual: Float64Array;
  amplitudeSum: Float64Array;
  /** Voxels of the full shell: interior x bins stand for themselves and their Friedel mates. */
  fullCount: Float64Array;
}

/** The sums of every shell, or (`parity` 0 or 1) of the even or odd shells alone, the others left 0. */
function shellSums(a: HalfSpectrum, b: HalfSpectrum, parity: 0 | 1 | null = null): PairShellSums {
  const { nx, hx } = a;
  const shellCount = Math.floor(nx / 2) + 1;
  const sums: PairShellSums = {
    cross: new Float64Array(shellCount),
    power1: new Float64Array(shellCount),
    power2: new Float64Array(shellCount),
    phaseResidual: new Float64Array(shellCount),
    amplitudeSum: new Float64Array(shellCount),
    fullCount: new Float64Array(shellCount),
  };
  const degrees = 180 / Math.PI;
  forEachShellBin(a, (e, shell, kx) => {
    if (parity !== null && (shell & 1) !== parity) return;
    const r1 = a.data[2 * e], i1 = a.data[2 * e + 1], r2 = b.data[2 * e], i2 = b.data[2 * e + 1];
    sums.cross[shell] += r1 * r2 + i1 * i2;
    sums.power1[shell] += r1 * r1 + i1 * i1;
    sums.power2[shell] += r2 * r2 + i2 * i2;
    const weight = Math.sqrt(r1 * r1 + i1 * i1) + Math.sqrt(r2 * r2 + i2 * i2);
    // arg(z1·conj z2) is arg z1 − arg z2 already wrapped to [−180°, 180°], in one atan2 instead of two; when a
    // coefficient is 0 the product has no phase, and Xmipp's difference (arg 0 = 0) is taken.
    const re = r1 * r2 + i1 * i2, im = i1 * r2 - r1 * i2;
    let phase = (re !== 0 || im !== 0 ? Math.atan2(im, re) : Math.atan2(i1, r1) - Math.atan2(i2, r2)) * degrees;
    if (phase > 180) phase -= 360;
    else if (phase < -180) phase += 360;
    sums.phaseResidual[shell] += weight * phase * phase;
    sums.amplitudeSum[shell] += weight;
    sums.fullCount[shell] += friedelWeight(kx, nx, hx);
  });
  return sums;
}

/** The sums the FSC needs alone (the masked and randomised curves): no phases or amplitudes. */
function correlationSums(a: HalfSpectrum, b: HalfSpectrum): CorrelationSums {
  const shellCount = Math.floor(a.nx / 2) + 1;
  const cross = new Float64Array(shellCount), power1 = new Float64Array(shellCount), power2 = new Float64Array(shellCount);
  forEachShellBin(a, (e, shell) => {
    const r1 = a.data[2 * e], i1 = a.data[2 * e + 1], r2 = b.data[2 * e], i2 = b.data[2 * e + 1];
    cross[shell] += r1 * r2 + i1 * i2;
    power1[shell] += r1 * r1 + i1 * i1;
    power2[shell] += r2 * r2 + i2 * i2;
  });
  return { cross, power1, power2 };
}

/** 2 for an x bin whose Friedel mate is not stored (0 < kx < nx/2), else 1. */
function friedelWeight(kx: number, nx: number, hx: number): number {
  return kx === 0 || (nx % 2 === 0 && kx === hx - 1) ? 1 : 2;
}

/** Calls `visit(e, shell, kx)` for every stored bin e with digital radius ≤ 0.5, shell = round(R·Xdim). */
function forEachShellBin(spectrum: HalfSpectrum, visit: (e: number, shell: number, kx: number) => void): void {
  const { nx, ny, nz, hx } = spectrum;
  const fx = digitalFrequencies(nx), fy = digitalFrequencies(ny), fz = digitalFrequencies(nz);
  for (let kz = 0, e = 0; kz < nz; kz++)
    for (let ky = 0; ky < ny; ky++) {
      const y2z2 = fz[kz] * fz[kz] + fy[ky] * fy[ky];
      for (let kx = 0; kx < hx; kx++, e++) {
        const r2 = y2z2 + fx[kx] * fx[kx];
        if (r2 <= 0.25) visit(e, shellIndex(Math.sqrt(r2), nx), kx);
      }
    }
}

/** FSC_i = Σ Re(z1·conj z2) / √(Σ|z1|² Σ|z2|²); NaN for a shell with no power in a half. */
function correlation(s: CorrelationSums): number[] {
  return Array.from(s.cross, (c, i) => c / Math.sqrt(s.power1[i] * s.power2[i]));
}

function phaseResidual(s: PairShellSums): number[] {
  return Array.from(s.phaseResidual, (p, i) => Math.sqrt(p / s.amplitudeSum[i]));
}

/**
 * VRS's SSNR: S = (h1+h2)/2 and N = (h1−h2)/2, per full-space voxel |F(S)|/|F(N)|, averaged in integer shells
 * r = ⌊distance in Fourier pixels⌋ up to ⌊Xdim/2⌋. F(S) and F(N) are (F1 ± F2)/2 of the half spectra; the stored
 * half spectrum stands for the full one through Friedel weights (|F(−k)| = |F(k)|).
 */
function ssnrCurve(a: HalfSpectrum, b: HalfSpectrum, ts: number, mode: AnalysisMode): SsnrCurve {
  const { nx, ny, nz, hx } = a;
  const shellCount = Math.floor(nx / 2) + 1;
  const ratioSum = new Float64Array(shellCount), weightSum = new Float64Array(shellCount);
  // Signed integer bin indices, so that ⌊distance⌋ is exact at whole-pixel radii (as numpy's on np.indices).
  const signed = (k: number, n: number) => (k <= n >> 1 ? k : k - n);
  let excludedVoxels = 0;
  for (let kz = 0, e = 0; kz < nz; kz++)
    for (let ky = 0; ky < ny; ky++)
      for (let kx = 0; kx < hx; kx++, e++) {
        const shell = Math.floor(Math.sqrt(signed(kz, nz) ** 2 + signed(ky, ny) ** 2 + kx * kx));
        if (shell >= shellCount) continue;
        const r1 = a.data[2 * e], i1 = a.data[2 * e + 1], r2 = b.data[2 * e], i2 = b.data[2 * e + 1];
        const weight = friedelWeight(kx, nx, hx);
        const noise = Math.sqrt((r1 - r2) ** 2 + (i1 - i2) ** 2);
        if (noise === 0) {
          excludedVoxels += weight;
          continue;
        }
        ratioSum[shell] += (weight * Math.sqrt((r1 + r2) ** 2 + (i1 + i2) ** 2)) / noise;
        weightSum[shell] += weight;
      }
  const meanRatio = Array.from(ratioSum, (s, i) => s / weightSum[i]);
  // VRS: f = arange(0, N)·2·Ts/Xdim; the spatial frequency of shell i is i/(Xdim·Ts).
  const frequency = meanRatio.map((_, i) => (mode === "vrs-compat" ? (i * 2 * ts) / nx : i / (nx * ts)));
  return { frequency, meanRatio, log10: meanRatio.map((m) => Math.log10(m - 1)), excludedVoxels };
}

/**
 * VRS's findFirstCross: the first row i0 where `y` is below (or above) `level` (a number or one value per row); none
 * when i0 ≤ 1; otherwise x interpolated linearly between rows i0−1 and i0 where y − level is 0. NaN rows never cross
 * (a NaN comparison is false, as in numpy).
 */
export function firstCrossing(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  level: number | ArrayLike<number>,
  direction: "below" | "above",
): number | null {
  const levelAt = (i: number) => (typeof level === "number" ? level : level[i]);
  const sign = direction === "below" ? 1 : -1;
  for (let i = 0; i < y.length; i++) {
    const d = sign * (y[i] - levelAt(i));
    if (!(d < 0)) continue;
    if (i <= 1) return null;
    const before = y[i - 1] - levelAt(i - 1), at = y[i] - levelAt(i);
    return x[i - 1] + ((0 - before) * (x[i] - x[i - 1])) / (at - before);
  }
  return null;
}

/** van Heel & Schatz (2005) eq. 17 for a shell of n voxels: (0.2071 + 1.9102/√n) / (1.2071 + 0.9102/√n). */
export function halfBitThreshold(n: number): number {
  const root = Math.sqrt(n);
  return (0.2071 + 1.9102 / root) / (1.2071 + 0.9102 / root);
}

/**
 * RELION's corrected FSC (Chen et al. 2013): the masked FSC below `fromShell` + 2, then (FSC_masked − FSC_random) /
 * (1 − FSC_random), where FSC_random is the FSC of the masked phase-randomised halves.
 */
export function correctedFsc(masked: readonly number[], randomised: readonly number[], fromShell: number): number[] {
  return masked.map((m, i) => (i < fromShell + 2 ? m : (m - randomised[i]) / (1 - randomised[i])));
}

function resolutionAt(frequency: number | null): number | null {
  return frequency === null ? null : 1 / frequency;
}

function firstIndex(values: readonly number[], test: (v: number, i: number) => boolean): number | null {
  const i = values.findIndex(test);
  return i < 0 ? null : i;
}

/** The volume times the mask, written into `data` (a buffer reused for both halves). */
export function masked(volume: Volume, mask: Float32Array, data: Float32Array): Volume {
  for (let i = 0; i < data.length; i++) data[i] = volume.data[i] * mask[i];
  return { ...volume, data };
}

/**
 * The spectrum's phases replaced, in place, by uniform random ones at every bin at least `fromShell` Fourier pixels
 * from the origin (RELION's randomizePhasesBeyond: R·Xdim ≥ fromShell), amplitudes kept. On the kx = 0 and Nyquist
 * planes a bin's Friedel mate gets the conjugate, so the map stays real.
 */
export function randomisePhases(spectrum: HalfSpectrum, fromShell: number, random: () => number): void {
  const { data } = spectrum;
  forEachRandomisedBin(spectrum, fromShell, (e, mate) => {
    if (mate >= 0 && mate < e) {
      data[2 * e] = data[2 * mate];
      data[2 * e + 1] = -data[2 * mate + 1];
      return;
    }
    const magnitude = Math.sqrt(data[2 * e] ** 2 + data[2 * e + 1] ** 2);
    if (mate === e) {
      data[2 * e] = random() < 0.5 ? -magnitude : magnitude;
      data[2 * e + 1] = 0;
      return;
    }
    const phase = 2 * Math.PI * random();
    data[2 * e] = magnitude * Math.cos(phase);
    data[2 * e + 1] = magnitude * Math.sin(phase);
  });
}

/** How many random numbers `randomisePhases` draws for a spectrum of this shape: one per bin but the mates copied. */
export function randomisationDraws(shape: GridShape, fromShell: number): number {
  let draws = 0;
  forEachRandomisedBin({ ...shape, hx: halfWidth(shape.nx) }, fromShell, (e, mate) => {
    if (!(mate >= 0 && mate < e)) draws++;
  });
  return draws;
}

/**
 * The half spectrum `half` (0 or 1) of a pair phase-randomised from `fromShell` and inverted in place (its first
 * nx·ny·nz values are then the randomised half). The two halves take consecutive stretches of one seeded sequence,
 * half 2 after half 1's draws, so that each can be done on its own thread with the numbers of one thread.
 */
export function randomisedHalf(spectrum: HalfSpectrum, fromShell: number, seed: number, half: 0 | 1): Float64Array {
  const skip = half === 0 ? 0 : randomisationDraws(spectrum, fromShell);
  randomisePhases(spectrum, fromShell, seededRandom(seed, skip));
  return inverseRealFft3d(spectrum, true);
}

/**
 * Calls `visit(e, mate)` for every stored bin e at least `fromShell` Fourier pixels from the origin, in storage order;
 * `mate` is the stored index of its Friedel mate on the kx = 0 and Nyquist planes (e itself for a bin that is its own
 * mate), −1 elsewhere.
 */
function forEachRandomisedBin(
  spectrum: GridShape & { readonly hx: number },
  fromShell: number,
  visit: (e: number, mate: number) => void,
): void {
  const { nx, ny, nz, hx } = spectrum;
  const fx = digitalFrequencies(nx), fy = digitalFrequencies(ny), fz = digitalFrequencies(nz);
  const from2 = (fromShell / nx) ** 2;
  for (let kz = 0, e = 0; kz < nz; kz++)
    for (let ky = 0; ky < ny; ky++)
      for (let kx = 0; kx < hx; kx++, e++) {
        if (fz[kz] * fz[kz] + fy[ky] * fy[ky] + fx[kx] * fx[kx] < from2) continue;
        visit(e, friedelWeight(kx, nx, hx) === 1 ? kx + hx * ((ny - ky) % ny + ny * ((nz - kz) % nz)) : -1);
      }
}

/** VRS's FSC model 1 − a/(1 + e^(−b(f − f0)) + c), fitted to the whole FSC by least squares. */
export interface LogisticFit {
  a: number;
  b: number;
  f0: number;
  c: number;
  /** The model at each row's frequency. */
  fitted: number[];
  /** Sum of squared residuals over the rows fitted (NaN rows are left out). */
  residual: number;
  iterations: number;
}

/** The FSC level below which VRS says the map information is no longer "well preserved". */
export const WELL_PRESERVED_FSC = 0.9;

export function logisticModel(f: number, a: number, b: number, f0: number, c: number): number {
  return 1 - a / (1 + Math.exp(-b * (f - f0)) + c);
}

/**
 * Levenberg–Marquardt fit of VRS's logistic (scipy's curve_fit, p0 = [1, 1, f05, 0]) to (frequency, fsc). Rows whose
 * FSC is not finite are left out (scipy would stop there). Null when fewer than 4 rows remain or the start is not
 * finite.
 */
export function logisticFit(frequency: readonly number[], fsc: readonly number[], f05: number): LogisticFit | null {
  const rows = frequency.map((_, i) => i).filter((i) => Number.isFinite(fsc[i]) && Number.isFinite(frequency[i]));
  if (rows.length < 4 || !Number.isFinite(f05)) return null;
  const residualOf = (p: readonly number[]) => {
    let sum = 0;
    for (const i of rows) sum += (fsc[i] - logisticModel(frequency[i], p[0], p[1], p[2], p[3])) ** 2;
    return sum;
  };
  let p = [1, 1, f05, 0];
  let residual = residualOf(p);
  let lambda = 1e-3;
  let iterations = 0;
  for (; iterations < 500; iterations++) {
    // Normal equations JᵀJ δ = Jᵀr of the model's analytic Jacobian.
    const jtj = Array.from({ length: 4 }, () => [0, 0, 0, 0]);
    const jtr = [0, 0, 0, 0];
    const [a, b, f0, c] = p;
    for (const i of rows) {
      const e = Math.exp(-b * (frequency[i] - f0));
      const d = 1 + e + c;
      const r = fsc[i] - (1 - a / d);
      const slope = a / (d * d);
      const jacobian = [-1 / d, -slope * (frequency[i] - f0) * e, slope * b * e, slope];
      for (let j = 0; j < 4; j++) {
        jtr[j] += jacobian[j] * r;
        for (let k = 0; k < 4; k++) jtj[j][k] += jacobian[j] * jacobian[k];
      }
    }
    let improved = false;
    while (lambda < 1e16) {
      const damped = jtj.map((row, j) => row.map((v, k) => (j === k ? v * (1 + lambda) : v)));
      const step = solveLinear(damped, jtr);
      const trial = step && p.map((v, j) => v + step[j]);
      const trialResidual = trial ? residualOf(trial) : NaN;
      if (trial && trialResidual < residual) {
        const relative = (residual - trialResidual) / Math.max(residual, 1e-300);
        p = trial;
        residual = trialResidual;
        lambda = Math.max(lambda / 10, 1e-12);
        improved = relative > 1e-12;
        break;
      }
      lambda *= 10;
    }
    if (!improved) break;
  }
  const [a, b, f0, c] = p;
  return { a, b, f0, c, fitted: frequency.map((f) => logisticModel(f, a, b, f0, c)), residual, iterations };
}

/** Gaussian elimination with partial pivoting; null when the matrix is singular. */
function solveLinear(matrix: number[][], rhs: number[]): number[] | null {
  const n = rhs.length;
  const m = matrix.map((row, i) => [...row, rhs[i]]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
    if (!(Math.abs(m[pivot][col]) > 0)) return null;
    [m[col], m[pivot]] = [m[pivot], m[col]];
    for (let r = col + 1; r < n; r++) {
      const factor = m[r][col] / m[col][col];
      for (let k = col; k <= n; k++) m[r][k] -= factor * m[col][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let sum = m[r][n];
    for (let k = r + 1; k < n; k++) sum -= m[r][k] * x[k];
    x[r] = sum / m[r][r];
  }
  return x.every(Number.isFinite) ? x : null;
}

/**
 * VRS's "well preserved (FSC>0.9) up to": the logistic fitted when the FSC crosses 0.5, and the resolution (Å) where
 * the fitted curve first falls below 0.9 (findFirstCross). Null fit: the FSC never crosses 0.5; null resolution: the
 * fitted curve never falls below 0.9 past the second row.
 */
export function wellPreservedResolution(result: Pick<FscResult, "shells">): { fit: LogisticFit | null; resolution: number | null } {
  const frequency = result.shells.map((s) => s.frequency), fsc = result.shells.map((s) => s.fsc);
  const f05 = firstCrossing(frequency, fsc, FSC_LEVELS["0.5"], "below");
  const fit = f05 === null ? null : logisticFit(frequency, fsc, f05);
  if (!fit) return { fit, resolution: null };
  return { fit, resolution: resolutionAt(firstCrossing(frequency, fit.fitted, WELL_PRESERVED_FSC, "below")) };
}

export const fscTitle = "1.a Global resolution";

/** A row of 1.a's `results.shells` (the JSON contract): fscAnalysis's row with the criteria curves at that shell. */
export interface FscSectionShell extends FscShell {
  halfBit: number;
  threeSigma: number;
}

export interface FscSectionResults {
  /** Shells 1 … ⌊Xdim/2⌋: the unmasked, masked and corrected FSC (null without a mask), DPR and criteria curves. */
  shells: FscSectionShell[];
  /** 0.143 FSC (unmasked, masked, corrected), DPR and SSNR crossings (Å), null where there is none. */
  fscResolution: number | null;
  fscMaskedResolution: number | null;
  fscCorrectedResolution: number | null;
  dprResolution: number | null;
  ssnrResolution: number | null;
  /** Every crossing of each FSC curve (0.143, 0.5, half-bit, 3σ; Å), null for a curve not computed. */
  crossings: FscResult["crossings"];
  /** The DPR level crossed (degrees). */
  dprThreshold: number;
  /** VRS's SSNR curve: log10(mean ratio − 1) per SSNR shell (its own rows, 0 … ⌊Xdim/2⌋) at `frequency` (1/Å). */
  ssnr: { frequency: number[]; log10: number[] };
  /** From which shell the corrected FSC randomised the phases (null: nothing randomised) and its seed. */
  randomisation: { fromShell: number | null; seed: number } | null;
  /** "well preserved (FSC>0.9) up to" (Å) from the logistic fit; null when not fitted or never below 0.9. */
  preservedFSC90resolution: number | null;
  /** VRS's logistic parameters (null when the FSC never crosses 0.5) and the fitted curve per row. */
  fit: { a: number; b: number; f0: number; c: number; fitted: number[] } | null;
  /** Mean, smallest and largest of the estimates that exist (VRS's "mean resolution between the three methods"). */
  meanResolution: number | null;
  resolutionRange: [number, number] | null;
  /** The estimates VRS adds to the abstract's resolution range. */
  resolutionEstimates: number[];
  /** VRS's result sentences. */
  sentences: string[];
}

/**
 * The 1.a verdict from `fscAnalysis`'s numbers: VRS's warning for each of the FSC, DPR and SSNR resolutions the
 * reported resolution is below 0.8 × of. An estimate with no crossing is not compared (VRS crashes there) and is
 * named in a note; with none at all the section is not-measured. Without a reported resolution the criterion cannot
 * be tested (VRS crashes): the section does not apply.
 */
export function fscSection(result: FscResult, reportedResolution: number | null): Level1SectionResult<FscSectionResults> {
  checkResolution(reportedResolution, null, "the reported resolution");
  const dpr = fixed(result.dprThreshold, 1);
  const base = {
    id: "1.a" as const,
    title: fscTitle,
    summarySentence: null,
    explanation:
      "The Fourier shell correlation (FSC) of the two unmasked half maps, their differential phase residual (DPR) and " +
      "the spectral signal-to-noise ratio (SSNR) of their sum and difference each give a global resolution: where the " +
      `FSC falls below 0.143, the DPR rises above ${dpr}° and the SSNR falls below 1.`,
    criteria: [
      `The reported resolution is at least ${REPORTED_RESOLUTION_FRACTION} × each of the FSC (0.143), DPR (${dpr}°) and SSNR (= 1) resolutions.`,
    ],
  };
  const { fit, resolution: preserved } = wellPreservedResolution(result);
  const estimates: ResolutionEstimate[] = [
    { method: "FSC", resolution: result.fscResolution },
    { method: "DPR", resolution: result.dprResolution },
    { method: "SSNR", resolution: result.ssnrResolution },
  ];
  const found = estimates.flatMap((e) => (e.resolution === null ? [] : [e.resolution]));
  const angstrom = (v: number) => `${fixed(v, 2)} Å`;
  const sentences = [
    result.fscResolution === null
      ? "The FSC does not cross the 0.143 threshold."
      : `The resolution according to the FSC is ${angstrom(result.fscResolution)}.` +
        (preserved === null ? "" : ` The map information is well preserved (FSC>0.9) up to ${angstrom(preserved)}.`),
    result.dprResolution === null
      ? `The DPR does not cross the ${dpr} threshold.`
      : `The resolution according to the DPR is ${angstrom(result.dprResolution)}.`,
    result.ssnrResolution === null
      ? "The SSNR does not cross the 1 threshold."
      : `The resolution according to the SSNR is ${angstrom(result.ssnrResolution)}.`,
  ];
  const mean = found.length ? found.reduce((s, v) => s + v, 0) / found.length : null;
  if (mean !== null) {
    sentences.push(
      `The mean resolution between the ${found.length === 3 ? "three" : found.length === 2 ? "two" : "one"} method${found.length === 1 ? "" : "s"} is ${angstrom(mean)} and its range is within the interval [${fixed(Math.min(...found), 2)},${fixed(Math.max(...found), 2)}] Å.`,
    );
  }
  const results: FscSectionResults = {
    shells: result.shells.map((s, i) => ({
      index: s.index, frequency: s.frequency, resolution: s.resolution,
      fsc: s.fsc, fscMasked: s.fscMasked, fscCorrected: s.fscCorrected, dpr: s.dpr,
      halfBit: result.halfBit[i], threeSigma: result.threeSigma[i],
    })),
    fscResolution: result.fscResolution,
    fscMaskedResolution: result.fscMaskedResolution,
    fscCorrectedResolution: result.fscCorrectedResolution,
    dprResolution: result.dprResolution,
    ssnrResolution: result.ssnrResolution,
    crossings: result.crossings,
    dprThreshold: result.dprThreshold,
    ssnr: { frequency: result.ssnr.frequency, log10: result.ssnr.log10 },
    randomisation: result.randomisation && { fromShell: result.randomisation.fromShell, seed: result.randomisation.seed },
    preservedFSC90resolution: preserved,
    fit: fit && { a: fit.a, b: fit.b, f0: fit.f0, c: fit.c, fitted: fit.fitted },
    meanResolution: mean,
    resolutionRange: found.length ? [Math.min(...found), Math.max(...found)] : null,
    resolutionEstimates: found,
    sentences,
  };
  if (found.length === 0)
    return { ...base, status: "not-measured", warnings: [], results, reason: "Neither the FSC, the DPR nor the SSNR crosses its threshold." };
  if (reportedResolution === null)
    return { ...base, status: "does-not-apply", warnings: [], results, reason: "No resolution was reported, so it cannot be compared with the estimates." };
  const { warnings, unmeasured } = reportedResolutionCriterion(reportedResolution, estimates, particularlyHighWording);
  const notes = unmeasured.length
    ? [`The ${unmeasured.join(" and ")} does not cross its threshold, so the reported resolution is compared with the other estimates only.`]
    : undefined;
  return { ...base, status: statusFromWarnings(warnings), warnings, results, ...(notes && { notes }) };
}

/**
 * A half map counts as masked when the voxels beyond its farthest non-zero voxel from the box centre (all exactly 0)
 * are at least this fraction of the box. A sphere inscribed in the box leaves 1 − π/6 = 48 % outside; an unmasked
 * half has no exact zeros there.
 */
export const MASKED_HALF_MIN_ZERO_FRACTION = 0.05;

export interface MaskedHalfCheck {
  masked: boolean;
  /** Distance (voxels) from the box centre ⌊n/2⌋ of the farthest non-zero voxel; null when every voxel is 0. */
  nonZeroRadius: number | null;
  /** Exactly-zero voxels farther from the centre than nonZeroRadius. */
  zeroVoxelsBeyond: number;
  /** The warning to show, or null. */
  warning: string | null;
}

/**
 * EMDB asks for unmasked half maps. A half whose background is exactly 0 beyond some radius (over at least
 * MASKED_HALF_MIN_ZERO_FRACTION of the box) was masked, which inflates its FSC; this says so. Pure.
 */
export function maskedHalfMapCheck(half: Volume, label: string, voxelSize: number | null = null): MaskedHalfCheck {
  const { nx, ny, nz, data } = half;
  const cx = nx >> 1, cy = ny >> 1, cz = nz >> 1;
  let farthest2 = -1;
  for (let z = 0, i = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, i++) {
        if (data[i] === 0) continue;
        const r2 = (x - cx) ** 2 + (y - cy) ** 2 + (z - cz) ** 2;
        if (r2 > farthest2) farthest2 = r2;
      }
  if (farthest2 < 0)
    return { masked: true, nonZeroRadius: null, zeroVoxelsBeyond: data.length, warning: `${label} is 0 everywhere.` };
  const radius = Math.sqrt(farthest2);
  let zeroVoxelsBeyond = 0;
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) if ((x - cx) ** 2 + (y - cy) ** 2 + (z - cz) ** 2 > farthest2) zeroVoxelsBeyond++;
  const masked = zeroVoxelsBeyond >= MASKED_HALF_MIN_ZERO_FRACTION * data.length;
  const where = voxelSize === null ? `${fixed(radius, 1)} voxels` : `${fixed(radius * voxelSize, 1)} Å (${fixed(radius, 1)} voxels)`;
  return {
    masked,
    nonZeroRadius: radius,
    zeroVoxelsBeyond,
    warning: masked
      ? `${label} looks masked: every voxel farther than ${where} from the box centre is exactly 0 (${fixed((100 * zeroVoxelsBeyond) / data.length, 0)} % of the box). EMDB asks for unmasked half maps; the FSC of masked halves is too optimistic.`
      : null,
  };
}
