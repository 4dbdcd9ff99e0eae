import { describe, expect, it } from "vitest";
import { realFft3d, type GridShape } from "../lib/fourier/fft3d.js";
import { lowPassRaisedCosine, resampleSpectrum, vrsResample, windowCentered } from "../lib/fourier/resample.js";
import { inverseRealFft3d } from "../lib/fourier/fft3d.js";
import { makeVolume, type Vec3 } from "../lib/io/volume.js";
import { centeredUniform } from "./helpers/random.js";

/** A periodic test function on an n-voxel box made of waves of a few cycles per box (band-limited by construction). */
function waves(n: Vec3, cycles: number) {
  return (x: number, y: number, z: number) =>
    1.5 +
    Math.cos((2 * Math.PI * cycles * x) / n[0] + 0.3) +
    0.5 * Math.sin((2 * Math.PI * (x / n[0] + 2 * y / n[1] - z / n[2])) + 1.1) +
    0.25 * Math.cos((2 * Math.PI * cycles * z) / n[2] - 0.7);
}

function sampleGrid(shape: GridShape, f: (x: number, y: number, z: number) => number): Float64Array {
  const out = new Float64Array(shape.nx * shape.ny * shape.nz);
  let i = 0;
  for (let z = 0; z < shape.nz; z++) for (let y = 0; y < shape.ny; y++) for (let x = 0; x < shape.nx; x++) out[i++] = f(x, y, z);
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

describe("resampleSpectrum", () => {
  const cases: [GridShape, GridShape][] = [
    [{ nx: 12, ny: 10, nz: 9 }, { nx: 8, ny: 7, nz: 6 }],
    [{ nx: 9, ny: 8, nz: 7 }, { nx: 16, ny: 13, nz: 10 }],
    [{ nx: 10, ny: 10, nz: 10 }, { nx: 10, ny: 10, nz: 10 }],
    [{ nx: 11, ny: 6, nz: 8 }, { nx: 7, ny: 9, nz: 8 }],
  ];
  for (const [from, to] of cases) {
    for (const shift of [[0, 0, 0], [0.5, -1.25, 2]] as Vec3[]) {
      it(`interpolates band-limited data exactly from ${from.nx}×${from.ny}×${from.nz} to ${to.nx}×${to.ny}×${to.nz}, shift ${shift}`, () => {
        const n: Vec3 = [from.nx, from.ny, from.nz];
        // 2 cycles per box is below the Nyquist limit of every grid here, so the interpolation has no error.
        const f = waves(n, 2);
        const spectrum = realFft3d({ ...from, data: sampleGrid(from, f) });
        const out = resampleSpectrum(spectrum, to, shift);
        const expected = sampleGrid(to, (x, y, z) =>
          f((x * from.nx) / to.nx + shift[0], (y * from.ny) / to.ny + shift[1], (z * from.nz) / to.nz + shift[2]),
        );
        expect(maxAbsDiff(out, expected)).toBeLessThan(1e-12);
      });
    }
  }

  it("samples waves that sit exactly on the output Nyquist frequency, with and without a shift", () => {
    const from = { nx: 12, ny: 8, nz: 5 };
    const to = { nx: 8, ny: 4, nz: 5 };
    // 4 cycles along x and 2 along y are the Nyquist frequencies of the 8×4 output grid.
    const f = (x: number, y: number) => Math.cos((2 * Math.PI * 4 * x) / 12 + 0.3) + Math.cos((2 * Math.PI * 2 * y) / 8 - 0.2);
    for (const shift of [[0, 0, 0], [0.4, -0.7, 0]] as Vec3[]) {
      const out = resampleSpectrum(realFft3d({ ...from, data: sampleGrid(from, f) }), to, shift);
      const expected = sampleGrid(to, (x, y) => f((x * 12) / 8 + shift[0], (y * 8) / 4 + shift[1]));
      expect(maxAbsDiff(out, expected)).toBeLessThan(1e-12);
    }
  });

  it("keeps the mean of random data and makes crop(pad(x)) = x (Nyquist bins included)", () => {
    const from = { nx: 10, ny: 8, nz: 6 };
    const data = Float64Array.from({ length: 480 }, centeredUniform(7));
    const out = resampleSpectrum(realFft3d({ ...from, data }), { nx: 6, ny: 4, nz: 4 });
    const mean = (v: ArrayLike<number>) => Array.from(v).reduce((s, x) => s + x, 0) / v.length;
    expect(mean(out)).toBeCloseTo(mean(data), 12);
    // Down to 6×4×4 and back up: only the frequencies both grids share survive, so a second round trip is exact.
    const up = resampleSpectrum(realFft3d({ nx: 6, ny: 4, nz: 4, data: out }), from);
    const down = resampleSpectrum(realFft3d({ ...from, data: up }), { nx: 6, ny: 4, nz: 4 });
    expect(maxAbsDiff(down, out)).toBeLessThan(1e-12);
  });
});

describe("resampleSpectrum with a low-pass", () => {
  it("gives exactly what resampling a low-passed copy gives, and leaves the spectrum unchanged", () => {
    const from = { nx: 15, ny: 12, nz: 10 };
    const spectrum = realFft3d({ ...from, data: Float64Array.from({ length: 15 * 12 * 10 }, centeredUniform(3)) });
    const kept = spectrum.data.slice();
    const lowPassed = { ...spectrum, data: spectrum.data.slice() };
    lowPassRaisedCosine(lowPassed, 0.2);
    for (const [to, shift] of [[{ nx: 9, ny: 8, nz: 6 }, [0.5, -1, 0]], [{ nx: 20, ny: 12, nz: 11 }, [0, 0, 0]]] as const) {
      const expected = resampleSpectrum(lowPassed, to, [...shift]);
      expect(resampleSpectrum(spectrum, to, [...shift], { cutoff: 0.2 })).toStrictEqual(expected);
    }
    expect(spectrum.data).toStrictEqual(kept);
  });
});

describe("lowPassRaisedCosine", () => {
  it("keeps waves below the cutoff, removes those beyond cutoff + width and tapers those in between", () => {
    const shape = { nx: 50, ny: 4, nz: 4 };
    // Waves of 5, 10 and 15 cycles along x: digital frequencies 0.1, 0.2 and 0.3.
    const f = (c: number) => (x: number) => Math.cos((2 * Math.PI * c * x) / 50);
    for (const [cycles, gain] of [
      [5, 1],
      [10, (1 + Math.cos((Math.PI / 0.1) * (0.2 - 0.15))) / 2],
      [15, 0],
    ]) {
      const spectrum = realFft3d({ ...shape, data: sampleGrid(shape, f(cycles)) });
      lowPassRaisedCosine(spectrum, 0.15, 0.1);
      const expected = sampleGrid(shape, (x) => gain * f(cycles)(x));
      expect(maxAbsDiff(inverseRealFft3d(spectrum), expected)).toBeLessThan(1e-12);
    }
  });
});

describe("windowCentered", () => {
  it("keeps the voxels around the logical centre ⌊n/2⌋ and pads with zeros", () => {
    const values = Float64Array.from({ length: 5 }, (_, i) => i + 1);
    expect(Array.from(windowCentered(values, { nx: 5, ny: 1, nz: 1 }, { nx: 4, ny: 1, nz: 1 }))).toEqual([1, 2, 3, 4]);
    expect(Array.from(windowCentered(values, { nx: 5, ny: 1, nz: 1 }, { nx: 3, ny: 1, nz: 1 }))).toEqual([2, 3, 4]);
    expect(Array.from(windowCentered(values, { nx: 5, ny: 1, nz: 1 }, { nx: 7, ny: 1, nz: 1 }))).toEqual([0, 1, 2, 3, 4, 5, 0]);
  });
});

describe("vrsResample", () => {
  it("resamples EMD-3488-like geometry (100³, 1.05 Å, 3.2 Å) to a 64³ box at Ts = 1.6 Å as VRS does", () => {
    const volume = makeVolume(100, 100, 100, () => 1, [1.05, 1.05, 1.05], [10, 20, 30]);
    const { volume: out, targetVoxelSize } = vrsResample(volume, { voxelSize: 1.05, resolution: 3.2 });
    expect(targetVoxelSize).toBe(1.6);
    expect([out.nx, out.ny, out.nz]).toEqual([64, 64, 64]); // ⌊100·1.05/1.6⌋ = 65, windowed to 2·⌊65.6/2⌋ = 64
    expect(out.voxelSize![0]).toBeCloseTo((1.05 * 100) / 65, 12);
    expect(maxAbsDiff(out.data, new Float32Array(out.data.length).fill(1))).toBeLessThan(1e-6);
  });

  it("keeps a centred blob centred (scaling about voxel ⌊n/2⌋, like Xmipp)", () => {
    const n = 40;
    const ts = 1;
    const blob = makeVolume(n, n, n, (x, y, z) => Math.exp(-((x - 20) ** 2 + (y - 20) ** 2 + (z - 20) ** 2) / 18));
    const { volume: out } = vrsResample(blob, { voxelSize: ts, resolution: 3 });
    // 40 voxels of 1 Å → ⌊40/1.5⌋ = 26 voxels, window 26; the blob's peak is at voxel 13 = ⌊26/2⌋.
    expect(out.nx).toBe(26);
    let peak = 0;
    for (let i = 1; i < out.data.length; i++) if (out.data[i] > out.data[peak]) peak = i;
    expect(peak).toBe(13 + 26 * (13 + 26 * 13));
    // Voxel 13 of the output sits at input voxel 20 in Å, i.e. origin + 13·Ts' = 20 Å.
    expect(out.origin[0] + 13 * out.voxelSize![0]).toBeCloseTo(20, 12);
  });

  it("keeps the map itself when the resolution is 2·Ts (the same grid, no low-pass): the interpolation is the identity", () => {
    const volume = makeVolume(16, 12, 10, (x, y, z) => Math.sin(x / 3) + Math.cos((y * z) / 7), [0.8, 0.8, 0.8], [1, 2, 3]);
    const { volume: out, targetVoxelSize } = vrsResample(volume, { voxelSize: 0.8, resolution: 1.6 });
    expect(targetVoxelSize).toBe(0.8);
    expect([out.nx, out.ny, out.nz]).toEqual([16, 12, 10]);
    expect(out.data).toBe(volume.data);
    expect(out.origin).toEqual([1, 2, 3]);
    // …which is what the band-limited resampling onto the same grid gives, to rounding.
    const fourier = resampleSpectrum(realFft3d(volume), volume, [0, 0, 0]);
    expect(maxAbsDiff(fourier, volume.data)).toBeLessThan(1e-6);
  });
});
