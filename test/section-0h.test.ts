import { describe, expect, it } from "vitest";
import { scoreOf } from "../lib/report/report-types.js";
import { handSection } from "../lib/level0/section-0h-hand.js";

describe("handSection", () => {
  it("does not apply without a resolution, in VRS's words", () => {
    const s = handSection({ resolution: null });
    expect(s.status).toBe("does-not-apply");
    expect(s.reason).toBe("This method cannot be applied to maps with no resolution reported.");
    expect(s.title).toBe("0.h Deep hand");
  });

  it("does not apply beyond 5 Å (5 Å itself is analysed, as VRS's res > 5 test)", () => {
    for (const resolution of [5.01, 7, 49.8]) {
      const s = handSection({ resolution });
      expect(s.status).toBe("does-not-apply");
      expect(s.reason).toBe("This method cannot be applied to maps with a resolution worse than 5Å.");
    }
    expect(handSection({ resolution: 5 }).status).toBe("not-measured");
  });

  it("at 5 Å or better says plainly that the hand was not assessed and why, and never counts", () => {
    const s = handSection({ resolution: 3.2 });
    expect(s.status).toBe("not-measured");
    expect(s.reason).toMatch(/^The hand was not assessed\./);
    expect(s.reason).toMatch(/DeepHand/);
    expect(s.reason).toMatch(/weights/);
    expect(s.results).toBeNull();
    expect(s.warnings).toEqual([]);
    expect(s.summarySentence).toBeNull();
    expect(scoreOf([s])).toEqual({ passed: 0, evaluable: 0 });
  });

  it("rejects a resolution that is not a positive number", () => {
    for (const resolution of [0, -1, NaN, Infinity]) expect(() => handSection({ resolution })).toThrow(/resolution/);
  });
});
