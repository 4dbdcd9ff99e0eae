/**
 * The status line the CLI draws on a terminal (data-loaders/cli/progress.ts createStatusLine): at most one redraw per
 * 100 ms, the latest state always drawn; on `mapval report` of the bundled 20³ map, whose worker bands report hundreds
 * of steps a second.
 */
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runReport } from "../data-loaders/cli/cli-report.js";
import { createStatusLine } from "../data-loaders/cli/progress.js";

const CLEAR = "\r\x1b[K";

describe("the status line on a terminal", () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it("draws at most every 100 ms; the latest text waits for the interval, and done draws it before clearing", () => {
    vi.useFakeTimers();
    const written: [number, string][] = [];
    const line = createStatusLine({ isTTY: true, write: (t: string) => written.push([Date.now(), t]) });
    const start = Date.now();
    // 50 steps 4 ms apart: 200 ms.
    for (let i = 0; i < 50; i++) {
      line.show(`step ${i}`);
      vi.advanceTimersByTime(4);
    }
    // The last one (at 196 ms) is drawn when its interval is up, with nothing shown after it.
    expect(written.map(([t, text]) => [t - start, text])).toEqual([[0, `${CLEAR}step 0`], [100, `${CLEAR}step 24`], [200, `${CLEAR}step 49`]]);
    line.show("last step");
    line.done();
    expect(written.slice(-2).map(([, text]) => text)).toEqual([`${CLEAR}last step`, CLEAR]);
    line.done();
    expect(written).toHaveLength(5);
  });

  it("mapval report of a 20³ map: redraws at least 100 ms apart, ending with its last step", { timeout: 120_000 }, async () => {
    const written: [number, string][] = [];
    Object.defineProperty(process.stderr, "isTTY", { value: true, configurable: true });
    vi.spyOn(process.stderr, "write").mockImplementation((t: string | Uint8Array) => {
      written.push([performance.now(), String(t)]);
      return true;
    });
    let code: number;
    try {
      const map = join(import.meta.dirname, "..", "data/maps/emd_3197.map");
      code = await runReport([map, "--threshold", "1", "--resolution", "25"], { out: () => undefined, err: () => undefined });
    } finally {
      delete (process.stderr as { isTTY?: boolean }).isTTY;
      vi.restoreAllMocks();
    }
    expect(code).toBe(0);
    const draws = written.filter(([, text]) => text !== CLEAR);
    expect(written.at(-1)![1]).toBe(CLEAR);
    expect(draws.at(-1)![1]).toBe(`${CLEAR}mapval report: computing 0.h Deep hand…`);
    // done() draws the waiting text at once before clearing: the last gap is not throttled.
    const gaps = draws.slice(1, -1).map(([t], i) => t - draws[i]![0]);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(99);
    const seconds = (draws.at(-1)![0] - draws[0]![0]) / 1000;
    expect(draws.length).toBeLessThanOrEqual(10 * seconds + 2);
  });
});
