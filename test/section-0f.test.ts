/**
 * 0.f LocBfactor on synthetic maps whose spectra are known.
 *
 * The independent expectation is the estimator's own value on a map with a known amplitude envelope: for content
 * whose Fourier amplitudes are random with E|F(s)|² ∝ exp(B·s²/2) (white noise, or point atoms blurred by a B-factor),
 * the band amplitude satisfies E[m_j²] ∝ Σ_k S_j(k)²·exp(B·s_k²/2) / (Σ_k S_j(k))², and m_j/√E[m_j²] has the same
 * distribution in every band (an isotropic Gaussian field: v0 and the three Riesz parts). So the median local B over
 * a stationary region is 4× the slope of ½·ln Σ S²e^{Bs²/2} − ln ΣS against f_j², computed below by direct sums over
 * the grid. That value differs from B itself (docs/reference/local-methods.md "Spiral (Riesz) amplitude": the ΣS normalisation and the 4.8-bin shells
 * pull it), which is what VRS's numbers carry too.
 */
import { describe, expect, it } from "vitest";
import { inverseRealFft3d, realFft3d } from "../lib/fourier/fft3d.js";
import { digitalFrequency } from "../lib/fourier/radial.js";
import { locBfactorSection, localSections } from "../lib/level0/section-0f-locbfactor.js";
import { fftFrequencies } from "../lib/local/spiral-amplitude.js";
import type { Volume } from "../lib/io/volume.js";
import { openUniform as uniform, seededNormal as gaussian } from "./helpers/random.js";

const cube = (n: number, data: Float32Array, ts = 1): Volume => ({
  nx: n, ny: n, nz: n, data, voxelSize: [ts, ts, ts], origin: [0, 0, 0],
});

/** 4·slope of the expected ln m_j (see the module comment) on an n³ grid of spacing ts. */
function expectedLocalB(n: number, ts: number, frequencies: number[], sigma: number, B: number): number {
  const f = fftFrequencies(n, ts);
  const y = frequencies.map((f0) => {
    let shellSum = 0;
    let power = 0;
    for (const a of f)
      for (const b of f)
        for (const c of f) {
          const s2 = a * a + b * b + c * c;
          const shell = Math.exp(-((Math.sqrt(s2) - f0) ** 2) / (2 * sigma * sigma));
          shellSum += shell;
          power += shell * shell * Math.exp((B * s2) / 2);
        }
    return 0.5 * Math.log(power) - Math.log(shellSum);
  });
  const x = frequencies.map((f0) => f0 * f0);
  const mean = x.reduce((p, q) => p + q) / x.length;
  const sxx = x.reduce((p, q) => p + (q - mean) ** 2, 0);
  return (4 * x.reduce((p, q, j) => p + (q - mean) * y[j], 0)) / sxx;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

/**
 * Point atoms (8 % of the voxels of a sphere of radius 18) blurred by exp(B·s²/4), B = bLeft for x < n/2 and bRight
 * beyond, plus white noise of σ = noise. Blurring in Fourier space keeps the envelope exact (no aliasing).
 */
function twoHalves(n: number, bLeft: number, bRight: number, noise: number): Volume {
  const total = new Float64Array(n ** 3);
  for (const [B, leftHalf, seed] of [[bLeft, true, 1], [bRight, false, 2]] as const) {
    const u = uniform(seed);
    const atoms = new Float32Array(n ** 3);
    for (let z = 0, i = 0; z < n; z++)
      for (let y = 0; y < n; y++)
        for (let x = 0; x < n; x++, i++)
          if (Math.hypot(x - n / 2, y - n / 2, z - n / 2) < 18 && x < n / 2 === leftHalf && u() < 0.08) atoms[i] = 1;
    const spectrum = realFft3d(cube(n, atoms));
    for (let kz = 0, e = 0; kz < n; kz++)
      for (let ky = 0; ky < n; ky++)
        for (let kx = 0; kx < spectrum.hx; kx++, e++) {
          const s2 = digitalFrequency(kx, n) ** 2 + digitalFrequency(ky, n) ** 2 + digitalFrequency(kz, n) ** 2;
          const gain = Math.exp((B * s2) / 4);
          spectrum.data[2 * e] *= gain;
          spectrum.data[2 * e + 1] *= gain;
        }
    const blurred = inverseRealFft3d(spectrum);
    for (let i = 0; i < total.length; i++) total[i] += blurred[i];
  }
  const normal = gaussian(9);
  return cube(n, Float32Array.from(total, (v) => v + noise * normal()));
}

describe("0.f on white noise (flat spectrum, no resize: resolution = 2·Ts)", () => {
  const n = 64;
  const normal = gaussian(5);
  const noise = cube(n, Float32Array.from({ length: n ** 3 }, normal));
  const section = locBfactorSection(noise, { voxelSize: 1, threshold: 2.5, resolution: 2 });

  it("has, over the whole box, the median local B the spectrum predicts (the bias of a flat spectrum, docs/reference/local-methods.md)", () => {
    const r = section.results!;
    expect(r.resizedShape).toEqual([n, n, n]);
    const predicted = expectedLocalB(n, 1, r.frequencies, r.shellSigma, 0);
    // About −20 Å² for a flat spectrum. 262 144 voxels correlated over a few voxels give a median with a standard
    // error of ~0.3 Å²; 3 Å² is the tolerance (measured difference 0.3 Å²).
    expect(predicted).toBeLessThan(-10);
    expect(Math.abs(median(Array.from(section.localMap!.volume.data)) - predicted)).toBeLessThan(3);
  });
});

describe("0.f on a map whose halves are blurred by different B-factors", () => {
  const n = 64;
  const [bLeft, bRight] = [-20, -80];
  const volume = twoHalves(n, bLeft, bRight, 0.003);
  let max = 0;
  for (const v of volume.data) max = Math.max(max, v);
  const section = locBfactorSection(volume, { voxelSize: 1, threshold: 0.1 * max, resolution: 2 });
  const r = section.results!;
  const { data } = section.localMap!.volume;
  const mask = section.localMap!.mask;
  const halves: [number[], number[]] = [[], []];
  // Voxels within 3 of the dividing plane mix both halves' bands; leave them out.
  for (let z = 0, i = 0; z < n; z++)
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++, i++) if (mask[i] && Math.abs(x + 0.5 - n / 2) > 3) halves[x < n / 2 ? 0 : 1].push(data[i]);
  const [left, right] = halves.map(median);
  const [expectedLeft, expectedRight] = [bLeft, bRight].map((B) => expectedLocalB(n, 1, r.frequencies, r.shellSigma, B));

  it("orders the halves: the sharper half has the less negative local B", () => {
    expect(halves[0].length).toBeGreaterThan(5000);
    expect(halves[1].length).toBeGreaterThan(5000);
    expect(left).toBeGreaterThan(right + 30);
  });

  it("separates the halves by the predicted difference", () => {
    // Shells 4.8 bins wide average the envelope over ±σ, so the prediction (−46 Å²) is smaller than the true −60.
    // Measured: within 3 Å²; 8 Å² allowed for the atoms' randomness.
    expect(Math.abs(left - right - (expectedLeft - expectedRight))).toBeLessThan(8);
  });

  it("puts each half within 25 Å² below its prediction (Cref only lowers it)", () => {
    // Cref = m/(m + noise) falls with frequency as the signal does, adding a negative slope; measured −13 and −15.
    for (const [measured, expected] of [[left, expectedLeft], [right, expectedRight]]) {
      expect(measured).toBeLessThan(expected);
      expect(measured).toBeGreaterThan(expected - 25);
    }
  });

  it("reports VRS's statistics: percentiles over the mask, 25 histogram bins, central slices", () => {
    expect(section.status).toBe("ok");
    expect(r.voxels).toBe(mask.reduce((a, b) => a + b, 0));
    expect(r.percentiles.p2_5).toBeLessThan(r.percentiles.p25);
    expect(r.percentiles.p75).toBeLessThan(r.percentiles.p97_5);
    expect(r.median).toBe(r.percentiles.p50);
    expect(r.histogram).toHaveLength(25);
    expect(r.histogram.reduce((a, b) => a + b.count, 0)).toBe(r.voxels);
    expect(r.centralSlices).toEqual({ x: 32, y: 32, z: 32 });
    expect(r.noise).toHaveLength(10);
    expect(r.frequencies[0]).toBe(1 / 15);
    expect(r.frequencies[9]).toBe(1 / 2);
  });
});

