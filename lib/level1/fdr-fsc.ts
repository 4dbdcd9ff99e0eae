/**
 * 1.b FDR-FSC: SPOC's permutation test of the FSC in each shell with Benjamini–Yekutieli control of the false
 * discovery rate at 1 % (Beckers & Sachse 2020), as VRS runs it (`FSC_FDRcontrol.py --symmetry C1`). Written from
 * the method's description in docs/reference/level1.md; the random draws come from lib/random.ts, so a rerun with the
 * same seed gives the same p-values (numpy's stream is not reproduced: p-values differ from SPOC's by sampling error
 * only). How mapval departs from SPOC and VRS: docs/vrs-differences.md.
 */
import { checkResolution, finiteMap, type Sourced } from "../analysis-inputs.js";
import { AnalysisInputError } from "../errors.js";
import { realFft3d, type HalfSpectrum } from "../fourier/fft3d.js";
import { checkHalfMaps, masked } from "./fsc.js";
import {
  particularlyHighWording,
  REPORTED_RESOLUTION_FRACTION,
  reportedResolutionCriterion,
  type Level1SectionResult,
} from "./level1-sections.js";
import { digitalFrequencies } from "../fourier/radial.js";
import { seededRandom } from "../random.js";
import { statusFromWarnings, type AnalysisMode } from "../report/report-types.js";
import type { Volume } from "../io/volume.js";

/** SPOC's false discovery rate. */
export const FDR_LEVEL = 0.01;
/** SPOC's mask in global mode: a sphere of radius min(n)/2 − 4 voxels with a Gaussian edge of σ = 2 voxels. */
export const SPHERE_MARGIN_VOXELS = 4;
export const SPHERE_EDGE_SIGMA = 2;
/** Mask values below this are set to 0 (SPOC). */
export const SPHERE_EDGE_CUTOFF = 1e-6;
/** Effective sample size: 0.7 of a shell's coefficients (SPOC's maskCoeff for global resolution), at most 200,000. */
export const EFFECTIVE_SAMPLE_FRACTION = 0.7;
export const MAX_SAMPLES = 200_000;
/** At most this many permutations, checked for convergence every PERMUTATION_BATCH. */
export const MAX_PERMUTATIONS = 1000;
export const PERMUTATION_BATCH = 200;
/** The permutations stop once a batch raises the p-value by less than this (SPOC: p_new − p_prev < 0.001). */
export const P_VALUE_CONVERGENCE = 0.001;
/** Below this effective sample size the shell is not tested: p = 0 when its FSC is at least SMALL_SHELL_FSC, else 1. */
export const MIN_SAMPLES = 10;
export const SMALL_SHELL_FSC = 0.9;
/** SPOC's seed (np.random.seed(3), reset for every shell); mapval's stream is its own. */
export const DEFAULT_FDR_SEED = 3;

export interface FdrFscShell {
  /** Shell i: |f| within (i ± ½)/(n·Ts), both bounds open. */
  index: number;
  /** 1/Å. */
  frequency: number;
  fsc: number;
  /** Coefficients in the shell (half spectrum) and the effective sample the permutations use. */
  coefficients: number;
  sampleSize: number;
  /** Permutations made (0 when the shell was decided by the small-shell rule or is shell 0). */
  permutations: number;
  pValue: number;
  /** Benjamini–Yekutieli adjusted p-value. */
  qValue: number;
  /** qValue ≤ FDR_LEVEL. */
  significant: boolean;
}

export interface FdrFscResult {
  voxelSize: number;
  mode: AnalysisMode;
  /** The mask the halves were multiplied by: SPOC's sphere, or the given soft mask (default mode only). */
  mask: { kind: "sphere"; radius: number; sigma: number } | { kind: "given" };
  seed: number;
  shells: FdrFscShell[];
  /**
   * 1/f of the last shell before the first one that is not significant (Å). All significant: 2·Ts, the Nyquist
   * resolution (SPOC). Null when only shell 0 is significant (SPOC prints 0 Å); 0 there under vrs-compat.
   */
  resolution: number | null;
}

export interface FdrFscOptions {
  /** Soft mask on the halves' grid; used in default mode (VRS passes one, SPOC ignores it), ignored in vrs-compat. */
  mask?: Volume;
  mode?: AnalysisMode;
  /** Integer in [0, 2³²): every shell's draws start from it. */
  seed?: number;
  voxelSize?: Sourced;
  memoryBudgetBytes?: number;
}

