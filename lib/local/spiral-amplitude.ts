/**
 * The spiral (Riesz, monogenic) amplitude of one frequency band, the building block of LocBFactor (0.f) and
 * LocOccupancy (0.g) as the `ucm.computations` Python port that VRS runs computes it (docs/reference/
 * local-methods.md "Spiral (Riesz) amplitude"):
 *
 *   S(f) = exp(−(|f| − f0)²/(2σ²)) / ΣS        (Gaussian shell, σ = 4.8 Fourier bins, ΣS over the full spectrum)
 *   v0 = IFFT(S·F),  v_c = IFFT(H_c·S·F),  H_c = −i·f_c/|f| (0 at DC)
 *   m  = sqrt(|v0|² + |vx|² + |vy|² + |vz|²)
 *
 * with F = FFT(map) and f in 1/Å from numpy's `fftfreq(n, d=Ts)` on each axis.
 *
 * Cost: one forward FFT of the map (kept as a float32 half spectrum), then per band the four inverse FFTs of
 * lib/local/monogenic.ts, accumulated into one float32 volume. The FFTs run on the map's own box in every mode: padding it to
 * a faster length would change the frequency grid the shells are sampled on, hence the numbers
 * (docs/vrs-differences.md); lengths with a large prime factor take Bluestein's algorithm (lib/fourier/fft-batch.ts).
 *
 * The module also prepares the grid 0.f and 0.g share (`localGrid`: VRS's resized map, its hard mask and noise
 * region) and the band run that feeds amplitudes to both sections' accumulators (`spiralBandRun`, a job of lib/local/bands.ts
 * that worker threads can compute).
 *
 * Parity with the Python port on even boxes: H_c is not Hermitian on the Nyquist plane k_c = n_c/2 of its own axis
 * (numpy gives f_c the same value at ±n_c/2), so IFFT(H_c·S·F) is complex there. On that plane conj G(−k) = −G(k), so
 * the spectrum's Hermitian part is G with the plane zeroed (inverted with a real inverse FFT) and the plane alone
 * yields a purely imaginary term (−1)^{r_c}·w(r⊥)/n_c, w the 2-D inverse transform of the plane. Its square adds to
 * |v_c|², which keeps the numpy modulus exactly, for the price of one small 2-D FFT per axis and band (the
 * "numpy" Nyquist mode of lib/local/monogenic.ts).
 */
import { ignoreProgress, progressSteps, sharedFloat32Array, type BandComputer, type BandJob, type BandRun, type FractionDone } from "./bands.js";
import { AnalysisInputError } from "../errors.js";
import { halfWidth, realFft3dFloat32Steps, type RealGrid } from "../fourier/fft3d.js";
import { hardMask } from "../masks/masks.js";
import { MonogenicEnergy } from "./monogenic.js";
import type { AnalysisMode } from "../report/report-types.js";
import { vrsResampleSteps, vrsResizedShapes, windowCentered } from "../fourier/resample.js";
import { allSteps, type Steps } from "../steps.js";
import type { Vec3, Volume } from "../io/volume.js";

/** `f_voxel_width` of the Python port: the shell's σ in Fourier bins. */
export const SHELL_WIDTH_BINS = 4.8;

/** Beyond this many σ the shell weight is below exp(−50) ≈ 2e-22 of its peak and is left out. */
const SHELL_CUTOFF_SIGMAS = 10;

/** numpy's `fftfreq(n, d)`: k/(n·d) for k < n/2 (rounded up), then negative frequencies; the even Nyquist is negative. */
export function fftFrequencies(n: number, spacing: number): Float64Array {
  const out = new Float64Array(n);
  const positive = Math.floor((n - 1) / 2) + 1;
  for (let k = 0; k < n; k++) out[k] = (k < positive ? k : k - n) / (n * spacing);
  return out;
}

export interface SpiralOptions {
  /** Å per voxel along x, y, z (a number for isotropic voxels). */
  voxelSize: number | Vec3;
  /**
   * Shell σ in 1/Å. Default 4.8 Fourier bins: 4.8/(n·Ts) as in the Python port for a cube; for a non-cubic box,
   * 4.8/(n̄·Ts) with n̄·Ts the geometric mean of the three box edges in Å (the cube of the same volume).
   */
  sigma?: number;
}

