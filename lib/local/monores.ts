/**
 * MonoRes-style local resolution of a single map (Vilas et al. 2018, Structure 26:337), as Xmipp's current
 * `resolution_monogenic_signal` runs it without half maps; see docs/reference/local-methods.md "Local resolution".
 *
 * The noise is the map outside the mask. For each resolution of a sweep from a low-resolution limit down to Nyquist,
 * the map is high-passed at that frequency (raised cosine), its monogenic amplitude (the modulus of the map and its
 * three Riesz components) is smoothed by a raised-cosine low-pass at the same frequency, and a voxel whose amplitude
 * is above the noise's `significance` quantile keeps that resolution; after two misses in a row it is frozen at the
 * resolution it last passed. The result is smoothed and capped at the unsmoothed one.
 *
 * With half maps (`MonoResOptions.noise`, Xmipp's `useHalfVolumes` with `noiseOnlyInHalves`), the map is the average
 * of the halves and the noise is the same amplitude of their half difference (h1 − h2)/2, taken over every voxel still
 * analysed (molecule and background); there is no mask refinement. See docs/reference/level1.md "1.e".
 *
 * Frequencies are digital (cycles/voxel) and radii are `|u| = √(ux² + uy² + uz²)` with each axis scaled by its own
 * size, as Xmipp's FFT_IDX2DIGFREQ; the sweep snaps resolutions to Fourier bins of the x axis (Xmipp's `volsize`).
 */
import {
  computeInOrder, ignoreProgress, progressSteps, sharedFloat64Array, type BandComputer, type BandJob, type BandRun,
  type FractionDone, type Planned,
} from "./bands.js";
import { halfWidth, inverseRealFft3d, realFft3d, type GridShape, type HalfSpectrum, type RealGrid } from "../fourier/fft3d.js";
import normalCdf from "@stdlib/stats-base-dists-normal-cdf";
import { MonogenicEnergy } from "./monogenic.js";
import { selectNth } from "./quickselect.js";
import { applyRadialGain, digitalFrequencies, RAISED_COSINE_WIDTH } from "../fourier/radial.js";
import { allSteps, type Steps } from "../steps.js";

/** Xmipp's protocol defaults for MonoRes. */
export const MONORES_DEFAULTS = {
  /** Sweep start (Å): the lowest resolution analysed (Xmipp's default "lowest resolution", 30 Å). */
  lowestResolution: 30,
  /** Sweep step (Å); Xmipp raises anything below 0.25 to 0.25. */
  step: 0.5,
  /** Noise quantile a voxel's amplitude must exceed, and the one-sided level of the signal-vs-noise z test. */
  significance: 0.95,
} as const;

/** Xmipp realGaussianFilter σ of the mask-refinement amplitude and of the final smoothing. */
export const REFINEMENT_SIGMA = 4;
export const SMOOTHING_SIGMA = 3;
/** The sweep stops once fewer than this fraction of the (refined) molecule voxels are still being tested. */
export const ACTIVE_FRACTION_LIMIT = 0.025;
/** …or once the mean molecule amplitude falls below this fraction of its maximum over the sweep. */
const SIGNAL_COLLAPSE = 0.001;
/** Fewer noise voxels than this cannot give a meaningful 95 % quantile (5 % of them must lie above it). */
export const MIN_NOISE_VOXELS = 1000;
/**
 * Not in Xmipp: if the refinement keeps fewer than this share of the mask (voxels whose amplitude exceeds the noise's
 * 95 % quantile; noise alone gives 5 %), the mask is not told apart from the noise and nothing is reported. Without
 * it, pure noise gets arbitrary resolutions, because the refinement keeps the noise's own amplitude peaks.
 */
export const MIN_SIGNAL_FRACTION = 0.1;

/** The monogenic band energies of a map's half spectrum on MonoRes's digital frequencies, in float64. */
export function monogenicBands(spectrum: HalfSpectrum): MonogenicEnergy {
  const { nx, ny, nz } = spectrum;
  return new MonogenicEnergy({
    shape: [nx, ny, nz],
    frequencies: [digitalFrequencies(nx), digitalFrequencies(ny), digitalFrequencies(nz)],
    spectrum: spectrum.data,
    nyquist: "real",
    precision: "float64",
  });
}

