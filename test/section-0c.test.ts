/**
 * 0.c as the report computes it (runLevel0: the background's sums as the map's minus the constructed mask's), against
 * its definitions (test/helpers/background-oracle.ts) and scipy's t distribution, with VRS's verdicts at their limits.
 * The maps are noise around a block of 100 that the threshold 50 turns into the mask.
 */
import { describe, expect, it } from "vitest";
import { vrsParameters, type CriteriaParameters } from "../lib/level0/criteria.js";
import { runLevel0WithWorkings } from "../lib/level0/level0.js";
import type { AnalysisMode } from "../lib/report/report-types.js";
import { gaussianTwoSidedTail, twoSidedTP, type BackgroundResults } from "../lib/level0/section-0c-background.js";
import { makeVolume, type Volume } from "../lib/io/volume.js";
import { backgroundByDefinition } from "./helpers/background-oracle.js";

/** Deterministic standard normal samples (mulberry32 + Box–Muller). */
function gaussian(seed: number): () => number {
  let s = seed >>> 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

const threshold = 50;

/** `background(x, y, z)` everywhere but a 4³ block of 100 at the low corner + 3 (the mask, once dilated). */
function withBlock(n: number, background: (x: number, y: number, z: number) => number): Volume {
  return makeVolume(n, n, n, (x, y, z) => (x >= 3 && x < 7 && y >= 3 && y < 7 && z >= 3 && z < 7 ? 100 : background(x, y, z)));
}

function background(volume: Volume, mode: AnalysisMode = "default", parameters?: Partial<CriteriaParameters>) {
  const { report: r, workings } = runLevel0WithWorkings(volume, { threshold, voxelSize: 1, resolution: null, mode, parameters });
  return { section: r.sections["0.c"], results: r.sections["0.c"].results as BackgroundResults, mask: workings.hardMask.mask };
}

describe("t-test p-values against scipy 1.10", () => {
  // Reference: 2·scipy.stats.t.sf(|t|, df); log10 p from quadrature of the t density in log space (scipy.integrate.quad).
  it("matches where the CDF is representable", () => {
    expect(twoSidedTP(2, 10).p).toBeCloseTo(0.07338803477074039, 14);
    expect(twoSidedTP(5, 1e6).p / 5.733997870890731e-7).toBeCloseTo(1, 10);
    expect(twoSidedTP(-3, 50).p).toBeCloseTo(0.004201703187068245, 14);
  });
  it("keeps log10 p finite and accurate where p underflows", () => {
    for (const [t, df, log10P] of [
      [40, 1e6, -348.85797706824974],
      [60, 2e6, -782.903294778108],
      [300, 1e7, -19458.4044249981],
    ]) {
      const r = twoSidedTP(t, df);
      expect(r.log10P).toBeCloseTo(log10P, 3);
      expect(r.p).toBe(Math.pow(10, r.log10P) || 0);
      expect(Number.isNaN(r.p)).toBe(false);
    }
  });
  it("2Φ(−5)", () => {
    expect(gaussianTwoSidedTail(5) / 5.733031437583866e-7).toBeCloseTo(1, 12);
  });
});

describe("0.c background section (the report's path)", () => {
  const n = 40;
  it("zero-mean Gaussian noise passes; the numbers are their definitions over the voxels outside the mask", () => {
    const g = gaussian(7);
    const volume = withBlock(n, () => g());
    const { section, results: r, mask } = background(volume);
    const expected = backgroundByDefinition(volume.data, mask, 5);
    expect(r.voxels).toBe(expected.voxels);
    expect(r.voxels).toBeLessThan(n ** 3 - 64); // the dilated block is left out
    expect(r.mean).toBeCloseTo(expected.mean, 12);
    expect(r.std / expected.std).toBeCloseTo(1, 12);
    expect(r.t).toBeCloseTo(expected.t, 9);
    expect(r.outlierPercent).toBe(expected.outlierPercent);
    expect(r.p / twoSidedTP(expected.t, expected.voxels - 1).p).toBeCloseTo(1, 8);
    expect(Math.abs(r.std - 1)).toBeLessThan(0.01);
    expect(section.status).toBe("ok");
    expect(section.summarySentence).toBe("There is no problem with its background. ");
  });

  it("under the null hypothesis p is uniform: 400 noise maps reject at about the nominal rates", () => {
    const g = gaussian(2024);
    const ps = Array.from({ length: 400 }, () => background(withBlock(12, () => g())).results.p);
    const rate = (alpha: number) => ps.filter((p) => p < alpha).length;
    // Binomial(400, α) within about 3 standard deviations.
    expect(rate(0.05)).toBeGreaterThanOrEqual(7);
    expect(rate(0.05)).toBeLessThanOrEqual(33);
    expect(rate(0.5)).toBeGreaterThanOrEqual(170);
    expect(rate(0.5)).toBeLessThanOrEqual(230);
    expect(rate(0.9)).toBeGreaterThanOrEqual(342);
    expect(rate(0.9)).toBeLessThanOrEqual(378);
  });

  it("only voxels outside the mask count", () => {
    // Background 0 but 1 beyond x = 20. The mask: the block dilated twice (Ts = 1 Å) with the 18-neighbourhood,
    // i.e. the 8³ cube less the 4 voxels of each corner's 2³ that need a (1, 1, 1) step: 512 − 32 = 480 voxels.
    const volume = withBlock(n, (x) => (x > 20 ? 1 : 0));
    const { results: r, mask } = background(volume);
    expect(r.voxels).toBe(n ** 3 - 480);
    expect(r.mean).toBeCloseTo(backgroundByDefinition(volume.data, mask, 5).mean, 14);
  });

  it("a shifted mean and spikes give VRS's two warnings", () => {
    const g = gaussian(11);
    const volume = withBlock(n, (x, y) => (x === 0 && y % 2 === 0 ? 30 : 0.1 + g()));
    const { section, results } = background(volume, "vrs-compat");
    expect(section.warnings[0]).toBe(
      "The null hypothesis that the background mean is 0 has been rejected because the p-value of the comparison is smaller than 0.001",
    );
    expect(section.warnings[1]).toMatch(/^There is a significant proportion of outlier values in the background \(cdf5 ratio=\d+\.\d\d\)$/);
    expect(results.outlierRatio).toBeCloseTo(results.outlierPercent / 100 / 5.733031437583866e-7, 6);
  });

  it("a constant-zero background: not-measured in default, silently OK in VRS", () => {
    const volume = withBlock(n, () => 0);
    expect(background(volume).section.status).toBe("not-measured");
    expect(background(volume, "vrs-compat").section.status).toBe("ok");
  });
});

describe("0.c limits: p < 0.001 and more than 20 times a Gaussian's outliers warn (both strictly)", () => {
  const meanWarning = /^The null hypothesis that the background mean is 0 has been rejected/;
  const outlierWarning = /^There is a significant proportion of outlier values/;

  /** Noise whose background has exactly Student's t = `t` (its mean set to t·s/√n after removing its own). */
  function noiseWithT(t: number): Volume {
    const g = gaussian(5);
    const volume = withBlock(30, () => g());
    const { mask } = background(volume);
    const { voxels, mean, std } = backgroundByDefinition(volume.data, mask, 5);
    const shift = (t * std * Math.sqrt(voxels / (voxels - 1))) / Math.sqrt(voxels) - mean;
    const data = volume.data.map((v, i) => (mask[i] === 0 ? v + shift : v));
    // A new volume: the report caches per-volume sums.
    return { ...volume, data };
  }

  it.each([
    [3.0, false], // p ≈ 0.0027: between 0.001 and 0.01
    [3.6, true], // p ≈ 0.0003
  ] as const)("t = %d: warns %s", (t, warns) => {
    for (const mode of ["default", "vrs-compat"] as const) {
      const { section, results } = background(noiseWithT(t), mode);
      expect(results.t).toBeCloseTo(t, 4);
      expect(results.p > 0.001 && results.p < 0.01).toBe(!warns);
      expect(section.warnings.some((w) => meanWarning.test(w)), mode).toBe(warns);
    }
  });

  it("p equal to the limit passes, a hair above the limit warns", () => {
    const volume = noiseWithT(3.0);
    const { p } = background(volume).results;
    expect(background(volume, "default", { maxBackgroundP: p }).section.warnings).toEqual([]);
    expect(background(volume, "default", { maxBackgroundP: p * (1 + 1e-12) }).section.warnings[0]).toMatch(meanWarning);
  });

  it("outliers: 22.7 times a Gaussian's share warns (between VRS's 20 and 25)", () => {
    // 100³ of ±1 (σ ≈ 1) with 13 spikes of 10 far from the block: 13 of the background's voxels beyond 5σ.
    const spikes = new Set(Array.from({ length: 13 }, (_, i) => 50 + 3 * i + 100 * (60 + 100 * 60)));
    const volume = withBlock(100, (x, y, z) => (spikes.has(x + 100 * (y + 100 * z)) ? 10 : (x + y + z) % 2 ? 1 : -1));
    const { section, results } = background(volume);
    const expectedRatio = 13 / results.voxels / gaussianTwoSidedTail(5);
    expect(results.outlierRatio).toBeCloseTo(expectedRatio, 12);
    expect(expectedRatio).toBeGreaterThan(22);
    expect(expectedRatio).toBeLessThan(23);
    expect(section.warnings.some((w) => outlierWarning.test(w))).toBe(true);
  });

  it("outliers: 20 times a Gaussian's share passes, more warns", () => {
    // Background 0 but for k spikes of ±1 (so σ is small and each spike is beyond 5σ): ratio = (k/n)/2Φ(−5).
    const volume = withBlock(30, (x, y, z) => ((x * 7 + y * 13 + z * 31) % 997 === 0 ? ((x + y) % 2 ? 1 : -1) : 0));
    const { section, results } = background(volume);
    expect(results.outlierRatio).toBeGreaterThan(vrsParameters.maxOutlierRatio);
    expect(section.warnings.some((w) => outlierWarning.test(w))).toBe(true);
    const atLimit = background(volume, "default", { maxOutlierRatio: results.outlierRatio }).section;
    expect(atLimit.warnings.some((w) => outlierWarning.test(w))).toBe(false);
  });
});
