/**
 * 1.b FDR-FSC (lib/level1/fdr-fsc.ts) against a numpy re-implementation of SPOC's test (scripts/make-fdr-fsc-fixtures.py)
 * on small synthetic pairs, and analytic cases. Facts: docs/reference/level1.md.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { benjaminiYekutieli, fdrFsc, fdrFscSection, sphereMask, type FdrFscResult } from "../lib/level1/fdr-fsc.js";
import { halfWidth, inverseRealFft3d, realFft3d } from "../lib/fourier/fft3d.js";
import { digitalFrequency } from "../lib/fourier/radial.js";
import { makeVolume, type Volume } from "../lib/io/volume.js";
import { centeredUniform } from "./helpers/random.js";

interface FixtureCase {
  name: string;
  n: number;
  cutoff: number;
  gain: number;
  seeds: [number, number, number];
  voxelSize: number;
  shells: { index: number; coefficients: number; sampleSize: number; fsc: number; pValue: number; significant: boolean }[];
  resolution: number | null;
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/fdr-fsc-synthetic.json", import.meta.url), "utf8")) as { cases: FixtureCase[] };

const uniformVolume = (n: number, seed: number, voxelSize: number): Volume => {
  const next = centeredUniform(seed);
  return makeVolume(n, n, n, () => next(), [voxelSize, voxelSize, voxelSize]);
};

/** The fixture script's pair: LCG signal kept up to shell `cutoff` (round(|k|)) times `gain`, plus LCG noise. */
function fixturePair({ n, cutoff, gain, seeds, voxelSize }: FixtureCase): [Volume, Volume] {
  const spectrum = realFft3d(uniformVolume(n, seeds[0], voxelSize));
  const hx = halfWidth(n);
  for (let kz = 0, e = 0; kz < n; kz++)
    for (let ky = 0; ky < n; ky++)
      for (let kx = 0; kx < hx; kx++, e++) {
        const shell = Math.floor(Math.hypot(digitalFrequency(kx, n), digitalFrequency(ky, n), digitalFrequency(kz, n)) * n + 0.5);
        const g = shell <= cutoff ? gain : 0;
        spectrum.data[2 * e] *= g;
        spectrum.data[2 * e + 1] *= g;
      }
  const signal = inverseRealFft3d(spectrum);
  const half = (seed: number) => {
    const noise = uniformVolume(n, seed, voxelSize);
    return { ...noise, data: noise.data.map((v, i) => v + signal[i]) };
  };
  return [half(seeds[1]), half(seeds[2])];
}

describe("FDR-FSC against the numpy re-implementation of SPOC's test", () => {
  for (const c of fixture.cases) {
    it(`${c.name}: same shells, FSC, per-shell decisions and resolution`, () => {
      const [h1, h2] = fixturePair(c);
      const result = fdrFsc(h1, h2);
      expect(result.shells.map((s) => s.coefficients)).toEqual(c.shells.map((s) => s.coefficients));
      expect(result.shells.map((s) => s.sampleSize)).toEqual(c.shells.map((s) => s.sampleSize));
      result.shells.forEach((s, i) => expect(Math.abs(s.fsc - c.shells[i].fsc)).toBeLessThan(1e-5));
      expect(result.shells.map((s) => s.significant)).toEqual(c.shells.map((s) => s.significant));
      if (c.resolution === null) expect(result.resolution).toBeNull();
      else expect(result.resolution!).toBeCloseTo(c.resolution, 10);
      // Different random streams: the p-values agree within sampling error of ≥ 200 permutations.
      result.shells.forEach((s, i) => expect(Math.abs(s.pValue - c.shells[i].pValue)).toBeLessThan(0.15));
    });
  }

  it("1.b's section results carry every shell's row (the page's chart), unchanged through JSON", () => {
    const c = fixture.cases[0];
    const result = fdrFsc(...fixturePair(c));
    const results = JSON.parse(JSON.stringify(fdrFscSection(result, 3).results)) as { shells: FdrFscResult["shells"]; significantShells: number };
    expect(results.shells).toEqual(result.shells);
    expect(results.shells.map((s) => [s.index, s.coefficients, s.significant])).toEqual(c.shells.map((s) => [s.index, s.coefficients, s.significant]));
    expect(results.shells.filter((s) => s.index > 0 && s.significant).length).toBe(results.significantShells);
  });

  it("gives the same numbers on a rerun with the same seed, and other p-values with another seed", () => {
    const [h1, h2] = fixturePair(fixture.cases[0]);
    const again = (seed?: number) => fdrFsc(h1, h2, { seed }).shells.map((s) => s.pValue);
    expect(again()).toEqual(again());
    expect(again(7)).not.toEqual(again());
  });
});