/**
 * Monogenic amplitude of the map filtered by the radial gain `gain(|u|)`: `√(v0² + vx² + vy² + vz²)` with
 * `v0 = IFFT(W·F)` and `vk = IFFT(−i·(uk/|u|)·W·F)` (0 at DC), lib/local/monogenic.ts. A plane wave cos(2π k·r) of gain w
 * gives w everywhere. Written into `out` when given.
 */
export function monogenicAmplitude(
  bands: MonogenicEnergy,
  gain: (radius: number) => number,
  out: Float64Array = new Float64Array(bands.voxels),
  onProgress: FractionDone = ignoreProgress,
): Float64Array {
  bands.setGain(gain);
  bands.energy(out, onProgress);
  for (let i = 0; i < out.length; i++) out[i] = Math.sqrt(out[i]);
  return out;
}

/** Xmipp's MonoRes high-pass at `freq`: 0 below freqH, raised cosine from freqH to freq, 1 above. */
export function highPass(freq: number, freqH: number): (radius: number) => number {
  const scale = Math.PI / (freq - freqH);
  return (u) => (u > freq ? 1 : u >= freqH ? 0.5 * (1 + Math.cos((u - freq) * scale)) : 0);
}

/** The all-pass gain (the refinement's full-band amplitude). */
const allPass = () => 1;

/**
 * In place: Xmipp's MonoRes low-pass of the amplitude, 1 below `freq`, raised cosine from freq to freqL, 0 above.
 * At Nyquist freqL = freq, where Xmipp's formula divides by zero: there the filter is a plain cut at freq.
 * `workData` (a half spectrum's length) is scratch space.
 */
export function lowPassInPlace(
  values: Float64Array,
  shape: GridShape,
  freq: number,
  freqL: number,
  workData?: Float64Array,
): void {
  const { nx, ny, nz } = shape;
  const spectrum = realFft3d({ nx, ny, nz, data: values }, workData);
  const scale = Math.PI / (freqL - freq);
  applyRadialGain(spectrum, (u) =>
    u < freq ? 1 : u > freqL ? 0 : freqL > freq ? 0.5 * (1 + Math.cos(scale * (u - freq))) : 1,
  );
  values.set(inverseRealFft3d(spectrum, true));
}

/**
 * Xmipp's realGaussianFilter(σ) applied exactly in Fourier space (transfer exp(−π²σ²|u|²), a real-space Gaussian of
 * std σ/√2 voxels, periodic). gaussian.ts keeps ±7 taps, tuned for σ = 2; at σ = 4 that would cut the kernel at
 * 2.5 std, so MonoRes's σ = 3 and 4 are applied by FFT here.
 */
export function gaussianInPlace(values: Float64Array, shape: GridShape, sigma: number, workData?: Float64Array): void {
  const { nx, ny, nz } = shape;
  const spectrum = realFft3d({ nx, ny, nz, data: values }, workData);
  const k = -Math.PI * Math.PI * sigma * sigma;
  applyRadialGain(spectrum, (u) => Math.exp(k * u * u));
  values.set(inverseRealFft3d(spectrum, true));
}

/** Xmipp's ROUND for the DIGFREQ2FFT_IDX macro: halves away from zero. */
function xmippRound(x: number): number {
  return x > 0 ? Math.trunc(x + 0.5) : Math.trunc(x - 0.5);
}

/**
 * How the sweep places its resolutions. "bins" (Xmipp's MonoRes): each requested resolution snapped to a whole
 * Fourier bin, so at low resolution many steps collapse onto one bin (21 → 17.5 Å on a 100-voxel, 1.05 Å box) and
 * near Nyquist a step skips bins (3.5 → 4 Å is four bins there). "fine": the requested resolutions themselves and
 * every Fourier bin, in order, each at least a quarter bin past the previous: whichever of the step and one bin is
 * finer, everywhere.
 */
export type SweepSpacing = "bins" | "fine";

/** Smallest frequency step (digital) of a "fine" sweep, in Fourier bins. */
export const FINE_SWEEP_BINS = 0.25;

/**
 * The sweep's resolutions: `lowestResolution − c·step` for c = 0, 1, …, placed as `spacing` says ("bins": snapped to
 * the x-axis Fourier bin `round(nx·Ts/res)`, resolution nx·Ts/bin, repeated bins and bin 0 skipped), ending before
 * Nyquist 2·Ts.
 */