describe("0.f and 0.g applicability and failures", () => {
  const n = 24;
  const normal = gaussian(3);
  const volume = cube(n, Float32Array.from({ length: n ** 3 }, normal), 1.5);
  const options = { voxelSize: 1.5, threshold: 2.5, resolution: 4 };

  it("does not apply without a resolution", () => {
    const s = localSections(volume, { ...options, resolution: null });
    for (const section of [s["0.f"], s["0.g"]]) {
      expect(section.status).toBe("does-not-apply");
      expect(section.reason).toBe("This method cannot be applied to maps with no resolution reported.");
    }
  });

  it("is not measured when the resized hard mask is empty", () => {
    const s = localSections(volume, { ...options, threshold: 100 });
    for (const section of [s["0.f"], s["0.g"]]) {
      expect(section.status).toBe("not-measured");
      expect(section.reason).toMatch(/mask .* is empty/);
      expect(section.results).toBeNull();
    }
  });

  it("0.f is not measured when the mask leaves no noise region; 0.g does not need one", () => {
    const s = localSections(volume, { ...options, threshold: -100 });
    expect(s["0.f"].status).toBe("not-measured");
    expect(s["0.f"].reason).toMatch(/noise level/);
    expect(["ok", "warnings"]).toContain(s["0.g"].status);
  });

  it("0.f is not measured at 15 Å, where all ten bands coincide", () => {
    const coarse = cube(n, volume.data, 6);
    const s = locBfactorSection(coarse, { voxelSize: 6, threshold: 1, resolution: 15 });
    expect(s.status).toBe("not-measured");
    expect(s.reason).toMatch(/bands coincide/);
  });

  it("rejects a resolution that is not a positive number", () => {
    expect(() => localSections(volume, { ...options, resolution: -2 })).toThrow(/resolution/);
  });
});
