import { describe, expect, it } from "vitest";
import { vrsParameters } from "../lib/level0/criteria.js";
import { runLevel0 } from "../lib/level0/level0.js";
import { reportChanges, type ComparedReport } from "../lib/report/report-changes.js";
import type { Level0SectionId, SectionStatus } from "../lib/report/report-types.js";
import { buildSyntheticMap, labPresets, type LabParameters } from "../lib/lab/synthetic-map.js";

const ids: Level0SectionId[] = ["0.a", "0.b", "0.c", "0.d", "0.e", "0.f", "0.g", "0.h"];
type Sections = ComparedReport["sections"];

/** A report whose sections are all OK with no results, with the given sections in their place. */
function report(sections: Partial<Sections>, parameters = vrsParameters): ComparedReport {
  const all = Object.fromEntries(ids.map((id) => [id, { status: "ok" as SectionStatus, warnings: [] as string[], results: null }])) as unknown as Sections;
  return { parameters, sections: { ...all, ...sections } };
}

const mass = (offsetX: number, status: SectionStatus, warnings: string[] = []) => ({
  status, warnings,
  results: { spaceLeft: [30, 30, 30], spaceRight: [30, 30, 30], decentering: [1, 1, 1], centerOfMass: [0, 0, 0], centerOfMassOffset: [offsetX, 2, 2] },
});

describe("reportChanges, on hand-made reports", () => {
  it("names the flipped verdict and the number that crossed its limit, with the limit's unit", () => {
    const shifted = "The center of mass in X may be significantly shifted.";
    const changes = reportChanges(report({ "0.a": mass(12, "ok") }), report({ "0.a": mass(25, "warnings", [shifted]) }));
    expect(changes.flips).toEqual([{ section: "0.a", from: "ok", to: "warnings", warningsAdded: [shifted], warningsRemoved: [] }]);
    expect(changes.crossings).toEqual([{
      section: "0.a", criterion: "0.a.centerOfMass", quantity: "centre-of-mass offset x", from: 12, to: 25, unit: "%", fails: true,
      text: "0.a: centre-of-mass offset x 12 → 25 %, beyond the 20 % limit",
    }]);
    expect(changes.lines).toEqual(["0.a ok → warnings", "0.a: centre-of-mass offset x 12 → 25 %, beyond the 20 % limit"]);
    // And back: within the limit again.
    expect(reportChanges(report({ "0.a": mass(25, "warnings", [shifted]) }), report({ "0.a": mass(12, "ok") })).lines)
      .toEqual(["0.a warnings → ok", "0.a: centre-of-mass offset x 25 → 12 %, within the 20 % limit"]);
  });

  it("says nothing changed when numbers move without crossing a limit", () => {
    expect(reportChanges(report({ "0.a": mass(3, "ok") }), report({ "0.a": mass(19.9, "ok") }))).toEqual({ flips: [], crossings: [], lines: ["No verdict changed."] });
  });

  it("judges each side with its own criteria: a number that stays put crosses a limit that moved", () => {
    const strict = { ...vrsParameters, maxCenterOfMassOffsetPercent: 10 };
    expect(reportChanges(report({ "0.a": mass(12, "ok") }), report({ "0.a": mass(12, "warnings") }, strict)).lines)
      .toEqual(["0.a ok → warnings", "0.a: centre-of-mass offset x 12 → 12 %, beyond the 10 % limit"]);
  });

  it("reads at-least limits and 0.d's two-sided interval", () => {
    const background = (p: number) => ({ status: "ok" as SectionStatus, warnings: [], results: { p, outlierRatio: 1 } });
    const bfactor = (B: number) => ({ status: "ok" as SectionStatus, warnings: [], results: { B } });
    const changes = reportChanges(report({ "0.c": background(0.5), "0.d": bfactor(-85) }), report({ "0.c": background(1e-5), "0.d": bfactor(150) }));
    expect(changes.crossings.map((c) => c.text)).toEqual([
      "0.c: t-test p-value 0.5 → 0.00001, below the 0.001 minimum",
      "0.d: B-factor -85 → 150 Å², outside [-300, 0] Å²",
    ]);
    expect(changes.flips).toEqual([]);
  });

  it("crosses nothing where a number could not be measured, and lists the warnings of a flip no number explains", () => {
    const caution = "Only part of the map is in the largest component.";
    const changes = reportChanges(
      report({ "0.a": { ...mass(12, "ok"), results: null } }),
      report({ "0.a": mass(Number.NaN, "warnings", [caution]) }),
    );
    expect(changes.crossings).toEqual([]);
    expect(changes.lines).toEqual([`0.a ok → warnings: ${caution}`]);
  });
});

describe("reportChanges, between the lab's presets (0.a–0.d computed)", () => {
  const level0 = (p: LabParameters) => {
    const m = buildSyntheticMap(p);
    return runLevel0(m.volume, { threshold: m.threshold, resolution: m.resolution, sections: ["0.a", "0.b", "0.c", "0.d"] });
  };
  const clean = level0(labPresets.clean.parameters);

  it("clean → off-centre: 0.a flips, and only numbers on x cross their limits", () => {
    const changes = reportChanges(clean, level0(labPresets["off-centre"].parameters));
    expect(changes.flips.map((f) => [f.section, f.from, f.to])).toEqual([["0.a", "ok", "warnings"]]);
    expect(changes.crossings.map((c) => c.quantity).sort()).toEqual(["centre-of-mass offset x", "decentering x", "space right of x"]);
    expect(changes.crossings.every((c) => c.fails)).toBe(true);
  });

  it("clean → blurred: 0.d's B crosses below −300 Å²", () => {
    const changes = reportChanges(clean, level0(labPresets.blurred.parameters));
    const b = changes.crossings.find((c) => c.section === "0.d")!;
    expect(b.criterion).toBe("0.d.bfactor");
    expect(b.to).toBeLessThan(-300);
    expect(b.from).toBeGreaterThan(-300);
    expect(changes.flips.some((f) => f.section === "0.d" && f.to === "warnings")).toBe(true);
  });

  it("every flip from clean to a preset is explained by a crossing or by the warnings that came", () => {
    for (const [name, preset] of Object.entries(labPresets)) {
      if (name === "clean") continue;
      const after = level0(preset.parameters);
      const changes = reportChanges(clean, after);
      expect(changes.flips.length, name).toBeGreaterThan(0);
      for (const flip of changes.flips)
        expect(changes.crossings.some((c) => c.section === flip.section) || flip.warningsAdded.length > 0, `${name} ${flip.section}`).toBe(true);
      // Every warning section of the preset that was OK in clean shows up as a flip.
      for (const id of ids)
        if (after.sections[id].status !== clean.sections[id].status)
          expect(changes.flips.some((f) => f.section === id), `${name} ${id}`).toBe(true);
    }
    // Nine 80³ maps built and reported: about 1 s, and over the default 5 s on a loaded 2-core machine.
  }, 60_000);
});