export function sweepResolutions(
  nx: number,
  voxelSize: number,
  lowestResolution: number,
  step: number,
  spacing: SweepSpacing = "bins",
) {
  const list: { resolution: number; freq: number }[] = [];
  const nyquist = 2 * voxelSize;
  let lastBin = -1;
  for (let c = 0; ; c++) {
    const requested = lowestResolution - c * step;
    if (requested <= 0) break;
    if (spacing === "fine") {
      if (requested < nyquist) break;
      list.push({ resolution: requested, freq: voxelSize / requested });
      continue;
    }
    let bin = xmippRound((voxelSize / requested) * nx);
    if (bin < 0) bin += nx;
    if (bin === lastBin || bin === 0) continue;
    lastBin = bin;
    const freq = (bin <= nx >> 1 ? bin : bin - nx) / nx;
    const resolution = voxelSize / freq;
    if (resolution < nyquist) break;
    list.push({ resolution, freq });
  }
  return spacing === "fine" ? withEveryBin(list, nx, voxelSize) : list;
}

/** The fine sweep: `steps` and the Fourier bins from the first step to Nyquist, merged, a quarter bin apart at least. */
function withEveryBin(steps: { resolution: number; freq: number }[], nx: number, voxelSize: number) {
  if (steps.length === 0) return steps;
  const bins: { resolution: number; freq: number }[] = [];
  for (let b = 1; b <= nx >> 1; b++) if (b / nx >= steps[0].freq) bins.push({ resolution: voxelSize / (b / nx), freq: b / nx });
  const merged = [...steps, ...bins].sort((a, b) => a.freq - b.freq);
  const out = [merged[0]];
  for (const band of merged) if (band.freq - out[out.length - 1].freq >= FINE_SWEEP_BINS / nx) out.push(band);
  return out;
}

export interface MonoResOptions {
  /** Å per voxel of the grid analysed. */
  voxelSize: number;
  lowestResolution?: number;
  step?: number;
  /** Default "bins", as Xmipp. */
  spacing?: SweepSpacing;
  significance?: number;
  /**
   * The half-map noise (h1 − h2)/2 on the map's grid, the map being (h1 + h2)/2: its amplitudes are the noise (at
   * every voxel labelled ≥ 0) instead of the map's outside the mask, and the mask is not refined.
   */
  noise?: RealGrid;
}

export type SweepStop =
  | "hypothesis-test" // the molecule's mean amplitude is no longer significantly above the noise's
  | "mask-completed" // fewer than 2.5 % of the molecule voxels are still being tested
  | "signal-collapse" // the mean molecule amplitude fell below 0.001 of its maximum
  | "nyquist"; // every bin down to Nyquist was analysed

export interface MonoResDiagnostics {
  /** Resolutions analysed (Å), in sweep order. */
  resolutions: number[];
  stop: SweepStop;
  /** Voxels beyond this radius from the box centre (voxels) are neither molecule nor noise (Xmipp's cliff). */
  cliffRadius: number;
  /** Mask voxels inside the cliff radius, before the refinement. */
  maskVoxels: number;
  /** Molecule voxels kept by the refinement (amplitude above the noise's 95 % quantile). */
  refinedMaskVoxels: number;
  /** Noise voxels (outside the mask and inside the cliff radius, plus those the refinement moved out). */
  noiseVoxels: number;
  /** Amplitude threshold of each analysed resolution (the noise's significance quantile). */
  noiseThresholds: number[];
}

export type MonoResResult =
  | {
      measured: true;
      /** Local resolution (Å) per voxel; 0 outside the voxels that received one. */
      map: Float32Array;
      diagnostics: MonoResDiagnostics;
    }
  | { measured: false; reason: string; diagnostics: Partial<MonoResDiagnostics> };

/**
 * Xmipp's labels before the sweep: 1 molecule, 0 noise, −1 excluded. Going out from the mask's largest radius
 * (⌊√max r²⌋ about voxel ⌊n/2⌋) in one-voxel shells, the first shell whose map variance is below 1 % of the previous
 * one marks where a spherical mask zeroed the box; everything at r ≥ that shell − 1 is excluded (r ≥ ⌊nx/2⌋ if no
 * such drop, i.e. outside the inscribed sphere), so the zeros do not count as noise.
 */