/** 1.b for two half maps of one grid; throws AnalysisInputError when they cannot be compared. */
export function fdrFsc(half1: Volume, half2: Volume, options: FdrFscOptions = {}): FdrFscResult {
  const mode = options.mode ?? "default";
  if (mode !== "default" && mode !== "vrs-compat")
    throw new AnalysisInputError("bad-mode", `mode must be "default" or "vrs-compat", got ${JSON.stringify(mode)}`);
  const seed = options.seed ?? DEFAULT_FDR_SEED;
  if (!(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32))
    throw new AnalysisInputError("bad-seed", `the FDR-FSC seed must be an integer from 0 to 2^32 − 1, got ${seed}`);
  const givenMask = mode === "default" ? options.mask : undefined;
  const ts = checkHalfMaps(half1, half2, { mask: givenMask, voxelSize: options.voxelSize, memoryBudgetBytes: options.memoryBudgetBytes });
  const { nx, ny, nz } = half1;
  const radius = Math.min(nx, ny, nz) / 2 - SPHERE_MARGIN_VOXELS;
  const maskData = givenMask ? givenMask.data : sphereMask(nx, ny, nz, radius);
  const scratch = new Float32Array(maskData.length);
  const spectrum1 = realFft3d(masked(finiteMap(half1).volume, maskData, scratch));
  const spectrum2 = realFft3d(masked(finiteMap(half2).volume, maskData, scratch));

  // SPOC's shells follow numpy's first axis (z): res_i = i/(nz·Ts), i = 0 … ⌊nz/2⌋.
  const shellCount = Math.floor(nz / 2) + 1;
  const members = shellMembers(spectrum1, nz, shellCount);
  const shells: FdrFscShell[] = [];
  for (let i = 0; i < shellCount; i++) {
    const test = shellTest(spectrum1, spectrum2, members[i], i === 0, seed);
    shells.push({ index: i, frequency: i / (nz * ts), coefficients: members[i].length, ...test, qValue: NaN, significant: false });
  }
  const q = benjaminiYekutieli(shells.map((s) => s.pValue));
  shells.forEach((s, i) => {
    s.qValue = q[i];
    s.significant = q[i] <= FDR_LEVEL;
  });
  const firstNot = shells.findIndex((s) => !s.significant);
  let resolution: number | null;
  if (firstNot < 0) resolution = 2 * ts;
  else if (firstNot - 1 <= 0) resolution = mode === "vrs-compat" ? 0 : null;
  else resolution = 1 / shells[firstNot - 1].frequency;
  const mask = givenMask ? { kind: "given" as const } : { kind: "sphere" as const, radius, sigma: SPHERE_EDGE_SIGMA };
  return { voxelSize: ts, mode, mask, seed, shells, resolution };
}

/**
 * SPOC's spherical mask: 1 within `radius` of the centre, exp(−(r − radius)²/(2σ²)) beyond, 0 below 1e-6. SPOC's
 * coordinates run from −⌊n/2⌋ to −⌊n/2⌋ + n in n evenly spaced steps (numpy linspace), so a step is n/(n − 1) voxels.
 */
export function sphereMask(nx: number, ny: number, nz: number, radius: number): Float32Array {
  const axis = (n: number) => Float64Array.from({ length: n }, (_, k) => -Math.floor(n / 2) + (n > 1 ? (k * n) / (n - 1) : 0));
  const x = axis(nx), y = axis(ny), z = axis(nz);
  const out = new Float32Array(nx * ny * nz);
  for (let k = 0, i = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let l = 0; l < nx; l++, i++) {
        const beyond = Math.sqrt(x[l] ** 2 + y[j] ** 2 + z[k] ** 2) - radius;
        const value = beyond < 0 ? 1 : Math.exp(-(beyond * beyond) / (2 * SPHERE_EDGE_SIGMA ** 2));
        out[i] = value < SPHERE_EDGE_CUTOFF ? 0 : value;
      }
  return out;
}

/**
 * Stored bins of each shell i: (i − ½)/n < |u| < (i + ½)/n in cycles per voxel, in storage order. Two passes (count,
 * then fill) so that no per-bin shell map is held.
 */
