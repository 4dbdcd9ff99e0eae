/**
 * 0.d Global B-factor from the Guinier plot, as VRS gets it from `xmipp_volume_correct_bfactor --auto`
 * (make_guinier_plot + least_squares_line_fit in Xmipp; see docs/reference/vrs-level0.md "0.d" and
 * docs/reference/local-methods.md "Guinier B-factor").
 *
 * Sign convention (Xmipp's): |F(s)| ∝ exp(B·s²/4) with s = 1/d, so a map whose amplitudes fall off has B < 0.
 */
import { AnalysisInputError } from "../errors.js";
import { inverseRealFft3d, realFft3d, type HalfSpectrum } from "../fourier/fft3d.js";
import { amplitude, digitalFrequencies, shellSums } from "../fourier/radial.js";
import { statusFromWarnings, type AnalysisMode, type SectionResult } from "../report/report-types.js";
import type { Volume } from "../io/volume.js";
import { sectionTitle } from "../section-registry.js";

export const bfactorTitle = sectionTitle("0.d");

/** Xmipp's default `fit_minres` (Å): the fit starts at 15 Å. */
export const GUINIER_FIT_MIN_RESOLUTION = 15;
/** Maps reported worse than this (Å) are not analysed (what the current VRS service prints; its public code has no limit). */
export const BFACTOR_WORST_RESOLUTION = 8;
export const BFACTOR_RANGE: readonly [number, number] = [-300, 0];

export interface GuinierPlot {
  /** 1/d² (Å⁻²) of each shell i = 0, 1, … with d = nx·Ts/i ≥ maxResolution. */
  x: number[];
  /** ln(mean |F|) in the shell, |F| from the FFT divided by the voxel count; 0 for an empty shell. */
  lnF: number[];
  /** True for the shells the line is fitted to: fitMaxResolution ≤ d ≤ fitMinResolution and a non-zero sum. */
  fitted: boolean[];
}

export interface GuinierOptions {
  /** Å per voxel (Xmipp's sampling rate; the x axis sets the shell spacing). */
  voxelSize: number;
  /** Shells finer than this (Å) are left out of the plot. */
  maxResolution: number;
  /** Coarsest resolution fitted (Å), default 15. */
  fitMinResolution?: number;
  /** Finest resolution fitted (Å), default maxResolution. */
  fitMaxResolution?: number;
  /** Per-bin gain applied to |F| before binning, given the physical frequency s (Å⁻¹). */
  gain?: (s: number) => number;
}

/**
 * Xmipp's make_guinier_plot on a half spectrum: mean |F|/N per shell i = ROUND(R·nx) over the stored bins with digital
 * radius R ≤ 0.5, then one point per shell whose resolution nx·Ts/i is at least maxResolution.
 */
export function guinierPlot(spectrum: HalfSpectrum, options: GuinierOptions): GuinierPlot {
  const { voxelSize, maxResolution, gain } = options;
  const fitMinResolution = options.fitMinResolution ?? GUINIER_FIT_MIN_RESOLUTION;
  const fitMaxResolution = options.fitMaxResolution ?? maxResolution;
  const { nx } = spectrum;
  const norm = 1 / (spectrum.nx * spectrum.ny * spectrum.nz);
  const inPlot = (i: number) => (nx * voxelSize) / i >= maxResolution;
  // The plot's shells are 0 … shellCount − 1 (resolution falls with i); bins beyond shellCount/nx lie in later shells.
  let shellCount = 0;
  while (shellCount < nx && inPlot(shellCount)) shellCount++;
  const { sum, count } = shellSums(spectrum, {
    shellScale: nx,
    shellCount,
    maxRadius: Math.min(0.5, shellCount / nx),
    value: gain
      ? (re, im, radius) => amplitude(re * norm, im * norm) * gain(radius / voxelSize)
      : (re, im) => amplitude(re * norm, im * norm),
  });
  const plot: GuinierPlot = { x: [], lnF: [], fitted: [] };
  for (let i = 0; i < shellCount; i++) {
    const resolution = (nx * voxelSize) / i;
    plot.x.push(1 / (resolution * resolution));
    const filled = sum[i] > 0;
    plot.lnF.push(filled ? Math.log(sum[i] / count[i]) : 0);
    plot.fitted.push(filled && resolution <= fitMinResolution && resolution >= fitMaxResolution);
  }
  return plot;
}

