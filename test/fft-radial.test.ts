import { describe, expect, it } from "vitest";
import { realFft3d } from "../lib/fourier/fft3d.js";
import { centeredUniform } from "./helpers/random.js";
import { amplitude, digitalFrequencies, digitalFrequency, shellSums } from "../lib/fourier/radial.js";

describe("digitalFrequency", () => {
  it("follows Xmipp's FFT_IDX2DIGFREQ: k/n up to n/2 (Nyquist is +0.5), then (k − n)/n", () => {
    expect(Array.from(digitalFrequencies(6))).toEqual([0, 1 / 6, 2 / 6, 0.5, -2 / 6, -1 / 6]);
    expect(Array.from(digitalFrequencies(5))).toEqual([0, 0.2, 0.4, -0.4, -0.2]);
    expect(digitalFrequency(0, 1)).toBe(0);
  });
});

describe("shellSums", () => {
  const spectrum = realFft3d({ nx: 8, ny: 6, nz: 5, data: Float64Array.from({ length: 240 }, (_, i) => Math.sin(i * 1.7)) });

  it("puts every stored bin inside the Nyquist sphere into shell ⌊R·scale + 0.5⌋, once", () => {
    const { sum, count } = shellSums(spectrum, { shellScale: 8, shellCount: 8, value: () => 1 });
    const expectedCount = new Float64Array(8);
    const fx = digitalFrequencies(8);
    const fy = digitalFrequencies(6);
    const fz = digitalFrequencies(5);
    for (let kz = 0; kz < 5; kz++)
      for (let ky = 0; ky < 6; ky++)
        for (let kx = 0; kx <= 4; kx++) {
          const r = Math.hypot(fx[kx], fy[ky], fz[kz]);
          if (r <= 0.5) expectedCount[Math.floor(r * 8 + 0.5)]++;
        }
    expect(Array.from(count)).toEqual(Array.from(expectedCount));
    expect(Array.from(sum)).toEqual(Array.from(expectedCount));
  });

  it("hands each bin's value and radius to the callback, and skips shells beyond shellCount", () => {
    const { sum, count } = shellSums(spectrum, { shellScale: 8, shellCount: 2, maxRadius: 1, value: amplitude });
    // Shell 0 holds only the DC bin, whose amplitude is |Σ values|.
    expect(count[0]).toBe(1);
    expect(sum[0]).toBeCloseTo(Math.abs(spectrum.data[0]), 14);
    expect(count[1]).toBeGreaterThan(0);
  });

  it("sums, within a small maxRadius, exactly the bins and in the order of a visit of every bin", () => {
    // 0.d asks only for the shells of its plot, with maxRadius just beyond them.
    for (const maxRadius of [0, 0.13, 0.25, 0.3, 0.5]) {
      const got = shellSums(spectrum, { shellScale: 8, shellCount: 8, maxRadius, value: amplitude });
      const sum = new Float64Array(8), count = new Float64Array(8);
      const fx = digitalFrequencies(8), fy = digitalFrequencies(6), fz = digitalFrequencies(5);
      for (let kz = 0, e = 0; kz < 5; kz++)
        for (let ky = 0; ky < 6; ky++)
          for (let kx = 0; kx <= 4; kx++, e++) {
            const r2 = fz[kz] * fz[kz] + fy[ky] * fy[ky] + fx[kx] * fx[kx];
            if (r2 > maxRadius * maxRadius) continue;
            const shell = Math.floor(Math.sqrt(r2) * 8 + 0.5);
            sum[shell] += amplitude(spectrum.data[2 * e], spectrum.data[2 * e + 1]);
            count[shell]++;
          }
      expect(Array.from(got.count)).toEqual(Array.from(count));
      expect(Array.from(got.sum)).toEqual(Array.from(sum));
    }
  });
});

describe("amplitude", () => {
  it("is |re + i·im| to within two units in the last place, for bins of every scale", () => {
    const random = centeredUniform(7);
    for (let i = 0; i < 2000; i++) {
      const scale = 10 ** Math.round(300 * random());
      const re = scale * random(), im = scale * random();
      const exact = Math.hypot(re, im);
      expect(Math.abs(amplitude(re, im) - exact)).toBeLessThanOrEqual(4.5e-16 * exact);
    }
  });
  it("is Math.hypot where the squares would overflow or underflow, and keeps 0, NaN and ∞", () => {
    expect(amplitude(3, 4)).toBe(5);
    expect(amplitude(3e200, 4e200)).toBe(Math.hypot(3e200, 4e200));
    expect(amplitude(3e-200, 4e-200)).toBe(Math.hypot(3e-200, 4e-200));
    expect(amplitude(5e-324, 0)).toBe(5e-324);
    expect(amplitude(0, -0)).toBe(0);
    expect(amplitude(NaN, 1)).toBeNaN();
    expect(amplitude(-Infinity, 1)).toBe(Infinity);
  });
});