function shellMembers(spectrum: HalfSpectrum, n: number, shellCount: number): Int32Array[] {
  const { nx, ny, nz, hx } = spectrum;
  const fx = digitalFrequencies(nx), fy = digitalFrequencies(ny), fz = digitalFrequencies(nz);
  const visit = (use: (shell: number, e: number) => void) => {
    for (let kz = 0, e = 0; kz < nz; kz++)
      for (let ky = 0; ky < ny; ky++)
        for (let kx = 0; kx < hx; kx++, e++) {
          const scaled = Math.sqrt(fz[kz] ** 2 + fy[ky] ** 2 + fx[kx] ** 2) * n;
          const shell = Math.round(scaled);
          // Open bounds: a radius exactly half-way between two shells belongs to neither.
          if (shell < shellCount && Math.abs(scaled - shell) < 0.5) use(shell, e);
        }
  };
  const counts = new Int32Array(shellCount);
  visit((shell) => counts[shell]++);
  const members = Array.from(counts, (c) => new Int32Array(c));
  const filled = new Int32Array(shellCount);
  visit((shell, e) => (members[shell][filled[shell]++] = e));
  return members;
}

/** The FSC of one shell and its permutation p-value (SPOC's permutationTest, C1). */
function shellTest(a: HalfSpectrum, b: HalfSpectrum, bins: Int32Array, isShellZero: boolean, seed: number) {
  const count = bins.length;
  let cross = 0, power1 = 0, power2 = 0;
  for (const e of bins) {
    const r1 = a.data[2 * e], i1 = a.data[2 * e + 1], r2 = b.data[2 * e], i2 = b.data[2 * e + 1];
    cross += r1 * r2 + i1 * i2;
    power1 += r1 * r1 + i1 * i1;
    power2 += r2 * r2 + i2 * i2;
  }
  const denominator = Math.sqrt(power1 * power2);
  const fsc = denominator !== 0 ? cross / denominator : 0;
  const sampleSize = Math.max(1, Math.floor(Math.min(EFFECTIVE_SAMPLE_FRACTION * count, MAX_SAMPLES)));
  if (isShellZero) return { fsc, sampleSize, permutations: 0, pValue: 0 };
  if (sampleSize < MIN_SAMPLES) return { fsc, sampleSize, permutations: 0, pValue: fsc < SMALL_SHELL_FSC ? 1 : 0 };

  const random = seededRandom(seed);
  const randomIndex = (upTo: number) => Math.floor(random() * upTo);
  // The sample: sampleSize (< count) bins drawn without replacement, by a partial Fisher–Yates shuffle.
  const chosen = Int32Array.from(bins);
  const m = sampleSize;
  for (let i = 0; i < m; i++) {
    const j = i + randomIndex(count - i);
    [chosen[i], chosen[j]] = [chosen[j], chosen[i]];
  }
  const re1 = new Float64Array(m), im1 = new Float64Array(m), re2 = new Float64Array(m), im2 = new Float64Array(m);
  let samplePower1 = 0, samplePower2 = 0;
  for (let i = 0; i < m; i++) {
    const e = chosen[i];
    re1[i] = a.data[2 * e];
    im1[i] = a.data[2 * e + 1];
    re2[i] = b.data[2 * e];
    im2[i] = b.data[2 * e + 1];
    samplePower1 += re1[i] ** 2 + im1[i] ** 2;
    samplePower2 += re2[i] ** 2 + im2[i] ** 2;
  }
  const sampleDenominator = Math.sqrt(samplePower1 * samplePower2);
  let exceeding = 0, made = 0, previousP = 0;
  // Half 2's sample is shuffled in place: a shuffle of a shuffled list is again a uniformly random permutation.
  const permuteOnce = () => {
    for (let i = m - 1; i > 0; i--) {
      const j = randomIndex(i + 1);
      const r = re2[i], im = im2[i];
      re2[i] = re2[j];
      im2[i] = im2[j];
      re2[j] = r;
      im2[j] = im;
    }
    let sum = 0;
    for (let i = 0; i < m; i++) sum += re1[i] * re2[i] + im1[i] * im2[i];
    if (sum / sampleDenominator > fsc) exceeding++;
    made++;
  };
  // SPOC plans min(N!, 1000) permutations; a shell that reaches this point has N ≥ 15, so 1000.
  for (let batch = 0; batch < MAX_PERMUTATIONS / PERMUTATION_BATCH; batch++) {
    for (let k = 0; k < PERMUTATION_BATCH; k++) permuteOnce();
    const p = exceeding / made;
    if (p - previousP < P_VALUE_CONVERGENCE) break;
    previousP = p;
  }
  return { fsc, sampleSize, permutations: made, pValue: exceeding / made };
}