export function cliffLabels(grid: RealGrid, mask: Uint8Array): { labels: Int8Array; cliffRadius: number } {
  const { nx, ny, nz, data } = grid;
  const cx = nx >> 1, cy = ny >> 1, cz = nz >> 1;
  const labels = new Int8Array(nx * ny * nz);
  let maxR2 = 0;
  for (let z = 0, i = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, i++) {
        if (mask[i] === 0) continue;
        labels[i] = 1;
        const r2 = (x - cx) ** 2 + (y - cy) ** 2 + (z - cz) ** 2;
        if (r2 > maxR2) maxR2 = r2;
      }
  const startRadius = Math.floor(Math.sqrt(maxR2));
  let cliffRadius = nx >> 1;
  // Shell rad holds the voxels with rad² ≤ r² < (rad + 1)², i.e. ⌊√r²⌋ = rad (exact for integer r²).
  const shells = cliffRadius + 1;
  const sum = new Float64Array(shells), sum2 = new Float64Array(shells), count = new Float64Array(shells);
  for (let z = 0, i = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, i++) {
        const shell = Math.floor(Math.sqrt((x - cx) ** 2 + (y - cy) ** 2 + (z - cz) ** 2));
        if (shell >= shells) continue;
        const value = data[i];
        sum[shell] += value;
        sum2[shell] += value * value;
        count[shell]++;
      }
  let lastVariance = 1e-38;
  for (let rad = startRadius; rad < cliffRadius; rad++) {
    const mean = sum[rad] / count[rad];
    const variance = sum2[rad] / count[rad] - mean * mean;
    if (variance / lastVariance < 0.01) {
      cliffRadius = rad - 1;
      break;
    }
    lastVariance = variance;
  }
  const limit2 = cliffRadius * cliffRadius;
  for (let z = 0, i = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, i++) if ((x - cx) ** 2 + (y - cy) ** 2 + (z - cz) ** 2 >= limit2) labels[i] = -1;
  return { labels, cliffRadius };
}

/**
 * Xmipp's quantile: the value at index ⌊N·q⌋ of the values sorted ascending. Found by quickselect in O(N) instead of
 * a sort; `values` is reordered.
 */
export function sortedQuantile(values: Float64Array, q: number): number {
  const k = Math.floor(values.length * q);
  selectNth(values, k);
  return values[k];
}

/** Amplitudes of the `count` voxels labelled `label`. */
function gather(amplitude: Float64Array, labels: Int8Array, label: number, count: number): Float64Array {
  const out = new Float64Array(count);
  for (let i = 0, j = 0; i < labels.length; i++) if (labels[i] === label) out[j++] = amplitude[i];
  return out;
}