/**
 * What `SpiralAmplitude` needs, as plain data (a band job's setup, sent to worker threads): the map's box, the
 * sampling and shell σ, and F = FFT(map) as a float32 half spectrum (interleaved complex, layout of fft3d.ts), in
 * shared memory where the platform has it.
 */
export interface SpiralSetup {
  shape: Vec3;
  /** Å per voxel along x, y, z. */
  sampling: Vec3;
  /** Shell σ, 1/Å. */
  sigma: number;
  spectrum: Float32Array;
}

/** The forward FFT and parameters of `SpiralAmplitude` for one map. */
export function spiralSetup(grid: RealGrid, options: SpiralOptions): SpiralSetup {
  return allSteps(spiralSetupSteps(grid, options));
}

/** `spiralSetup` in steps (lib/steps.ts): those of the forward FFT. */
export function* spiralSetupSteps(grid: RealGrid, options: SpiralOptions): Steps<SpiralSetup> {
  const { nx, ny, nz } = grid;
  const sampling: Vec3 = typeof options.voxelSize === "number"
    ? [options.voxelSize, options.voxelSize, options.voxelSize]
    : [options.voxelSize[0], options.voxelSize[1], options.voxelSize[2]];
  // A cube's edge exactly (a cube root could be an ulp off and flip 0.g's band count).
  const [ex, ey, ez] = [nx * sampling[0], ny * sampling[1], nz * sampling[2]];
  const edge = ex === ey && ey === ez ? ex : Math.cbrt(ex * ey * ez);
  const spectrum = yield* realFft3dFloat32Steps(grid, sharedFloat32Array(2 * halfWidth(nx) * ny * nz));
  return { shape: [nx, ny, nz], sampling, sigma: options.sigma ?? SHELL_WIDTH_BINS / edge, spectrum };
}

/** Band amplitudes of one map: holds F = FFT(map) and computes m(f0) for any band centre f0. */
export class SpiralAmplitude {
  /** The map's box. */
  readonly nx: number;
  readonly ny: number;
  readonly nz: number;
  /** Shell σ, 1/Å. */
  readonly sigma: number;
  /** Built at the first band: its buffers are only needed where bands are computed. */
  private bands: MonogenicEnergy | null = null;

  /** Computes F = FFT(map) (`spiralSetup`). */
  static ofMap(grid: RealGrid, options: SpiralOptions): SpiralAmplitude {
    return new SpiralAmplitude(spiralSetup(grid, options));
  }

  constructor(readonly setup: SpiralSetup) {
    [this.nx, this.ny, this.nz] = setup.shape;
    const { nx, ny, nz } = this;
    if (setup.spectrum.length !== 2 * halfWidth(nx) * ny * nz)
      throw new RangeError(`spectrum has ${setup.spectrum.length / 2} bins, expected ${halfWidth(nx)}×${ny}×${nz}`);
    this.sigma = setup.sigma;
  }

  /** Number of voxels of the map. */
  get voxels(): number {
    return this.nx * this.ny * this.nz;
  }

  /**
   * m(f0) at every voxel of the map (x fastest), written into `out` when given. f0 in 1/Å.
   */
  amplitude(f0: number, out: Float32Array = new Float32Array(this.voxels), onProgress: FractionDone = ignoreProgress): Float32Array {
    const { nx, ny, nz, sigma } = this;
    if (out.length !== this.voxels) throw new RangeError(`output has ${out.length} values, expected ${this.voxels}`);
    const bands = (this.bands ??= new MonogenicEnergy({
      shape: this.setup.shape,
      frequencies: [
        fftFrequencies(nx, this.setup.sampling[0]),
        fftFrequencies(ny, this.setup.sampling[1]),
        fftFrequencies(nz, this.setup.sampling[2]),
      ],
      spectrum: this.setup.spectrum,
      nyquist: "numpy",
      precision: "float32",
      // Half the box in the z pass's buffer, for about a sixth more time: with two workers, this is what keeps 0.f/0.g
      // at 256³ within 8× the map's bytes (npm run bench -- monores).
      zChunks: 2,
    }));
    const inverseTwoSigma2 = 1 / (2 * sigma * sigma);
    const cutoff = SHELL_CUTOFF_SIGMAS * sigma;
    const shellSum = bands.setGain((radius) => {
      const distance = radius - f0;
      return Math.abs(distance) > cutoff ? 0 : Math.exp(-distance * distance * inverseTwoSigma2);
    });
    if (!(shellSum > 0)) return out.fill(0);
    bands.scaleGain(1 / shellSum);
    bands.energy(out, onProgress);
    for (let i = 0; i < out.length; i++) out[i] = Math.sqrt(out[i]);
    return out;
  }
}

