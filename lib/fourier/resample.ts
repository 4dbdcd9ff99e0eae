/**
 * Fourier resampling of real volumes: raised-cosine low-pass, band-limited crop or zero-pad of the spectrum, and the
 * VRS resize that feeds 0.f/0.g (Ts → resolution/2 in an even box).
 *
 * VRS resizes with `xmipp_image_resize --factor`, i.e. cubic B-spline interpolation, after the same low-pass; here the
 * interpolation is the exact band-limited (Fourier) one. Both scale about the box centre (Xmipp's logical origin,
 * voxel ⌊n/2⌋), so the grids coincide; values differ by the interpolation kernel only.
 */
import { halfWidth, inverseRealFft3d, realFft3dBinsSteps, type GridShape, type HalfSpectrum, type RealGrid } from "./fft3d.js";
import { allSteps, type Steps } from "../steps.js";
import { applyRadialGain, digitalFrequencies, RAISED_COSINE_WIDTH } from "./radial.js";
import type { Vec3, Volume } from "../io/volume.js";

/**
 * Xmipp's raised-cosine low-pass, in place: gain 1 for |w| < cutoff, ½(1 + cos(π(|w| − cutoff)/width)) up to
 * cutoff + width, 0 beyond, with |w| the digital frequency modulus (cycles/voxel, each axis scaled by its own size).
 */
export function lowPassRaisedCosine(spectrum: HalfSpectrum, cutoff: number, width = RAISED_COSINE_WIDTH): void {
  applyRadialGain(spectrum, raisedCosine({ cutoff, width }));
}

/** A raised-cosine low-pass: `cutoff` and `width` (default RAISED_COSINE_WIDTH) in digital frequency. */
export interface LowPass {
  cutoff: number;
  width?: number;
}

/** The low-pass's gain at digital radius w. */
function raisedCosine({ cutoff, width = RAISED_COSINE_WIDTH }: LowPass): (w: number) => number {
  return (w) => {
    if (w < cutoff) return 1;
    return w < cutoff + width ? (1 + Math.cos((Math.PI / width) * (w - cutoff))) / 2 : 0;
  };
}

/** The low-pass's gain at bin (kx, ky, kz) of a grid's spectrum, its radius summed as applyRadialGain sums it. */
function raisedCosineGains({ nx, ny, nz }: GridShape, lowPass: LowPass) {
  const fx = digitalFrequencies(nx);
  const fy = digitalFrequencies(ny);
  const fz = digitalFrequencies(nz);
  const gain = raisedCosine(lowPass);
  return (kx: number, ky: number, kz: number): number => gain(Math.sqrt(fz[kz] * fz[kz] + fy[ky] * fy[ky] + fx[kx] * fx[kx]));
}

/** One input bin feeding an output bin along an axis: its index and complex coefficient. */
interface AxisTap {
  index: number;
  re: number;
  im: number;
}

/**
 * How output bins of an axis resampled from n to m samples draw on input bins. Frequencies both grids share are
 * copied. Padding splits the input Nyquist bin half-and-half between +n/2 and −n/2 (the symmetric, real interpolant);
 * cropping folds ±m/2 into the output Nyquist bin, as sampling aliases them there, so crop(pad(x)) = x.
 * `shift` (input voxels) is applied as a phase ramp.
 */
function axisTaps(n: number, m: number, shift: number): AxisTap[][] {
  const taps: AxisTap[][] = [];
  const tap = (frequency: number, weight: number): AxisTap => {
    const phase = (2 * Math.PI * frequency * shift) / n;
    return { index: ((frequency % n) + n) % n, re: weight * Math.cos(phase), im: weight * Math.sin(phase) };
  };
  for (let j = 0; j < m; j++) {
    const frequency = j <= m / 2 ? j : j - m;
    const outputNyquist = m % 2 === 0 && Math.abs(frequency) === m / 2;
    const inputNyquist = n % 2 === 0 && Math.abs(frequency) === n / 2;
    if (m < n && outputNyquist) taps.push([tap(frequency, 1), tap(-frequency, 1)]);
    else if (m > n && inputNyquist) taps.push([tap(frequency, 0.5)]);
    else if (Math.abs(frequency) <= (Math.min(n, m) - 1) / 2 || m === n) taps.push([tap(frequency, 1)]);
    else taps.push([]);
  }
  return taps;
}