/** Upper percentage point of the standard normal at `p` (1.6449 at 0.95), by bisection on stdlib's Φ. */
export function normalQuantile(p: number): number {
  let lo = -40, hi = 40;
  for (let k = 0; k < 200 && hi - lo > 1e-15; k++) {
    const mid = (lo + hi) / 2;
    if (normalCdf(mid, 0, 1) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * One band of the sweep: the map high-passed at `freq` (raised cosine from `freqH`), its monogenic amplitude low-passed
 * at `freq` (raised cosine to `freqL`); or, for the mask refinement, the full-band amplitude smoothed by
 * realGaussianFilter(REFINEMENT_SIGMA).
 */
export type MonoResTask = { refinement: true } | { refinement: false; freq: number; freqH: number; freqL: number };

/** The map's half spectrum (in shared memory where the platform has it) and its grid: what every task reads. */
export interface MonoResSetup {
  shape: GridShape;
  spectrum: Float64Array;
  /** The half-map noise's half spectrum: then each task's result is the map's amplitudes followed by the noise's. */
  noiseSpectrum?: Float64Array;
}

/** A band job of MonoRes amplitudes (one float64 value per voxel). */
export type MonoResJob = BandJob<"monores", MonoResSetup, MonoResTask>;

/** Computes the amplitudes of a MonoRes job's tasks (in a worker thread, or here). */
export function monoResBandComputer(job: MonoResJob): BandComputer {
  const { shape } = job.setup;
  const hx = halfWidth(shape.nx);
  const spectrum: HalfSpectrum = { ...shape, hx, data: job.setup.spectrum };
  if (spectrum.data.length !== 2 * hx * shape.ny * shape.nz)
    throw new RangeError(`spectrum has ${spectrum.data.length / 2} bins, expected ${hx}×${shape.ny}×${shape.nz}`);
  // Buffers reused by every task: allocated per task, they pile up as garbage (in worker threads, hundreds of MB).
  const bands = monogenicBands(spectrum);
  const noise = job.setup.noiseSpectrum;
  const noiseBands = noise ? monogenicBands({ ...spectrum, data: noise }) : null;
  const work = new Float64Array(spectrum.data.length);
  const n = shape.nx * shape.ny * shape.nz;
  return (index, out, onProgress = ignoreProgress) => {
    const amplitude = (out as Float64Array).subarray(0, n);
    const task = job.tasks[index];
    // The four inverse transforms of the amplitude, then the two of the filter after it.
    const [amplitudeDone, filterDone, noiseAmplitudeDone, noiseFilterDone] = progressSteps(onProgress, noiseBands ? [4, 2, 4, 2] : [4, 2]);
    if (task.refinement) {
      monogenicAmplitude(bands, allPass, amplitude, amplitudeDone);
      gaussianInPlace(amplitude, shape, REFINEMENT_SIGMA, work);
      filterDone(1);
      return;
    }
    const sweepBand = (from: MonogenicEnergy, into: Float64Array, energyDone: FractionDone, lowPassDone: FractionDone) => {
      monogenicAmplitude(from, highPass(task.freq, task.freqH), into, energyDone);
      lowPassInPlace(into, shape, task.freq, task.freqL, work);
      lowPassDone(1);
    };
    sweepBand(bands, amplitude, amplitudeDone, filterDone);
    if (noiseBands) sweepBand(noiseBands, (out as Float64Array).subarray(n), noiseAmplitudeDone, noiseFilterDone);
  };
}

/**
 * MonoRes on one grid with a binary molecule mask (1 = molecule). Returns `measured: false` with a reason when the
 * map has no usable noise region or no voxel ever rises above the noise.
 */
export function monoRes(grid: RealGrid, mask: Uint8Array, options: MonoResOptions): MonoResResult {
  const planned = monoResPlan(grid, mask, options);
  if ("done" in planned) return planned.done;
  computeInOrder(planned.run, monoResBandComputer(planned.run.job as MonoResJob));
  return planned.finish();
}

/**
 * `monoRes` as a band run: the checks that need no band are done here; the run's tasks are the mask refinement and
 * then every resolution of the sweep, whose amplitudes do not depend on one another (the sweep stops early, so a
 * parallel executor may compute a few it then ignores). `onProgress` follows the set-up (labels, then the transforms).
 */
export function monoResPlan(
  grid: RealGrid,
  mask: Uint8Array,
  options: MonoResOptions,
  onProgress: FractionDone = ignoreProgress,
): Planned<MonoResResult> {
  return allSteps(monoResPlanSteps(grid, mask, options, onProgress));
}

/** `monoResPlan` in steps (lib/steps.ts): the labels, the checks, each transform. */
export function* monoResPlanSteps(
  grid: RealGrid,
  mask: Uint8Array,
  options: MonoResOptions,
  onProgress: FractionDone = ignoreProgress,
): Steps<Planned<MonoResResult>> {
  const { nx, ny, nz, data } = grid;
  const n = nx * ny * nz;
  if (mask.length !== n) throw new RangeError(`mask has ${mask.length} voxels, expected ${n}`);

  const noise = options.noise;
  if (noise && (noise.nx !== nx || noise.ny !== ny || noise.nz !== nz))
    throw new RangeError(`noise is ${noise.nx}×${noise.ny}×${noise.nz}, expected ${nx}×${ny}×${nz}`);
  const [labelsDone, transformsDone] = progressSteps(onProgress, [0.3, 0.7]);
  const { labels, cliffRadius } = cliffLabels(grid, mask);
  labelsDone(1);
  yield;
  let maskVoxels = 0, noiseVoxels = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] === 1) maskVoxels++;
    else if (labels[i] === 0) noiseVoxels++;
  }
  const partial = { cliffRadius, maskVoxels, noiseVoxels };
  if (maskVoxels === 0) {
    return { done: { measured: false, reason: "The mask holds no voxel inside the analysed sphere.", diagnostics: partial } };
  }
  if (noise) {
    if (constantNoise(noise.data, labels, 1)) {
      const reason = "The two half maps are identical within the analysed sphere (their difference is constant), so they give no noise to compare with.";
      return { done: { measured: false, reason, diagnostics: partial } };
    }
  } else if (noiseVoxels < MIN_NOISE_VOXELS) {
    const reason =
      `Only ${noiseVoxels} voxels lie outside the mask within ${cliffRadius} voxels of the box centre, where the map ` +
      `varies (at least ${MIN_NOISE_VOXELS} are needed): there is no region to estimate the noise from, as happens ` +
      "when the map was masked around the molecule.";
    return { done: { measured: false, reason, diagnostics: partial } };
  }
  if (!noise && constantNoise(data, labels, 0)) {
    const reason = "The map is constant outside the mask (noise standard deviation 0), so it has no noise to compare with.";
    return { done: { measured: false, reason, diagnostics: partial } };
  }
  // The map's half spectrum (and the noise's), which every task reads: in shared memory where the platform has it.
  const spectrumOf = (g: RealGrid) => realFft3d(g, sharedFloat64Array(2 * halfWidth(g.nx) * g.ny * g.nz)).data;
  const spectrum = spectrumOf(grid);
  yield;
  const spectra = noise ? { spectrum, noiseSpectrum: spectrumOf(noise) } : { spectrum };
  const sweep = new MonoResSweep(grid, labels, partial, options, spectra);
  transformsDone(1);
  return { run: sweep, finish: () => sweep.result() };
}

