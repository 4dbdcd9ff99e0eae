import { describe, expect, it } from "vitest";
import { runLevel0 } from "../lib/level0/level0.js";
import { makeVolume } from "../lib/io/volume.js";
import {
  level0Sections, localSectionIds, sectionIds, sectionRegistry, sectionSpec, sectionTitle, spectralSectionIds,
} from "../lib/section-registry.js";
import { derivedGrids } from "../lib/analysis-inputs.js";

// VRS's row labels (validationReport.py), with mapval's note on 0.e's method.
const vrsTitles = {
  "0.a": "0.a Mass analysis",
  "0.b": "0.b Mask analysis",
  "0.c": "0.c Background analysis",
  "0.d": "0.d B-factor analysis",
  "0.e": "0.e Local resolution (MonoRes-style; VRS uses DeepRes)",
  "0.f": "0.f LocBfactor",
  "0.g": "0.g LocOccupancy",
  "0.h": "0.h Deep hand",
};

describe("section registry", () => {
  it("lists Level 0's sections once each, in report order, with VRS's titles", () => {
    expect(sectionIds).toEqual(["0.a", "0.b", "0.c", "0.d", "0.e", "0.f", "0.g", "0.h"]);
    expect(new Set(sectionRegistry.map((s) => s.id)).size).toBe(sectionRegistry.length);
    for (const id of sectionIds) expect(sectionTitle(id)).toBe(vrsTitles[id]);
    expect(level0Sections.every((s) => s.level === 0)).toBe(true);
  });

  it("says which sections are spectral, local and threshold-dependent", () => {
    expect(spectralSectionIds).toEqual(["0.d", "0.e", "0.f", "0.g", "0.h"]);
    expect(localSectionIds).toEqual(["0.e", "0.f", "0.g"]);
    expect(sectionIds.filter((id) => !sectionSpec(id).dependsOnThreshold)).toEqual(["0.d", "0.h"]);
    expect(sectionIds.filter((id) => sectionSpec(id).fourier)).toEqual(["0.d", "0.e", "0.f", "0.g"]);
  });

  it("drives the memory check: only sections that transform the map make derived grids", () => {
    const o = { ts: 1, resolution: 4, mode: "default" as const };
    expect(derivedGrids([32, 32, 32], { ...o, computed: ["0.h"] })).toEqual([]);
    expect(derivedGrids([32, 32, 32], { ...o, computed: ["0.d"] })).toHaveLength(1);
  });

  it("gives every report section its title and its place, not-requested ones included", () => {
    // A 12³ cube of 1s in a 24³ box of 0s: enough for 0.a–0.c, the spectral sections not requested.
    const inCube = (c: number) => c >= 6 && c < 18;
    const cube = makeVolume(24, 24, 24, (x, y, z) => (inCube(x) && inCube(y) && inCube(z) ? 1 : 0));
    const report = runLevel0(cube, { threshold: 0.5, sections: ["0.a", "0.b", "0.c"] });
    expect(Object.keys(report.sections)).toEqual([...sectionIds]);
    for (const id of sectionIds) {
      expect(report.sections[id].id).toBe(id);
      expect(report.sections[id].title).toBe(vrsTitles[id]);
    }
    expect(spectralSectionIds.map((id) => report.sections[id].status)).toEqual(Array(5).fill("not-requested"));
  });
});