/**
 * Resamples the real grid behind `spectrum` onto `shape` by band-limited interpolation: output voxel j along an axis
 * takes the value at input position j·n/m + shift (input voxels), periodic. Values keep their scale (a constant map
 * stays the same constant). With `lowPass`, each input bin read is first scaled as `lowPassRaisedCosine` would scale
 * it: the same numbers, without a pass over the whole spectrum, which is left unchanged.
 */
export function resampleSpectrum(
  spectrum: HalfSpectrum,
  shape: GridShape,
  shift: Vec3 = [0, 0, 0],
  lowPass?: LowPass,
): Float64Array {
  const { ny, nz, hx, data } = spectrum;
  const every = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
  return allSteps(resampleBinsSteps({ data, kx: hx, yAt: every(ny), zAt: every(nz), my: ny }, spectrum, shape, shift, lowPass));
}

/**
 * `resampleSpectrum(realFft3d(grid), shape, shift, lowPass)`, the same numbers bit for bit, from only the bins the
 * resampling reads (fft3d.ts `realFft3dBins`): when cropping, a fraction of the whole spectrum's time and memory.
 * `onProgress(fraction)` follows the work.
 */
export function resampleGrid(
  grid: RealGrid,
  shape: GridShape,
  shift: Vec3 = [0, 0, 0],
  lowPass?: LowPass,
  onProgress: (fraction: number) => void = () => undefined,
): Float64Array {
  return allSteps(resampleGridSteps(grid, shape, shift, lowPass, onProgress));
}

/** `resampleGrid` in steps (lib/steps.ts): a plane or a row of the transform, or a plane of the resampling. */
export function* resampleGridSteps(
  grid: RealGrid,
  shape: GridShape,
  shift: Vec3 = [0, 0, 0],
  lowPass?: LowPass,
  onProgress: (fraction: number) => void = () => undefined,
): Steps<Float64Array> {
  const { nx, ny, nz } = grid;
  const hx = halfWidth(nx);
  const taps = axesTaps(grid, shape, shift);
  // x bins read directly or, past hx, from their Hermitian partner, which also mirrors y and z.
  let kx = 1;
  for (const c of taps.x.flat()) kx = Math.max(kx, 1 + (c.index < hx ? c.index : nx - c.index));
  const read = (axis: AxisTap[][], n: number) =>
    [...new Set(axis.flat().flatMap((t) => [t.index, (n - t.index) % n]))].sort((a, b) => a - b);
  const ys = read(taps.y, ny), zs = read(taps.z, nz);
  const at = (bins: number[], n: number) => {
    const positions = new Int32Array(n).fill(-1);
    bins.forEach((bin, i) => (positions[bin] = i));
    return positions;
  };
  // The transform is most of the work (the resampling touches each output bin once).
  const transformShare = 0.9;
  const data = yield* realFft3dBinsSteps(grid, kx, ys, zs, (f) => onProgress(transformShare * f));
  const stored = { data, kx, yAt: at(ys, ny), zAt: at(zs, nz), my: ys.length };
  return yield* resampleBinsSteps(stored, { nx, ny, nz }, shape, shift, lowPass, (f) => onProgress(transformShare + (1 - transformShare) * f));
}

/**
 * Bins of a real grid's half spectrum, stored in part: x bins 0 … kx − 1, and y bin ky at position yAt[ky] of `my`
 * (z likewise; −1 where not stored), complex element kx' + kx·(yAt[ky] + my·zAt[kz]).
 */