describe("FDR-FSC analytic cases", () => {
  const n = 24;
  it("identical halves: every shell significant, so the resolution is 2·Ts (Nyquist), as SPOC", () => {
    const h = uniformVolume(n, 31, 1.25);
    const result = fdrFsc(h, h);
    expect(result.shells.every((s) => s.significant)).toBe(true);
    result.shells.forEach((s) => expect(s.fsc).toBeCloseTo(1, 12));
    expect(result.resolution).toBe(2.5);
  });

  it("independent noise: few significant shells, and no resolution (SPOC's 0 Å only under vrs-compat)", () => {
    const h1 = uniformVolume(n, 32, 1), h2 = uniformVolume(n, 33, 1);
    const result = fdrFsc(h1, h2);
    expect(result.shells.filter((s) => s.index > 0 && s.significant).length).toBeLessThanOrEqual(1);
    expect(result.resolution).toBeNull();
    expect(fdrFsc(h1, h2, { mode: "vrs-compat" }).resolution).toBe(0);
    expect(fdrFscSection(result, 3).status).toBe("not-measured");
  });

  it("uses a given soft mask in default mode only", () => {
    const [h1, h2] = fixturePair(fixture.cases[0]);
    const mask = makeVolume(32, 32, 32, (x, y, z) => ((x - 16) ** 2 + (y - 16) ** 2 + (z - 16) ** 2 < 64 ? 1 : 0));
    const masked = fdrFsc(h1, h2, { mask });
    expect(masked.mask).toEqual({ kind: "given" });
    expect(masked.shells[5].fsc).not.toBeCloseTo(fdrFsc(h1, h2).shells[5].fsc, 3);
    expect(fdrFsc(h1, h2, { mask, mode: "vrs-compat" }).mask).toEqual({ kind: "sphere", radius: 12, sigma: 2 });
  });

  it("analyses a NaN voxel as the half's finite mean instead of spreading NaN over every shell", () => {
    const h1 = uniformVolume(n, 34, 1), h2 = uniformVolume(n, 35, 1);
    h1.data[100] = NaN;
    expect(fdrFsc(h1, h2).shells.every((s) => Number.isFinite(s.fsc) && Number.isFinite(s.pValue))).toBe(true);
  });

  it("rejects a bad seed and halves on different grids with named errors", () => {
    const h = uniformVolume(n, 31, 1);
    expect(() => fdrFsc(h, h, { seed: -1 })).toThrow(expect.objectContaining({ code: "bad-seed" }));
    expect(() => fdrFsc(h, uniformVolume(16, 1, 1))).toThrow(expect.objectContaining({ code: "half-map-shape-mismatch" }));
  });
});

describe("SPOC's sphere mask and the BY adjustment", () => {
  it("sphere: 1 inside, Gaussian edge of σ = 2 on numpy-linspace coordinates, 0 below 1e-6", () => {
    const n = 16, radius = 2;
    const mask = sphereMask(n, n, n, radius);
    const step = n / (n - 1);
    // Along x through the centre row (y = z index 8, coordinate −8 + 8·16/15).
    const at = (k: number) => mask[k + n * (8 + n * 8)];
    const coordinate = (k: number) => -8 + k * step;
    for (let k = 0; k < n; k++) {
      const r = Math.hypot(coordinate(k), coordinate(8), coordinate(8));
      const expected = r < radius ? 1 : Math.exp(-((r - radius) ** 2) / 8);
      expect(at(k)).toBeCloseTo(expected < 1e-6 ? 0 : expected, 6);
    }
    // Voxel 0 is at (−8, −8, −8), 8√3 − 2 ≈ 11.9 voxels beyond the sphere: exp(−11.9²/8) ≈ 2e-8, set to 0.
    expect(mask[0]).toBe(0);
  });

  it("BY by hand: M = 4, H = ln 4 + 0.5772 + 1/8 − 1/192 + 1/30720", () => {
    const h = Math.log(4) + 0.5772 + 1 / 8 - 1 / 192 + 1 / 30720;
    const q = benjaminiYekutieli([0.001, 0.04, 0.002, 0.5]);
    // Sorted: 0.001 (rank 1), 0.002 (2), 0.04 (3), 0.5 (4); q_(i) = min over j ≥ i of p_(j)·4/j·H, capped at 1.
    const q4 = Math.min(1, 0.5 * h), q3 = Math.min(q4, 0.04 * (4 / 3) * h), q2 = Math.min(q3, 0.002 * 2 * h), q1 = Math.min(q2, 0.001 * 4 * h);
    expect(q).toEqual([q1, q3, q2, q4].map((v) => expect.closeTo(v, 15)));
  });
});

describe("1.b verdict", () => {
  const result = (resolution: number | null): FdrFscResult => ({
    voxelSize: 1, mode: "default", mask: { kind: "sphere", radius: 12, sigma: 2 }, seed: 3, shells: [], resolution,
  });
  it("warns in VRS's words below 0.8 × the FDR-FSC resolution, passes at it", () => {
    expect(fdrFscSection(result(5), 3.9).warnings).toEqual([
      "The reported resolution, 3.90 Å, is particularly high with respect to the resolution calculated by the FSC permutation, 5.00 Å.",
    ]);
    expect(fdrFscSection(result(5), 4).status).toBe("ok");
    expect(fdrFscSection(result(5), null).status).toBe("does-not-apply");
    expect(() => fdrFscSection(result(5), NaN)).toThrow(expect.objectContaining({ code: "bad-resolution" }));
  });
  it("under vrs-compat, is not measured at 8 Å or worse, where SPOC prints no B-factor and VRS gives up", () => {
    expect(fdrFscSection({ ...result(8), mode: "vrs-compat" }, 20).status).toBe("not-measured");
    expect(fdrFscSection({ ...result(7.9), mode: "vrs-compat" }, 20).status).toBe("ok");
    expect(fdrFscSection(result(8), 20).status).toBe("ok");
  });
});
