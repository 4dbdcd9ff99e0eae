import { describe, expect, it } from "vitest";
import { analysisContext } from "../lib/analysis-inputs.js";
import { AnalysisInputError } from "../lib/errors.js";
import {
  assemble, emptyMaskMessage, noResolutionNotice, runLevel0, runLevel0InContext, runLevel0WithWorkings, sectionIds,
} from "../lib/level0/level0.js";
import type { SectionId, SectionResult, SectionStatus } from "../lib/report/report-types.js";
import { makeVolume } from "../lib/io/volume.js";

/** A 24³ box, 1 Å voxels: a cube of density 1 at 9..14 on faint alternating noise. */
const cube = (voxelSize: [number, number, number] | null = [1, 1, 1]) =>
  makeVolume(24, 24, 24, (x, y, z) =>
    x >= 9 && x <= 14 && y >= 9 && y <= 14 && z >= 9 && z <= 14 ? 1 : ((x + y + z) % 2 ? 0.01 : -0.01), voxelSize);

const section = (id: SectionId, status: SectionStatus, warnings: string[] = [], sentence: string | null = null) =>
  ({ id, title: id, status, warnings, results: null, summarySentence: sentence }) as SectionResult<object>;

describe("assemble: score, abstract, warnings as VRS", () => {
  it("counts only ok and warnings sections; abstract ends with the score and the no-resolution notice", () => {
    const statuses: SectionStatus[] = ["ok", "warnings", "ok", "does-not-apply", "not-measured", "warnings", "ok", "does-not-apply"];
    const sections = Object.fromEntries(
      sectionIds.map((id, i) => [id, section(id, statuses[i], statuses[i] === "warnings" ? ["w1", "w2"] : [], `S${i}.`)]),
    ) as Record<SectionId, SectionResult<object>>;
    const r = assemble(sections, null);
    expect(r.score).toEqual({ passed: 3, evaluable: 5 });
    expect(r.abstract.slice(-2)).toEqual([
      "The overall score (passing tests) of this report is 3 out of 5 evaluable items.",
      noResolutionNotice,
    ]);
    expect(r.abstract[0]).toBe("S0.");
    expect(r.warningsSummary.map((w) => w.id)).toEqual(["0.b", "0.f"]);
    expect(assemble(sections, 3).abstract.at(-1)).toMatch(/^The overall score/);
  });
});

describe("assemble: VRS's sentence on the resolution estimates (at Level 0, the 0.e median)", () => {
  const withLocalResolution = (status: SectionStatus, median: number) =>
    Object.fromEntries(
      sectionIds.map((id) => [id, id === "0.e" ? { ...section(id, status), results: { median } } : section(id, "ok")]),
    ) as Record<SectionId, SectionResult<object>>;

  it("prints min, max and mean to one decimal, the user's resolution, and flags it when below 0.8 × the mean", () => {
    // VRS prints these with "%4.1f" ("was  7.0Å"); mapval drops the padding that makes the double space.
    expect(assemble(withLocalResolution("ok", 10.9), 7).abstract).toContain(
      "The average resolution of the map estimated by various methods goes from 10.9Å to 10.9Å with an average of 10.9Å." +
        " The resolution reported by the user was 7.0Å. The resolution reported may be overestimated.",
    );
    // 8.72 = 0.8 × 10.9 is not above 9: no flag.
    expect(assemble(withLocalResolution("warnings", 10.9), 9).abstract).toContain(
      "The average resolution of the map estimated by various methods goes from 10.9Å to 10.9Å with an average of 10.9Å." +
        " The resolution reported by the user was 9.0Å.",
    );
  });

  it("comes before the score line, and is absent when 0.e has no measured median", () => {
    const abstract = assemble(withLocalResolution("ok", 4), 3.2).abstract;
    expect(abstract.findIndex((a) => a.startsWith("The average resolution"))).toBe(abstract.length - 2);
    for (const status of ["not-measured", "does-not-apply"] as const)
      expect(assemble(withLocalResolution(status, 4), 3.2).abstract.some((a) => a.startsWith("The average resolution"))).toBe(false);
    expect(assemble(withLocalResolution("ok", Number.NaN), 3.2).abstract.some((a) => a.startsWith("The average resolution"))).toBe(false);
  });
});