/**
 * Xmipp's least_squares_line_fit with 0/1 weights: y = slope·x + intercept over the selected points, accumulated in
 * Xmipp's order. Fewer than two distinct x give NaN, as Xmipp's 0/0 does.
 */
export function leastSquaresLine(x: readonly number[], y: readonly number[], use: readonly boolean[]) {
  let sumX = 0;
  let sumY = 0;
  let sumXY = 0;
  let sumXX = 0;
  let sumW = 0;
  for (let i = 0; i < x.length; i++) {
    if (!use[i]) continue;
    sumX += x[i];
    sumY += y[i];
    sumXX += x[i] * x[i];
    sumXY += x[i] * y[i];
    sumW += 1;
  }
  const slope = (sumX * sumY - sumW * sumXY) / (sumX * sumX - sumW * sumXX);
  const intercept = (sumY - slope * sumX) / sumW;
  return { slope, intercept, points: sumW };
}

/**
 * Xmipp's B-factor correction of a Fourier coefficient at physical frequency s (Å⁻¹): F·exp(−B·s²/4) where
 * 1/s ≥ resolution, F unchanged at finer frequencies.
 */
export function bfactorCorrectionGain(B: number, resolution: number): (s: number) => number {
  return (s) => (1 / s >= resolution ? Math.exp(-0.25 * B * s * s) : 1);
}

/**
 * The B-factor corrected map (Xmipp's sharpenedMap.mrc, whose slices VRS shows under the Guinier plot): every
 * coefficient of the map's spectrum multiplied by `bfactorCorrectionGain`, at s = |digital frequency| / voxelSize.
 */
export function bfactorCorrectedMap(volume: Volume, options: { voxelSize: number; resolution: number; B: number }): Volume {
  const { voxelSize, resolution, B } = options;
  if (!(Number.isFinite(voxelSize) && voxelSize > 0)) {
    throw new AnalysisInputError("bad-voxel-size", `voxelSize must be a positive number of Å, got ${voxelSize}`);
  }
  if (!(Number.isFinite(resolution) && resolution > 0)) {
    throw new AnalysisInputError("bad-resolution", `resolution must be a positive number of Å, got ${resolution}`);
  }
  if (!Number.isFinite(B)) throw new AnalysisInputError("bad-bfactor", `B must be a finite number of Å², got ${B}`);
  const spectrum = realFft3d(volume);
  const { nx, ny, nz, hx, data } = spectrum;
  const gain = bfactorCorrectionGain(B, resolution);
  const fx = digitalFrequencies(nx), fy = digitalFrequencies(ny), fz = digitalFrequencies(nz);
  for (let kz = 0, e = 0; kz < nz; kz++)
    for (let ky = 0; ky < ny; ky++)
      for (let kx = 0; kx < hx; kx++, e++) {
        const g = gain(Math.hypot(fx[kx], fy[ky], fz[kz]) / voxelSize);
        data[2 * e] *= g;
        data[2 * e + 1] *= g;
      }
  return { ...volume, data: Float32Array.from(inverseRealFft3d(spectrum, true)) };
}

export interface BFactorResults {
  /** 4·slope (Å²); null when no line could be fitted (only reachable in vrs-compat mode, where VRS says OK). */
  B: number | null;
  slope: number | null;
  intercept: number | null;
  /** Number of Guinier points in the fit. */
  points: number;
  guinier: {
    /** 1/d² (Å⁻²). */
    x: number[];
    lnF: number[];
    /** slope·x + intercept at every x; empty when no line was fitted. */
    fit: number[];
    /** ln mean |F| after Xmipp's correction F·exp(−B·s²/4) wherever 1/s ≥ resolution; empty when no line was fitted. */
    corrected: number[];
    fitted: boolean[];
  };
}

export interface BFactorOptions {
  /** Å per voxel. */
  voxelSize: number;
  /** Reported resolution (Å), or null when none was reported. */
  resolution: number | null;
  mode?: AnalysisMode;
}

