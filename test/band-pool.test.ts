/**
 * The worker-thread pool of the spectral sections (data-loaders/workers/band-pool.ts): the sections it computes are those of
 * the sequential path bit for bit, with one worker or two, and a failure anywhere ends the run with a clear error.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BandPool, defaultPoolSize, IDLE_WORKERS_MS, MAX_WORKERS, poolSize, withBandPool } from "../data-loaders/workers/band-pool.js";
import { AnalysisInputError } from "../lib/errors.js";
import { computeLocalSections, type LocalSection } from "../lib/level0/local-sections.js";
import type { BandRun } from "../lib/local/bands.js";
import { parseMap } from "../lib/io/mrc-reader.js";
import { localResolutionSection } from "../lib/level0/section-0e-local-resolution.js";
import { localSections } from "../lib/level0/section-0f-locbfactor.js";
import { spiralBandRun, spiralSetup } from "../lib/local/spiral-amplitude.js";
import { makeVolume, type Volume } from "../lib/io/volume.js";

const load = (file: string) =>
  parseMap(new Uint8Array(readFileSync(join(import.meta.dirname, "..", "data/maps", file)))).volume;

function bytes(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Equal numbers (Object.is: −0 ≠ 0) and local maps equal byte for byte. */
function expectIdentical(actual: LocalSection | undefined, expected: LocalSection) {
  const { localMap: actualMap, ...actualRest } = actual!;
  const { localMap: expectedMap, ...expectedRest } = expected;
  expect(actualRest).toStrictEqual(expectedRest);
  expect(actualMap === undefined).toBe(expectedMap === undefined);
  if (actualMap && expectedMap) {
    expect(bytes(actualMap.volume.data).equals(bytes(expectedMap.volume.data))).toBe(true);
    expect(bytes(actualMap.mask).equals(bytes(expectedMap.mask))).toBe(true);
  }
}

describe.each([2, 1])("a pool of %i worker(s) gives the sequential sections exactly", (size) => {
  const pool = new BandPool({ size });
  afterAll(() => pool.close());

  it("0.e, 0.f and 0.g of EMD-3488 at 3.2 Å", { timeout: 120_000 }, async () => {
    const volume = load("emd_3488.map");
    const options = { voxelSize: volume.voxelSize![0], threshold: 0.09, resolution: 3.2 };
    const parallel = await computeLocalSections(pool.execute, volume, options);
    const spiral = localSections(volume, options);
    const resolution = localResolutionSection(volume, options);
    expect(resolution.status).toBe("ok"); // measured: a real sweep with an early stop (no warning since the fine sweep)
    expect((resolution.results as { sweep: { stop: string } }).sweep.stop).toBe("hypothesis-test");
    expectIdentical(parallel["0.e"], resolution);
    expectIdentical(parallel["0.f"], spiral["0.f"]);
    expectIdentical(parallel["0.g"], spiral["0.g"]);
  });

  // At 5.4 Å the resized box is 74 = 2·37, which both modes transform as it is (Bluestein).
  it.each(["vrs-compat", "default"] as const)("0.f and 0.g of EMD-1997 at 5.4 Å, %s", { timeout: 60_000 }, async (mode) => {
    const volume = load("emd_1997.map");
    const options = { voxelSize: volume.voxelSize![0], threshold: 1, resolution: 5.4, mode };
    const parallel = await computeLocalSections(pool.execute, volume, options, ["0.f", "0.g"]);
    const spiral = localSections(volume, options);
    expect(parallel["0.e"]).toBeUndefined();
    expect((spiral["0.f"].results as { fftShape: number[] }).fftShape[0]).toBe(74);
    expectIdentical(parallel["0.f"], spiral["0.f"]);
    expectIdentical(parallel["0.g"], spiral["0.g"]);
  });
});

/** A spiral band run on a small blob: `tasks` band centres, results recorded in the order they are fed. */
function smallRun(bands = [0.1, 0.15, 0.2, 0.25, 0.3]) {
  const blob: Volume = makeVolume(12, 12, 12, (x, y, z) => Math.exp(-((x - 6) ** 2 + (y - 5) ** 2 + (z - 6) ** 2) / 8));
  const setup = spiralSetup(blob, { voxelSize: 1 });
  const fed: number[] = [];
  const run = spiralBandRun(setup, [
    { frequencies: bands, add: (f0: number) => void fed.push(bands.indexOf(f0)) },
  ]);
  return { run, fed, setup };
}