interface StoredBins {
  data: Float64Array;
  kx: number;
  yAt: Int32Array;
  zAt: Int32Array;
  my: number;
}

function axesTaps(from: GridShape, shape: GridShape, shift: Vec3) {
  return {
    x: axisTaps(from.nx, shape.nx, shift[0]).slice(0, halfWidth(shape.nx)),
    y: axisTaps(from.ny, shape.ny, shift[1]),
    z: axisTaps(from.nz, shape.nz, shift[2]),
  };
}

/** The resampling of `resampleSpectrum` from stored bins of the spectrum of a `from` grid, a step per output plane. */
function* resampleBinsSteps(
  stored: StoredBins,
  from: GridShape,
  shape: GridShape,
  shift: Vec3,
  lowPass?: LowPass,
  onProgress: (fraction: number) => void = () => undefined,
): Steps<Float64Array> {
  const { nx, ny, nz } = from;
  const hx = halfWidth(nx);
  const { data, kx, yAt, zAt, my } = stored;
  const gain = lowPass ? raisedCosineGains(from, lowPass) : null;
  const outHx = halfWidth(shape.nx);
  const out: HalfSpectrum = { nx: shape.nx, ny: shape.ny, nz: shape.nz, hx: outHx, data: new Float64Array(2 * outHx * shape.ny * shape.nz) };
  const { x: tapsX, y: tapsY, z: tapsZ } = axesTaps(from, shape, shift);
  const scale = (shape.nx * shape.ny * shape.nz) / (nx * ny * nz);
  let e = 0;
  for (let plane = 0; plane < tapsZ.length; plane++) {
    const tz = tapsZ[plane];
    for (const ty of tapsY)
      for (const tx of tapsX) {
        let sumRe = 0;
        let sumIm = 0;
        for (const a of tz)
          for (const b of ty)
            for (const c of tx) {
              // Bins with kx > nx/2 are read from their Hermitian partner.
              const mirrored = c.index >= hx;
              const ix = mirrored ? nx - c.index : c.index;
              const iy = mirrored ? (ny - b.index) % ny : b.index;
              const iz = mirrored ? (nz - a.index) % nz : a.index;
              const at = 2 * (ix + kx * (yAt[iy] + my * zAt[iz]));
              const g = gain ? gain(ix, iy, iz) : 1;
              const vr = data[at] * g;
              const vi = (mirrored ? -data[at + 1] : data[at + 1]) * g;
              const abr = a.re * b.re - a.im * b.im;
              const abi = a.re * b.im + a.im * b.re;
              const cr = abr * c.re - abi * c.im;
              const ci = abr * c.im + abi * c.re;
              sumRe += cr * vr - ci * vi;
              sumIm += cr * vi + ci * vr;
            }
        out.data[2 * e] = sumRe * scale;
        out.data[2 * e + 1] = sumIm * scale;
        e++;
      }
    onProgress((plane + 1) / tapsZ.length);
    yield;
  }
  return inverseRealFft3d(out, true);
}

/**
 * Xmipp's `transform_window --size`: keeps `shape` voxels around the logical centre ⌊n/2⌋ (padding with 0), as float32
 * (the precision of maps).
 */
export function windowCentered(values: ArrayLike<number>, from: GridShape, shape: GridShape): Float32Array {
  const out = new Float32Array(shape.nx * shape.ny * shape.nz);
  const offset = (n: number, m: number) => Math.floor(n / 2) - Math.floor(m / 2);
  const [ox, oy, oz] = [offset(from.nx, shape.nx), offset(from.ny, shape.ny), offset(from.nz, shape.nz)];
  let i = 0;
  for (let z = 0; z < shape.nz; z++) {
    const sz = z + oz;
    for (let y = 0; y < shape.ny; y++) {
      const sy = y + oy;
      const inside = sz >= 0 && sz < from.nz && sy >= 0 && sy < from.ny;
      for (let x = 0; x < shape.nx; x++, i++) {
        const sx = x + ox;
        if (inside && sx >= 0 && sx < from.nx) out[i] = values[sx + from.nx * (sy + from.ny * sz)];
      }
    }
  }
  return out;
}

