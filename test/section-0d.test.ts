import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { inverseRealFft3d, realFft3d } from "../lib/fourier/fft3d.js";
import { parseMap } from "../lib/io/mrc-reader.js";
import { digitalFrequency } from "../lib/fourier/radial.js";
import { bfactorCorrectedMap, bfactorSection, guinierPlot, leastSquaresLine } from "../lib/level0/section-0d-bfactor.js";
import { makeVolume, type Volume } from "../lib/io/volume.js";
import emd3488 from "./fixtures/bfactor-emd-3488.json" with { type: "json" };
import emd1997 from "./fixtures/bfactor-emd-1997.json" with { type: "json" };
import emd3488Crop from "./fixtures/bfactor-emd-3488-crop.json" with { type: "json" };
import { seededNormal } from "./helpers/random.js";

function whiteNoise(n: number, seed: number): Volume {
  const normal = seededNormal(seed);
  return { nx: n, ny: n, nz: n, data: Float32Array.from({ length: n * n * n }, normal), voxelSize: [1, 1, 1], origin: [0, 0, 0] };
}

/**
 * A map whose Fourier amplitudes are exactly exp(B·s²/4) (random phases taken from white noise), so its Guinier plot
 * is the line B/4 up to the spread of s² inside each one-voxel shell.
 */
function mapWithBFactor(n: number, voxelSize: number, B: number, seed: number): Volume {
  const spectrum = realFft3d(whiteNoise(n, seed));
  const { hx, data } = spectrum;
  let e = 0;
  for (let kz = 0; kz < n; kz++)
    for (let ky = 0; ky < n; ky++)
      for (let kx = 0; kx < hx; kx++, e++) {
        const s2 =
          (digitalFrequency(kx, n) ** 2 + digitalFrequency(ky, n) ** 2 + digitalFrequency(kz, n) ** 2) /
          (voxelSize * voxelSize);
        const scale = Math.exp((B * s2) / 4) / Math.hypot(data[2 * e], data[2 * e + 1]);
        data[2 * e] *= scale;
        data[2 * e + 1] *= scale;
      }
  const values = Float32Array.from(inverseRealFft3d(spectrum));
  return { nx: n, ny: n, nz: n, data: values, voxelSize: [voxelSize, voxelSize, voxelSize], origin: [0, 0, 0] };
}

/** Reads a bundled map, optionally keeping only its first [nz, ny, nx] voxels (the fixture script's crop). */
function readBundledMap(path: string, crop: number[] | null = null): Volume {
  const volume = parseMap(new Uint8Array(readFileSync(new URL(`../${path}`, import.meta.url)))).volume;
  if (!crop) return volume;
  const [nz, ny, nx] = crop;
  return makeVolume(nx, ny, nz, (x, y, z) => volume.data[x + volume.nx * (y + volume.ny * z)], volume.voxelSize);
}

function expectClose(actual: readonly number[], expected: readonly number[], tolerance: number) {
  expect(actual.length).toBe(expected.length);
  actual.forEach((value, i) => expect(Math.abs(value - expected[i])).toBeLessThan(tolerance));
}

describe("bfactorSection on synthetic maps with a known B", () => {
  // The only model error is the spread of s² inside each one-voxel shell, which biases the slope by a fraction of
  // order |B|/(12·L²), L = n·Ts the box edge in Å: 0.1–0.5 % here (measured: −49.86, −149.42, −248.78). 1 % bounds it.
  for (const B of [-50, -150, -250]) {
    it(`recovers B = ${B} Å² within 1 %`, () => {
      const section = bfactorSection(mapWithBFactor(64, 1, B, 7), { voxelSize: 1, resolution: 4 });
      expect(section.status).toBe("ok");
      expect(Math.abs(section.results!.B! - B)).toBeLessThan(0.01 * Math.abs(B));
      expect(section.results!.points).toBe(12); // shells i = 5 … 16, i.e. 64/i = 12.8 … 4 Å
    });
  }

  it("gives B ≈ 0 for a flat spectrum", () => {
    const section = bfactorSection(mapWithBFactor(48, 1.5, 0, 3), { voxelSize: 1.5, resolution: 3.5 });
    expect(Math.abs(section.results!.B!)).toBeLessThan(0.05);
  });

  it("gives a small |B| for pure white noise", () => {
    // Expected |F| is flat for white noise; shell means of ~10³–10⁴ Rayleigh amplitudes wobble by ~1 %.
    const section = bfactorSection(whiteNoise(48, 11), { voxelSize: 1, resolution: 3 });
    expect(Math.abs(section.results!.B!)).toBeLessThan(3);
  });

  it("warns that a positive B is oversharpened", () => {
    const section = bfactorSection(mapWithBFactor(48, 1, 40, 5), { voxelSize: 1, resolution: 4 });
    expect(section.status).toBe("warnings");
    expect(section.results!.B!).toBeGreaterThan(0);
    expect(section.warnings).toEqual(["The B-factor is out of the interval [-300,0]. It is oversharpened."]);
    expect(section.summarySentence).toBe("There seems to be a problem with its B-factor (see Sec. 0.d). ");
  });

  it("corrects the Guinier plot to a flat line, except where Xmipp leaves bins beyond the resolution alone", () => {
    const section = bfactorSection(mapWithBFactor(48, 1, -120, 9), { voxelSize: 1, resolution: 4 });
    const { corrected, lnF, fitted } = section.results!.guinier;
    const last = corrected.length - 1; // the 4 Å shell: its outer half (1/s < 4 Å) is not sharpened
    const flat = corrected.filter((_, i) => fitted[i] && i < last);
    expect(Math.max(...flat) - Math.min(...flat)).toBeLessThan(0.05);
    expect(corrected[last]).toBeLessThan(Math.min(...flat) - 0.3);
    expect(corrected[0]).toBeCloseTo(lnF[0], 12);
  });
});