describe("BandPool", () => {
  it("feeds results in task order and can stop early", async () => {
    await withBandPool(async (pool) => {
      const { run, fed } = smallRun();
      await pool.execute(run);
      expect(fed).toEqual([0, 1, 2, 3, 4]);

      const accepted: number[] = [];
      await pool.execute({ job: run.job, accept: (index) => (accepted.push(index), index < 1) });
      expect(accepted).toEqual([0, 1]);
    }, { size: 2 });
  });

  it("keeps its workers for a job that follows within IDLE_WORKERS_MS, and ends them after", async () => {
    await withBandPool(async (pool) => {
      const threads = () => (pool as unknown as { workers: { thread: { threadId: number } }[] }).workers.map((w) => w.thread.threadId);
      await pool.execute(smallRun().run);
      const first = threads();
      expect(first).toHaveLength(2);
      await pool.execute(smallRun().run);
      expect(threads()).toEqual(first);
      await new Promise((resolve) => setTimeout(resolve, IDLE_WORKERS_MS + 200));
      expect(threads()).toEqual([]);
      const { run, fed } = smallRun();
      await pool.execute(run);
      expect(fed).toEqual([0, 1, 2, 3, 4]);
    }, { size: 2 });
  });

  it("runs two jobs at once, each fed in its own order", async () => {
    await withBandPool(async (pool) => {
      const [a, b] = [smallRun(), smallRun([0.3, 0.1, 0.2])];
      await Promise.all([pool.execute(a.run), pool.execute(b.run)]);
      expect(a.fed).toEqual([0, 1, 2, 3, 4]);
      expect(b.fed).toEqual([0, 1, 2]);
    }, { size: 2 });
  });

  it("rejects a run whose task throws in the worker, with the worker's message, and keeps working", async () => {
    await withBandPool(async (pool) => {
      const { run, setup } = smallRun();
      const broken: BandRun = { job: { ...run.job, setup: { ...setup, spectrum: new Float32Array(10) } }, accept: () => true };
      await expect(pool.execute(broken)).rejects.toThrow(/band \d of the spiral job failed in a worker thread: spectrum has 5 bins/);
      const unknown: BandRun = { job: { ...run.job, kind: "nonsense" }, accept: () => true };
      await expect(pool.execute(unknown)).rejects.toThrow(/unknown band job kind "nonsense"/);
      const { run: good, fed } = smallRun();
      await pool.execute(good);
      expect(fed).toEqual([0, 1, 2, 3, 4]);
    }, { size: 2 });
  });

  it("rejects a run whose consumer throws", async () => {
    await withBandPool(async (pool) => {
      const { run } = smallRun();
      const failing: BandRun = { job: run.job, accept: () => { throw new Error("consumer failed"); } };
      await expect(pool.execute(failing)).rejects.toThrow("consumer failed");
    }, { size: 1 });
  });

  it("rejects every run when a worker dies, and refuses later ones", async () => {
    const pool = new BandPool({ size: 2, workerUrl: new URL("data:text/javascript,process.exit(3)") });
    try {
      await expect(pool.execute(smallRun().run)).rejects.toThrow("a band worker thread stopped (exit code 3)");
      await expect(pool.execute(smallRun().run)).rejects.toThrow("a band worker thread stopped (exit code 3)");
    } finally {
      await pool.close();
    }
  });

  it("rejects the run when a worker cannot start", async () => {
    const pool = new BandPool({ size: 1, workerUrl: new URL("data:text/javascript,throw new Error('no kernel here')") });
    try {
      await expect(pool.execute(smallRun().run)).rejects.toThrow("a band worker thread failed: no kernel here");
    } finally {
      await pool.close();
    }
  });

  it("rejects a run still going when the pool is closed", async () => {
    const pool = new BandPool({ size: 1 });
    const running = expect(pool.execute(smallRun().run)).rejects.toThrow("the band worker pool was closed");
    await pool.close();
    await running;
  });

  it("takes its default size from MAPVAL_WORKERS, else the number of cores", () => {
    expect(defaultPoolSize({ MAPVAL_WORKERS: "1" })).toBe(1);
    expect(defaultPoolSize({})).toBeGreaterThanOrEqual(1);
    expect(() => defaultPoolSize({ MAPVAL_WORKERS: "two" })).toThrow(/MAPVAL_WORKERS must be a whole number of workers from 1 to 32/);
    expect(() => defaultPoolSize({ MAPVAL_WORKERS: "0" })).toThrow(AnalysisInputError);
  });

  it("refuses more than MAX_WORKERS workers from MAPVAL_WORKERS or --workers, with a named error", () => {
    expect(defaultPoolSize({ MAPVAL_WORKERS: String(MAX_WORKERS) })).toBe(MAX_WORKERS);
    for (const text of [String(MAX_WORKERS + 1), "256", "1e9"]) {
      expect(() => defaultPoolSize({ MAPVAL_WORKERS: text })).toThrow(expect.objectContaining({ code: "bad-worker-count" }));
      expect(() => poolSize(text, "--workers")).toThrow(`--workers must be a whole number of workers from 1 to 32, got "${text}"`);
    }
  });
});
