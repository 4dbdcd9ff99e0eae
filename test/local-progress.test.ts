/**
 * Progress of 0.e–0.g (lib/level0/local-sections.ts `computeLocalSections`): each stage goes through preparing (whose
 * fraction moves during the resampling and set-up, not only at its ends), its bands (an event per band fed, and as the
 * band in hand is computed where the executor tells) and finishing, whichever the executor; the sections are those
 * computed without progress.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BandPool } from "../data-loaders/workers/band-pool.js";
import { parseMap } from "../lib/io/mrc-reader.js";
import { bandComputer } from "../lib/local/band-kernels.js";
import { computeInOrder, progressSteps, type BandExecutor } from "../lib/local/bands.js";
import { computeLocalSections, type LocalProgress } from "../lib/level0/local-sections.js";
import { localResolutionSection } from "../lib/level0/section-0e-local-resolution.js";
import { localSections } from "../lib/level0/section-0f-locbfactor.js";

describe("progressSteps", () => {
  it("maps each step's fraction into the whole by the steps' weights, clamped to the step", () => {
    const seen: number[] = [];
    const [first, second] = progressSteps((f) => seen.push(f), [1, 3]);
    first(0.5);
    first(2);
    second(0);
    second(1 / 3);
    second(1);
    expect(seen).toEqual([0.125, 0.25, 0.25, 0.5, 1]);
  });
});

const volume = parseMap(new Uint8Array(readFileSync(join(import.meta.dirname, "..", "data/maps/emd_1997.map")))).volume;
// 13 Å: 0.e runs on a 64³ working grid and 0.f–0.g on a 30³ resized map, so both stages resample the 100³ map first.
const options = { voxelSize: volume.voxelSize![0], threshold: 1, resolution: 13 };
const here: BandExecutor = async (run) => computeInOrder(run, bandComputer(run.job));
const pool = new BandPool({ size: 2 });
afterAll(() => pool.close());

// This thread tells each band's progress as it is computed; the Node pool only when a band is fed.
describe.each([["on this thread", here, true], ["on a pool of 2 worker threads", pool.execute, false]] as const)("computeLocalSections %s", (_, executor, within) => {
  it("reports every stage preparing, its bands one by one and finishing, and computes the same sections", { timeout: 120_000 }, async () => {
    const events: LocalProgress[] = [];
    const sections = await computeLocalSections(executor, volume, options, undefined, (p) => events.push(p));
    const spiral = localSections(volume, options);
    expect(sections["0.e"]).toStrictEqual(localResolutionSection(volume, options));
    expect(sections["0.f"]).toStrictEqual(spiral["0.f"]);
    expect(sections["0.g"]).toStrictEqual(spiral["0.g"]);

    expect([...new Set(events.map((e) => e.stage))]).toEqual(["0.e", "0.f–0.g"]);
    for (const stage of ["0.e", "0.f–0.g"] as const) {
      const own = events.filter((e) => e.stage === stage);
      expect([...new Set(own.map((e) => e.phase))]).toEqual(["preparing", "bands", "finishing"]);
      const preparing = own.filter((e) => e.phase === "preparing").map((e) => e.fraction);
      expect(preparing[0]).toBe(0);
      expect(preparing.every((f, i) => i === 0 || f > preparing[i - 1])).toBe(true);
      // Within the preparing, not only at its start and end; no step smaller than 1 % is reported.
      expect(preparing.filter((f) => f > 0 && f < 0.99).length).toBeGreaterThan(5);
      expect(preparing.at(-1)).toBeGreaterThan(0.99);
      const bands = own.flatMap((e) => (e.phase === "bands" ? [e] : []));
      const fed = [...new Set(bands.map((e) => e.fed))];
      expect(fed).toEqual(fed.map((_, i) => i));
      expect(bands.every((e, i) => i === 0 || e.fed >= bands[i - 1].fed)).toBe(true);
      expect(new Set(bands.map((e) => e.total)).size).toBe(1);
      expect(fed.at(-1)).toBeLessThanOrEqual(bands[0].total);
      // Between two bands fed: the share of the band in hand, several times per band.
      const between = bands.filter((e) => e.fraction * e.total > e.fed + 1e-9);
      expect(between.length >= 2 * (fed.length - 1)).toBe(within);
      expect(bands.every((e, i) => i === 0 || e.fraction >= bands[i - 1].fraction)).toBe(true);
    }
    // 0.e's sweep: the refinement and each resolution analysed are bands fed.
    const sweep = (sections["0.e"]!.results as { sweep: { resolutions: number[] } }).sweep.resolutions;
    expect(events.filter((e) => e.stage === "0.e" && e.phase === "bands").at(-1)).toMatchObject({ fed: sweep.length + 1 });
  });
});