/** The sweep's state, fed the refinement amplitude and then one amplitude per resolution (a `BandRun`). */
class MonoResSweep implements BandRun {
  readonly job: MonoResJob;
  private readonly shape: GridShape;
  private readonly voxelSize: number;
  private readonly lowestResolution: number;
  private readonly significance: number;
  private readonly criticalZ: number;
  private readonly bands: { resolution: number; freq: number }[];
  private readonly resolutionMap: Float64Array;
  private refinedMaskVoxels = 0;
  private noiseVoxels: number;
  private readonly resolutions: number[] = [];
  private readonly noiseThresholds: number[] = [];
  private maxMeanSignal = -1e38;
  private stop: SweepStop = "nyquist";
  /** Set when the refinement finds no signal: the result, whatever the sweep. */
  private unmeasured: MonoResResult | null = null;
  /** The noise voxels' amplitudes at the current step. */
  private noise: Float64Array | null = null;
  /** Half-map mode: the noise is the half difference's amplitude at every voxel labelled ≥ 0 (module comment). */
  private readonly halves: boolean;

  constructor(
    grid: RealGrid,
    /** Xmipp's labels: 1 molecule (2 after one miss), 0 noise, −1 excluded or frozen. */
    private readonly labels: Int8Array,
    private readonly partial: { cliffRadius: number; maskVoxels: number; noiseVoxels: number },
    options: MonoResOptions,
    spectra: Omit<MonoResSetup, "shape">,
  ) {
    this.voxelSize = options.voxelSize;
    this.lowestResolution = options.lowestResolution ?? MONORES_DEFAULTS.lowestResolution;
    const step = Math.max(0.25, options.step ?? MONORES_DEFAULTS.step);
    this.significance = options.significance ?? MONORES_DEFAULTS.significance;
    this.criticalZ = normalQuantile(this.significance);
    this.noiseVoxels = partial.noiseVoxels;
    this.shape = { nx: grid.nx, ny: grid.ny, nz: grid.nz };
    this.resolutionMap = new Float64Array(labels.length);
    this.bands = sweepResolutions(grid.nx, this.voxelSize, this.lowestResolution, step, options.spacing);
    this.halves = options.noise !== undefined;
    // Xmipp refines the mask only without half maps.
    if (this.halves) this.refinedMaskVoxels = partial.maskVoxels;
    const tasks: MonoResTask[] = this.halves ? [] : [{ refinement: true }];
    for (const { freq } of this.bands) {
      tasks.push({ refinement: false, freq, freqH: Math.max(freq - RAISED_COSINE_WIDTH, 0), freqL: Math.min(freq + RAISED_COSINE_WIDTH, 0.5) });
    }
    this.job = {
      kind: "monores",
      setup: { shape: this.shape, ...spectra },
      tasks,
      result: { type: "float64", length: (this.halves ? 2 : 1) * labels.length },
    };
  }

