import { describe, expect, it } from "vitest";
import { inverseRealFft3d, realFft3d } from "../lib/fourier/fft3d.js";
import {
  cliffLabels, gaussianInPlace, highPass, monogenicAmplitude, monogenicBands, monoRes, normalQuantile, sortedQuantile,
  sweepResolutions,
} from "../lib/local/monores.js";
import { applyRadialGain, digitalFrequency } from "../lib/fourier/radial.js";
import { makeVolume, type Volume } from "../lib/io/volume.js";
import { seededNormal } from "./helpers/random.js";

function whiteNoise(n: number, seed: number, std = 1): Volume {
  const normal = seededNormal(seed);
  return makeVolume(n, n, n, () => std * normal());
}

/** White noise with every Fourier bin above `cutoff` (digital) removed, scaled to unit standard deviation. */
function lowPassedNoise(n: number, seed: number, cutoff: number): Float64Array {
  const spectrum = realFft3d(whiteNoise(n, seed));
  applyRadialGain(spectrum, (radius) => (radius > cutoff ? 0 : 1));
  const values = inverseRealFft3d(spectrum, true);
  let s2 = 0;
  for (const v of values) s2 += v * v;
  const scale = 1 / Math.sqrt(s2 / values.length);
  return values.map((v) => v * scale);
}

function ballMask(n: number, radius: number): Uint8Array {
  const c = n >> 1;
  const mask = new Uint8Array(n * n * n);
  for (let z = 0, i = 0; z < n; z++)
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++, i++) if ((x - c) ** 2 + (y - c) ** 2 + (z - c) ** 2 <= radius * radius) mask[i] = 1;
  return mask;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

describe("monogenic amplitude", () => {
  const n = 32;
  const k = [3, 2, 1];
  const waveFrequency = Math.hypot(...k) / n; // 0.1169 cycles/voxel
  const wave = (x: number, y: number, z: number) => Math.cos((2 * Math.PI * (k[0] * x + k[1] * y + k[2] * z)) / n + 0.3);
  const bands = monogenicBands(realFft3d(makeVolume(n, n, n, wave)));

  // The waves are stored as float32 (makeVolume), so values carry ~6e-8 relative rounding.
  function expectFlat(amplitude: Float64Array, expected: number, tolerance: number) {
    for (const a of amplitude) expect(Math.abs(a - expected)).toBeLessThan(tolerance);
  }

  it("is 1 everywhere for a unit plane wave, whatever its phase (cos² + sin² = 1)", () => {
    expectFlat(monogenicAmplitude(bands, () => 1), 1, 1e-6);
  });

  it("keeps a wave above the high-pass band and drops one below it", () => {
    expectFlat(monogenicAmplitude(bands, highPass(waveFrequency - 0.03, waveFrequency - 0.05)), 1, 1e-6);
    expectFlat(monogenicAmplitude(bands, highPass(waveFrequency + 0.04, waveFrequency + 0.02)), 0, 1e-6);
  });

  it("scales a wave on the raised cosine by its gain ½(1 + cos(π(u − f)/(f − fH)))", () => {
    const freq = waveFrequency + 0.01, freqH = freq - 0.02; // the wave sits halfway: gain ½(1 + cos(−π/2)) = ½
    expectFlat(monogenicAmplitude(bands, highPass(freq, freqH)), 0.5, 1e-6);
  });

  it("selects the finer of two waves of different amplitude", () => {
    const k2 = [7, 5, 2]; // |u| = 0.2844
    const two = makeVolume(n, n, n, (x, y, z) => 3 * wave(x, y, z) + 0.25 * Math.sin((2 * Math.PI * (k2[0] * x + k2[1] * y + k2[2] * z)) / n));
    expectFlat(monogenicAmplitude(monogenicBands(realFft3d(two)), highPass(0.2, 0.18)), 0.25, 1e-6);
  });
});

