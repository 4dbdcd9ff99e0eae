import { describe, expect, it } from "vitest";
import { vrsParameters } from "../lib/criteria.js";
import { backgroundSection, gaussianTwoSidedTail, twoSidedTP } from "../lib/section-0c-background.js";
import { makeVolume } from "../lib/volume.js";

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

describe("0.c background section", () => {
  const n = 40;
  const all = new Uint8Array(n ** 3); // empty mask: every voxel is background
  it("pure zero-mean Gaussian noise passes; numbers match direct formulas", () => {
    const g = gaussian(7);
    const v = makeVolume(n, n, n, () => g());
    const s = backgroundSection(v, all, "default", vrsParameters);
    const x = Array.from(v.data);
    const N = x.length;
    const mean = x.reduce((a, b) => a + b, 0) / N;
    const ss = x.reduce((a, b) => a + (b - mean) ** 2, 0);
    const r = s.results!;
    expect(r.voxels).toBe(N);
    expect(r.mean).toBeCloseTo(mean, 14);
    expect(r.std).toBeCloseTo(Math.sqrt(ss / N), 12);
    expect(r.t).toBeCloseTo(mean / Math.sqrt(ss / (N - 1) / N), 10);
    expect(Math.abs(r.std - 1)).toBeLessThan(0.01);
    expect(r.p).toBeGreaterThan(0.001);
    expect(r.outlierPercent).toBe((100 * x.filter((d) => Math.abs(d) > 5 * r.std).length) / N);
    expect(s.status).toBe("ok");
    expect(s.summarySentence).toBe("There is no problem with its background. ");
  });

  it("under the null hypothesis p is uniform: 400 noise maps reject at about the nominal rates", () => {
    const g = gaussian(2024);
    const small = new Uint8Array(10 ** 3);
    const ps = Array.from({ length: 400 }, () =>
      backgroundSection(makeVolume(10, 10, 10, () => g()), small, "default", vrsParameters).results!.p,
    );
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
    const v = makeVolume(n, n, n, (x) => (x < 20 ? 100 : 0));
    const mask = new Uint8Array(n ** 3);
    for (let i = 0; i < mask.length; i++) if (i % n < 20) mask[i] = 1;
    const r = backgroundSection(v, mask, "default", vrsParameters).results!;
    expect(r.voxels).toBe(n ** 3 / 2);
    expect(r.mean).toBe(0);
  });

  it("a shifted mean and spikes give VRS's two warnings", () => {
    const g = gaussian(11);
    const v = makeVolume(n, n, n, (x, y, z) => (x === 0 && y % 2 === 0 ? 50 : 0.1 + g()));
    const s = backgroundSection(v, all, "vrs-compat", vrsParameters);
    expect(s.warnings[0]).toBe(
      "The null hypothesis that the background mean is 0 has been rejected because the p-value of the comparison is smaller than 0.001",
    );
    expect(s.warnings[1]).toMatch(/^There is a significant proportion of outlier values in the background \(cdf5 ratio=\d+\.\d\d\)$/);
    expect(s.results!.outlierRatio).toBeCloseTo(s.results!.outlierPercent / 100 / 5.733031437583866e-7, 6);
  });

  it("a constant-zero background: not-measured in default, silently OK in VRS", () => {
    const v = makeVolume(n, n, n, () => 0);
    expect(backgroundSection(v, all, "default", vrsParameters).status).toBe("not-measured");
    expect(backgroundSection(v, all, "vrs-compat", vrsParameters).status).toBe("ok");
  });
});
