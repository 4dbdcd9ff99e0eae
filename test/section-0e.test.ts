import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { realFft3d } from "../lib/fourier/fft3d.js";
import { hardMask } from "../lib/masks/masks.js";
import { applyRadialGain } from "../lib/fourier/radial.js";
import { parseMap } from "../lib/io/mrc-reader.js";
import {
  fastEvenLength, localResolutionSection, localResolutionTitle, workingGrid,
} from "../lib/level0/section-0e-local-resolution.js";
import { resampleSpectrum } from "../lib/fourier/resample.js";
import { makeVolume, type Volume } from "../lib/io/volume.js";
import emd3488 from "./fixtures/monores-emd_3488.json" with { type: "json" };
import emd1997 from "./fixtures/monores-emd_1997.json" with { type: "json" };
import emd2566Crop from "./fixtures/monores-emd_2566_crop_3j6b_chain9.json" with { type: "json" };
import { seededNormal } from "./helpers/random.js";

/** A Gaussian blob of radius ~6 voxels in white noise of std 0.05. */
function blobInNoise(n: number, voxelSize: number): Volume {
  const normal = seededNormal(17);
  const c = n / 2;
  return makeVolume(
    n, n, n,
    (x, y, z) => Math.exp(-((x - c) ** 2 + (y - c) ** 2 + (z - c) ** 2) / 72) + 0.05 * normal(),
    [voxelSize, voxelSize, voxelSize],
  );
}

function readBundledMap(name: string): Volume {
  return parseMap(new Uint8Array(readFileSync(new URL(`../data/maps/${name}`, import.meta.url)))).volume;
}

describe("localResolutionSection applicability (VRS's DeepRes range, 2–13 Å)", () => {
  const map = blobInNoise(32, 1);
  const run = (resolution: number | null) => localResolutionSection(map, { voxelSize: 1, threshold: 0.5, resolution });

  it("does not apply without a resolution, below 2 Å or above 13 Å, with VRS's sentences", () => {
    for (const [resolution, reason] of [
      [null, "This method cannot be applied to maps with no resolution reported."],
      [1.9, "This method cannot be applied to maps with a resolution better than 2Å."],
      [13.1, "This method cannot be applied to maps with a resolution worse than 13Å."],
    ] as const) {
      const section = run(resolution);
      expect(section.status).toBe("does-not-apply");
      expect(section.reason).toBe(reason);
      expect(section.results).toBeNull();
      expect(section.localMap).toBeUndefined();
      expect(section.title).toBe(localResolutionTitle);
      expect(section.id).toBe("0.e");
    }
  });

  it("applies at 2 Å and at 13 Å", () => {
    for (const resolution of [2, 13]) expect(run(resolution).status).not.toBe("does-not-apply");
  });

  it("notes when Nyquist of the analysed grid is not finer than the reported resolution", () => {
    const section = run(2); // Ts = 1 Å: Nyquist 2 Å
    expect(section.status).not.toBe("not-measured");
    expect(section.notes).toEqual([expect.stringMatching(/^Nyquist on the analysed grid \(2\.00 Å\) is not finer/)]);
    expect(run(2.5).notes!.filter((note) => note.startsWith("Nyquist"))).toEqual([]);
  });

  it("is not measured, with the reason, when the mask leaves no noise region", () => {
    const section = localResolutionSection(map, { voxelSize: 1, threshold: -10, resolution: 4 });
    expect(section.status).toBe("not-measured");
    expect(section.reason).toMatch(/^Only 0 voxels lie outside the mask.*no region to estimate the noise/);
    expect(section.results).toBeNull();
    expect(section.localMap).toBeUndefined();
  });

  it("rejects a non-positive resolution", () => {
    expect(() => run(0)).toThrow(/resolution/);
  });
});

describe("working grid", () => {
  it("picks even FFT-friendly lengths", () => {
    expect([1, 7, 58, 115.4, 121, 161].map(fastEvenLength)).toEqual([2, 8, 60, 120, 128, 162]);
  });

  it("keeps a map whose sampling is already resolution/4 or coarser", () => {
    const map = blobInNoise(32, 2);
    const mask = new Uint8Array(32 ** 3);
    expect(workingGrid(map, mask, 2, 7).resampled).toBe(false);
  });

  it("resamples a finely sampled map to about resolution/4 about the box centre", () => {
    // 60 voxels of 0.5 Å (30 Å box), resolution 6 Å: Ts_work ≥ 1.5 Å → 20 voxels, already 2²·5.
    const n = 60, ts = 0.5;
    const wave = (x: number) => Math.cos((2 * Math.PI * 2 * x) / n); // 2 periods: survives the band limit
    const map = makeVolume(n, n, n, (x) => wave(x), [ts, ts, ts]);
    const mask = hardMask(blobInNoise(n, ts), 0.5, { voxelSize: ts }).mask;
    const grid = workingGrid(map, mask, ts, 6);
    expect(grid.resampled).toBe(true);
    expect([grid.volume.nx, grid.volume.ny, grid.volume.nz]).toEqual([20, 20, 20]);
    expect(grid.voxelSize).toBeCloseTo(1.5, 12);
    // Output voxel 10 sits on input voxel 30 (both box centres), so the wave is sampled at x = 3j.
    for (let j = 0; j < 20; j++) expect(grid.volume.data[j]).toBeCloseTo(wave(3 * j), 5);
    // The blob's mask (centred at voxel 30) stays centred at working voxel 10.
    let count = 0, sx = 0;
    grid.mask.forEach((m, i) => { if (m) { count++; sx += i % 20; } });
    expect(count).toBeGreaterThan(0);
    expect(sx / count).toBeCloseTo(10, 0);
  });
});