describe("MonoRes building blocks", () => {
  it("snaps the sweep to x-axis Fourier bins, coarse to fine, without repeats", () => {
    // Independent expectation: bins round(n·Ts/r) for r = 30, 29.5, … with resolution n·Ts/bin ≥ 2·Ts.
    const n = 100, ts = 1.05;
    const bins: number[] = [];
    for (let r = 30; r > 0; r -= 0.5) {
      const bin = Math.round((n * ts) / r);
      if (bin > n / 2) break;
      if (bins[bins.length - 1] !== bin) bins.push(bin);
    }
    const sweep = sweepResolutions(n, ts, 30, 0.5);
    expect(sweep.map((s) => Math.round((n * ts) / s.resolution))).toEqual(bins);
    expect(sweep[0].resolution).toBeCloseTo(26.25, 12); // bin 4 (3.5 rounds up)
    expect(sweep.at(-1)!.resolution).toBeCloseTo(2.5, 12); // 2.0 Å would be bin 53, past Nyquist
    for (const s of sweep) expect(s.freq).toBeCloseTo(digitalFrequency(Math.round(n * s.freq), n), 15);
  });

  it("sweeps finer in default mode: the 0.5 Å steps and every Fourier bin, a quarter bin apart at least", () => {
    // Independent expectation on n = 100, Ts = 1.05 Å: digital frequencies Ts/r for r = 30, 29.5, … ≥ 2·Ts, and b/n
    // for bins b from 4 (the first above Ts/30 = 3.5/n) to 50, merged in order; one within a quarter bin of the last
    // one kept is dropped.
    const n = 100, ts = 1.05;
    const candidates: number[] = [];
    for (let r = 30; r >= 2 * ts; r -= 0.5) candidates.push(ts / r);
    for (let b = 4; b <= 50; b++) candidates.push(b / n);
    candidates.sort((a, b) => a - b);
    const expected = [candidates[0]];
    for (const f of candidates) if (f - expected[expected.length - 1] >= 0.25 / n) expected.push(f);
    const sweep = sweepResolutions(n, ts, 30, 0.5, "fine");
    expect(sweep.map((s) => s.freq)).toEqual(expected);
    sweep.forEach((s) => expect(s.resolution * s.freq).toBeCloseTo(ts, 12));
    // Near Nyquist every bin is there (3.5 → 4 Å is four bins: 30, 29, 28, 27); at low resolution the 0.5 Å steps
    // that the whole-bin sweep collapses (21 → 17.5 Å) are kept where they are a quarter bin apart.
    for (const b of [27, 28, 29, 30]) expect(sweep.some((s) => s.freq === b / n)).toBe(true);
    expect(sweep.filter((s) => s.resolution < 21 && s.resolution > 17.5).length).toBeGreaterThanOrEqual(3);
    expect(sweep.length).toBeGreaterThan(2 * sweepResolutions(n, ts, 30, 0.5).length);
  });

  it("puts the cliff one shell inside the sphere a spherical mask zeroed", () => {
    const n = 40, c = 20;
    const normal = seededNormal(5);
    const map = makeVolume(n, n, n, (x, y, z) => ((x - c) ** 2 + (y - c) ** 2 + (z - c) ** 2 < 14 * 14 ? normal() : 0));
    const { labels, cliffRadius } = cliffLabels(map, ballMask(n, 5));
    // Shell 14 (14 ≤ r < 15) holds only zeros: variance 0 < 1 % of shell 13's, so the limit is 14 − 1.
    expect(cliffRadius).toBe(13);
    for (let z = 0, i = 0; z < n; z++)
      for (let y = 0; y < n; y++)
        for (let x = 0; x < n; x++, i++) {
          const r2 = (x - c) ** 2 + (y - c) ** 2 + (z - c) ** 2;
          expect(labels[i]).toBe(r2 >= 169 ? -1 : r2 <= 25 ? 1 : 0);
        }
  });

  it("keeps the inscribed sphere when the noise has no cliff", () => {
    const n = 32;
    const { labels, cliffRadius } = cliffLabels(whiteNoise(n, 9), ballMask(n, 4));
    expect(cliffRadius).toBe(16);
    expect(labels[0]).toBe(-1); // corner
    expect(labels[16 + n * (16 + n * 1)]).toBe(0); // r = 15 on the z axis
  });

  it("applies realGaussianFilter(σ) as a Gaussian of std σ/√2 voxels", () => {
    const n = 48, sigma = 3;
    const delta = new Float64Array(n * n * n);
    delta[24 + n * (24 + n * 24)] = 1;
    gaussianInPlace(delta, { nx: n, ny: n, nz: n }, sigma);
    // Per axis exp(−x²/σ²)/(σ√π): the Fourier transform of exp(−π²σ²u²).
    const g = (d: number) => Math.exp(-(d * d) / (sigma * sigma)) / (sigma * Math.sqrt(Math.PI));
    for (const [dx, dy, dz] of [[0, 0, 0], [3, 0, 0], [2, 4, 1], [6, 6, 6]]) {
      expect(delta[24 + dx + n * (24 + dy + n * (24 + dz))]).toBeCloseTo(g(dx) * g(dy) * g(dz), 11);
    }
  });

  it("uses z = 1.6449 at 95 %", () => {
    expect(normalQuantile(0.95)).toBeCloseTo(1.6448536269514722, 12);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 12);
  });
});