  accept(index: number, result: Float32Array | Float64Array): boolean {
    const amplitude = result as Float64Array;
    if (!this.halves) return index === 0 ? this.refine(amplitude) : this.sweepStep(index - 1, amplitude);
    const n = this.labels.length;
    return this.sweepStep(index, amplitude.subarray(0, n), amplitude.subarray(n));
  }

  /**
   * Mask refinement: molecule voxels whose smoothed full-band amplitude is below the noise's 95 % quantile join the
   * noise (Xmipp hard-codes 0.95 here, whatever the significance).
   */
  private refine(full: Float64Array): boolean {
    const { labels, partial } = this;
    const refineThreshold = sortedQuantile(gather(full, labels, 0, this.noiseVoxels), 0.95);
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] < 1) continue;
      if (full[i] < refineThreshold) {
        labels[i] = 0;
        this.noiseVoxels++;
      } else this.refinedMaskVoxels++;
    }
    if (this.refinedMaskVoxels >= MIN_SIGNAL_FRACTION * partial.maskVoxels) return true;
    const percent = ((100 * this.refinedMaskVoxels) / partial.maskVoxels).toFixed(1);
    this.unmeasured = {
      measured: false,
      reason:
        `Only ${percent}% of the mask's voxels have a local amplitude above the 95% quantile of the noise outside the ` +
        "mask (noise alone gives 5%): the map inside the mask cannot be told apart from the noise.",
      diagnostics: { ...partial, refinedMaskVoxels: this.refinedMaskVoxels, noiseVoxels: this.noiseVoxels },
    };
    return false;
  }

  /**
   * One resolution of the sweep; false once the sweep stops. `noiseAmplitude` (half-map mode) is the half difference's
   * amplitude, the noise at every voxel labelled ≥ 0; without it the noise is `amplitude` at the voxels labelled 0.
   */
  private sweepStep(it: number, amplitude: Float64Array, noiseAmplitude?: Float64Array): boolean {
    const { labels, resolutions, resolutionMap } = this;
    const n = labels.length;
    const { resolution } = this.bands[it];
    resolutions.push(resolution);
    const previous = it < 2 ? resolutions[0] : resolutions[it - 2];

    let sumS = 0, sumS2 = 0, countS = 0, sumN = 0, sumN2 = 0;
    // One buffer for every step (the noise voxels are fixed once the mask is refined): allocated per step, they pile up
    // as garbage. In half-map mode the noise set shrinks as voxels freeze: the buffer holds its first size.
    const noise = (this.noise ??= new Float64Array(this.noiseVoxels + (noiseAmplitude ? this.refinedMaskVoxels : 0)));
    const noiseSource = noiseAmplitude ?? amplitude;
    let noiseVoxels = 0;
    for (let i = 0; i < n; i++) {
      const label = labels[i];
      if (label >= 1) {
        const a = amplitude[i];
        sumS += a;
        sumS2 += a * a;
        countS++;
      }
      if (noiseAmplitude ? label >= 0 : label === 0) {
        const a = noiseSource[i];
        noise[noiseVoxels++] = a;
        sumN += a;
        sumN2 += a * a;
      }
    }
    if (countS / this.refinedMaskVoxels < ACTIVE_FRACTION_LIMIT) {
      this.stop = "mask-completed";
      return false;
    }
    const threshold = sortedQuantile(noise.subarray(0, noiseVoxels), this.significance);
    this.noiseThresholds.push(threshold);
    const meanS = sumS / countS, meanN = sumN / noiseVoxels;
    const varS = sumS2 / countS - meanS * meanS, varN = sumN2 / noiseVoxels - meanN * meanN;
    if (meanS > this.maxMeanSignal) this.maxMeanSignal = meanS;
    if (meanS < SIGNAL_COLLAPSE * this.maxMeanSignal) {
      this.stop = "signal-collapse";
      return false;
    }
    if (this.halves && it === 0 && !this.enoughSignal(amplitude, threshold)) return false;
    for (let i = 0; i < n; i++) {
      if (labels[i] < 1) continue;
      if (amplitude[i] > threshold) {
        labels[i] = 1;
        resolutionMap[i] = resolution;
      } else if (++labels[i] > 2) {
        labels[i] = -1;
        resolutionMap[i] = previous;
      }
    }
    const z = (meanS - meanN) / Math.sqrt(varS / countS + varN / noiseVoxels);
    if (z < this.criticalZ) {
      this.stop = "hypothesis-test";
      return false;
    }
    return true;
  }

  /**
   * Not in Xmipp: with half maps there is no refinement, so its guard (MIN_SIGNAL_FRACTION) is applied to the first
   * resolution instead. Noise alone puts about 5 % of the mask above the noise's 95 % quantile; without the guard, those
   * voxels would be reported at the sweep's start.
   */
  private enoughSignal(amplitude: Float64Array, threshold: number): boolean {
    const { labels } = this;
    let above = 0;
    for (let i = 0; i < labels.length; i++) if (labels[i] >= 1 && amplitude[i] > threshold) above++;
    if (above >= MIN_SIGNAL_FRACTION * this.partial.maskVoxels) return true;
    const percent = ((100 * above) / this.partial.maskVoxels).toFixed(1);
    this.unmeasured = {
      measured: false,
      reason:
        `Only ${percent}% of the mask's voxels have a local amplitude of the halves' average above the 95% quantile of ` +
        "their difference's at the coarsest resolution (noise alone gives 5%): the map inside the mask cannot be told apart from the noise.",
      diagnostics: { ...this.partial, refinedMaskVoxels: this.refinedMaskVoxels, noiseVoxels: this.noiseVoxels },
    };
    return false;
  }

  /** The outcome once the run has ended. */
  result(): MonoResResult {
    if (this.unmeasured) return this.unmeasured;
    const { resolutions, stop, noiseThresholds, refinedMaskVoxels, noiseVoxels } = this;
    const { cliffRadius, maskVoxels } = this.partial;
    const diagnostics: MonoResDiagnostics = {
      resolutions, stop, cliffRadius, maskVoxels, refinedMaskVoxels, noiseVoxels, noiseThresholds,
    };
    if (resolutions.length === 0) {
      return { measured: false, reason: `No Fourier bin lies between ${this.lowestResolution} Å and Nyquist.`, diagnostics };
    }
    const map = smoothResolutions(this.resolutionMap, this.shape, 2 * this.voxelSize);
    if (map === null) {
      return { measured: false, reason: "No voxel of the mask rose above the noise at any resolution.", diagnostics };
    }
    return { measured: true, map, diagnostics };
  }
}