/** numpy's `linspace(start, stop, count)`: start + j·step, the last value set to stop exactly. */
export function linspace(start: number, stop: number, count: number): number[] {
  if (count <= 0) return [];
  if (count === 1) return [start];
  const step = (stop - start) / (count - 1);
  const out = Array.from({ length: count }, (_, j) => j * step + start);
  out[count - 1] = stop;
  return out;
}

/** Something fed one band amplitude map at a time (0.f's fit, 0.g's counts). */
export interface BandConsumer {
  /** Band centres (1/Å) this consumer needs. */
  readonly frequencies: readonly number[];
  /** Called once per distinct frequency in its list, with m at every voxel (reused afterwards). */
  add(f0: number, amplitude: Float32Array): void;
}

/** A band job of spiral amplitudes: `tasks` are band centres f0 (1/Å), each result is m(f0) (float32, one per voxel). */
export type SpiralJob = BandJob<"spiral", SpiralSetup, number>;

/** Computes m(f0) for the tasks of a spiral job (in a worker thread, or here). */
export function spiralBandComputer(job: SpiralJob): BandComputer {
  const spiral = new SpiralAmplitude(job.setup);
  return (index, out, onProgress) => spiral.amplitude(job.tasks[index], out as Float32Array, onProgress);
}

/**
 * The band run of some consumers: each distinct band centre they need is computed once (0.f and 0.g share their end
 * points) and fed, in the order the consumers list them, to each consumer that needs it.
 */
export function spiralBandRun(setup: SpiralSetup, consumers: readonly BandConsumer[]): BandRun {
  const [nx, ny, nz] = setup.shape;
  const job: SpiralJob = {
    kind: "spiral",
    setup,
    tasks: [...new Set(consumers.flatMap((c) => c.frequencies))],
    result: { type: "float32", length: nx * ny * nz },
  };
  return {
    job,
    accept(index, amplitude) {
      const f0 = job.tasks[index];
      for (const c of consumers) if (c.frequencies.includes(f0)) c.add(f0, amplitude as Float32Array);
      return true;
    },
  };
}

export interface LocalOptions {
  /** Ts of the input map, Å. */
  voxelSize: number;
  /** The user's threshold (the hard mask of the resized map is made with it). */
  threshold: number;
  /** Reported resolution, Å. */
  resolution: number;
  mode?: AnalysisMode;
  /** Most voxels of the resized box (default MAX_LOCAL_BOX_VOXELS; smaller in tests). */
  maxBoxVoxels?: number;
}

/**
 * Most voxels of 0.f/0.g's resized box. Issue 14's memory target for 0.e–0.g in the browser is 8× the map's bytes for
 * maps up to 512³, 4 GiB; the band run takes about 40 bytes per voxel of the box there (lib/analysis-inputs.ts
 * LOCAL_GRID_BYTES_PER_VOXEL, 32, and a copy of the float32 spectrum, 4, in each of 2 band workers): at most about
 * 107 M voxels. 448³ (≈ 90 M voxels, ≈ 3.4 GiB) leaves room for the planning's buffers. Node and the CLI keep the same
 * cap, so that every caller gives the same numbers; below it (every bundled map and fixture) the box is VRS's. (A box
 * far larger, beyond the memory budget of lib/analysis-inputs.ts, is refused before: absurd inputs are errors.)
 */
export const MAX_LOCAL_BOX_VOXELS = 448 ** 3;

/**
 * The resolution (Å) 0.f/0.g analyse a map of `dims` to: the reported one when VRS's box for it (`localGridBoxes`) has
 * at most `maxVoxels` voxels, else the finest whose box has (to 1e-12, by bisection; the bands then stop there).
 */