const explanation =
  "The Guinier plot is ln of the mean Fourier amplitude |F| in thin shells against 1/d². A line fitted between 15 Å " +
  "and the reported resolution has slope B/4; B (Å²) is negative for a map whose amplitudes fall off with resolution.";

export function bfactorSection(volume: Volume, options: BFactorOptions): SectionResult<BFactorResults> {
  const { voxelSize, resolution } = options;
  const mode = options.mode ?? "default";
  if (!(Number.isFinite(voxelSize) && voxelSize > 0)) {
    throw new AnalysisInputError("bad-voxel-size", `voxelSize must be a positive number of Å, got ${voxelSize}`);
  }
  const base = {
    id: "0.d" as const,
    title: bfactorTitle,
    explanation,
    criteria: [
      `The B-factor fitted between ${GUINIER_FIT_MIN_RESOLUTION} Å and the reported resolution is in [${BFACTOR_RANGE[0]}, ${BFACTOR_RANGE[1]}] Å².`,
    ],
  };
  const doesNotApply = (reason: string): SectionResult<BFactorResults> => ({
    ...base,
    status: "does-not-apply",
    warnings: [],
    results: null,
    reason,
    summarySentence: null,
  });
  if (resolution === null) return doesNotApply("This method cannot be applied to maps with no resolution reported.");
  if (!(Number.isFinite(resolution) && resolution > 0)) {
    throw new AnalysisInputError("bad-resolution", `resolution must be a positive number of Å or null, got ${resolution}`);
  }
  if (resolution > BFACTOR_WORST_RESOLUTION) {
    return doesNotApply(`This method cannot be applied to maps with a resolution worse than ${BFACTOR_WORST_RESOLUTION}Å.`);
  }

  const spectrum = realFft3d(volume);
  const plot = guinierPlot(spectrum, { voxelSize, maxResolution: resolution });
  const line = leastSquaresLine(plot.x, plot.lnF, plot.fitted);
  // VRS reads slope, intercept and B back from Xmipp's text output, printed with 6 significant digits.
  const printed = (value: number) => (mode === "vrs-compat" ? Number(value.toPrecision(6)) : value);
  const B = printed(4 * line.slope);
  const guinier = { x: plot.x, lnF: plot.lnF, fitted: plot.fitted, fit: [] as number[], corrected: [] as number[] };

  if (line.points < 2 || !Number.isFinite(B)) {
    const reason =
      `Only ${line.points} Guinier point(s) lie between ${GUINIER_FIT_MIN_RESOLUTION} Å and ${resolution} Å ` +
      `(shells of ${(spectrum.nx * voxelSize).toFixed(2)}/i Å), so no line can be fitted.`;
    const results: BFactorResults = { B: null, slope: null, intercept: null, points: line.points, guinier };
    // VRS compares B = NaN with the interval, both tests are false, and the section passes.
    if (mode === "vrs-compat") return { ...base, status: "ok", warnings: [], results, notes: [reason], summarySentence: null };
    return { ...base, status: "not-measured", warnings: [], results: null, reason, notes: [reason], summarySentence: null };
  }

  const slope = printed(line.slope);
  const intercept = printed(line.intercept);
  guinier.fit = plot.x.map((x) => slope * x + intercept);
  // Xmipp sharpens with the unrounded B it computed and bins the result again.
  guinier.corrected = guinierPlot(spectrum, {
    voxelSize,
    maxResolution: resolution,
    gain: bfactorCorrectionGain(4 * line.slope, resolution),
  }).lnF;

  const warnings: string[] = [];
  if (B < BFACTOR_RANGE[0] || B > BFACTOR_RANGE[1]) {
    warnings.push("The B-factor is out of the interval [-300,0]." + (B > 0 ? " It is oversharpened." : ""));
  }
  return {
    ...base,
    status: statusFromWarnings(warnings),
    warnings,
    results: { B, slope, intercept, points: line.points, guinier },
    summarySentence: warnings.length > 0 ? "There seems to be a problem with its B-factor (see Sec. 0.d). " : null,
  };
}
