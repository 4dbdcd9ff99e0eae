/**
 * The page's estimate of a 0.e–0.g run (src/components/local-sections.js `localEstimate`): the fraction done from the
 * stage and phase shares, hand-computed, and the time left from the time so far; and the words for a run's progress
 * (lib/level0/local-progress.ts, the page's and the CLI's).
 */
import { describe, expect, it } from "vitest";
import { localProgressText } from "../lib/level0/local-progress.js";
import { localEstimate } from "../src/components/local-sections.js";

describe("localEstimate", () => {
  it("counts the preparing, the bands and the finishing of each stage by their shares", () => {
    // 0.e is 0.9 of a run: preparing 0.05 of it, bands 0.94, finishing 0.01; 0.f–0.g is 0.1: 0.25, 0.6, 0.15.
    expect(localEstimate(null)).toEqual({ fraction: 0, secondsLeft: null });
    expect(localEstimate({ stage: "0.e", phase: "preparing", fraction: 0, ms: 500 })).toEqual({ fraction: 0, secondsLeft: null });
    const preparing = localEstimate({ stage: "0.e", phase: "preparing", fraction: 0.5, ms: 4500 });
    expect(preparing.fraction).toBeCloseTo(0.9 * 0.025, 12);
    expect(preparing.secondsLeft).toBeCloseTo((4.5 * (1 - 0.0225)) / 0.0225, 9);
    const bands = localEstimate({ stage: "0.e", phase: "bands", fraction: 0.5, fed: 20, total: 40, ms: 10_000 });
    expect(bands.fraction).toBeCloseTo(0.9 * (0.05 + 0.94 * 0.5), 12);
    expect(localEstimate({ stage: "0.e", phase: "finishing", fraction: 0, ms: 1 }).fraction).toBeCloseTo(0.9 * 0.99, 12);
    expect(localEstimate({ stage: "0.f–0.g", phase: "preparing", fraction: 0, ms: 1 }).fraction).toBeCloseTo(0.9, 12);
    const spiral = localEstimate({ stage: "0.f–0.g", phase: "bands", fraction: 1, fed: 12, total: 12, ms: 60_000 });
    expect(spiral.fraction).toBeCloseTo(0.9 + 0.1 * 0.85, 12);
    expect(spiral.secondsLeft).toBeCloseTo((60 * 0.015) / 0.985, 9);
  });
});

describe("localProgressText", () => {
  it("names the stage and the phase, the band fed or the share prepared", () => {
    expect(localProgressText({ stage: "0.e", phase: "preparing", fraction: 0.429 })).toBe("0.e, preparing the grids (42 %)");
    expect(localProgressText({ stage: "0.e", phase: "bands", fraction: 0.1, fed: 4, total: 40 })).toBe("0.e, band 4 of at most 40");
    expect(localProgressText({ stage: "0.f–0.g", phase: "finishing", fraction: 0 })).toBe("0.f–0.g, finishing");
  });
});
