/**
 * The resampling from only the bins it reads (lib/fourier/resample.ts `resampleGrid`, fft3d.ts `realFft3dBins`) gives
 * the numbers of the whole transform bit for bit: the same 1-D transforms run on the lines kept. Boxes include odd
 * edges and edges with a prime factor above 7 (Bluestein's transform), crops, pads, shifts and the low-pass.
 */
import { describe, expect, it } from "vitest";
import { halfWidth, realFft3d, realFft3dBins, type GridShape } from "../lib/fourier/fft3d.js";
import { resampleGrid, resampleSpectrum } from "../lib/fourier/resample.js";
import type { Vec3 } from "../lib/io/volume.js";
import { centeredUniform } from "./helpers/random.js";

function grid(shape: GridShape, seed: number) {
  const next = centeredUniform(seed);
  return { ...shape, data: Float32Array.from({ length: shape.nx * shape.ny * shape.nz }, next) };
}

describe("realFft3dBins", () => {
  it("holds the whole transform's values at the bins kept, bit for bit, and reports its progress up to 1", () => {
    // 13 × 11 rows: an odd count, pairs of x rows spanning planes and a last row alone; 11, 13 and 22 take Bluestein.
    for (const shape of [{ nx: 12, ny: 10, nz: 9 }, { nx: 11, ny: 13, nz: 22 }, { nx: 10, ny: 13, nz: 11 }]) {
      const g = grid(shape, 3);
      const full = realFft3d(g);
      const ys = [0, 1, 4, shape.ny - 1], zs = [0, 2, shape.nz - 3];
      const kx = halfWidth(shape.nx) - 2;
      const fractions: number[] = [];
      const bins = realFft3dBins(g, kx, ys, zs, (f) => fractions.push(f));
      expect(bins.length).toBe(2 * kx * ys.length * zs.length);
      for (let k = 0; k < zs.length; k++)
        for (let j = 0; j < ys.length; j++)
          for (let x = 0; x < kx; x++) {
            const e = 2 * (x + kx * (j + ys.length * k)), f = 2 * (x + full.hx * (ys[j] + shape.ny * zs[k]));
            expect([bins[e], bins[e + 1]]).toStrictEqual([full.data[f], full.data[f + 1]]);
          }
      expect(fractions.every((f, i) => f > (fractions[i - 1] ?? 0))).toBe(true);
      expect(fractions.at(-1)).toBeCloseTo(1, 12);
    }
  });

  it("refuses bins outside the grid", () => {
    const g = grid({ nx: 6, ny: 4, nz: 4 }, 1);
    expect(() => realFft3dBins(g, 5, [0], [0])).toThrow(/kx must be a whole number from 1 to 4/);
    expect(() => realFft3dBins(g, 2, [4], [0])).toThrow(/y bins must lie in 0 … 3/);
    expect(() => realFft3dBins(g, 2, [0], [-1])).toThrow(/z bins/);
  });
});

describe("resampleGrid", () => {
  const cases: [GridShape, GridShape][] = [
    [{ nx: 24, ny: 20, nz: 18 }, { nx: 12, ny: 10, nz: 8 }],
    [{ nx: 22, ny: 17, nz: 25 }, { nx: 9, ny: 8, nz: 13 }],
    [{ nx: 9, ny: 8, nz: 7 }, { nx: 16, ny: 13, nz: 10 }],
  ];
  for (const [from, to] of cases)
    for (const shift of [[0, 0, 0], [0.5, -1.25, 2]] as Vec3[])
      for (const lowPass of [undefined, { cutoff: 0.2 }])
        it(`equals resampleSpectrum of the whole transform, ${from.nx}×${from.ny}×${from.nz} → ${to.nx}×${to.ny}×${to.nz}, shift ${shift}, ${lowPass ? "low-pass" : "no low-pass"}`, () => {
          const g = grid(from, 7);
          const fractions: number[] = [];
          const out = resampleGrid(g, to, shift, lowPass, (f) => fractions.push(f));
          expect(out).toStrictEqual(resampleSpectrum(realFft3d(g), to, shift, lowPass));
          expect(fractions.every((f, i) => f >= (fractions[i - 1] ?? 0))).toBe(true);
          expect(fractions.at(-1)).toBeCloseTo(1, 12);
        });
});
