import { describe, expect, it } from "vitest";
import { halfWidth, inverseRealFft3d, realFft3d } from "../lib/fourier/fft3d.js";
import { MonogenicEnergy } from "../lib/local/monogenic.js";
import { digitalFrequencies } from "../lib/fourier/radial.js";
import { fftFrequencies } from "../lib/local/spiral-amplitude.js";
import type { Vec3 } from "../lib/io/volume.js";
import { centeredUniform } from "./helpers/random.js";

/** The half spectrum of a random map of `shape`. */
function randomSpectrum([nx, ny, nz]: Vec3, seed: number): Float64Array {
  const random = centeredUniform(seed);
  const data = Float64Array.from({ length: nx * ny * nz }, () => random());
  return realFft3d({ nx, ny, nz, data }).data;
}

const ring = (radius: number) => Math.exp(-((radius - 0.2) ** 2) / 0.01) + (radius === 0 ? 0.5 : 0);

/**
 * "real" mode, written out: for each component the filtered half spectrum H·W·F bin by bin, inverted by fft3d's
 * irfftn, squared and summed.
 */
function realReference(spectrum: Float64Array, [gx, gy, gz]: Vec3, f: Float64Array[], gain: (r: number) => number) {
  const hx = halfWidth(gx);
  const energy = new Float64Array(gx * gy * gz);
  for (let c = 0; c < 4; c++) {
    const filtered = new Float64Array(spectrum.length);
    for (let kz = 0, e = 0; kz < gz; kz++)
      for (let ky = 0; ky < gy; ky++)
        for (let kx = 0; kx < hx; kx++, e++) {
          const k = [f[0][kx], f[1][ky], f[2][kz]];
          const radius = Math.sqrt(k[2] * k[2] + k[1] * k[1] + k[0] * k[0]);
          const w = gain(radius);
          const [re, im] = [spectrum[2 * e] * w, spectrum[2 * e + 1] * w];
          const h = c === 0 ? 1 : radius === 0 ? 0 : k[c - 1] / radius;
          [filtered[2 * e], filtered[2 * e + 1]] = c === 0 ? [re, im] : [h * im, -h * re];
        }
    const v = inverseRealFft3d({ nx: gx, ny: gy, nz: gz, hx, data: filtered }, true);
    v.forEach((value, i) => (energy[i] += value * value));
  }
  return energy;
}

/**
 * "numpy" mode, written out: numpy's ifftn of H·W·F over the full spectrum (F(k) for kx > gx/2 from Hermitian
 * symmetry, H from fftfreq at each bin's own index), by a direct O(N²) sum, and |v|² summed over the components.
 */
function numpyReference(spectrum: Float64Array, [gx, gy, gz]: Vec3, f: Float64Array[], gain: (r: number) => number) {
  const hx = halfWidth(gx);
  const n = gx * gy * gz;
  const energy = new Float64Array(n);
  for (let c = 0; c < 4; c++) {
    const vRe = new Float64Array(n), vIm = new Float64Array(n);
    for (let kz = 0; kz < gz; kz++)
      for (let ky = 0; ky < gy; ky++)
        for (let kx = 0; kx < gx; kx++) {
          const mirrored = kx >= hx;
          const e = mirrored ? gx - kx + hx * ((gy - ky) % gy + gy * ((gz - kz) % gz)) : kx + hx * (ky + gy * kz);
          const fre = spectrum[2 * e], fim = mirrored ? -spectrum[2 * e + 1] : spectrum[2 * e + 1];
          const k = [f[0][kx], f[1][ky], f[2][kz]];
          const radius = Math.sqrt(k[2] * k[2] + k[1] * k[1] + k[0] * k[0]);
          const w = gain(radius);
          const h = c === 0 ? 1 : radius === 0 ? 0 : k[c - 1] / radius;
          // G = H·W·F with H = 1 (c = 0) or −i·h
          const [gRe, gIm] = c === 0 ? [w * fre, w * fim] : [h * w * fim, -h * w * fre];
          for (let z = 0, i = 0; z < gz; z++)
            for (let y = 0; y < gy; y++)
              for (let x = 0; x < gx; x++, i++) {
                const angle = 2 * Math.PI * (((kx * x) % gx) / gx + ((ky * y) % gy) / gy + ((kz * z) % gz) / gz);
                vRe[i] += (gRe * Math.cos(angle) - gIm * Math.sin(angle)) / n;
                vIm[i] += (gRe * Math.sin(angle) + gIm * Math.cos(angle)) / n;
              }
        }
    for (let i = 0; i < n; i++) energy[i] += vRe[i] * vRe[i] + vIm[i] * vIm[i];
  }
  return energy;
}