/**
 * Benjamini–Yekutieli adjusted p-values (SPOC's pAdjust 'BY'): with p sorted ascending, q_(i) = min(1, min over
 * j ≥ i of p_(j)·(M/j)·H_M), H_M by SPOC's expansion ln M + 0.5772 + 1/(2M) − 1/(12M²) + 1/(120M⁴). Ties share the
 * value of their last rank, so the order among them does not matter.
 */
export function benjaminiYekutieli(p: readonly number[]): number[] {
  const m = p.length;
  if (m === 0) return [];
  const harmonic = Math.log(m) + 0.5772 + 0.5 / m - 1 / (12 * m * m) + 1 / (120 * m ** 4);
  const order = p.map((_, i) => i).sort((i, j) => p[i] - p[j] || i - j);
  const q = new Array<number>(m);
  let previous = 1;
  for (let rank = m - 1; rank >= 0; rank--) {
    previous = Math.min(previous, p[order[rank]] * (m / (rank + 1)) * harmonic);
    q[order[rank]] = previous;
  }
  return q;
}

export const fdrFscTitle = "1.b FSC permutation";

export interface FdrFscSectionResults {
  /** Å; null when no shell past shell 0 is significant. */
  FDRResolution: number | null;
  significantShells: number;
  mask: FdrFscResult["mask"];
  seed: number;
  /** fdrFsc's rows, shell 0 included: the FSC, p- and q-value and decision of each shell (the page's 1.b chart). */
  shells: FdrFscShell[];
}

/** SPOC estimates (and prints) a B-factor only for resolutions finer than this (Å); VRS needs that line. */
export const SPOC_BFACTOR_WORST_RESOLUTION = 8;

/**
 * The 1.b verdict: VRS's warning when the reported resolution is below 0.8 × the FDR-FSC resolution. Not measured
 * when no shell past shell 0 is significant (SPOC then fails on its B-factor), and under vrs-compat also at 8 Å or
 * worse (no B-factor line, which VRS requires); does not apply without a reported resolution (VRS crashes).
 */
export function fdrFscSection(result: FdrFscResult, reportedResolution: number | null): Level1SectionResult<FdrFscSectionResults> {
  checkResolution(reportedResolution, null, "the reported resolution");
  const results: FdrFscSectionResults = {
    FDRResolution: result.resolution,
    significantShells: result.shells.filter((s) => s.index > 0 && s.significant).length,
    mask: result.mask,
    seed: result.seed,
    shells: result.shells,
  };
  const base = {
    id: "1.b" as const,
    title: fdrFscTitle,
    summarySentence: null,
    results,
    explanation:
      "A permutation test in each Fourier shell asks whether the two half maps correlate more than shuffled copies " +
      "of themselves would; the shells that pass at a 1 % false discovery rate (Benjamini–Yekutieli) give the resolution.",
    criteria: [`The reported resolution is at least ${REPORTED_RESOLUTION_FRACTION} × the resolution at 1 % FDR.`],
  };
  if (result.resolution === null || result.resolution === 0)
    return { ...base, status: "not-measured", warnings: [], reason: "No shell beyond the origin is significant at 1 % FDR." };
  if (result.mode === "vrs-compat" && result.resolution >= SPOC_BFACTOR_WORST_RESOLUTION)
    return {
      ...base,
      status: "not-measured",
      warnings: [],
      reason: `SPOC prints no B-factor for a resolution of ${SPOC_BFACTOR_WORST_RESOLUTION} Å or worse, and VRS then says the section could not be measured.`,
    };
  if (reportedResolution === null)
    return { ...base, status: "does-not-apply", warnings: [], reason: "No resolution was reported, so it cannot be compared with the estimate." };
  const { warnings } = reportedResolutionCriterion(
    reportedResolution,
    [{ method: "FSC permutation", resolution: result.resolution }],
    particularlyHighWording,
  );
  return { ...base, status: statusFromWarnings(warnings), warnings };
}
