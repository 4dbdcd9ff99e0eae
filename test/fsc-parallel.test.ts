/**
 * 1.a with its FFTs and phase randomisation on a band executor (lib/level1/fsc.ts `fscAnalysisWith`, the "fsc-halves"
 * band job, data-loaders/workers/band-pool.ts): the numbers must be those of one thread, bit for bit. The halves take
 * consecutive stretches of one seeded sequence (`seededRandom(seed, skip)`), which must be the sequence one thread draws.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BandPool } from "../data-loaders/workers/band-pool.js";
import { fscAnalysis, fscAnalysisWith, randomisationDraws, randomisedHalf, randomisePhases } from "../lib/level1/fsc.js";
import { runLevel1With, runLevel1WithWorkings } from "../lib/level1/level1.js";
import { inverseRealFft3d, realFft3d } from "../lib/fourier/fft3d.js";
import { bandComputer } from "../lib/local/band-kernels.js";
import { computeInOrder, type BandExecutor } from "../lib/local/bands.js";
import { readMap } from "../lib/io/mrc-reader.js";
import { makeVolume, type Volume } from "../lib/io/volume.js";
import { seededRandom } from "../lib/random.js";
import { seededNormal } from "./helpers/random.js";

const pairDir = new URL("../data/halfmaps/sim-emd-1997/", import.meta.url);
const load = async (name: string) => (await readMap(new Uint8Array(readFileSync(new URL(name, pairDir))))).volume;

/** An executor on this thread, with the workers' own computer. */
const hereExecutor: BandExecutor = async (run) => computeInOrder(run, bandComputer(run.job));

describe("seededRandom with draws skipped", () => {
  it("continues the sequence one generator draws", () => {
    for (const seed of [0, 1, 2 ** 32 - 1]) {
      const one = seededRandom(seed);
      const drawn = Array.from({ length: 1000 }, one);
      for (const skip of [0, 1, 7, 999]) expect(seededRandom(seed, skip)(), `seed ${seed}, skip ${skip}`).toBe(drawn[skip]);
    }
    // Far along, past 2³² of the state's additions.
    const far = seededRandom(5);
    for (let i = 0; i < 3_000_000; i++) far();
    expect(seededRandom(5, 3_000_000)()).toBe(far());
  });
});

describe("randomisedHalf", () => {
  it("gives each half the randomisation one sequence over both halves gives, bit for bit", () => {
    for (const [nx, ny, nz] of [[10, 8, 6], [9, 7, 5]]) {
      const normal = seededNormal(nx);
      const grids = [0, 1].map(() => makeVolume(nx, ny, nz, () => normal()));
      const oneSequence = seededRandom(3);
      const expected = grids.map((g) => {
        const spectrum = realFft3d(g);
        randomisePhases(spectrum, 2, oneSequence);
        return inverseRealFft3d(spectrum, true);
      });
      const apart = ([1, 0] as const).map((half) => randomisedHalf(realFft3d(grids[half]), 2, 3, half)).reverse();
      expect(apart).toEqual(expected);
      expect(randomisationDraws({ nx, ny, nz }, 2)).toBeGreaterThan(0);
    }
  });
});

describe("fscAnalysisWith (the simulated EMD-1997 pair)", () => {
  let half1: Volume, half2: Volume, mask: Volume;
  const pool = new BandPool({ size: 2 });
  beforeAll(async () => {
    [half1, half2, mask] = await Promise.all(["half1.mrc.gz", "half2.mrc.gz", "mask.mrc.gz"].map(load));
  }, 60_000);
  afterAll(() => pool.close());

  it("gives fscAnalysis's result on two worker threads, bit for bit, in both modes and without a mask", async () => {
    const withMask = fscAnalysis(half1, half2, { mask });
    expect(withMask.randomisation!.fromShell).not.toBeNull();
    expect(await fscAnalysisWith(pool.execute, half1, half2, { mask })).toStrictEqual(withMask);
    const compat = { mask, mode: "vrs-compat" as const, seed: 9 };
    expect(await fscAnalysisWith(pool.execute, half1, half2, compat)).toStrictEqual(fscAnalysis(half1, half2, compat));
    expect(await fscAnalysisWith(pool.execute, half1, half2)).toStrictEqual(fscAnalysis(half1, half2));
  }, 120_000);

  it("gives runLevel1's 1.a JSON through runLevel1With's executor", async () => {
    const options = { threshold: 0.01, resolution: 5.5, userMask: mask, sections: ["1.a"] as const };
    const sequential = runLevel1WithWorkings(half1, half2, options).report;
    const parallel = (await runLevel1With(pool.execute, half1, half2, options)).report;
    expect(JSON.stringify(parallel)).toBe(JSON.stringify(sequential));
    expect(parallel.sections["1.a"].status).not.toBe("not-requested");
  }, 120_000);
});

describe("fscAnalysisWith on small boxes", () => {
  const normal = seededNormal(4);
  const signal = makeVolume(20, 18, 16, () => normal());
  const half = (seed: number) => {
    const noise = seededNormal(seed);
    return { ...signal, data: signal.data.map((v) => v + 0.5 * noise()) };
  };
  const ball = makeVolume(20, 18, 16, (x, y, z) => ((x - 10) ** 2 + (y - 9) ** 2 + (z - 8) ** 2 < 36 ? 1 : 0.25));

  it("gives fscAnalysis's result when nothing is randomised, with non-finite voxels, and with a bad seed's error", async () => {
    const h1 = half(5), h2 = half(6);
    expect(await fscAnalysisWith(hereExecutor, h1, h1, { mask: ball })).toStrictEqual(fscAnalysis(h1, h1, { mask: ball }));
    const holed = { ...h2, data: h2.data.map((v, i) => (i % 97 === 0 ? NaN : v)) };
    const expected = fscAnalysis(h1, holed, { mask: ball, seed: 4 });
    expect(expected.nonFiniteVoxels[1]).toBeGreaterThan(0);
    expect(await fscAnalysisWith(hereExecutor, h1, holed, { mask: ball, seed: 4 })).toStrictEqual(expected);
    await expect(fscAnalysisWith(hereExecutor, h1, h2, { seed: -1 })).rejects.toMatchObject({ code: "bad-seed" });
  });
});
