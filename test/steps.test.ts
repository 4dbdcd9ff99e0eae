/**
 * lib/steps.ts: steps run straight through give the generator's result; run with breaks, they hand the thread back
 * (a timer set before them fires before they end) and stop when told, closing the generator. 0.e–0.g planned with
 * breaks are the sections planned straight through, number for number.
 */
import { expect, it } from "vitest";
import { allSteps, allStepsNow, stepsWithBreaks, type Steps } from "../lib/steps.js";
import { computeLocalSections } from "../lib/level0/local-sections.js";
import { computeInOrder, type BandExecutor } from "../lib/local/bands.js";
import { bandComputer } from "../lib/local/band-kernels.js";
import type { Volume } from "../lib/io/volume.js";

/** Counts to `count`, each step busy for `busyMs`; `closed` records that its finally ran. */
function* counting(count: number, busyMs: number, trace: { steps: number; closed: boolean }): Steps<number> {
  try {
    for (let i = 0; i < count; i++) {
      const end = performance.now() + busyMs;
      while (performance.now() < end);
      trace.steps++;
      yield;
    }
    return count;
  } finally {
    trace.closed = true;
  }
}

it("allSteps runs every step and returns the result", () => {
  const trace = { steps: 0, closed: false };
  expect(allSteps(counting(5, 0, trace))).toBe(5);
  expect(trace).toEqual({ steps: 5, closed: true });
});

it("stepsWithBreaks hands the thread back between slices", async () => {
  const trace = { steps: 0, closed: false };
  let stepsWhenTimerFired = -1;
  setTimeout(() => (stepsWhenTimerFired = trace.steps), 0);
  expect(await stepsWithBreaks({ sliceMs: 10 })(counting(20, 2, trace))).toBe(20);
  expect(stepsWhenTimerFired).toBeGreaterThan(0);
  expect(stepsWhenTimerFired).toBeLessThan(20);
});

it("stepsWithBreaks stops at the first break after it is told, closing the generator", async () => {
  const trace = { steps: 0, closed: false };
  let stop = false;
  setTimeout(() => (stop = true), 0);
  const run = stepsWithBreaks({ sliceMs: 5, stopped: () => (stop ? new Error("stopped") : null) })(counting(1000, 1, trace));
  await expect(run).rejects.toThrow("stopped");
  expect(trace.steps).toBeLessThan(1000);
  expect(trace.closed).toBe(true);
});

it("0.e–0.g planned with breaks are those planned straight through", async () => {
  const n = 48;
  const data = new Float32Array(n ** 3);
  let seed = 7;
  for (let z = 0, i = 0; z < n; z++)
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++, i++) {
        seed = (1103515245 * seed + 12345) % 2 ** 31;
        data[i] = Math.exp(-((x - 24) ** 2 + (y - 22) ** 2 + (z - 25) ** 2) / 40) + (seed / 2 ** 31 - 0.5) * 0.1;
      }
  const volume: Volume = { nx: n, ny: n, nz: n, data, voxelSize: [1.5, 1.5, 1.5], origin: [0, 0, 0] };
  const here: BandExecutor = async (run) => computeInOrder(run, bandComputer(run.job));
  const options = { voxelSize: 1.5, threshold: 0.5, resolution: 6 };
  const straight = await computeLocalSections(here, volume, options, undefined, undefined, allStepsNow);
  const withBreaks = await computeLocalSections(here, volume, options, undefined, undefined, stepsWithBreaks({ sliceMs: 0 }));
  for (const id of ["0.e", "0.f", "0.g"] as const) {
    expect(straight[id]!.results).not.toBeNull(); // measured, so the comparison covers the numbers
    expect(withBreaks[id]).toEqual(straight[id]);
  }
}, 60_000);
