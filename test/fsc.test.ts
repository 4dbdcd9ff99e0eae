/**
 * 1.a (lib/level1/fsc.ts): FSC, DPR and SSNR of the bundled simulated half-map pair against RELION's postprocess table and a
 * numpy re-implementation (scripts/make-fsc-fixtures.py), and analytic cases. Facts: docs/reference/level1.md.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { correctedFsc, DPR_THRESHOLD, firstCrossing, fscAnalysis, halfBitThreshold, randomisePhases, type FscResult } from "../lib/level1/fsc.js";
import { halfWidth, inverseRealFft3d, realFft3d } from "../lib/fourier/fft3d.js";
import { readMap } from "../lib/io/mrc-reader.js";
import { digitalFrequency, shellIndex } from "../lib/fourier/radial.js";
import { makeVolume, type Volume } from "../lib/io/volume.js";
import { seededNormal } from "./helpers/random.js";
import { RELION, relionFscTable } from "./helpers/relion-star.js";

const pairDir = new URL("../data/halfmaps/sim-emd-1997/", import.meta.url);
const load = async (name: string) => (await readMap(new Uint8Array(readFileSync(new URL(name, pairDir))))).volume;
const fixture = JSON.parse(readFileSync(new URL("./fixtures/fsc-sim-emd-1997.json", import.meta.url), "utf8")) as {
  fsc: number[];
  fscMasked: number[];
  dpr: number[];
  ssnrMeanRatio: number[];
};


function withData(v: Volume, data: ArrayLike<number>): Volume {
  return { ...v, data: Float32Array.from(data) };
}

function noiseVolume(n: number, seed: number, sigma = 1): Volume {
  const normal = seededNormal(seed);
  return makeVolume(n, n, n, () => sigma * normal());
}

/** Halves h = signal + unit white noise, the signal shaped so that every bin of shell i has power snr(i). */
function pairWithSnr(n: number, snr: (shell: number) => number): { h1: Volume; h2: Volume } {
  const white = realFft3d(noiseVolume(n, 21));
  const hx = halfWidth(n);
  for (let kz = 0, e = 0; kz < n; kz++)
    for (let ky = 0; ky < n; ky++)
      for (let kx = 0; kx < hx; kx++, e++) {
        const radius = Math.hypot(digitalFrequency(kx, n), digitalFrequency(ky, n), digitalFrequency(kz, n));
        const gain = Math.sqrt(snr(shellIndex(radius, n)));
        white.data[2 * e] *= gain;
        white.data[2 * e + 1] *= gain;
      }
  const signal = inverseRealFft3d(white);
  const noise1 = noiseVolume(n, 22), noise2 = noiseVolume(n, 23);
  return {
    h1: withData(noise1, noise1.data.map((v, i) => v + signal[i])),
    h2: withData(noise2, noise2.data.map((v, i) => v + signal[i])),
  };
}
const snr = (shell: number) => 20 * Math.exp(-shell / 6);