describe("localResolutionSection on bundled maps against the numpy re-implementation", () => {
  // scripts/make-monores-fixtures.py re-implements the same algorithm in numpy from docs/reference/local-methods.md "Local resolution": this checks
  // the port, not MonoRes itself. All maps run at their own sampling; the EMD-2566 crop (35×52×47) checks the axis
  // order on a non-cubic box. The two FFT libraries differ by ~1e-13 relative, which could flip a voxel sitting
  // exactly on a threshold; none does on these maps, so counts match exactly and values to float32 precision (1e-4 Å
  // allows for a flipped voxel moving a percentile by interpolation).
  for (const fixture of [emd3488, emd1997, emd2566Crop]) {
    it(`reproduces ${fixture.map}`, () => {
      const volume = readBundledMap(fixture.map);
      const section = localResolutionSection(volume, {
        voxelSize: fixture.voxelSize, threshold: fixture.threshold, resolution: fixture.resolution,
      });
      const r = section.results!;
      expect(r.method).toBe("monores-style");
      expect(r.workingGrid.resampled).toBe(false);
      expect(r.sweep.resolutions).toEqual(fixture.diagnostics.resolutions.map((v) => expect.closeTo(v, 10)));
      expect(r.sweep.stop).toBe(fixture.diagnostics.stop);
      // The amplitude quantiles check the monogenic amplitude and both raised cosines at every swept resolution.
      expect(r.sweep.noiseThresholds.length).toBe(fixture.diagnostics.noiseThresholds.length);
      r.sweep.noiseThresholds.forEach((t, i) => expect(Math.abs(t / fixture.diagnostics.noiseThresholds[i] - 1)).toBeLessThan(1e-9));
      expect(r.cliffRadius).toBe(fixture.diagnostics.cliffRadius);
      expect(r.maskVoxels).toBe(fixture.diagnostics.maskVoxels);
      expect(r.refinedMaskVoxels).toBe(fixture.diagnostics.refinedMaskVoxels);
      expect(r.noiseVoxels).toBe(fixture.diagnostics.noiseVoxels);
      expect(r.voxels).toBe(fixture.voxels);
      for (const key of ["p2_5", "p25", "p50", "p75", "p97_5"] as const) {
        expect(r.percentiles[key]).toBeCloseTo(fixture.percentiles[key], 4);
      }
      expect(r.median).toBe(r.percentiles.p50);
      expect(r.resolutionPercentile).toBeCloseTo(fixture.resolutionPercentile, 6);
      expect(r.histogram.map((b) => b.count)).toEqual(fixture.histogram.counts);
      r.histogram.forEach((b, i) => expect(b.x0).toBeCloseTo(fixture.histogram.edges[i], 5));
      const map = section.localMap!.volume;
      expect(section.localMap!.mask.reduce((a, b) => a + b, 0)).toBe(fixture.voxels);
      expect([map.nx, map.ny, map.nz]).toEqual([volume.nx, volume.ny, volume.nz]);
      for (const s of fixture.samples) expect(map.data[s.x + map.nx * (s.y + map.ny * s.z)]).toBeCloseTo(s.value, 4);
    }, 120_000);
  }

  it("on EMD-3488, Xmipp's whole-bin sweep (vrs-compat) gives VRS's warning on 3 voxels, and says it rests on them", () => {
    // The whole-bin sweep steps from 4.04 to 3.5 Å and stops: 3 of 20990 voxels are finer than 3.2 Å. The default
    // sweep (every bin there) finds 17.8 % of them finer (the fixture test above) and does not warn.
    const volume = readBundledMap(emd3488.map);
    const mask = hardMask(volume, emd3488.threshold, { voxelSize: emd3488.voxelSize }).mask;
    expect(mask.reduce((a, b) => a + b, 0)).toBe(emd3488.hardMaskVoxels);
    const section = localResolutionSection(volume, {
      voxelSize: emd3488.voxelSize, threshold: emd3488.threshold, resolution: emd3488.resolution, hardMask: mask,
      mode: "vrs-compat",
    });
    expect(section.results!.sweep.spacing).toBe("bins");
    expect(section.results!.sweep.resolutions.length).toBe(20);
    expect(section.status).toBe("warnings");
    expect(section.warnings).toEqual([
      "The reported resolution,  3.20 Å, is particularly high with respect to the local resolution distribution. " +
        "It occupies the  0.01 percentile",
    ]);
    expect(section.notes).toEqual([
      "Only 3 voxels are finer than the reported resolution, fewer than 50: the share of voxels finer than the " +
        'reported resolution (the "particularly high" test) rests on them and may move with a few voxels.',
    ]);
    expect(section.summarySentence).toBeNull();
    expect(emd3488.resolutionPercentile).toBeGreaterThan(10);
  }, 120_000);
});

