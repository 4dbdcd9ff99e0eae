import { describe, expect, it } from "vitest";
import { compareSteps, MIN_NOISE, summarise, type Baseline, type StepTiming } from "../bench/steps.js";

const step = (cpuMs: number, cpuSpread = 0): StepTiming => ({ wallMs: cpuMs, cpuMs, cpuSpread, runs: 3 });
const baseline = (steps: Record<string, StepTiming>): Baseline => ({
  measured: { date: "2026-12-01T00:00:00Z", commit: "abc", cpu: "test", cores: 2, loadAverage: [1, 1, 1], node: "v20" },
  steps,
});

describe("bench steps against a baseline", () => {
  it("keeps the best run and the runs' relative CPU spread", () => {
    const t = summarise([
      { wallMs: 120, cpuMs: 100 },
      { wallMs: 90, cpuMs: 125 },
      { wallMs: 200, cpuMs: 110 },
    ]);
    expect(t).toEqual({ wallMs: 90, cpuMs: 100, cpuSpread: 0.25, runs: 3 });
  });

  it("flags a step only when its CPU time grew beyond the noise", () => {
    const now = new Map([
      ["steady, 5 % slower", step(105)],
      ["steady, 20 % slower", step(120)],
      ["noisy now, 20 % slower", step(120, 0.3)],
      ["noisy before, 20 % slower", step(120)],
      ["faster", step(50)],
      ["new", step(10)],
    ]);
    const before = baseline({
      "steady, 5 % slower": step(100),
      "steady, 20 % slower": step(100),
      "noisy now, 20 % slower": step(100),
      "noisy before, 20 % slower": step(100, 0.25),
      faster: step(100),
    });
    const rows = compareSteps(now, before);
    expect(rows.map((r) => [r.name, r.slower])).toEqual([
      ["steady, 5 % slower", false],
      ["steady, 20 % slower", true],
      ["noisy now, 20 % slower", false],
      ["noisy before, 20 % slower", false],
      ["faster", false],
      ["new", false],
    ]);
    expect(rows[1].cpuRatio).toBeCloseTo(1.2, 12);
    expect(rows[1].noise).toBe(MIN_NOISE);
    expect(rows[2].noise).toBe(0.3);
    expect(rows[5].baseline).toBeNull();
    expect(rows[5].cpuRatio).toBeNaN();
  });

  it("compares nothing without a baseline", () => {
    const rows = compareSteps(new Map([["a", step(100)]]), null);
    expect(rows[0].slower).toBe(false);
    expect(rows[0].cpuRatio).toBeNaN();
  });
});