export function localBoxResolution(
  dims: Vec3,
  options: Pick<LocalOptions, "voxelSize" | "resolution" | "mode">,
  maxVoxels = MAX_LOCAL_BOX_VOXELS,
): number {
  if (!(maxVoxels >= 8)) throw new RangeError(`the box cap must be at least 2×2×2 voxels, got ${maxVoxels}`);
  const fits = (resolution: number) => localGridBoxes(dims, { ...options, resolution }).box.reduce((a, b) => a * b) <= maxVoxels;
  if (fits(options.resolution)) return options.resolution;
  // The box shrinks as the resolution coarsens, down to 2×2×2 voxels: a coarse enough one fits.
  let [lo, hi] = [options.resolution, 2 * options.resolution];
  while (!fits(hi)) [lo, hi] = [hi, 2 * hi];
  for (let k = 0; k < 60 && hi - lo > 1e-12 * hi; k++) {
    const mid = (lo + hi) / 2;
    if (fits(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** What the cap changed: the reported resolution, the box VRS would have resized the map to for it, and the cap. */
export interface LocalBoxCap {
  reportedResolution: number;
  reportedBox: Vec3;
  maxVoxels: number;
}

/** The grid 0.f and 0.g work on: VRS's resized map (kept only as its spectrum), its hard mask and noise region. */
export interface LocalGrid {
  spiral: SpiralAmplitude;
  shape: Vec3;
  /** The resolution the grid is made for (Å): the reported one, unless the box cap changed it (`cap`). */
  resolution: number;
  /** Null unless the box cap (MAX_LOCAL_BOX_VOXELS) made the box smaller than VRS's (`localBoxResolution`). */
  cap: LocalBoxCap | null;
  /** resolution/2, the sampling VRS assigns to the resized map (and the hard mask's dilation uses). */
  targetVoxelSize: number;
  /** Å per voxel along x, y, z used for the frequencies: the target in vrs-compat, the true resampling otherwise. */
  sampling: Vec3;
  origin: Vec3;
  /** Hard mask of the resized map (ceil(2/TsTarget) dilations) and its voxel count. */
  mask: Uint8Array;
  maskVoxels: number;
  /** Outside the mask and inside the inscribed sphere (ellipsoid for a non-cubic box): where 0.f takes the noise. */
  noiseRegion: Uint8Array;
  noiseRegionVoxels: number;
}

/**
 * VRS's input to LocBFactor and LocOccupancy (docs/reference/vrs-level0.md "Inputs"): the map resized to
 * Ts = resolution/2 in an even box (lib/fourier/resample.ts, Fourier interpolation where VRS uses splines), then its hard mask
 * with ceil(2/TsTarget) dilations.
 *
 * "vrs-compat": Xmipp's `transform_window --size` makes the resized box a cube of the x edge (non-cubic maps are
 * cropped or zero-padded along y and z) and the ucm code uses TsTarget on every axis, a sphere for the noise region
 * and σ = 4.8/(n·TsTarget). "default": the box keeps its own even edges, each axis its true sampling
 * (Ts·n/⌊n·Ts/TsTarget⌋), the noise region is the inscribed ellipsoid and σ uses the geometric-mean edge.
 * TsTarget is half the resolution `localBoxResolution` gives (the reported one below the box cap).
 * `onProgress` follows the work.
 */
export function localGrid(volume: Volume, options: LocalOptions, onProgress: FractionDone = ignoreProgress): LocalGrid {
  return allSteps(localGridSteps(volume, options, onProgress));
}

/** `localGrid` in steps (lib/steps.ts): the resampling's, then one for each pass over the resized map. */
export function* localGridSteps(volume: Volume, options: LocalOptions, onProgress: FractionDone = ignoreProgress): Steps<LocalGrid> {
  const { voxelSize, threshold } = options;
  const mode = options.mode ?? "default";
  if (!(Number.isFinite(voxelSize) && voxelSize > 0))
    throw new AnalysisInputError("bad-voxel-size", `voxelSize must be a positive number of Å, got ${voxelSize}`);
  if (!(Number.isFinite(options.resolution) && options.resolution > 0))
    throw new AnalysisInputError("bad-resolution", `resolution must be a positive number of Å, got ${options.resolution}`);
  if (!Number.isFinite(threshold))
    throw new AnalysisInputError("bad-threshold", `threshold must be a number, got ${threshold}`);
  const dims: Vec3 = [volume.nx, volume.ny, volume.nz];
  const { maxBoxVoxels: maxVoxels = MAX_LOCAL_BOX_VOXELS } = options;
  const resolution = localBoxResolution(dims, { ...options, mode }, maxVoxels);
  const cap = resolution === options.resolution ? null
    : { reportedResolution: options.resolution, reportedBox: localGridBoxes(dims, { ...options, mode }).box, maxVoxels };
  // Shares of the time at 256³: the resampling reads the whole map; the rest works on the resized one.
  const [resampleDone, resizedDone] = progressSteps(onProgress, [0.9, 0.1]);
  const resampled = yield* vrsResampleSteps(volume, { voxelSize, resolution }, resampleDone);
  const { targetVoxelSize } = resampled;
  let resized = resampled.volume;
  const boxes = localGridBoxes(dims, { ...options, resolution, mode });
  const [bx, by, bz] = boxes.box;
  if (by !== resized.ny || bz !== resized.nz) {
    const cube = { nx: bx, ny: by, nz: bz };
    const data = windowCentered(resized.data, resized, cube);
    // windowCentered keeps voxel ⌊n/2⌋ of each axis at ⌊m/2⌋: the origin moves by the difference.
    const step = resized.voxelSize!;
    const shift = [resized.nx, resized.ny, resized.nz].map((n, a) => (Math.floor(n / 2) - Math.floor(cube.nx / 2)) * step[a]);
    const origin = resized.origin.map((o, a) => o + shift[a]) as Vec3;
    resized = { ...resized, ...cube, data, origin };
    yield;
  }
  const sampling: Vec3 = mode === "vrs-compat" ? [targetVoxelSize, targetVoxelSize, targetVoxelSize] : resized.voxelSize!;
  const { mask, voxels: maskVoxels } = hardMask(resized, threshold, { voxelSize: targetVoxelSize, mode });
  yield;
  const { region: noiseRegion, voxels: noiseRegionVoxels } = noiseRegionOf(mask, resized);
  yield;
  const spiral = new SpiralAmplitude(yield* spiralSetupSteps(resized, { voxelSize: sampling }));
  resizedDone(1);
  return {
    spiral,
    shape: [resized.nx, resized.ny, resized.nz],
    resolution,
    cap,
    targetVoxelSize,
    sampling,
    origin: resized.origin,
    mask,
    maskVoxels,
    noiseRegion,
    noiseRegionVoxels,
  };
}

/**
 * VRS's box for a map of `dims` at `options.resolution` (the resized box; a cube of its x edge in vrs-compat), without
 * making it: {@link localGrid} makes it for the resolution `localBoxResolution` gives, and its FFTs run on it as it is.
 */
export function localGridBoxes(dims: Vec3, options: Pick<LocalOptions, "voxelSize" | "resolution" | "mode">): { box: Vec3 } {
  const { windowed } = vrsResizedShapes(dims, options.voxelSize, options.resolution);
  return { box: options.mode === "vrs-compat" ? [windowed[0], windowed[0], windowed[0]] : windowed };
}

/**
 * Not in the mask and inside the inscribed sphere, r < n/2 from voxel (n/2, n/2, n/2) as the Python port measures it;
 * for a non-cubic box the inscribed ellipsoid, each axis scaled to the longest edge (the same test for a cube).
 */
function noiseRegionOf(mask: Uint8Array, shape: { nx: number; ny: number; nz: number }) {
  const { nx, ny, nz } = shape;
  const longest = Math.max(nx, ny, nz);
  const region = new Uint8Array(mask.length);
  let voxels = 0;
  // Doubled coordinates 2i − n keep the cubic test in integers: Σ(2i − n)² < n².
  const scaled = (i: number, n: number) => ((2 * i - n) * longest) / n;
  for (let z = 0, i = 0; z < nz; z++) {
    const dz = scaled(z, nz);
    for (let y = 0; y < ny; y++) {
      const dy = scaled(y, ny);
      for (let x = 0; x < nx; x++, i++) {
        const dx = scaled(x, nx);
        if (mask[i] === 0 && dx * dx + dy * dy + dz * dz < longest * longest) {
          region[i] = 1;
          voxels++;
        }
      }
    }
  }
  return { region, voxels };
}