export interface VrsResampled {
  /** The resampled, windowed map; its voxelSize is the true sampling Ts·n/⌊n·Ts/TsTarget⌋ per axis. */
  volume: Volume;
  /** resolution/2, the sampling VRS assigns to the resized map (and passes to LocBFactor/LocOccupancy). */
  targetVoxelSize: number;
}

/** The boxes of {@link vrsResample} for a map of `dims`: resampled to ⌊n·Ts/TsTarget⌋ voxels, windowed to the even size. */
export function vrsResizedShapes(dims: Vec3, voxelSize: number, resolution: number) {
  const factor = voxelSize / (resolution / 2);
  const resized = dims.map((n) => Math.max(1, Math.floor(n * factor))) as Vec3;
  const windowed = dims.map((n) => Math.max(2, 2 * Math.floor((n * factor) / 2))) as Vec3;
  return { factor, resized, windowed };
}

/**
 * VRS `resizeMap`: TsTarget = resolution/2; when downsampling, low-pass at Ts/(2·TsTarget) (digital) with Xmipp's
 * raised cosine; resample each axis from n to ⌊n·Ts/TsTarget⌋ voxels about the box centre; window to the even size
 * 2·⌊n·Ts/TsTarget/2⌋. `onProgress(fraction)` follows the resampling.
 */
export function vrsResample(
  volume: Volume,
  options: { voxelSize: number; resolution: number },
  onProgress?: (fraction: number) => void,
): VrsResampled {
  return allSteps(vrsResampleSteps(volume, options, onProgress));
}

/** `vrsResample` in steps (lib/steps.ts): those of `resampleGridSteps`. */
export function* vrsResampleSteps(
  volume: Volume,
  options: { voxelSize: number; resolution: number },
  onProgress?: (fraction: number) => void,
): Steps<VrsResampled> {
  const { voxelSize, resolution } = options;
  const targetVoxelSize = resolution / 2;
  const dims: Vec3 = [volume.nx, volume.ny, volume.nz];
  const { factor, resized, windowed } = vrsResizedShapes(dims, voxelSize, resolution);
  // Output voxel ⌊m/2⌋ lands on input voxel ⌊n/2⌋, as in Xmipp's centred scaling.
  const shift = dims.map((n, a) => Math.floor(n / 2) - (Math.floor(resized[a] / 2) * n) / resized[a]) as Vec3;
  const resizedShape = { nx: resized[0], ny: resized[1], nz: resized[2] };
  // Onto its own grid with no low-pass (a resolution just under or at 2·Ts), the interpolation is the identity.
  const identity = factor >= 1 && resized.every((m, a) => m === dims[a]) && shift.every((s) => s === 0);
  const values = identity
    ? volume.data
    : yield* resampleGridSteps(volume, resizedShape, shift, factor < 1 ? { cutoff: factor / 2 } : undefined, onProgress);
  const windowShape = { nx: windowed[0], ny: windowed[1], nz: windowed[2] };
  // The map itself when nothing changes (map data is never written in place, so it can be shared).
  const data = identity && windowed.every((m, a) => m === dims[a]) ? volume.data : windowCentered(values, resizedShape, windowShape);
  const sampling = dims.map((n, a) => (voxelSize * n) / resized[a]) as Vec3;
  const windowStart = resized.map((m, a) => Math.floor(m / 2) - Math.floor(windowed[a] / 2));
  const origin = volume.origin.map((o, a) => o + shift[a] * voxelSize + windowStart[a] * sampling[a]) as Vec3;
  return { volume: { ...windowShape, data, voxelSize: sampling, origin }, targetVoxelSize };
}
