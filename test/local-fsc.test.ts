/** lib/level1/local-fsc.ts: the BlocRes-style local FSC of 1.c. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { applyRadialGain } from "../lib/fourier/radial.js";
import { inverseRealFft3d, realFft3d } from "../lib/fourier/fft3d.js";
import { localFscSection } from "../lib/level1/level1-local.js";
import { boxFsc, boxResolution, localFsc, MAX_LOCAL_FSC_BOXES } from "../lib/level1/local-fsc.js";
import { makeVolume, type Volume } from "../lib/io/volume.js";
import { centeredUniform, seededNormal } from "./helpers/random.js";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/local-fsc-boxes.json", import.meta.url), "utf8")) as {
  n: number;
  seeds: [number, number];
  noiseScale: number;
  cases: { start: [number, number, number]; box: number; fsc: number[] }[];
};

describe("one box's FSC", () => {
  it("matches numpy's windowed box FSC (scripts/make-local-fsc-fixtures.py)", () => {
    const { n, seeds, noiseScale } = fixture;
    const u1 = centeredUniform(seeds[0]), u2 = centeredUniform(seeds[1]);
    const half1 = makeVolume(n, n, n, () => u1());
    const half2 = makeVolume(n, n, n, () => 0);
    for (let i = 0; i < half2.data.length; i++) half2.data[i] = half1.data[i] + noiseScale * u2();
    for (const { start, box, fsc } of fixture.cases) {
      const curve = boxFsc(half1, half2, start, box, 1.5);
      expect(curve.frequency).toEqual(Array.from({ length: box / 2 }, (_, i) => (i + 1) / (box * 1.5)));
      expect(curve.fsc.length).toBe(fsc.length);
      curve.fsc.forEach((v, i) => expect(v).toBeCloseTo(fsc[i], 12));
    }
  });

  it("crosses between the shells around the first one below the cutoff, at Nyquist when none is, and says when it cannot", () => {
    const frequency = [0.1, 0.2, 0.3, 0.4];
    // Below 0.5 between rows 2 and 3: f = 0.2 + (0.5 − 0.8)·0.1/(0.2 − 0.8) = 0.25, so 4 Å.
    expect(boxResolution({ frequency, fsc: [0.9, 0.8, 0.2, 0.1] }, 0.5, 1)).toBeCloseTo(4, 12);
    // Between rows 1 and 2 (VRS's global findFirstCross would find none there): 0.1 + 0.4·0.1/0.5 = 0.18.
    expect(boxResolution({ frequency, fsc: [0.9, 0.4, 0.2, 0.1] }, 0.5, 1)).toBeCloseTo(1 / 0.18, 12);
    expect(boxResolution({ frequency, fsc: [0.9, 0.8, 0.7, 0.6] }, 0.5, 1.25)).toBe(2.5);
    expect(boxResolution({ frequency, fsc: [0.3, 0.8, 0.7, 0.6] }, 0.5, 1)).toBe(10);
    expect(boxResolution({ frequency, fsc: [0.9, NaN, 0.2, 0.1] }, 0.5, 1)).toBe(0);
  });
});

const n = 48;
function noise(seed: number, std = 1): Volume {
  const normal = seededNormal(seed);
  return makeVolume(n, n, n, () => std * normal());
}

describe("local FSC maps", () => {
  it("gives identical halves the box's Nyquist everywhere", () => {
    const half = noise(1);
    const result = localFsc(half, half, { voxelSize: 1.2, box: 16, stride: 8 });
    expect(result.boxes).toBe(6 ** 3);
    expect(result.atNyquist).toBe(result.boxes);
    expect(new Set(result.map)).toEqual(new Set([Math.fround(2.4)]));
  });

  it("orders two regions of different blur, near their built cut-offs", () => {
    // A common signal, white below the cut-off and 0 above it, of 1/4 (4 Å) for x < 24 and 1/8 (8 Å) for x ≥ 24, plus
    // independent unit-variance noise per half (1 Å voxels): per Fourier bin below the cut-off the signal's power is 4×
    // the noise's (FSC ≈ 0.8), above it 0, so a box's FSC falls through 0.5 at the cut-off, give or take the Hann
    // window's spread (about a shell).
    const lowPassed = (seed: number, cutoff: number) => {
      const spectrum = realFft3d(noise(seed));
      applyRadialGain(spectrum, (u) => (u > cutoff ? 0 : 1));
      return inverseRealFft3d(spectrum, true);
    };
    const sharp = lowPassed(2, 1 / 4), blurred = lowPassed(3, 1 / 8);
    const signal = Float64Array.from(sharp, (v, i) => (i % n < n / 2 ? v : blurred[i]) * 2);
    const n1 = noise(4), n2 = noise(5);
    const half1 = makeVolume(n, n, n, () => 0), half2 = makeVolume(n, n, n, () => 0);
    for (let i = 0; i < signal.length; i++) {
      half1.data[i] = signal[i] + n1.data[i];
      half2.data[i] = signal[i] + n2.data[i];
    }
    const result = localFsc(half1, half2, { voxelSize: 1, box: 24, stride: 4 });
    expect(result.unmeasured).toBe(0);
    expect(result.atNyquist).toBe(0);
    // Measured: 165 of 1728 boxes already fall below 0.5 in their first shell (24 Å, a handful of bins).
    expect(result.atBoxEdge).toBeLessThan(0.15 * result.boxes);
    // Boxes wholly in one region: centres 8 or more voxels from the interfaces at x = 24 and x = 0 (periodic).
    const sharpSide: number[] = [], blurredSide: number[] = [];
    for (let i = 0; i < result.map.length; i++) {
      const x = i % n;
      if (!(result.map[i] > 0)) continue;
      if (x >= 8 && x <= 16) sharpSide.push(result.map[i]);
      else if (x >= 32 && x <= 40) blurredSide.push(result.map[i]);
    }
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
    // Within a shell (24/k Å) of the built cut-offs, shells 6 and 3. Measured: 3.86 and 7.38 Å.
    expect(median(sharpSide)).toBeLessThan(median(blurredSide));
    expect(median(sharpSide)).toBeGreaterThan(24 / 7);
    expect(median(sharpSide)).toBeLessThan(24 / 5);
    expect(median(blurredSide)).toBeGreaterThan(24 / 4);
    expect(median(blurredSide)).toBeLessThan(24 / 2);
  }, 120_000);

  it("keeps the number of boxes bounded by raising the stride, and fills only the mask", () => {
    const half = noise(6);
    const mask = new Uint8Array(n ** 3);
    mask[0] = 1;
    mask[n ** 3 - 1] = 1;
    const two = localFsc(half, half, { voxelSize: 1, box: 8, mask });
    expect(two.boxes).toBe(2);
    expect(two.stride).toBe(1);
    expect(two.map.filter((v) => v > 0).length).toBe(2);
    expect(MAX_LOCAL_FSC_BOXES).toBeLessThan(n ** 3);
  });

  it("rejects unbounded or inconsistent sizes with named errors", () => {
    const half = makeVolume(16, 16, 16, () => 1);
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as { code?: string }).code;
      }
      return "no error";
    };
    expect(code(() => localFsc(half, half, { voxelSize: 1, box: 7 }))).toBe("bad-box");
    expect(code(() => localFsc(half, half, { voxelSize: 1, box: 1000 }))).toBe("bad-box");
    expect(code(() => localFsc(half, half, { voxelSize: 1, box: 20 }))).toBe("box-too-large");
    expect(code(() => localFsc(half, half, { voxelSize: 1, box: 8, stride: 0 }))).toBe("bad-stride");
    expect(code(() => localFsc(half, half, { voxelSize: 1, box: 8, stride: 1e9 }))).toBe("bad-stride");
    expect(code(() => localFsc(half, half, { voxelSize: 0, box: 8 }))).toBe("bad-voxel-size");
    expect(code(() => localFsc(half, half, { voxelSize: 1, box: 8, cutoff: 1 }))).toBe("bad-cutoff");
    expect(code(() => localFsc(half, makeVolume(16, 16, 8, () => 1), { voxelSize: 1 }))).toBe("half-map-shape-mismatch");
    expect(code(() => localFsc(half, half, { voxelSize: 1, box: 8, mask: new Uint8Array(3) }))).toBe("mask-shape-mismatch");
  });
});

describe("1.c section", () => {
  it("reports the local FSC's statistics over the mask with VRS's criteria", () => {
    // Identical halves: every box at Nyquist (2·1.2 Å), so the percentiles are all 2.4 Å ("too homogeneous"), and no
    // voxel is finer than a reported 2.4 Å ("particularly high").
    const half = noise(7);
    const hardMask = new Uint8Array(n ** 3);
    for (let i = 0; i < hardMask.length; i++) if (i % n < 20) hardMask[i] = 1;
    const section = localFscSection(half, half, { threshold: 0, resolution: 2.4, voxelSize: { value: 1.2, source: "test" }, hardMask, box: 16, stride: 8 });
    if (!section.results) throw new Error(section.reason);
    expect(section.id).toBe("1.c");
    expect(section.results.voxels).toBe(20 * n * n);
    expect(section.results.percentiles.p2_5).toBeCloseTo(2.4, 6);
    expect(section.results.percentiles.p97_5).toBeCloseTo(2.4, 6);
    expect(section.results.resolutionPercentile).toBe(0);
    expect(section.status).toBe("warnings");
    expect(section.warnings).toEqual([
      "Program output seems to be too homogeneous. There might be some program issues analyzing the data.",
      "The reported resolution,  2.40 Å, is particularly high with respect to the local resolution distribution. It occupies the  0.00 percentile",
    ]);
    // A coarser reported resolution: every voxel is finer, no "particularly high".
    const coarse = localFscSection(half, half, { threshold: 0, resolution: 3, voxelSize: { value: 1.2, source: "test" }, hardMask, box: 16, stride: 8 });
    expect(coarse.results?.resolutionPercentile).toBe(100);
    expect(coarse.warnings).toHaveLength(1);
  });

  it("is not measured when no box holds power", () => {
    const empty = makeVolume(16, 16, 16, () => 0);
    const section = localFscSection(empty, empty, { threshold: 0, resolution: 3, hardMask: new Uint8Array(16 ** 3).fill(1), box: 8, stride: 4 });
    expect(section.status).toBe("not-measured");
    expect(section.results).toBeNull();
  });
});