function expectClose(actual: ArrayLike<number>, expected: Float64Array, relative: number) {
  const peak = Math.max(...expected);
  expect(peak).toBeGreaterThan(0);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i])).toBeLessThan(relative * peak);
}

describe("MonogenicEnergy", () => {
  const cases: { shape: Vec3; zChunks?: number }[] = [
    { shape: [6, 5, 4] },
    { shape: [7, 6, 5], zChunks: 3 },
    { shape: [8, 6, 6], zChunks: 2 },
  ];
  for (const { shape, zChunks } of cases) {
    const label = `${shape.join("×")}${zChunks ? `, z pass in ${zChunks} chunks` : ""}`;
    const frequencies = shape.map((g) => digitalFrequencies(g)) as [Float64Array, Float64Array, Float64Array];

    it(`"real" mode, float64: equals the four irfftn of the filtered half spectrum, ${label}`, () => {
      const spectrum = randomSpectrum(shape, 11);
      const bands = new MonogenicEnergy({ shape, frequencies, spectrum, nyquist: "real", precision: "float64", zChunks });
      bands.setGain(ring);
      const out = new Float64Array(shape[0] * shape[1] * shape[2]);
      bands.energy(out);
      expectClose(out, realReference(spectrum, shape, frequencies, ring), 1e-12);
    });

    it(`"numpy" mode, float32: equals numpy's complex ifftn modulus, ${label}`, () => {
      const spectrum = Float32Array.from(randomSpectrum(shape, 12));
      const spacing = shape.map((g, a) => fftFrequencies(g, [1.1, 0.9, 1.3][a])) as [Float64Array, Float64Array, Float64Array];
      const gain = (r: number) => Math.exp(-((r - 0.25) ** 2) / 0.02);
      const bands = new MonogenicEnergy({ shape, frequencies: spacing, spectrum, nyquist: "numpy", precision: "float32", zChunks });
      bands.setGain(gain);
      const out = new Float32Array(shape[0] * shape[1] * shape[2]);
      bands.energy(out);
      expectClose(out, numpyReference(Float64Array.from(spectrum), shape, spacing, gain), 1e-5);
    });

    it(`sets a gain that returns ΣW over every bin of the spectrum, and scales it, ${label}`, () => {
      const spectrum = randomSpectrum(shape, 13);
      const bands = new MonogenicEnergy({ shape, frequencies, spectrum, nyquist: "real", precision: "float64" });
      let expected = 0;
      for (const fz of frequencies[2]) for (const fy of frequencies[1]) for (const fx of frequencies[0]) expected += ring(Math.sqrt(fz * fz + fy * fy + fx * fx));
      expect(bands.setGain(ring)).toBeCloseTo(expected, 12);
      const once = new Float64Array(bands.voxels);
      bands.energy(once);
      bands.scaleGain(3);
      const scaled = new Float64Array(bands.voxels);
      bands.energy(scaled);
      scaled.forEach((v, i) => expect(v).toBeCloseTo(9 * once[i], 10));
    });
  }

  it("gives zero energy for a gain that is zero everywhere", () => {
    const spectrum = randomSpectrum([6, 6, 6], 14);
    const bands = new MonogenicEnergy({
      shape: [6, 6, 6], frequencies: [6, 6, 6].map(digitalFrequencies) as [Float64Array, Float64Array, Float64Array],
      spectrum, nyquist: "numpy", precision: "float64",
    });
    expect(bands.setGain(() => 0)).toBe(0);
    const out = new Float64Array(216).fill(7);
    bands.energy(out);
    expect(out.every((v) => v === 0)).toBe(true);
  });

  it("refuses a spectrum or frequencies of the wrong size", () => {
    const f = [8, 8, 8].map(digitalFrequencies) as [Float64Array, Float64Array, Float64Array];
    const input = { frequencies: f, nyquist: "real" as const, precision: "float64" as const };
    expect(() => new MonogenicEnergy({ ...input, shape: [8, 8, 8], spectrum: new Float64Array(10) })).toThrow(/spectrum has/);
    expect(() => new MonogenicEnergy({ ...input, shape: [9, 8, 8], spectrum: new Float64Array(2 * 5 * 64) })).toThrow(/one frequency per bin/);
  });
});