describe("the simulated EMD-1997 pair (RELION 3.1.3 postprocess)", () => {
  let result: FscResult;
  /** relion_postprocess --mask --auto_bfac: the FSC columns. */
  let relion: number[][];
  /** The same with --ampl_corr, which adds the DPR but changes RELION's FSC columns from shell 10 on. */
  let relionAmplCorr: number[][];
  let half1: Volume, half2: Volume, mask: Volume;
  beforeAll(async () => {
    [half1, half2, mask] = await Promise.all([load("half1.mrc.gz"), load("half2.mrc.gz"), load("mask.mrc.gz")]);
    result = fscAnalysis(half1, half2, { mask });
    relion = relionFscTable("relion_postprocess_no_ampl_corr.star", 8);
    relionAmplCorr = relionFscTable("relion_postprocess.star", 12);
  });

  it("has RELION's shells: index i at i/(100·2.02 Å)", () => {
    expect(result.shells).toHaveLength(50);
    for (const s of result.shells) {
      expect(s.frequency).toBeCloseTo(relion[s.index][1], 6);
      expect(s.resolution).toBeCloseTo(relion[s.index][2], 4);
    }
  });

  it("matches numpy's frc_dpr re-implementation shell by shell (unmasked, masked, DPR)", () => {
    for (const s of result.shells) {
      expect(s.fsc).toBeCloseTo(fixture.fsc[s.index], 9);
      expect(s.fscMasked!).toBeCloseTo(fixture.fscMasked[s.index], 8); // the masked halves are float32 products
      expect(s.dpr).toBeCloseTo(fixture.dpr[s.index], 7);
    }
  });

  it("matches RELION's unmasked and masked FSC shell by shell to its 6 printed digits", () => {
    // Shell 50 is left out: RELION keeps bins beyond R = 0.5 in it, Xmipp does not. 1e-5: the table's rounding
    // (5e-7) plus RELION's own arithmetic (its FSC of these halves without a mask also differs from numpy's by ≤ 5e-6).
    expect(relion).toHaveLength(51);
    for (const s of result.shells.filter((s) => s.index < 50)) {
      expect(Math.abs(s.fsc - relion[s.index][RELION.unmasked])).toBeLessThanOrEqual(1e-5);
      expect(Math.abs(s.fscMasked! - relion[s.index][RELION.masked])).toBeLessThanOrEqual(1e-5);
    }
  });

  it("matches RELION's DPR up to shell 9; beyond, RELION's --ampl_corr run changes its own curves", () => {
    // With --ampl_corr, RELION 3.1.3's FSC columns depart from its run without it from shell 10 on (by up to 0.016),
    // and its DPR, computed in the same pass, departs from mapval's and numpy's there too (by up to 0.7°).
    for (const s of result.shells.filter((s) => s.index < 50)) {
      const row = relionAmplCorr[s.index];
      if (s.index <= 9) {
        expect(Math.abs(s.dpr - row[RELION.dprUnmasked])).toBeLessThanOrEqual(5e-4);
        expect(Math.abs(s.fsc - row[RELION.unmasked])).toBeLessThanOrEqual(2e-6);
      } else expect(Math.abs(s.dpr - row[RELION.dprUnmasked])).toBeLessThanOrEqual(0.7);
    }
    expect(Math.max(...result.shells.filter((s) => s.index < 50).map((s) => Math.abs(s.fsc - relionAmplCorr[s.index][RELION.unmasked])))).toBeGreaterThan(0.01);
  });

  it("finds RELION's randomisation shell: the first where the unmasked FSC is below 0.8 (6.73 Å)", () => {
    expect(result.randomisation?.fromShell).toBe(30);
    expect((100 * 2.02) / 30).toBeCloseTo(6.733333, 5); // _rlnRandomiseFrom
  });

  it("reproduces RELION's corrected FSC from RELION's own masked and randomised columns (its rule, +2 shells)", () => {
    const masked = relion.map((r) => r[RELION.masked]);
    const randomised = relion.map((r) => r[RELION.randomisedMasked]);
    const corrected = correctedFsc(masked, randomised, 30);
    relion.forEach((row, i) => expect(corrected[i]).toBeCloseTo(row[RELION.corrected], 4));
  });

  it("gives a phase-randomised masked FSC and a corrected FSC close to RELION's (another random draw)", () => {
    const randomised = result.randomisation!.fscRandomisedMasked!;
    for (const s of result.shells.filter((s) => s.index >= 30 && s.index < 50)) {
      // Sampling error of an FSC over a shell of n voxels is about 1/√n (≤ 0.01 here) plus the difference in the
      // masked FSC above: 0.05 bounds both.
      expect(Math.abs(randomised[s.index - 1] - relion[s.index][RELION.randomisedMasked])).toBeLessThan(0.05);
      expect(Math.abs(s.fscCorrected! - relion[s.index][RELION.corrected])).toBeLessThan(0.05);
    }
    expect(result.fscCorrectedResolution!).toBeGreaterThan(5.2);
    expect(result.fscCorrectedResolution!).toBeLessThan(5.6); // RELION: 5.46 Å
  });

  it("keeps the corrected FSC at the masked one below shell 32 and at or below it where the randomised FSC is ≥ 0", () => {
    const randomised = result.randomisation!.fscRandomisedMasked!;
    for (const s of result.shells) {
      if (s.index < 32) expect(s.fscCorrected).toBe(s.fscMasked);
      else if (randomised[s.index - 1] >= 0) expect(s.fscCorrected!).toBeLessThanOrEqual(s.fscMasked!);
    }
    // The mask correlates the randomised halves: at shell 32, RELION's randomised FSC is 0.28.
    expect(randomised[31]).toBeGreaterThan(0.15);
  });

  it("gives the same corrected FSC for the same seed and a different one for another seed", () => {
    const again = fscAnalysis(half1, half2, { mask });
    expect(again.shells.map((s) => s.fscCorrected)).toEqual(result.shells.map((s) => s.fscCorrected));
    const other = fscAnalysis(half1, half2, { mask, seed: 2 });
    expect(other.shells.map((s) => s.fscCorrected)).not.toEqual(result.shells.map((s) => s.fscCorrected));
    expect(other.shells.map((s) => s.fscMasked)).toEqual(result.shells.map((s) => s.fscMasked));
  });

  it("computes VRS's SSNR curve as its full-FFT code does (numpy fixture), crossing 0 where the mean ratio is 2", () => {
    fixture.ssnrMeanRatio.forEach((m, i) => expect(result.ssnr.meanRatio[i] / m).toBeCloseTo(1, 10));
    const i0 = result.ssnr.log10.findIndex((y) => y < 0);
    expect(result.ssnr.meanRatio[i0]).toBeLessThan(2);
    expect(result.ssnr.meanRatio[i0 - 1]).toBeGreaterThanOrEqual(2);
    const f = result.ssnr.frequency;
    expect(1 / result.ssnrResolution!).toBeGreaterThan(f[i0 - 1]);
    expect(1 / result.ssnrResolution!).toBeLessThanOrEqual(f[i0]);
  });

  it("reports the 0.143 crossings, interpolated between the rows around them", () => {
    const at = (values: number[], level: number) => {
      const i = values.findIndex((v, k) => k > 0 && v < level); // row index (shell − 1)
      const [f0, f1, y0, y1] = [result.shells[i - 1].frequency, result.shells[i].frequency, values[i - 1], values[i]];
      return 1 / (f0 + ((level - y0) * (f1 - f0)) / (y1 - y0));
    };
    expect(result.fscResolution).toBeCloseTo(at(result.shells.map((s) => s.fsc), 0.143), 10);
    expect(result.fscMaskedResolution).toBeCloseTo(at(result.shells.map((s) => s.fscMasked!), 0.143), 10);
    expect(result.crossings.fsc["0.5"]).toBeCloseTo(at(result.shells.map((s) => s.fsc), 0.5), 10);
    // The masked FSC is higher (less solvent noise), so its crossing is finer.
    expect(result.fscMaskedResolution!).toBeLessThan(result.fscResolution!);
  });

  it("under vrs-compat scales the SSNR resolution by 1/(2·Ts²) and crosses the DPR at 102.9°", () => {
    const compat = fscAnalysis(half1, half2, { mode: "vrs-compat" });
    expect(compat.ssnrResolution!).toBeCloseTo(result.ssnrResolution! / (2 * 2.02 ** 2), 10);
    expect(compat.dprThreshold).toBe(102.9);
    expect(compat.dprResolution!).toBeGreaterThan(result.dprResolution!);
    expect(compat.fscResolution).toBe(result.fscResolution);
    expect(compat.shells.every((s) => s.fscMasked === null && s.fscCorrected === null)).toBe(true);
  });
});