describe("monoRes on synthetic maps", () => {
  it("finds 6 Å in the half low-passed at 6 Å and 10 Å in the half low-passed at 10 Å", () => {
    const n = 64;
    const sharp = lowPassedNoise(n, 1, 1 / 6), blurred = lowPassedNoise(n, 2, 1 / 10);
    const noise = whiteNoise(n, 3, 0.1).data;
    const mask = ballMask(n, 24);
    const data = new Float32Array(n * n * n);
    for (let i = 0; i < data.length; i++) {
      const x = i % n;
      data[i] = (mask[i] ? (x < n / 2 ? sharp[i] : blurred[i]) : 0) + noise[i];
    }
    const result = monoRes({ nx: n, ny: n, nz: n, data }, mask, { voxelSize: 1 });
    expect(result.measured).toBe(true);
    if (!result.measured) return;
    const left: number[] = [], right: number[] = [];
    for (let i = 0; i < data.length; i++) {
      const x = i % n;
      if (result.map[i] <= 0) continue;
      // Keep 3 smoothing stds (3·2.12 px) away from the interface at x = 32.
      if (x < n / 2 - 7) left.push(result.map[i]);
      else if (x >= n / 2 + 7) right.push(result.map[i]);
    }
    // MonoRes can only return swept bins (64/k Å here), and away from the interface the smoothing leaves them. The
    // cut at f_c is found at the last bin whose high-pass band still holds signal, i.e. one of the two bins around
    // f_c: 6 Å lies between bins 10 (6.4 Å) and 11 (5.82 Å), 10 Å between bins 6 (10.67 Å) and 7 (9.14 Å).
    // Measured: 6.40 and 10.67 for noise std 0.03, 0.1 and 0.3 and three seeds.
    expect(median(left)).toBeGreaterThanOrEqual(64 / 11 - 1e-4);
    expect(median(left)).toBeLessThanOrEqual(64 / 10 + 1e-4);
    expect(median(right)).toBeGreaterThanOrEqual(64 / 7 - 1e-4);
    expect(median(right)).toBeLessThanOrEqual(64 / 6 + 1e-4);
  });

  it("does not report resolutions for pure noise", () => {
    // Refinement keeps the mask voxels above the noise's 95 % quantile: about 5 % for noise (1.7–4.7 % over 8 numpy
    // seeds at this size), well under the 10 % required.
    const n = 64;
    const result = monoRes(whiteNoise(n, 21), ballMask(n, 20), { voxelSize: 1 });
    expect(result.measured).toBe(false);
    if (!result.measured) expect(result.reason).toMatch(/cannot be told apart from the noise/);
  });

  it("says so when nothing lies outside the mask, or the outside is masked away", () => {
    const n = 32;
    const full = monoRes(whiteNoise(n, 4), new Uint8Array(n * n * n).fill(1), { voxelSize: 1 });
    expect(full.measured).toBe(false);
    if (!full.measured) expect(full.reason).toMatch(/^Only 0 voxels .* no region to estimate the noise/);
    const mask = ballMask(n, 8);
    const masked = whiteNoise(n, 5);
    masked.data.forEach((_, i) => { if (!mask[i]) masked.data[i] = 0; });
    // Zeros beyond the mask's outermost shell are a "cliff": no noise voxel is left.
    const zeros = monoRes(masked, mask, { voxelSize: 1 });
    expect(zeros.measured).toBe(false);
    if (!zeros.measured) expect(zeros.reason).toMatch(/masked around the molecule/);
    // A rod along x reaches every shell, so no shell is all constant and the cliff stays at n/2; the constant
    // outside is then caught as a noise of standard deviation 0.
    const rod = makeVolume(n, n, n, (x, y, z) => (Math.abs(y - 16) <= 2 && Math.abs(z - 16) <= 2 ? Math.sin(x + y) : 0.3));
    const rodMask = Uint8Array.from(rod.data, (v, i) => (Math.abs(Math.floor(i / n) % n - 16) <= 2 && Math.abs(Math.floor(i / (n * n)) - 16) <= 2 ? 1 : 0));
    const flat = monoRes(rod, rodMask, { voxelSize: 1 });
    expect(flat.measured).toBe(false);
    if (!flat.measured) {
      expect(flat.diagnostics.cliffRadius).toBe(16);
      expect(flat.reason).toMatch(/noise standard deviation 0/);
    }
  });
});

describe("Xmipp's quantile", () => {
  it("is the value at ⌊N·q⌋ of the sorted values, with ties and any order", () => {
    const normal = seededNormal(77);
    for (const size of [1, 2, 3, 10, 101, 1000]) {
      for (const ties of [false, true]) {
        // "+ 0" turns −0 into +0, which a typed-array sort would otherwise place first.
        const values = Float64Array.from({ length: size }, () => (ties ? Math.round(3 * normal()) + 0 : normal()));
        const sorted = Float64Array.from(values).sort();
        for (const q of [0, 0.25, 0.5, 0.95, 0.999]) {
          expect(sortedQuantile(Float64Array.from(values), q)).toBe(sorted[Math.floor(size * q)]);
        }
      }
    }
  });
});
