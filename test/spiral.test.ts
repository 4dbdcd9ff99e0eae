import { describe, expect, it } from "vitest";
import { inverseRealFft3d, realFft3d } from "../lib/fourier/fft3d.js";
import { fftFrequencies, linspace, SpiralAmplitude } from "../lib/local/spiral-amplitude.js";
import { makeVolume, type Vec3 } from "../lib/io/volume.js";
import small from "./fixtures/local-spiral-small.json" with { type: "json" };

/** ΣS of the Gaussian shell over every bin of the full spectrum, summed directly (independent of the half-spectrum count). */
function shellSum(shape: Vec3, voxelSize: Vec3, f0: number, sigma: number): number {
  const [fx, fy, fz] = shape.map((n, a) => fftFrequencies(n, voxelSize[a]));
  let sum = 0;
  for (const z of fz) for (const y of fy) for (const x of fx) sum += Math.exp(-((Math.hypot(x, y, z) - f0) ** 2) / (2 * sigma ** 2));
  return sum;
}

describe("fftFrequencies", () => {
  it("is numpy's fftfreq (even Nyquist negative)", () => {
    expect(Array.from(fftFrequencies(4, 0.5))).toEqual([0, 0.5, -1, -0.5]);
    expect(Array.from(fftFrequencies(5, 1))).toEqual([0, 0.2, 0.4, -0.4, -0.2]);
  });
});

describe("linspace", () => {
  it("is numpy's: start + j·step, exact end points", () => {
    expect(linspace(1 / 15, 1 / 3.2, 10)[9]).toBe(1 / 3.2);
    expect(linspace(1 / 15, 1 / 3.2, 10)[0]).toBe(1 / 15);
    expect(linspace(2, 3, 1)).toEqual([2]);
    expect(linspace(0, 1, 5)).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });
});

describe("SpiralAmplitude on plane waves", () => {
  // A cosine A·cos(2π k·r) on a Fourier bin has F = A·N/2 at ±k only, so v0 = A·S(k)·cos and the Riesz parts carry
  // A·S(k)·k̂_c·sin: m = A·S(k) at every voxel, where S(k) is the normalised shell weight of the bin.
  const shape: Vec3 = [20, 16, 18];
  const voxelSize: Vec3 = [1.2, 1.5, 1.1];
  const A = 2.5;
  const k: Vec3 = [3, -2, 4]; // bins
  const wave = makeVolume(...shape, (x, y, z) => A * Math.cos(2 * Math.PI * (k[0] * x / 20 + k[1] * y / 16 + k[2] * z / 18)), voxelSize);
  const spiral = SpiralAmplitude.ofMap(wave, { voxelSize });
  const kFrequency = Math.hypot(k[0] / (20 * 1.2), k[1] / (16 * 1.5), k[2] / (18 * 1.1));

  for (const offset of [0, 0.01, -0.02]) {
    it(`is flat and equal to A·S(k) with the band centre ${offset} Å⁻¹ off the wave`, () => {
      const f0 = kFrequency + offset;
      const gain = Math.exp(-(offset ** 2) / (2 * spiral.sigma ** 2)) / shellSum(shape, voxelSize, f0, spiral.sigma);
      const m = spiral.amplitude(f0);
      for (const value of m) expect(Math.abs(value / (A * gain) - 1)).toBeLessThan(1e-5);
      let min = Infinity, max = -Infinity;
      for (const value of m) [min, max] = [Math.min(min, value), Math.max(max, value)];
      expect((max - min) / max).toBeLessThan(1e-5);
    });
  }

  it("is flat where the band-passed map itself swings between 0 and its peak (the monogenic property)", () => {
    // v0 = IFFT(S·F) computed here directly: |v0| = A·S·|cos| spans [0, A·S]; m stays at A·S.
    const f0 = kFrequency;
    const spectrum = realFft3d(wave);
    const [fx, fy, fz] = shape.map((n, a) => fftFrequencies(n, voxelSize[a]));
    const sum = shellSum(shape, voxelSize, f0, spiral.sigma);
    for (let kz = 0, e = 0; kz < shape[2]; kz++)
      for (let ky = 0; ky < shape[1]; ky++)
        for (let kx = 0; kx < spectrum.hx; kx++, e++) {
          const shell = Math.exp(-((Math.hypot(fx[kx], fy[ky], fz[kz]) - f0) ** 2) / (2 * spiral.sigma ** 2)) / sum;
          spectrum.data[2 * e] *= shell;
          spectrum.data[2 * e + 1] *= shell;
        }
    const bandPassed = inverseRealFft3d(spectrum).map(Math.abs);
    const m = spiral.amplitude(f0);
    const peak = m[0];
    expect(Math.min(...bandPassed)).toBeLessThan(0.05 * peak);
    expect(Math.abs(Math.max(...bandPassed) / peak - 1)).toBeLessThan(1e-5);
    for (const value of m) expect(Math.abs(value - peak)).toBeLessThan(1e-5 * peak);
  });

  it("is √2·A·S on the Nyquist plane of an even axis, as numpy's complex modulus gives", () => {
    // (−1)^x has F only at kx = n/2, where numpy's fftfreq is −0.5/Ts: v_x = IFFT(−i·(−1)·S·F) is purely
    // imaginary with modulus A·S, like v0, so m = √2·A·S (a Hermitian Riesz filter would give A·S).
    for (const axis of [0, 1, 2] as const) {
      const n: Vec3 = [10, 12, 14];
      const ts: Vec3 = [1, 1.2, 0.9];
      const v = makeVolume(...n, (x, y, z) => A * (-1) ** [x, y, z][axis], ts);
      const s = SpiralAmplitude.ofMap(v, { voxelSize: ts });
      const f0 = 0.5 / ts[axis];
      const gain = 1 / shellSum(n, ts, f0, s.sigma);
      for (const value of s.amplitude(f0)) expect(value / (Math.SQRT2 * A * gain)).toBeCloseTo(1, 6);
    }
  });
});

describe("SpiralAmplitude against numpy (scripts/make-local-fixtures.py, full complex FFTs)", () => {
  const [nx, ny, nz] = small.shape;
  const volume = { nx, ny, nz, data: Float32Array.from(small.data), voxelSize: small.voxelSize as Vec3, origin: [0, 0, 0] as Vec3 };
  const spiral = SpiralAmplitude.ofMap(volume, { voxelSize: small.voxelSize as Vec3 });

  it("uses σ = 4.8 bins of the geometric-mean box edge", () => {
    expect(spiral.sigma).toBeCloseTo(small.sigma, 14);
  });

  small.bands.forEach((f0, b) => {
    it(`matches m(${f0}) at every voxel of a 12×11×8 non-cubic, anisotropic box to 1e-5 relative`, () => {
      // Our spectrum is kept in float32 and m accumulated in float32: ~1e-7 relative; numpy works in float64.
      const m = spiral.amplitude(f0);
      const expected = small.amplitudes[b];
      let peak = 0;
      for (const e of expected) peak = Math.max(peak, e);
      expected.forEach((e, i) => expect(Math.abs(m[i] - e)).toBeLessThan(1e-5 * peak));
    });
  });
});