describe("analytic cases", () => {
  it("identical halves: FSC 1 and DPR 0 in every shell; SSNR cannot be measured (no noise)", () => {
    const v = noiseVolume(24, 7);
    const mask = makeVolume(24, 24, 24, (x, y, z) => Math.exp(-((x - 12) ** 2 + (y - 12) ** 2 + (z - 12) ** 2) / 50));
    const r = fscAnalysis(v, v, { mask });
    for (const s of r.shells) {
      expect(s.fsc).toBeCloseTo(1, 12);
      expect(s.fscMasked!).toBeCloseTo(1, 12);
      expect(s.fscCorrected!).toBeCloseTo(1, 12);
      expect(s.dpr).toBe(0);
    }
    expect(r.randomisation).toEqual({ fromShell: null, seed: 1, fscRandomisedMasked: null });
    expect(r.fscResolution).toBeNull();
    expect(r.ssnrResolution).toBeNull();
    expect(r.ssnr.meanRatio.every(Number.isNaN)).toBe(true);
    expect(r.ssnr.excludedVoxels).toBeGreaterThan(0);
  });

  it("odd and non-cubic boxes: rows are shells 1 … ⌊Xdim/2⌋ at i/(Xdim·Ts), and identical halves still give 1", () => {
    for (const [nx, ny, nz] of [[15, 15, 15], [20, 16, 12], [12, 18, 21]]) {
      const normal = seededNormal(nx * ny * nz);
      const v = makeVolume(nx, ny, nz, () => normal(), [1.5, 1.5, 1.5]);
      const noisy = makeVolume(nx, ny, nz, () => normal(), [1.5, 1.5, 1.5]);
      const mask = makeVolume(nx, ny, nz, () => 0.5);
      const same = fscAnalysis(v, v, { mask });
      expect(same.shells.map((s) => s.index)).toEqual(Array.from({ length: Math.floor(nx / 2) }, (_, i) => i + 1));
      same.shells.forEach((s) => {
        expect(s.frequency).toBeCloseTo(s.index / (nx * 1.5), 12);
        expect(s.fsc).toBeCloseTo(1, 12);
        expect(s.fscCorrected!).toBeCloseTo(1, 12);
      });
      const pair = fscAnalysis(v, noisy, { mask });
      expect(pair.randomisation!.fromShell).toBe(1);
      expect(pair.shells.every((s) => Math.abs(s.fsc) < 1 && Number.isFinite(s.fscCorrected!))).toBe(true);
    }
  });

  it("empty halves: every curve is NaN (could not be measured) and no resolution is reported", () => {
    const zero = makeVolume(16, 16, 16, () => 0);
    const r = fscAnalysis(zero, zero);
    expect(r.shells.every((s) => Number.isNaN(s.fsc) && Number.isNaN(s.dpr))).toBe(true);
    expect([r.fscResolution, r.dprResolution, r.ssnrResolution]).toEqual([null, null, null]);
  });

  it("independent noise: |FSC| within 3σ = 3/√n of 0 in every shell, and the spread is 1/√n", () => {
    const r = fscAnalysis(noiseVolume(64, 11), noiseVolume(64, 12));
    const z = r.shells.map((s, i) => s.fsc * Math.sqrt(r.shellVoxels[i]));
    for (const [i, s] of r.shells.entries()) expect(Math.abs(s.fsc)).toBeLessThan(r.threeSigma[i]);
    const rms = Math.sqrt(z.reduce((a, b) => a + b * b, 0) / z.length);
    expect(rms).toBeGreaterThan(0.7);
    expect(rms).toBeLessThan(1.3);
    // Random phases: the DPR is near the random-phase RMS 180/√3 = 103.9° in the outer shells.
    for (const s of r.shells.filter((s) => s.index > 8)) expect(Math.abs(s.dpr - 180 / Math.sqrt(3))).toBeLessThan(6);
  });

  it("a known per-shell SNR S/N: FSC = S/(S+N) within sampling error", () => {
    const { h1, h2 } = pairWithSnr(48, snr);
    const r = fscAnalysis(h1, h2);
    for (const [i, s] of r.shells.entries()) {
      const expected = snr(s.index) / (snr(s.index) + 1);
      // Var(FSC) ≈ (1 − ρ²)²/n for a correlation ρ over n voxels; 4σ plus the shells' own kx = 0 plane duplicates.
      expect(Math.abs(s.fsc - expected)).toBeLessThan((4 * (1 - expected ** 2)) / Math.sqrt(r.shellVoxels[i]) + 0.01);
    }
  });

  it("a mask of ones: masked FSC = FSC; the randomised FSC equals it below the randomisation shell and is noise beyond", () => {
    const { h1, h2 } = pairWithSnr(48, snr);
    const r = fscAnalysis(h1, h2, { mask: makeVolume(48, 48, 48, () => 1) });
    const from = r.randomisation!.fromShell!;
    expect(r.shells[from - 1].fsc).toBeLessThan(0.8);
    expect(r.shells[from - 2].fsc).toBeGreaterThanOrEqual(0.8);
    const randomised = r.randomisation!.fscRandomisedMasked!;
    for (const [i, s] of r.shells.entries()) {
      expect(s.fscMasked!).toBeCloseTo(s.fsc, 12);
      // Shell `from` holds radii from − 0.5 … from + 0.5 Fourier pixels: only its outer part is randomised.
      if (s.index < from) expect(randomised[i]).toBeCloseTo(s.fsc, 9);
      else if (s.index > from) expect(Math.abs(randomised[i])).toBeLessThan(4 / Math.sqrt(r.shellVoxels[i]));
      else expect(Math.abs(randomised[i])).toBeLessThan(s.fsc);
      if (s.index >= from + 2) expect(s.fscCorrected!).toBeCloseTo((s.fsc - randomised[i]) / (1 - randomised[i]), 12);
    }
  });

  it("phase randomisation keeps every amplitude and the map real (Friedel mates conjugate), and the phases below the shell", () => {
    for (const n of [16, 15]) {
      const original = realFft3d(noiseVolume(n, 31));
      const randomised = { ...original, data: original.data.slice() };
      let state = 0;
      randomisePhases(randomised, 5, () => ((state = (state * 69069 + 1) >>> 0) / 2 ** 32));
      // Through real space and back: a spectrum that is not Hermitian would lose its non-Hermitian part here.
      const roundTrip = realFft3d({ nx: n, ny: n, nz: n, data: inverseRealFft3d(randomised) });
      let changed = 0;
      for (let kz = 0, e = 0; kz < n; kz++)
        for (let ky = 0; ky < n; ky++)
          for (let kx = 0; kx < halfWidth(n); kx++, e++) {
            const [r0, i0, r1, i1] = [original.data[2 * e], original.data[2 * e + 1], roundTrip.data[2 * e], roundTrip.data[2 * e + 1]];
            expect(Math.hypot(r1, i1)).toBeCloseTo(Math.hypot(r0, i0), 9);
            const radius = Math.hypot(digitalFrequency(kx, n), digitalFrequency(ky, n), digitalFrequency(kz, n)) * n;
            if (radius < 5) expect([r1, i1].map((v) => +v.toFixed(9))).toEqual([r0, i0].map((v) => +v.toFixed(9)));
            else if (Math.abs(r1 - r0) + Math.abs(i1 - i0) > 1e-6) changed++;
          }
      expect(changed).toBeGreaterThan(1000);
    }
  });

  it("half-bit curve: van Heel & Schatz's values (→ 0.1716 for large shells, 1 for one voxel)", () => {
    expect(halfBitThreshold(1)).toBeCloseTo(1, 3);
    expect(halfBitThreshold(1e12)).toBeCloseTo(0.2071 / 1.2071, 5);
    expect(halfBitThreshold(100)).toBeCloseTo((0.2071 + 0.19102) / (1.2071 + 0.09102), 10);
  });
});