describe("runLevel0", () => {
  it("a centred cube without resolution: 3 evaluable sections, 0.d–0.h do not apply", () => {
    const r = runLevel0(cube(), { threshold: 0.5 });
    expect(r.input).toEqual({ shape: [24, 24, 24], voxelSize: 1, threshold: 0.5, resolution: null, nonFiniteVoxels: 0 });
    expect(r.score.evaluable).toBe(3);
    for (const id of ["0.d", "0.e", "0.f", "0.g", "0.h"] as const) {
      expect(r.sections[id].status).toBe("does-not-apply");
      expect(r.sections[id].reason).toBe("This method cannot be applied to maps with no resolution reported.");
    }
    expect((r.sections["0.b"].results as { rawVoxels: number }).rawVoxels).toBe(216);
    expect(runLevel0WithWorkings(cube(), { threshold: 0.5 }).workings.hardMask.dilationIterations).toBe(2);
  });

  it("applicability of 0.e and 0.h follows the resolution as in VRS", () => {
    const at = (resolution: number, voxelSize = 1) =>
      runLevel0(cube(), { threshold: 0.5, resolution, voxelSize, precomputed: { "0.d": section("0.d", "ok") } });
    expect(at(1.5, 0.7).sections["0.e"].reason).toMatch(/better than 2Å/);
    expect(at(14).sections["0.e"].reason).toMatch(/worse than 13Å/);
    expect(at(6).sections["0.h"].reason).toMatch(/worse than 5Å/);
    expect(at(4).sections["0.h"].status).toBe("not-measured");
  });

  it("computes 0.d–0.h itself when none is given, and keeps the local maps out of the report", () => {
    const { report: r, workings } = runLevel0WithWorkings(cube(), { threshold: 0.5, resolution: 4 });
    for (const id of ["0.d", "0.e", "0.f", "0.g", "0.h"] as const) {
      expect(r.sections[id].id).toBe(id);
      expect(r.sections[id]).not.toHaveProperty("localMap");
    }
    expect(r.sections["0.h"].reason).toMatch(/^The hand was not assessed/);
    expect(r.sections["0.e"].title).toMatch(/MonoRes-style/);
    // The maps go to the workings: one value per voxel of each section's grid (0.e: the map's box here).
    const measured = (["0.e", "0.f", "0.g"] as const).filter((id) => r.sections[id].results !== null);
    expect(Object.keys(workings.localMaps).sort()).toEqual(measured);
    expect(workings.localMaps["0.e"]?.volume.data.length).toBe(24 ** 3);
  });

  it("in a context checked once (analysisContext), gives runLevel0's report for the same inputs", () => {
    const inputs = { threshold: 0.5, resolution: 6, mode: "vrs-compat" as const, parameters: { maxOutlierRatio: 0.5 } };
    const run = { sections: ["0.a", "0.b", "0.c", "0.d"] as const };
    const context = analysisContext(cube(), { ...inputs, computed: run.sections });
    expect(context).toMatchObject({ ts: 1, threshold: 0.5, resolution: 6, mode: "vrs-compat" });
    expect(context.parameters.maxOutlierRatio).toBe(0.5);
    expect(context.parameters.outlierSigmas).toBe(5); // the other criteria keep their defaults
    const inContext = runLevel0InContext(context, run).report;
    expect(inContext).toEqual(runLevel0(cube(), { ...inputs, ...run }));
    expect(inContext.parameters.maxOutlierRatio).toBe(0.5);
  });

  it("the report is what reportJson serialises; the mask, figures and local maps are its workings", () => {
    const local = { ...section("0.e", "ok"), localMap: { volume: cube(), mask: new Uint8Array(24 ** 3) } };
    const { report, workings } = runLevel0WithWorkings(cube(), {
      threshold: 0.5, resolution: 4, sections: ["0.e"], precomputed: { "0.e": local }, figures: true,
    });
    expect(Object.keys(report)).toEqual([
      "input", "mode", "parameters", "sections", "score", "abstract", "warningsSummary", "inputWarnings",
    ]);
    // A section given with its map keeps its numbers in the report, its map in the workings.
    expect(report.sections["0.e"]).not.toHaveProperty("localMap");
    expect(report.sections["0.e"].status).toBe("ok");
    expect(workings.localMaps["0.e"]).toBe(local.localMap);
    expect(workings.hardMask.voxels).toBeGreaterThan(216);
    expect(workings.figures?.hardMaskSlices.x.index).toBeGreaterThanOrEqual(0);
  });

  it("onSection announces each of 0.d–0.h it computes, in order, and none that is given", () => {
    const announced: string[] = [];
    runLevel0(cube(), {
      threshold: 0.5, resolution: 6, precomputed: { "0.e": section("0.e", "ok") },
      onSection: (id, title) => announced.push(`${id} ${title}`),
    });
    expect(announced).toEqual(["0.d 0.d B-factor analysis", "0.f 0.f LocBfactor", "0.g 0.g LocOccupancy", "0.h 0.h Deep hand"]);
  });

  it("a precomputed 0.d is used as given", () => {
    const d = section("0.d", "warnings", ["The B-factor is out of the interval [-300,0]."]);
    const r = runLevel0(cube(), { threshold: 0.5, resolution: 4, precomputed: { "0.d": d }, sections: ["0.d"] });
    expect(r.sections["0.d"]).toBe(d);
    expect(r.sections["0.e"]).toMatchObject({ status: "not-requested", reason: "Not computed in this run (requested: 0.d)" });
    expect(r.score.evaluable).toBe(4);
  });

  it("rejects an empty mask with VRS's message", () => {
    expect(() => runLevel0(cube(), { threshold: 2 })).toThrow(emptyMaskMessage);
    try {
      runLevel0(cube(), { threshold: 2 });
    } catch (e) {
      expect(e).toBeInstanceOf(AnalysisInputError);
      expect((e as AnalysisInputError).code).toBe("empty-mask");
    }
  });

  it("voxel size: unknown is an input error; anisotropic warns and uses X", () => {
    expect(() => runLevel0(cube(null), { threshold: 0.5 })).toThrow(/voxel size/);
    expect(runLevel0(cube(null), { threshold: 0.5, voxelSize: 2 }).input.voxelSize).toBe(2);
    const r = runLevel0(cube([1, 1.2, 1]), { threshold: 0.5 });
    expect(r.input.voxelSize).toBe(1);
    expect(r.inputWarnings[0]).toMatch(/anisotropic/);
  });

  it("criteria parameters change the verdicts", () => {
    // 3 Å voxels: one dilation step, mask 8..15, 8 empty voxels = 24 Å on every side.
    const space = (minSpaceAngstrom?: number) =>
      runLevel0(cube([3, 3, 3]), { threshold: 0.5, parameters: { minSpaceAngstrom } }).sections["0.a"].warnings.filter((w) =>
        w.includes("little space"),
      ).length;
    expect(space(undefined)).toBe(0);
    expect(space(30)).toBe(6);
  });
});

