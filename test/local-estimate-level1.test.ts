/**
 * The page's estimate of a local run with half maps (src/components/local-sections.js `localEstimate` through
 * lib/level0/local-progress.ts `localRunFraction`): 0.e–0.g's 38 s, then Level 1's stages 1.e 34 s, 1.b 22 s, 1.c 9 s,
 * 1.g 8 s and 1.h 0 s, 111 s in all; the fractions and times left hand-computed from those seconds.
 */
import { describe, expect, it } from "vitest";
import { localRunFraction } from "../lib/level0/local-progress.js";
import { localEstimate } from "../src/components/local-sections.js";

describe("localEstimate with Level 1's stages", () => {
  it("counts 0.e–0.g as 38 of the run's 111 s, and each Level 1 stage from its start", () => {
    // 0.e preparing half done: 0.9 · 0.05 · 0.5 of 0.e–0.g, which are 38/111 of the run.
    const preparing = localEstimate({ stage: "0.e", phase: "preparing", fraction: 0.5, withLevel1: true, ms: 4500 });
    expect(preparing.fraction).toBeCloseTo((0.0225 * 38) / 111, 12);
    expect(preparing.secondsLeft).toBeCloseTo((4.5 * (1 - (0.0225 * 38) / 111)) / ((0.0225 * 38) / 111), 9);
    const spiral = localEstimate({ stage: "0.f–0.g", phase: "finishing", fraction: 1, withLevel1: true, ms: 40_000 });
    expect(spiral.fraction).toBeCloseTo(38 / 111, 12);
    const started = { "1.e": 38, "1.b": 72, "1.c": 94, "1.g": 103, "1.h": 111 } as const;
    for (const [stage, seconds] of Object.entries(started))
      expect(localEstimate({ stage: stage as keyof typeof started, phase: "preparing", fraction: 0, withLevel1: true, ms: 1 }).fraction, stage)
        .toBeCloseTo(seconds / 111, 12);
    // 72 s in when 1.b starts: 72/111 done, so 39 s left.
    expect(localEstimate({ stage: "1.b", phase: "preparing", fraction: 0, withLevel1: true, ms: 72_000 }).secondsLeft).toBeCloseTo(39, 9);
  });

  it("leaves a run without half maps as 0.e–0.g alone", () => {
    const progress = { stage: "0.f–0.g", phase: "bands", fraction: 1, fed: 12, total: 12 } as const;
    expect(localRunFraction(progress, 0.985)).toBe(0.985);
    expect(localRunFraction({ ...progress, withLevel1: false }, 0.985)).toBe(0.985);
    expect(localEstimate({ ...progress, ms: 60_000 }).fraction).toBeCloseTo(0.9 + 0.1 * 0.85, 12);
  });
});