describe("localResolutionSection on a resampled grid", () => {
  it("finds the same 6 Å / 10 Å halves on a 2× finer copy of the synthetic map, resampled back to 1 Å", () => {
    // The synthetic map of monores.test.ts (64³, 1 Å: left half white noise cut at 6 Å, right half at 10 Å, in a ball
    // of radius 24, plus white noise of std 0.1), upsampled by Fourier zero-padding to 128³ at 0.5 Å. With a reported
    // resolution of 4 Å the working grid is 1 Å again (Ts_work = max(0.5, 4/4)), so the answer must land next to the
    // cut-offs as at the native sampling: 6 Å between the sweep's 64/11 and 6.5 Å, 10 Å between 64/7 and 64/6 Å.
    const n = 64;
    const normal = seededNormal(3);
    const cut = (seed: number, cutoff: number) => {
      const g = seededNormal(seed);
      const spectrum = realFft3d(makeVolume(n, n, n, () => g()));
      applyRadialGain(spectrum, (radius) => (radius > cutoff ? 0 : 1));
      return spectrum;
    };
    const sharp = resampleSpectrum(cut(1, 1 / 6), { nx: n, ny: n, nz: n });
    const blurred = resampleSpectrum(cut(2, 1 / 10), { nx: n, ny: n, nz: n });
    const rms = (v: Float64Array) => Math.sqrt(v.reduce((a, x) => a + x * x, 0) / v.length);
    const [ks, kb] = [1 / rms(sharp), 1 / rms(blurred)];
    const inBall = (x: number, y: number, z: number) => (x - 32) ** 2 + (y - 32) ** 2 + (z - 32) ** 2 <= 24 * 24;
    const coarse = makeVolume(n, n, n, (x, y, z) => {
      const i = x + n * (y + n * z);
      return (inBall(x, y, z) ? (x < 32 ? ks * sharp[i] : kb * blurred[i]) : 0) + 0.1 * normal();
    });
    const m = 2 * n;
    const fine: Volume = {
      nx: m, ny: m, nz: m, voxelSize: [0.5, 0.5, 0.5], origin: [0, 0, 0],
      data: Float32Array.from(resampleSpectrum(realFft3d(coarse), { nx: m, ny: m, nz: m })),
    };
    const mask = new Uint8Array(m ** 3);
    for (let z = 0, i = 0; z < m; z++)
      for (let y = 0; y < m; y++) for (let x = 0; x < m; x++, i++) if (inBall(x / 2, y / 2, z / 2)) mask[i] = 1;
    const section = localResolutionSection(fine, { voxelSize: 0.5, threshold: 0, resolution: 4, hardMask: mask });
    const grid = section.results!.workingGrid;
    expect(grid).toEqual({ shape: [64, 64, 64], voxelSize: 1, resampled: true });
    const { volume } = section.localMap!;
    const left: number[] = [], right: number[] = [];
    volume.data.forEach((v, i) => {
      const x = i % n;
      if (v > 0 && x < 25) left.push(v);
      else if (v > 0 && x >= 39) right.push(v);
    });
    const median = (v: number[]) => v.sort((a, b) => a - b)[Math.floor(v.length / 2)];
    expect(median(left)).toBeGreaterThanOrEqual(64 / 11 - 1e-4);
    expect(median(left)).toBeLessThanOrEqual(6.5 + 1e-4);
    expect(median(right)).toBeGreaterThanOrEqual(64 / 7 - 1e-4);
    expect(median(right)).toBeLessThanOrEqual(64 / 6 + 1e-4);
    expect(section.notes).toEqual([
      "The map was resampled from 0.5 to 1.000 Å/voxel (64×64×64 voxels) before the analysis, as DeepRes resamples " +
        "to 1 Å/voxel; local resolutions finer than 2.00 Å cannot be measured on that grid.",
    ]);
  }, 120_000);
});