describe("bfactorCorrectedMap", () => {
  // Two plane waves on a 24 × 20 × 16 grid of 1.5 Å voxels: along x at k = 3 (d = 24·1.5/3 = 12 Å, s = 1/12 Å⁻¹) and
  // along y at k = 8 (d = 20·1.5/8 = 3.75 Å), plus a constant. With the resolution at 5 Å, the first wave is within it
  // and is multiplied by exp(−B·s²/4); the second is finer than the resolution and stays as it is, as does the constant.
  const [nx, ny, nz, ts] = [24, 20, 16, 1.5];
  const wave = (x: number, y: number, gainX: number) =>
    0.7 + 2 * gainX * Math.cos((2 * Math.PI * 3 * x) / nx + 0.4) + Math.sin((2 * Math.PI * 8 * y) / ny);
  const volume = makeVolume(nx, ny, nz, (x, y) => wave(x, y, 1), [ts, ts, ts]);
  it("multiplies each frequency within the resolution by exp(−B·s²/4) and leaves finer ones alone", () => {
    for (const B of [-120, 250]) {
      const gain = Math.exp(-0.25 * B * (1 / 12) ** 2);
      const corrected = bfactorCorrectedMap(volume, { voxelSize: ts, resolution: 5, B });
      expect([corrected.nx, corrected.ny, corrected.nz]).toEqual([nx, ny, nz]);
      const expected = makeVolume(nx, ny, nz, (x, y) => wave(x, y, gain), [ts, ts, ts]);
      let worst = 0;
      for (let i = 0; i < expected.data.length; i++) worst = Math.max(worst, Math.abs(corrected.data[i] - expected.data[i]));
      expect(worst).toBeLessThan(1e-5);
    }
  });
  it("is the map itself for B = 0 and rejects a non-finite B or resolution with a named error", () => {
    const same = bfactorCorrectedMap(volume, { voxelSize: ts, resolution: 5, B: 0 });
    for (let i = 0; i < same.data.length; i += 97) expect(same.data[i]).toBeCloseTo(volume.data[i], 5);
    expect(() => bfactorCorrectedMap(volume, { voxelSize: ts, resolution: 5, B: NaN })).toThrow(
      expect.objectContaining({ code: "bad-bfactor" }),
    );
    expect(() => bfactorCorrectedMap(volume, { voxelSize: ts, resolution: 0, B: -50 })).toThrow(
      expect.objectContaining({ code: "bad-resolution" }),
    );
  });
});

