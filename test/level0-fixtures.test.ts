/**
 * Level 0 on the bundled EMDB maps against test/fixtures/level0-*.json, made by scripts/make-level0-fixtures.py
 * (numpy/scipy re-implementation of VRS's Python and Xmipp's mask). VRS works on float32 (means, σ, the centre of
 * mass normaliser), we in float64: those numbers are compared to ~1e-5 relative; counts and sizes exactly.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runLevel0WithWorkings } from "../lib/level0/level0.js";
import { parseMap } from "../lib/io/mrc-reader.js";
import type { BackgroundResults } from "../lib/level0/section-0c-background.js";
import { LARGEST_COMPONENT_MIN_FRACTION, type MaskResults } from "../lib/level0/section-0b-mask.js";
import type { MassResults } from "../lib/level0/section-0a-mass.js";

const root = join(import.meta.dirname, "..");
const fixtures = readdirSync(join(root, "test/fixtures"))
  .filter((f) => /^level0-.*\.json$/.test(f))
  .map((f) => JSON.parse(readFileSync(join(root, "test/fixtures", f), "utf8")));

const volumes = new Map<string, ReturnType<typeof parseMap>["volume"]>();
const load = (file: string) => {
  if (!volumes.has(file)) volumes.set(file, parseMap(new Uint8Array(readFileSync(join(root, "data/maps", file)))).volume);
  return volumes.get(file)!;
};
const close = (a: number[], b: number[], digits = 9) => a.forEach((x, i) => expect(x).toBeCloseTo(b[i], digits));
const relClose = (a: number, b: number, rel: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.abs(b));

describe.each(fixtures)("$file at threshold $threshold", (fx) => {
  const run = (mode: "default" | "vrs-compat") => {
    const { report, workings } = runLevel0WithWorkings(load(fx.file), { threshold: fx.threshold, voxelSize: fx.voxelSize, resolution: null, mode });
    return { ...report, hardMask: workings.hardMask };
  };
  const vrs = run("vrs-compat");
  const def = run("default");

  it("vrs-compat 0.a", () => {
    const r = vrs.sections["0.a"].results as MassResults;
    const e = fx.vrs["0.a"];
    close(r.spaceLeft, e.spaceLeft);
    close(r.spaceRight, e.spaceRight);
    close(r.decentering, e.decentering);
    close(r.centerOfMass, e.centerOfMass, 4);
    close(r.centerOfMassOffset, e.centerOfMassOffset, 4);
  });

  it("vrs-compat 0.b", () => {
    const r = vrs.sections["0.b"].results as MaskResults;
    const e = fx.vrs["0.b"];
    for (const key of [
      "rawComponents", "rawVoxels", "components95", "remainingComponents", "remainingFromVoxels", "remainingToVoxels",
      "constructedVoxels",
    ] as const)
      expect(r[key], key).toBe(e[key]);
    expect(r.componentSizes).toEqual(e.componentSizes);
    expect(r.components95List.map((c) => c.voxels)).toEqual(e.listedVoxels);
    expect(r.rawVolume).toBeCloseTo(e.rawVolume, 6);
    expect(r.constructedVolume).toBeCloseTo(e.constructedVolume, 6);
    expect(r.overlap).toBe(e.overlap);
    for (const key of ["remainingAverageVoxels", "remainingAverageVolume"] as const)
      if (e[key] === null) expect(Number.isNaN(r[key])).toBe(true);
      else expect(r[key]).toBeCloseTo(e[key], 9);
    expect(r.massTable.length).toBe(e.massTable.length);
    r.massTable.forEach((row, i) => {
      expect(row.threshold).toBe(e.massTable[i].threshold);
      expect(row.voxels).toBe(e.massTable[i].voxels);
      expect(row.kDa).toBeCloseTo(e.massTable[i].kDa, 9);
      expect(row.aminoAcids).toBeCloseTo(e.massTable[i].aminoAcids, 9);
    });
  });

  it("vrs-compat 0.c (float32 in numpy, float64 here)", () => {
    const r = vrs.sections["0.c"].results as BackgroundResults;
    const e = fx.vrs["0.c"];
    expect(r.voxels).toBe(e.voxels);
    relClose(r.mean, e.mean, 1e-5);
    relClose(r.std, e.std, 1e-5);
    relClose(r.t, e.t, 1e-4);
    if (e.p > 1e-300) relClose(r.p, e.p, 1e-3);
    else expect(r.p).toBeLessThan(1e-300);
    expect(r.outlierPercent).toBeCloseTo(e.outlierPercent, 3);
    expect(r.gaussianPercent).toBeCloseTo(e.gaussianPercent, 15);
    relClose(r.outlierRatio, e.outlierRatio, 1e-3);
  });

  it("default mode: the numbers it defines differently", () => {
    const a = def.sections["0.a"].results as MassResults;
    close(a.spaceRight, fx.default["0.a"].spaceRight);
    close(a.decentering, fx.default["0.a"].decentering);
    close(a.centerOfMassOffset, fx.default["0.a"].centerOfMassOffset, 4);
    const b = def.sections["0.b"].results as MaskResults;
    expect(b.components95).toBe(fx.default["0.b"].components95);
    expect(b.constructedVoxels).toBe(fx.default["0.b"].constructedVoxels);
    if (fx.default["0.b"].remainingAverageVolume === null) expect(Number.isNaN(b.remainingAverageVolume)).toBe(true);
    else expect(b.remainingAverageVolume).toBeCloseTo(fx.default["0.b"].remainingAverageVolume, 9);
    if (fx.default["0.b"].remainingFromVoxels !== null) expect(b.remainingFromVoxels).toBe(fx.default["0.b"].remainingFromVoxels);
    const c = def.sections["0.c"].results as BackgroundResults;
    relClose(c.mean, fx.default["0.c"].mean, 1e-10);
    relClose(c.std, fx.default["0.c"].std, 1e-10);
    relClose(c.t, fx.default["0.c"].t, 1e-10);
    expect(c.outlierPercent).toBe(fx.default["0.c"].outlierPercent);
  });

  it("0.a and 0.b statuses and warnings follow numpy's numbers with VRS's limits (written here, not read from criteria)", () => {
    for (const [report, e] of [[vrs, fx.vrs], [def, { ...fx.vrs, "0.a": { ...fx.vrs["0.a"], ...fx.default["0.a"] }, "0.b": { ...fx.vrs["0.b"], ...fx.default["0.b"] } }]] as const) {
      const a = e["0.a"];
      const massWarnings =
        a.decentering.filter((d: number) => d > 20).length +
        a.spaceLeft.filter((d: number) => d < 20).length +
        a.spaceRight.filter((d: number) => d < 20).length +
        a.centerOfMassOffset.filter((d: number) => d > 20).length;
      // Default mode also warns when the largest component holds less than 80 % of the raw mask.
      const raw = (report.sections["0.b"].results as MaskResults).rawVoxels;
      const partial = Number(report.mode === "default" && report.hardMask.largestComponentVoxels / raw < 0.8);
      expect(report.sections["0.a"].warnings.length, `${report.mode} 0.a`).toBe(massWarnings + partial);
      expect(report.sections["0.a"].status).toBe(massWarnings + partial > 0 ? "warnings" : "ok");
      // The fixture has no default-mode overlap: VRS's (its mask differs only in the box's outermost shell) stands in;
      // every fixture's is far from 0.75.
      const b = e["0.b"];
      const maskWarnings =
        Number(b.components95 > 5) + Number(b.remainingAverageVolume !== null && b.remainingAverageVolume > 5) + Number(b.overlap < 0.75);
      expect(report.sections["0.b"].warnings.length, `${report.mode} 0.b`).toBe(maskWarnings);
      expect(report.sections["0.b"].status).toBe(maskWarnings > 0 ? "warnings" : "ok");
    }
  });

  it("verdicts follow the numbers", () => {
    for (const report of [vrs, def]) {
      const c = report.sections["0.c"].results as BackgroundResults;
      // Default mode adds its caution when the largest component holds too little of the raw mask.
      const raw = (report.sections["0.b"].results as MaskResults).rawVoxels;
      const partial = report.mode === "default" && report.hardMask.largestComponentVoxels / raw < LARGEST_COMPONENT_MIN_FRACTION;
      expect(report.sections["0.c"].warnings.length).toBe(Number(c.p < 0.001) + Number(c.outlierRatio > 20) + Number(partial));
      expect(report.sections["0.d"].status).toBe("does-not-apply");
      expect(report.score.evaluable).toBe(3);
    }
  });
});