describe("firstCrossing (VRS's findFirstCross)", () => {
  const x = [1, 2, 3, 4, 5];
  it("interpolates x between the rows around the first value below the level", () => {
    expect(firstCrossing(x, [1, 0.9, 0.5, 0.1, 0], 0.3, "below")).toBeCloseTo(3.5, 12);
    expect(firstCrossing(x, [0, 10, 50, 110, 120], 100, "above")).toBeCloseTo(3 + 50 / 60, 12);
  });
  it("counts a crossing in the first two rows, or none at all, as no crossing", () => {
    expect(firstCrossing(x, [0.1, 0.1, 0.1, 0.1, 0.1], 0.3, "below")).toBeNull();
    expect(firstCrossing(x, [1, 0.1, 0.1, 0.1, 0.1], 0.3, "below")).toBeNull();
    expect(firstCrossing(x, [1, 1, 1, 1, 1], 0.3, "below")).toBeNull();
  });
  it("crosses a curve level row by row, and never at a NaN row", () => {
    expect(firstCrossing(x, [1, 1, 0.6, 0.2, 0], [0.5, 0.5, 0.5, 0.4, 0.3], "below")).toBeCloseTo(3 + 0.1 / 0.3, 12);
    expect(firstCrossing(x, [1, 1, NaN, 0.2, 0], 0.5, "below")).toBeNaN(); // interpolating from a NaN row, as interp1d
    expect(firstCrossing(x, [1, 1, 1, NaN, NaN], 0.5, "below")).toBeNull();
  });
});

