/**
 * 1.a in two parts (lib/level1/fsc.ts): `fscUnmaskedPart` once, then `fscWithMask` for each mask (a threshold move),
 * against `fscAnalysis` with that mask, on the bundled simulated EMD-1997 pair. The part must survive its masks: a
 * second mask, or the first again, gives what a fresh analysis gives.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import {
  fscAnalysis, fscUnmaskedPart, fscWithMask, fscWithMaskedCurves, maskedPairFsc, takeRandomisedHalves, type FscUnmaskedPart,
} from "../lib/level1/fsc.js";
import { readMap } from "../lib/io/mrc-reader.js";
import { makeVolume, type Volume } from "../lib/io/volume.js";
import { seededNormal } from "./helpers/random.js";

const pairDir = new URL("../data/halfmaps/sim-emd-1997/", import.meta.url);
const load = async (name: string) => (await readMap(new Uint8Array(readFileSync(new URL(name, pairDir))))).volume;

describe("fscUnmaskedPart + fscWithMask (the simulated EMD-1997 pair)", () => {
  let half1: Volume, half2: Volume, relionMask: Volume, tightMask: Volume, part: FscUnmaskedPart;
  beforeAll(async () => {
    [half1, half2, relionMask] = await Promise.all(["half1.mrc.gz", "half2.mrc.gz", "mask.mrc.gz"].map(load));
    // Another mask, as at another threshold: RELION's squared (tighter edge), values still in [0, 1].
    tightMask = { ...relionMask, data: relionMask.data.map((m) => m * m) };
    part = fscUnmaskedPart(half1, half2);
  }, 60_000);

  it("gives fscAnalysis's result for each mask, bit for bit, whatever the order of the masks", () => {
    const relion = fscAnalysis(half1, half2, { mask: relionMask });
    const tight = fscAnalysis(half1, half2, { mask: tightMask });
    expect(tight.fscMaskedResolution).not.toBe(relion.fscMaskedResolution);
    expect(fscWithMask(part, tightMask)).toEqual(tight);
    expect(fscWithMask(part, relionMask)).toEqual(relion);
    expect(fscWithMask(part, tightMask)).toEqual(tight);
  }, 60_000);

  it("gives fscWithMask's result from the two masked pairs computed apart (the pair API), bit for bit", () => {
    const [r1, r2] = part.randomised!.halves!;
    const masked = maskedPairFsc(half1.data, half2.data, relionMask.data, half1, true);
    const randomised = maskedPairFsc(r1, r2, relionMask.data, half1, false);
    expect(fscWithMaskedCurves(part, masked, randomised)).toEqual(fscWithMask(part, relionMask));
    // The masked halves are rounded to float32 as fscWithMask rounds them: without it the curve moves.
    expect(maskedPairFsc(half1.data, half2.data, relionMask.data, half1, false)).not.toEqual(masked);
  }, 60_000);

  it("without a mask gives the unmasked analysis", () => {
    expect(fscWithMask(part)).toEqual(fscAnalysis(half1, half2));
    expect(fscWithMask(fscUnmaskedPart(half1, half2, { forMasks: false }))).toEqual(fscAnalysis(half1, half2));
  }, 60_000);

  it("keeps the seed and mode of the part", () => {
    const options = { seed: 7, mode: "vrs-compat" as const };
    expect(fscWithMask(fscUnmaskedPart(half1, half2, options), relionMask)).toEqual(fscAnalysis(half1, half2, { ...options, mask: relionMask }));
  }, 60_000);
});

describe("fscWithMask on small boxes", () => {
  const normal = seededNormal(4);
  const signal = makeVolume(20, 20, 20, () => normal());
  const half = (seed: number) => {
    const noise = seededNormal(seed);
    return { ...signal, data: signal.data.map((v) => v + 0.5 * noise()) };
  };
  const h1 = half(5), h2 = half(6);
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return (e as { code?: string }).code ?? (e as Error).name;
    }
    return "no error";
  };

  it("gives the masked analysis when nothing is randomised (the FSC never falls below 0.8) and when all is", () => {
    const ball = makeVolume(20, 20, 20, (x, y, z) => ((x - 10) ** 2 + (y - 10) ** 2 + (z - 10) ** 2 < 49 ? 1 : 0.25));
    const identical = fscUnmaskedPart(h1, h1);
    expect(identical.randomised).toEqual({ fromShell: null, halves: null });
    expect(fscWithMask(identical, ball)).toEqual(fscAnalysis(h1, h1, { mask: ball }));
    expect(fscWithMask(fscUnmaskedPart(h1, h2), ball)).toEqual(fscAnalysis(h1, h2, { mask: ball }));
  });

  it("gives away its randomised halves: another thread's curves then give fscWithMask's result, and fscWithMask refuses", () => {
    const ball = makeVolume(20, 20, 20, (x, y, z) => ((x - 10) ** 2 + (y - 10) ** 2 + (z - 10) ** 2 < 49 ? 1 : 0));
    const part = fscUnmaskedPart(h1, h2);
    const expected = fscWithMask(part, ball);
    const halves = takeRandomisedHalves(part)!;
    expect(part.randomised!.halves).toBeNull();
    // Each half owns its buffer (transferable): no other half shares it.
    expect(halves[0].buffer).not.toBe(halves[1].buffer);
    expect(code(() => fscWithMask(part, ball))).toBe("RangeError");
    const masked = maskedPairFsc(h1.data, h2.data, ball.data, h1, true);
    expect(fscWithMaskedCurves(part, masked, maskedPairFsc(halves[0], halves[1], ball.data, h1, false))).toEqual(expected);
    expect(code(() => fscWithMaskedCurves(part, masked, null))).toBe("RangeError");
    expect(code(() => fscWithMaskedCurves(part, masked.slice(1), masked))).toBe("RangeError");
    // A part that randomises nothing has no randomised curve to take.
    const identical = fscUnmaskedPart(h1, h1);
    expect(takeRandomisedHalves(identical)).toBeNull();
    const same = maskedPairFsc(h1.data, h1.data, ball.data, h1, true);
    expect(fscWithMaskedCurves(identical, same, null)).toEqual(fscAnalysis(h1, h1, { mask: ball }));
    expect(code(() => fscWithMaskedCurves(identical, same, same))).toBe("RangeError");
    expect(code(() => maskedPairFsc(h1.data, h2.data, ball.data.subarray(1), h1, true))).toBe("RangeError");
  });

  it("refuses a mask off the grid or outside [0, 1], and a mask for a part made without masks in mind", () => {
    const part = fscUnmaskedPart(h1, h2);
    expect(code(() => fscWithMask(part, makeVolume(8, 8, 8, () => 1)))).toBe("mask-shape-mismatch");
    expect(code(() => fscWithMask(part, makeVolume(20, 20, 20, (x) => (x === 3 ? 1.5 : 1))))).toBe("bad-mask-value");
    expect(code(() => fscWithMask(part, makeVolume(20, 20, 20, (x) => (x === 3 ? NaN : 1))))).toBe("bad-mask-value");
    expect(code(() => fscWithMask(fscUnmaskedPart(h1, h2, { forMasks: false }), makeVolume(20, 20, 20, () => 1)))).toBe("RangeError");
    expect(code(() => fscUnmaskedPart(h1, h2, { memoryBudgetBytes: 20 ** 3 * 30 }))).toBe("memory-budget");
    expect(code(() => fscUnmaskedPart(h1, h2, { memoryBudgetBytes: 20 ** 3 * 30, forMasks: false }))).toBe("no error");
  });
});
