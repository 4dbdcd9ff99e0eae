/** lib/level1/level1-local.ts (1.e MonoRes from the half maps) and the half-map mode of lib/local/monores.ts it adds. */
import { describe, expect, it } from "vitest";
import { computeInOrder } from "../lib/local/bands.js";
import { inverseRealFft3d, realFft3d } from "../lib/fourier/fft3d.js";
import { BandPool } from "../data-loaders/workers/band-pool.js";
import { halfMapLocalResolutionSection, halfMapLocalResolutionSectionWith, halfMapSweepStart } from "../lib/level1/level1-local.js";
import { applyRadialGain, RAISED_COSINE_WIDTH } from "../lib/fourier/radial.js";
import {
  cliffLabels, highPass, lowPassInPlace, monogenicAmplitude, monogenicBands,
  monoResBandComputer, monoResPlan, sortedQuantile, type MonoResJob,
} from "../lib/local/monores.js";
import { localResolutionSection } from "../lib/level0/section-0e-local-resolution.js";
import { makeVolume, type Volume } from "../lib/io/volume.js";
import { seededNormal } from "./helpers/random.js";

const n = 64;
/** A whole MonoRes sweep on 64³ takes a few seconds; more on a loaded machine. */
const SWEEP_TIMEOUT = 120_000;

function whiteNoise(seed: number, std = 1): Float32Array {
  const normal = seededNormal(seed);
  return makeVolume(n, n, n, () => std * normal()).data;
}

/**
 * White noise kept where `keep(i)`, then low-passed to nothing above `cutoff` (digital): band-limited, so the region's
 * edge adds no detail finer than the cutoff. The roll-off is a raised cosine from 0.75·cutoff, whose kernel, unlike a
 * sharp cut's, leaks little detail into the neighbouring region.
 */
function lowPassedNoise(seed: number, cutoff: number, keep: (i: number) => boolean): Float64Array {
  const noise = whiteNoise(seed).map((v, i) => (keep(i) ? v : 0));
  const spectrum = realFft3d({ nx: n, ny: n, nz: n, data: noise });
  const start = 0.75 * cutoff;
  applyRadialGain(spectrum, (u) => (u >= cutoff ? 0 : u <= start ? 1 : 0.5 * (1 + Math.cos((Math.PI * (u - start)) / (cutoff - start)))));
  return inverseRealFft3d(spectrum, true);
}

function ballMask(radius: number): Uint8Array {
  const c = n >> 1;
  return Uint8Array.from(makeVolume(n, n, n, (x, y, z) => ((x - c) ** 2 + (y - c) ** 2 + (z - c) ** 2 <= radius * radius ? 1 : 0)).data);
}

const mask = ballMask(24);

/**
 * The built pair (1 Å voxels): the left half of the ball (x < 32) holds noise low-passed at 6 Å, the right half noise
 * low-passed at 10 Å, both low-passed after the cut so the signal has no detail finer than 6 Å anywhere; each half map
 * adds its own white noise of std `noiseStd` (0.3 of the signal's here).
 */
