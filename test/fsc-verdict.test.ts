/**
 * 1.a completions (lib/level1/fsc.ts): VRS's logistic fit and "well preserved (FSC>0.9) up to" against scipy's curve_fit
 * (scripts/make-fsc-fit-fixtures.py) and an exact logistic, the 0.8 × criterion as a section verdict, and the
 * masked-half check. Facts: docs/reference/level1.md.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { fscAnalysis, fscSection, logisticFit, logisticModel, maskedHalfMapCheck, wellPreservedResolution, type FscResult } from "../lib/level1/fsc.js";
import { scoreOf, type SectionResult } from "../lib/report/report-types.js";
import { readMap } from "../lib/io/mrc-reader.js";
import { makeVolume } from "../lib/io/volume.js";
import { seededNormal } from "./helpers/random.js";

const pairDir = new URL("../data/halfmaps/sim-emd-1997/", import.meta.url);
const load = async (name: string) => (await readMap(new Uint8Array(readFileSync(new URL(name, pairDir))))).volume;
const scipyFit = JSON.parse(readFileSync(new URL("./fixtures/fsc-logistic-sim-emd-1997.json", import.meta.url), "utf8")) as {
  f05: number;
  fitted: number[];
  residual: number;
  wellPreservedResolution: number;
};

describe("VRS's logistic fit of the FSC", () => {
  it("recovers an exact logistic, and its FSC = 0.9 point f0 − ln 9 / b", () => {
    const frequency = Array.from({ length: 400 }, (_, i) => (i + 1) / 1000);
    const fsc = frequency.map((f) => logisticModel(f, 1, 60, 0.2, 0));
    const fit = logisticFit(frequency, fsc, 0.2)!;
    expect(fit.residual).toBeLessThan(1e-20);
    fit.fitted.forEach((v, i) => expect(v).toBeCloseTo(fsc[i], 9));
    const shells = frequency.map((f, i) => ({ frequency: f, fsc: fsc[i] })) as FscResult["shells"];
    const { resolution } = wellPreservedResolution({ shells });
    // Linear interpolation between rows 0.001 apart: within 1e-4 of the analytic crossing in frequency.
    expect(1 / resolution!).toBeCloseTo(0.2 - Math.log(9) / 60, 4);
  });

  it("agrees with scipy's curve_fit on the simulated pair's FSC", async () => {
    const result = fscAnalysis(await load("half1.mrc.gz"), await load("half2.mrc.gz"));
    const { fit, resolution } = wellPreservedResolution(result);
    // The model has 4 parameters for 3 degrees of freedom (c shifts f0), so only the curve is compared.
    expect(fit!.residual).toBeCloseTo(scipyFit.residual, 9);
    fit!.fitted.forEach((v, i) => expect(Math.abs(v - scipyFit.fitted[i])).toBeLessThan(1e-5));
    expect(resolution!).toBeCloseTo(scipyFit.wellPreservedResolution, 4);
  }, 60_000);

  it("is not fitted when the FSC never crosses 0.5 (VRS leaves fsc90 unbound)", () => {
    const shells = Array.from({ length: 20 }, (_, i) => ({ frequency: (i + 1) / 100, fsc: 0.9 })) as FscResult["shells"];
    expect(wellPreservedResolution({ shells })).toEqual({ fit: null, resolution: null });
  });

  it("leaves NaN rows out of the fit instead of failing", () => {
    const frequency = Array.from({ length: 50 }, (_, i) => (i + 1) / 100);
    const fsc = frequency.map((f, i) => (i === 30 ? NaN : logisticModel(f, 1, 30, 0.25, 0)));
    const fit = logisticFit(frequency, fsc, 0.25)!;
    expect(fit.fitted[10]).toBeCloseTo(logisticModel(frequency[10], 1, 30, 0.25, 0), 8);
    expect(logisticFit(frequency.slice(0, 3), fsc.slice(0, 3), 0.02)).toBeNull();
  });
});

describe("1.a verdict: reported resolution < 0.8 × each estimate", () => {
  let result: FscResult;
  beforeAll(async () => {
    result = fscAnalysis(await load("half1.mrc.gz"), await load("half2.mrc.gz"));
  }, 60_000);
  const withEstimates = (fsc: number | null, dpr: number | null, ssnr: number | null): FscResult => ({
    ...result,
    fscResolution: fsc,
    dprResolution: dpr,
    ssnrResolution: ssnr,
  });

  it("warns, in VRS's words, for each estimate the reported resolution is below 0.8 × of", () => {
    const section = fscSection(withEstimates(5, 4, 6), 3.9);
    expect(section.status).toBe("warnings");
    // 0.8 × 5 = 4 and 0.8 × 6 = 4.8 exceed 3.9; 0.8 × 4 = 3.2 does not.
    expect(section.warnings).toEqual([
      "The reported resolution, 3.90 Å, is particularly high with respect to the resolution calculated by the FSC, 5.00 Å.",
      "The reported resolution, 3.90 Å, is particularly high with respect to the resolution calculated by the SSNR, 6.00 Å.",
    ]);
    expect(section.results!.meanResolution).toBeCloseTo(5, 12);
    expect(section.results!.resolutionRange).toEqual([4, 6]);
  });

  it("passes at exactly 0.8 × the largest estimate (the test is strict, as VRS's)", () => {
    const section = fscSection(withEstimates(5, 3, 2), 4);
    expect(section.status).toBe("ok");
    expect(section.warnings).toEqual([]);
  });

  it("compares only the estimates that exist and says which are missing (VRS crashes there)", () => {
    const section = fscSection(withEstimates(5, null, 6), 4.9);
    expect(section.status).toBe("ok");
    expect(section.notes).toEqual(["The DPR does not cross its threshold, so the reported resolution is compared with the other estimates only."]);
    expect(section.results!.sentences[1]).toBe("The DPR does not cross the 103.9 threshold.");
  });

  it("is not-measured without any estimate and does not apply without a reported resolution; neither counts", () => {
    const none = fscSection(withEstimates(null, null, null), 3);
    const noResolution = fscSection(withEstimates(5, 4, 6), null);
    expect(none.status).toBe("not-measured");
    expect(noResolution.status).toBe("does-not-apply");
    expect(scoreOf([none, noResolution] as unknown as SectionResult[])).toEqual({ passed: 0, evaluable: 0 });
  });

  it("refuses a reported resolution that is not a positive number", () => {
    for (const bad of [NaN, -2, 0, Infinity]) expect(() => fscSection(result, bad)).toThrow(expect.objectContaining({ code: "bad-resolution" }));
  });

  it("reports the simulated pair's numbers and the well-preserved sentence", () => {
    const section = fscSection(result, 6);
    expect(section.results!.preservedFSC90resolution).toBeCloseTo(scipyFit.wellPreservedResolution, 4);
    expect(section.results!.sentences[0]).toMatch(/^The resolution according to the FSC is 5\.62 Å\. The map information is well preserved \(FSC>0\.9\) up to 7\.33 Å\.$/);
  });
});

describe("masked half maps (EMDB asks for unmasked ones)", () => {
  const n = 32;
  const noise = () => {
    const normal = seededNormal(5);
    return makeVolume(n, n, n, () => normal());
  };
  const c = n / 2;
  const masked = (radius: number) => {
    const v = noise();
    for (let z = 0, i = 0; z < n; z++)
      for (let y = 0; y < n; y++) for (let x = 0; x < n; x++, i++) if ((x - c) ** 2 + (y - c) ** 2 + (z - c) ** 2 > radius * radius) v.data[i] = 0;
    return v;
  };

  it("does not flag an unmasked half, even with a few exact zeros in the corners", () => {
    const v = noise();
    for (const i of [0, n - 1, n * n - 1, v.data.length - 1]) v.data[i] = 0;
    const check = maskedHalfMapCheck(v, "Half map 1");
    expect(check.masked).toBe(false);
    expect(check.warning).toBeNull();
  });

  it("flags a half that is exactly 0 beyond a radius, with that radius", () => {
    const check = maskedHalfMapCheck(masked(12), "Half map 2", 1.5);
    expect(check.masked).toBe(true);
    expect(check.nonZeroRadius!).toBeLessThanOrEqual(12);
    expect(check.nonZeroRadius!).toBeGreaterThan(11.5);
    // Every voxel farther than the farthest non-zero voxel: the box minus a ball of radius ≈ 12.
    expect(check.zeroVoxelsBeyond / n ** 3).toBeCloseTo(1 - (4 / 3) * Math.PI * 12 ** 3 / n ** 3, 1);
    expect(check.warning).toMatch(/^Half map 2 looks masked: every voxel farther than 1[78]\.\d Å \(1[12]\.\d voxels\) from the box centre is exactly 0/);
  });

  it("flags a half masked at the inscribed sphere (48 % of the box outside) and a half that is 0 everywhere", () => {
    expect(maskedHalfMapCheck(masked(n / 2), "Half map 1").masked).toBe(true);
    const zero = maskedHalfMapCheck(makeVolume(n, n, n, () => 0), "Half map 1");
    expect(zero).toMatchObject({ masked: true, nonZeroRadius: null, warning: "Half map 1 is 0 everywhere." });
  });

  it("does not flag the bundled simulated halves", async () => {
    expect(maskedHalfMapCheck(await load("half1.mrc.gz"), "Half map 1").masked).toBe(false);
    expect(maskedHalfMapCheck(await load("half2.mrc.gz"), "Half map 2").masked).toBe(false);
  }, 60_000);
});