describe("bad input", () => {
  const a = noiseVolume(16, 1);
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return (e as { code?: string }).code;
    }
    return "no error";
  };
  it("refuses halves of different shapes or voxel sizes, tiny boxes, masks that do not fit, bad seeds and modes", () => {
    expect(code(() => fscAnalysis(a, noiseVolume(18, 2)))).toBe("half-map-shape-mismatch");
    expect(code(() => fscAnalysis(a, { ...noiseVolume(16, 2), voxelSize: [1.5, 1.5, 1.5] }))).toBe("half-map-voxel-size-mismatch");
    expect(code(() => fscAnalysis(noiseVolume(6, 1), noiseVolume(6, 2)))).toBe("half-map-too-small");
    expect(code(() => fscAnalysis(a, a, { mask: makeVolume(8, 8, 8, () => 1) }))).toBe("mask-shape-mismatch");
    expect(code(() => fscAnalysis(a, a, { mask: makeVolume(16, 16, 16, (x) => (x === 3 ? 1.5 : 1)) }))).toBe("bad-mask-value");
    expect(code(() => fscAnalysis(a, a, { mask: makeVolume(16, 16, 16, (x) => (x === 3 ? NaN : 1)) }))).toBe("bad-mask-value");
    expect(code(() => fscAnalysis({ ...a, voxelSize: null }, a))).toBe("unknown-voxel-size");
    expect(code(() => fscAnalysis(a, a, { memoryBudgetBytes: 1000 }))).toBe("memory-budget");
    expect(code(() => fscAnalysis(a, a, { seed: 1.5 }))).toBe("bad-seed");
    expect(code(() => fscAnalysis(a, a, { seed: -1 }))).toBe("bad-seed");
    expect(code(() => fscAnalysis(a, a, { mode: "compat" as never }))).toBe("bad-mode");
  });
  it("analyses non-finite voxels as the half's finite mean, and counts them", () => {
    const data = Float32Array.from(a.data);
    data[5] = NaN;
    const r = fscAnalysis({ ...a, data }, a);
    expect(r.nonFiniteVoxels).toEqual([1, 0]);
    expect(r.shells.every((s) => Number.isFinite(s.fsc))).toBe(true);
  });
  it("uses 103.9° for the DPR by default", () => expect(DPR_THRESHOLD.default).toBeCloseTo(180 / Math.sqrt(3), 1));
});
