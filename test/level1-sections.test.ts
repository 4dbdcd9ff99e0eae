/** lib/level1/level1-sections.ts: the shared 0.8 × criterion and the sections mapval does not compute (1.d, 1.f). */
import { describe, expect, it } from "vitest";
import { monodirSection, particularlyHighWording, reportedResolutionCriterion, resmapSection } from "../lib/level1/level1-sections.js";
import { scoreOf, type SectionResult } from "../lib/report/report-types.js";

describe("reported resolution < 0.8 × estimate", () => {
  it("warns strictly below 0.8 × each estimate and lists the estimates that could not be measured", () => {
    const { warnings, unmeasured } = reportedResolutionCriterion(
      3.99,
      [
        { method: "FSC", resolution: 5 },
        { method: "DPR", resolution: 4.9 },
        { method: "SSNR", resolution: null },
        { method: "X", resolution: NaN },
      ],
      particularlyHighWording,
    );
    // 0.8 × 5 = 4 > 3.99; 0.8 × 4.9 = 3.92 ≤ 3.99.
    expect(warnings).toEqual(["The reported resolution, 3.99 Å, is particularly high with respect to the resolution calculated by the FSC, 5.00 Å."]);
    expect(unmeasured).toEqual(["SSNR", "X"]);
  });
});

describe("1.d ResMap and 1.f MonoDir: not computed, never passed", () => {
  for (const section of [resmapSection(), monodirSection()]) {
    it(`${section.title}: not-measured with the reason, not counted in the score`, () => {
      expect(section.status).toBe("not-measured");
      expect(section.results).toBeNull();
      expect(section.reason).toMatch(/^Not computed: /);
      expect(scoreOf([section as unknown as SectionResult])).toEqual({ passed: 0, evaluable: 0 });
    });
  }
  it("gives each its own reason", () => {
    expect(resmapSection().reason).toMatch(/closed software/);
    expect(monodirSection().reason).toMatch(/unseeded random sample/);
  });
});
