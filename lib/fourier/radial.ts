/**
 * Frequencies of FFT bins and radial (shell) sums over a half spectrum, the building blocks of Guinier plots,
 * FSC-like curves and shell filters.
 */
import type { HalfSpectrum } from "./fft3d.js";

/**
 * Digital frequency (cycles per voxel) of FFT bin `k` on an axis of `n` samples, as Xmipp's FFT_IDX2DIGFREQ:
 * `k/n` for `k ≤ n/2`, otherwise `(k − n)/n`. The Nyquist bin of an even axis is +0.5.
 */
export function digitalFrequency(k: number, n: number): number {
  if (n <= 1) return 0;
  return (k <= n >> 1 ? k : k - n) / n;
}

/** `digitalFrequency(k, n)` for every bin k = 0 … n−1. */
export function digitalFrequencies(n: number): Float64Array {
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = digitalFrequency(k, n);
  return out;
}

/**
 * Xmipp's raised-cosine width (digital frequency): `xmipp_transform_filter --fourier low_pass`'s default, and the
 * width of MonoRes's high- and low-pass edges on either side of each swept frequency.
 */
export const RAISED_COSINE_WIDTH = 0.02;

/**
 * Multiplies every stored bin of the half spectrum by `gain(R)`, R = √((fz² + fy²) + fx²) in digital frequencies (as
 * Xmipp orders the sum); the radius is computed per bin: a table of it would be a box of float64 per worker.
 */
export function applyRadialGain(spectrum: HalfSpectrum, gain: (radius: number) => number): void {
  const { nx, ny, nz, hx, data } = spectrum;
  const fx = digitalFrequencies(nx), fy = digitalFrequencies(ny), fz = digitalFrequencies(nz);
  for (let kz = 0, e = 0; kz < nz; kz++)
    for (let ky = 0; ky < ny; ky++) {
      const yz = fz[kz] * fz[kz] + fy[ky] * fy[ky];
      for (let kx = 0; kx < hx; kx++, e++) {
        const g = gain(Math.sqrt(yz + fx[kx] * fx[kx]));
        if (g === 1) continue;
        data[2 * e] *= g;
        data[2 * e + 1] *= g;
      }
    }
}

/**
 * Shell of a bin at digital radius R when shells are `1/shellScale` wide: `⌊R·shellScale + 0.5⌋` (Xmipp's ROUND for
 * R ≥ 0; with shellScale = Xdim, the rounded radius in Fourier pixels).
 */
export function shellIndex(radius: number, shellScale: number): number {
  return Math.floor(radius * shellScale + 0.5);
}

export interface ShellSums {
  /** Sum of the per-bin values in each shell. */
  readonly sum: Float64Array;
  /** Number of bins in each shell. */
  readonly count: Float64Array;
}

export interface ShellOptions {
  /** Shell index of a bin at digital radius R is `⌊R·shellScale + 0.5⌋` (Xmipp's ROUND for R ≥ 0). */
  readonly shellScale: number;
  /** Number of shells kept; bins whose index falls beyond are ignored. */
  readonly shellCount: number;
  /** Bins with R > maxRadius are skipped (default 0.5, the inscribed Nyquist sphere). */
  readonly maxRadius?: number;
  /** Value summed for a bin with complex value (re, im) at digital radius R. */
  readonly value: (re: number, im: number, radius: number) => number;
}

/**
 * Sums `value` into radial shells over the stored half spectrum, visiting each stored bin once (kx = 0 … ⌊nx/2⌋, every
 * ky and kz), the way Xmipp's make_guinier_plot loops. The radius is computed as Xmipp does:
 * R² = (fz² + fy²) + fx², R = √R².
 */
export function shellSums(spectrum: HalfSpectrum, options: ShellOptions): ShellSums {
  const { nx, ny, nz, hx, data } = spectrum;
  const { shellScale, shellCount, value } = options;
  const maxRadius = options.maxRadius ?? 0.5;
  const maxRadiusSquared = maxRadius * maxRadius;
  const fx = digitalFrequencies(nx);
  const fy = digitalFrequencies(ny);
  const fz = digitalFrequencies(nz);
  const sum = new Float64Array(shellCount);
  const count = new Float64Array(shellCount);
  // fx grows with kx over the stored bins (kx ≤ nx/2), so a row is done at its first bin beyond maxRadius; planes and
  // rows that start beyond it are skipped whole (a small maxRadius leaves most of the spectrum unvisited).
  for (let kz = 0; kz < nz; kz++) {
    const z2 = fz[kz] * fz[kz];
    if (z2 > maxRadiusSquared) continue;
    for (let ky = 0; ky < ny; ky++) {
      const y2z2 = z2 + fy[ky] * fy[ky];
      if (y2z2 > maxRadiusSquared) continue;
      const row = hx * (ky + ny * kz);
      for (let kx = 0; kx < hx; kx++) {
        const r2 = y2z2 + fx[kx] * fx[kx];
        if (r2 > maxRadiusSquared) break;
        const radius = Math.sqrt(r2);
        const shell = shellIndex(radius, shellScale);
        if (shell >= shellCount) continue;
        const e = row + kx;
        sum[shell] += value(data[2 * e], data[2 * e + 1], radius);
        count[shell]++;
      }
    }
  }
  return { sum, count };
}

/**
 * |F| of a bin: the per-bin value of amplitude profiles. √(re² + im²) where the squares can neither overflow nor lose
 * precision to underflow (within two units in the last place of Math.hypot, which V8 runs several times slower: at
 * 256³ it was half of 0.d), Math.hypot outside that range.
 */
export function amplitude(re: number, im: number): number {
  const squares = re * re + im * im;
  return squares > 1e-290 && squares < 1e300 ? Math.sqrt(squares) : Math.hypot(re, im);
}