/**
 * True when every voxel labelled 0 … `highestLabel` holds the same value (e.g. a map masked to exact zeros outside the
 * mask with 0; identical half maps, whose difference is 0, with 1).
 */
function constantNoise(data: ArrayLike<number>, labels: Int8Array, highestLabel: number): boolean {
  let first: number | null = null;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] < 0 || labels[i] > highestLabel) continue;
    if (first === null) first = data[i];
    else if (data[i] !== first) return false;
  }
  return true;
}

/**
 * Xmipp's post-processing: voxels never assigned take the median (sorted value at ⌊N/2⌋) of the assigned ones, the
 * whole box is smoothed with realGaussianFilter(3), and each assigned voxel keeps min(smoothed, raw), or raw where
 * the smoothed value is below Nyquist; unassigned voxels are 0. Null when nothing was assigned.
 */
function smoothResolutions(raw: Float64Array, shape: GridShape, nyquist: number): Float32Array | null {
  let assigned = 0;
  for (let i = 0; i < raw.length; i++) if (raw[i] > 0) assigned++;
  if (assigned === 0) return null;
  const values = new Float64Array(assigned);
  for (let i = 0, j = 0; i < raw.length; i++) if (raw[i] > 0) values[j++] = raw[i];
  const filling = sortedQuantile(values, 0.5);
  const smoothed = new Float64Array(raw.length);
  for (let i = 0; i < raw.length; i++) smoothed[i] = raw[i] > 0 ? raw[i] : filling;
  gaussianInPlace(smoothed, shape, SMOOTHING_SIGMA);
  const out = new Float32Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    if (!(raw[i] > 0)) continue;
    const s = smoothed[i];
    out[i] = s < nyquist ? raw[i] : Math.min(s, raw[i]);
  }
  return out;
}
