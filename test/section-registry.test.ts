import { describe, expect, it } from "vitest";
import { runLevel0 } from "../lib/level0/level0.js";
import { makeVolume } from "../lib/io/volume.js";
import {
  level0Sections, level1SectionIds, level1Sections, localSectionIds, sectionIds, sectionIdsIn, sectionRegistry, sectionSpec,
  sectionTitle, spectralSectionIds,
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

  it("lists Level 1's sections after Level 0's; only 1.d and 1.f (not computed) transform nothing", () => {
    expect(level1SectionIds).toEqual(["1.a", "1.b", "1.c", "1.d", "1.e", "1.f", "1.g", "1.h"]);
    expect(sectionRegistry.map((s) => s.id)).toEqual([...sectionIds, ...level1SectionIds]);
    expect(level1Sections.every((s) => s.level === 1)).toBe(true);
    // Every Level 1 section uses Level 0's hard or soft mask, made at the threshold (VRS; 1.a for its masked FSC).
    expect(level1SectionIds.every((id) => sectionSpec(id).dependsOnThreshold)).toBe(true);
    expect(level1SectionIds.filter((id) => sectionSpec(id).fourier)).toEqual(["1.a", "1.b", "1.c", "1.e", "1.g", "1.h"]);
    expect(level1SectionIds.filter((id) => sectionSpec(id).local)).toEqual(["1.c", "1.e"]);
    // Level 0's lists stay Level 0's.
    expect(spectralSectionIds.every((id) => id.startsWith("0."))).toBe(true);
    expect(localSectionIds.every((id) => id.startsWith("0."))).toBe(true);
  });

  it("orders a report's sections by the registry (sectionIdsIn)", () => {
    expect(sectionIdsIn({ "1.b": 0, "0.c": 0, "1.a": 0, other: 0 })).toEqual(["0.c", "1.a", "1.b"]);
  });

  it("drives the memory check: only sections that transform the map make derived grids", () => {
    const o = { ts: 1, resolution: 4, mode: "default" as const };
    expect(derivedGrids([32, 32, 32], { ...o, computed: ["0.h"] })).toEqual([]);
    expect(derivedGrids([32, 32, 32], { ...o, computed: ["0.d"] })).toHaveLength(1);
    // Level 1 transforms the halves, which 1.a–1.h check themselves (checkHalfMaps): none of the map's grids.
    expect(derivedGrids([32, 32, 32], { ...o, computed: ["1.a", "1.e"] })).toEqual([]);
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