describe("bfactorSection applicability", () => {
  const volume = whiteNoise(16, 1);

  it("does not apply without a resolution", () => {
    const section = bfactorSection(volume, { voxelSize: 1, resolution: null });
    expect(section.status).toBe("does-not-apply");
    expect(section.reason).toBe("This method cannot be applied to maps with no resolution reported.");
    expect(section.results).toBeNull();
  });

  it("does not apply to maps worse than 8 Å, in both modes", () => {
    for (const mode of ["default", "vrs-compat"] as const) {
      const section = bfactorSection(volume, { voxelSize: 3, resolution: 8.5, mode });
      expect(section.status).toBe("does-not-apply");
      expect(section.reason).toBe("This method cannot be applied to maps with a resolution worse than 8Å.");
    }
  });

  it("is not measured when fewer than two shells lie between 15 Å and the resolution", () => {
    // 6³ voxels of 3 Å: shells at 18, 9 and 6 Å, and only 9 Å is in [8, 15].
    const small = whiteNoise(6, 2);
    const section = bfactorSection(small, { voxelSize: 3, resolution: 8 });
    expect(section.status).toBe("not-measured");
    expect(section.results).toBeNull();
    expect(section.reason).toMatch(/Only 1 Guinier point/);
  });

  it("passes silently in vrs-compat mode when no line can be fitted, as VRS does with B = NaN", () => {
    const section = bfactorSection(whiteNoise(6, 2), { voxelSize: 3, resolution: 8, mode: "vrs-compat" });
    expect(section.status).toBe("ok");
    expect(section.results!.B).toBeNull();
    expect(section.results!.guinier.fit).toEqual([]);
  });

  it("fits nothing when the resolution is worse than 15 Å (Xmipp's 0/0)", () => {
    const plot = guinierPlot(realFft3d(whiteNoise(32, 4)), { voxelSize: 2, maxResolution: 20 });
    expect(plot.fitted.some(Boolean)).toBe(false);
    const line = leastSquaresLine(plot.x, plot.lnF, plot.fitted);
    expect(line.points).toBe(0);
    expect(line.slope).toBeNaN();
  });

  it("rejects a voxel size or resolution that is not a positive number", () => {
    expect(() => bfactorSection(volume, { voxelSize: 0, resolution: 3 })).toThrow(/voxelSize/);
    expect(() => bfactorSection(volume, { voxelSize: 1, resolution: -2 })).toThrow(/resolution/);
  });
});

describe("leastSquaresLine", () => {
  it("recovers an exact line from the selected points only", () => {
    const x = [0, 1, 2, 3, 4];
    const y = x.map((v) => 2 - 0.5 * v);
    y[0] = 100; // not selected
    const line = leastSquaresLine(x, y, [false, true, true, true, true]);
    expect(line.slope).toBeCloseTo(-0.5, 14);
    expect(line.intercept).toBeCloseTo(2, 14);
    expect(line.points).toBe(4);
  });
});

describe("bfactorSection against the numpy re-implementation of Xmipp (scripts/make-fft-fixtures.py)", () => {
  for (const fixture of [emd3488, emd1997, emd3488Crop]) {
    const box = fixture.crop ? `, cropped to (z, y, x) = (${fixture.crop.join(", ")})` : "";
    it(`reproduces ${fixture.map}${box} (Ts ${fixture.voxelSize} Å, resolution ${fixture.resolution} Å)`, () => {
      const volume = readBundledMap(fixture.map, fixture.crop);
      const section = bfactorSection(volume, { voxelSize: fixture.voxelSize, resolution: fixture.resolution });
      const results = section.results!;
      expect(results.points).toBe(fixture.points);
      expect(results.guinier.fitted).toEqual(fixture.fitted);
      expectClose(results.guinier.x, fixture.x, 1e-15);
      expectClose(results.guinier.lnF, fixture.lnF, 1e-10);
      expectClose(results.guinier.corrected, fixture.corrected, 1e-10);
      expect(results.slope!).toBeCloseTo(fixture.slope, 8);
      expect(results.intercept!).toBeCloseTo(fixture.intercept, 8);
      expect(results.B!).toBeCloseTo(fixture.B, 8);
    });
  }

  it("passes EMD-3488 (B ≈ −10.8 Å²) and warns on EMD-1997 (B ≈ −563 Å²), without 'oversharpened'", () => {
    const ok = bfactorSection(readBundledMap(emd3488.map), { voxelSize: 1.05, resolution: 3.2 });
    expect(ok.status).toBe("ok");
    expect(ok.summarySentence).toBeNull();
    const low = bfactorSection(readBundledMap(emd1997.map), { voxelSize: 2.02, resolution: 7 });
    expect(low.status).toBe("warnings");
    expect(low.warnings).toEqual(["The B-factor is out of the interval [-300,0]."]);
  });

  it("rounds B, slope and intercept to the 6 significant digits VRS reads back in vrs-compat mode", () => {
    const section = bfactorSection(readBundledMap(emd1997.map), { voxelSize: 2.02, resolution: 7, mode: "vrs-compat" });
    expect(section.results!.B).toBe(Number(emd1997.B.toPrecision(6)));
    expect(section.results!.slope).toBe(Number(emd1997.slope.toPrecision(6)));
  });
});