function syntheticPair(noiseStd = 0.3): { half1: Volume; half2: Volume; signal: Float32Array } {
  const sharp = lowPassedNoise(1, 1 / 6, (i) => mask[i] === 1 && i % n < n / 2);
  const blurred = lowPassedNoise(2, 1 / 10, (i) => mask[i] === 1 && i % n >= n / 2);
  const signal = Float32Array.from(sharp, (v, i) => v + blurred[i]);
  let s2 = 0, count = 0;
  for (let i = 0; i < signal.length; i++) if (mask[i]) (s2 += signal[i] ** 2), count++;
  for (let i = 0; i < signal.length; i++) signal[i] /= Math.sqrt(s2 / count);
  const half = (noise: Float32Array): Volume => ({ nx: n, ny: n, nz: n, data: noise.map((v, i) => signal[i] + v), voxelSize: [1, 1, 1], origin: [0, 0, 0] });
  return { half1: half(whiteNoise(3, noiseStd)), half2: half(whiteNoise(4, noiseStd)), signal };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * Medians of the local resolution left and right of x = 32, at least 12 voxels from it: the amplitude is low-passed at
 * the swept frequency (a blur of about 1/f voxels, 8 at 8 Å), so the sharp side's amplitude reaches that far.
 */
function sideMedians(map: Float32Array): { left: number; right: number } {
  const left: number[] = [], right: number[] = [];
  for (let i = 0; i < map.length; i++) {
    if (!(map[i] > 0)) continue;
    const x = i % n;
    if (x < n / 2 - 12) left.push(map[i]);
    else if (x >= n / 2 + 12) right.push(map[i]);
  }
  return { left: median(left), right: median(right) };
}

describe("MonoRes with half maps (lib/local/monores.ts `noise`)", () => {
  it("computes the noise band with the same filters as the map: the band computer's halves are the single-map amplitudes", () => {
    const average = { nx: 16, ny: 16, nz: 16, data: whiteNoise(11).subarray(0, 16 ** 3) };
    const difference = { nx: 16, ny: 16, nz: 16, data: whiteNoise(12).subarray(0, 16 ** 3) };
    const shape = { nx: 16, ny: 16, nz: 16 };
    const task = { refinement: false as const, freq: 0.2, freqH: 0.2 - RAISED_COSINE_WIDTH, freqL: 0.2 + RAISED_COSINE_WIDTH };
    const job: MonoResJob = {
      kind: "monores",
      setup: { shape, spectrum: realFft3d(average).data, noiseSpectrum: realFft3d(difference).data },
      tasks: [task],
      result: { type: "float64", length: 2 * 16 ** 3 },
    };
    const out = new Float64Array(2 * 16 ** 3);
    monoResBandComputer(job)(0, out);
    const expected = (grid: typeof average) => {
      const amplitude = monogenicAmplitude(monogenicBands(realFft3d(grid)), highPass(task.freq, task.freqH));
      lowPassInPlace(amplitude, shape, task.freq, task.freqL);
      return amplitude;
    };
    expect(Array.from(out.subarray(0, 16 ** 3))).toEqual(Array.from(expected(average)));
    expect(Array.from(out.subarray(16 ** 3))).toEqual(Array.from(expected(difference)));
  });

  it("takes the first noise quantile over every voxel labelled ≥ 0 (molecule and background), not only outside the mask", () => {
    const { half1, half2 } = syntheticPair();
    const average = new Float32Array(n ** 3), difference = new Float32Array(n ** 3);
    for (let i = 0; i < average.length; i++) {
      average[i] = (half1.data[i] + half2.data[i]) / 2;
      difference[i] = (half1.data[i] - half2.data[i]) / 2;
    }
    const grid = { nx: n, ny: n, nz: n, data: average }, noise = { nx: n, ny: n, nz: n, data: difference };
    const planned = monoResPlan(grid, mask, { voxelSize: 1, lowestResolution: 18, noise });
    if ("done" in planned) throw new Error("expected a run");
    const job = planned.run.job as MonoResJob;
    // Stop after the first resolution: its threshold is then the only one.
    computeInOrder({ job, accept: (i, r) => (planned.run.accept(i, r), false) }, monoResBandComputer(job));
    const result = planned.finish();
    const first = job.tasks[0];
    if (first.refinement) throw new Error("half-map mode has no refinement task");
    const amplitude = monogenicAmplitude(monogenicBands(realFft3d(noise)), highPass(first.freq, first.freqH));
    lowPassInPlace(amplitude, noise, first.freq, first.freqL);
    const { labels } = cliffLabels(grid, mask);
    const analysed = amplitude.filter((_, i) => labels[i] >= 0);
    expect(result.diagnostics.noiseThresholds).toEqual([sortedQuantile(Float64Array.from(analysed), 0.95)]);
    expect(result.diagnostics.noiseVoxels).toBeLessThan(analysed.length);
  }, SWEEP_TIMEOUT);
});

describe("1.e local resolution from the halves", () => {
  it("starts the sweep at max(10, 5·resolution) + 3 Å", () => {
    expect(halfMapSweepStart(1.5)).toBe(13);
    expect(halfMapSweepStart(3)).toBe(18);
    expect(halfMapSweepStart(null)).toBe(13);
  });

  it("finds the built 6 Å and 10 Å regions of a synthetic pair, ordered, in Xmipp's bins (vrs-compat)", () => {
    const { half1, half2 } = syntheticPair();
    const section = halfMapLocalResolutionSection(half1, half2, { threshold: 0, resolution: 3, hardMask: mask, mode: "vrs-compat" });
    expect(section.status).not.toBe("not-measured");
    if (!section.results || !section.localMap) throw new Error(section.reason);
    expect(section.results.sweep.lowestResolution).toBe(18);
    expect(section.results.workingGrid.resampled).toBe(false);
    const { left, right } = sideMedians(section.localMap.volume.data);
    // MonoRes returns swept bins (64/k Å): the cut at f_c lands on one of the two bins around it (lib/local/monores.ts
    // tests): 6 Å between 64/11 and 64/10, 10 Å between 64/7 and 64/6.
    expect(left).toBeGreaterThanOrEqual(64 / 11 - 1e-4);
    expect(left).toBeLessThanOrEqual(64 / 10 + 1e-4);
    expect(right).toBeGreaterThanOrEqual(64 / 7 - 1e-4);
    expect(right).toBeLessThanOrEqual(64 / 6 + 1e-4);
    // The statistics are over the assigned voxels, whose median lies between the two regions'.
    expect(section.results.median).toBeGreaterThanOrEqual(left);
    expect(section.results.median).toBeLessThanOrEqual(right);
    // Nothing is finer than 3 Å here: VRS's "particularly high" warning.
    expect(section.results.resolutionPercentile).toBe(0);
    expect(section.warnings.some((w) => /particularly high .* occupies the  0.00 percentile/.test(w))).toBe(true);
  }, SWEEP_TIMEOUT);

  it("finds them in default mode too, whose sweep is finer than whole bins", () => {
    const { half1, half2 } = syntheticPair();
    const section = halfMapLocalResolutionSection(half1, half2, { threshold: 0, resolution: 3, hardMask: mask });
    if (!section.localMap) throw new Error(section.reason);
    expect(section.results?.sweep.spacing).toBe("fine");
    const { left, right } = sideMedians(section.localMap.volume.data);
    // Within one 0.5 Å step of the built cut-offs (measured: 6.50 and 9.87 Å).
    expect(left).toBeGreaterThanOrEqual(5.5);
    expect(left).toBeLessThanOrEqual(6.5 + 1e-4);
    expect(right).toBeGreaterThanOrEqual(9.5);
    expect(right).toBeLessThanOrEqual(10.5);
  }, SWEEP_TIMEOUT);

  it("gives the same section through the worker-thread pool (the noise spectrum travels with the job)", async () => {
    const { half1, half2 } = syntheticPair();
    const options = { threshold: 0, resolution: 3, hardMask: mask };
    const pool = new BandPool({ size: 2 });
    try {
      const parallel = await halfMapLocalResolutionSectionWith(pool.execute, half1, half2, options);
      const sequential = halfMapLocalResolutionSection(half1, half2, options);
      expect(parallel.results).toStrictEqual(sequential.results);
      expect(Buffer.from(parallel.localMap!.volume.data.buffer).equals(Buffer.from(sequential.localMap!.volume.data.buffer))).toBe(true);
    } finally {
      await pool.close();
    }
  }, SWEEP_TIMEOUT);

  it("orders the regions as 0.e does on the average map, and is never coarser there", () => {
    // 0.e takes its noise outside the mask, where the amplitude of the signal's low-passed band spills over the ball's
    // surface: its noise thresholds are higher (≈1.0 against ≈0.3 at the coarsest step here) and its resolutions
    // coarser (measured: 6.99 / 16 Å against 6.40 / 9.32 Å). The half difference holds only noise.
    const { half1, half2 } = syntheticPair();
    const average = makeVolume(n, n, n, () => 0);
    for (let i = 0; i < average.data.length; i++) average.data[i] = (half1.data[i] + half2.data[i]) / 2;
    const halves = halfMapLocalResolutionSection(half1, half2, { threshold: 0, resolution: 3, hardMask: mask, mode: "vrs-compat" });
    const single = localResolutionSection(average, { voxelSize: 1, threshold: 0, resolution: 3, hardMask: mask, mode: "vrs-compat" });
    if (!halves.localMap || !single.localMap || !halves.results || !single.results) throw new Error("both must be measured");
    const fromHalves = sideMedians(halves.localMap.volume.data), fromSingle = sideMedians(single.localMap.volume.data);
    expect(fromSingle.left).toBeLessThan(fromSingle.right);
    expect(fromHalves.left).toBeLessThanOrEqual(fromSingle.left);
    expect(fromHalves.right).toBeLessThanOrEqual(fromSingle.right);
    expect(halves.results.sweep.noiseThresholds[0]).toBeLessThan(single.results.sweep.noiseThresholds[0]);
  }, SWEEP_TIMEOUT);

  it("does not report resolutions for halves of independent noise", () => {
    // The average's amplitude is not above the half difference's even at the coarsest step: about 5 % of the voxels
    // pass the 95 % quantile by chance, and they must not be reported as measured at the sweep's start.
    const pure = (seed: number): Volume => ({ nx: n, ny: n, nz: n, data: whiteNoise(seed), voxelSize: [1, 1, 1], origin: [0, 0, 0] });
    const section = halfMapLocalResolutionSection(pure(31), pure(32), { threshold: 0, resolution: 3, hardMask: mask });
    expect(section.status).toBe("not-measured");
    expect(section.reason).toMatch(/cannot be told apart from the noise/);
  }, SWEEP_TIMEOUT);

  it("says the halves are identical rather than assigning Nyquist everywhere", () => {
    const { half1 } = syntheticPair();
    const section = halfMapLocalResolutionSection(half1, { ...half1 }, { threshold: 0, resolution: 3, hardMask: mask });
    expect(section.status).toBe("not-measured");
    expect(section.results).toBeNull();
    expect(section.reason).toMatch(/half maps are identical/);
  }, SWEEP_TIMEOUT);

  it("rejects halves on different grids and masks of the wrong size with named errors", () => {
    const a = makeVolume(16, 16, 16, () => 1), b = makeVolume(16, 16, 18, () => 1);
    expect(() => halfMapLocalResolutionSection(a, b, { threshold: 0, resolution: 3 })).toThrow(
      expect.objectContaining({ code: "half-map-shape-mismatch" }),
    );
    expect(() => halfMapLocalResolutionSection(a, a, { threshold: 0, resolution: 3, hardMask: new Uint8Array(5) })).toThrow(
      expect.objectContaining({ code: "mask-shape-mismatch" }),
    );
    expect(() => halfMapLocalResolutionSection(a, a, { threshold: 0, resolution: 1 })).toThrow(
      expect.objectContaining({ code: "resolution-beyond-nyquist" }),
    );
  });
});
