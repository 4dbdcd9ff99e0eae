import { describe, expect, it } from "vitest";
import { complexFft } from "../lib/fourier/fft.js";
import { complexFft3d, halfWidth, inverseRealFft3d, realFft3d, realFft3dFloat32, realRowsToHalfSpectrum, type GridShape } from "../lib/fourier/fft3d.js";
import fixtures from "./fixtures/fft-rfftn.json" with { type: "json" };
import { centeredUniform } from "./helpers/random.js";

/** The fixtures' inputs, rebuilt with the same LCG as scripts/make-fft-fixtures.py. */
function lcgValues(count: number, seed: number): Float64Array {
  return Float64Array.from({ length: count }, centeredUniform(seed));
}

/** Direct O(N²) 3-D DFT of a real or complex grid, full spectrum, interleaved, x fastest. */
function directDft3d(re: Float64Array, im: Float64Array, { nx, ny, nz }: GridShape, inverse = false): Float64Array {
  const out = new Float64Array(2 * nx * ny * nz);
  const sign = inverse ? 1 : -1;
  const scale = inverse ? 1 / (nx * ny * nz) : 1;
  let e = 0;
  for (let kz = 0; kz < nz; kz++)
    for (let ky = 0; ky < ny; ky++)
      for (let kx = 0; kx < nx; kx++, e++) {
        let sr = 0;
        let si = 0;
        let i = 0;
        for (let z = 0; z < nz; z++)
          for (let y = 0; y < ny; y++)
            for (let x = 0; x < nx; x++, i++) {
              const turns = ((kx * x) % nx) / nx + ((ky * y) % ny) / ny + ((kz * z) % nz) / nz;
              const c = Math.cos(sign * 2 * Math.PI * turns);
              const s = Math.sin(sign * 2 * Math.PI * turns);
              sr += re[i] * c - im[i] * s;
              si += re[i] * s + im[i] * c;
            }
        out[2 * e] = sr * scale;
        out[2 * e + 1] = si * scale;
      }
  return out;
}

function maxAbs(values: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < values.length; i++) worst = Math.max(worst, Math.abs(values[i]));
  return worst;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

const shapes: GridShape[] = [
  { nx: 1, ny: 1, nz: 1 },
  { nx: 2, ny: 1, nz: 1 },
  { nx: 1, ny: 3, nz: 2 },
  { nx: 5, ny: 6, nz: 7 },
  { nx: 8, ny: 8, nz: 8 },
  { nx: 12, ny: 13, nz: 3 },
  { nx: 17, ny: 2, nz: 5 },
  { nx: 7, ny: 1, nz: 9 },
  { nx: 6, ny: 9, nz: 4 },
];

const label = ({ nx, ny, nz }: GridShape) => `${nx}×${ny}×${nz}`;

describe("realFft3d", () => {
  for (const shape of shapes) {
    it(`equals the stored half of a direct DFT for ${label(shape)}`, () => {
      const n = shape.nx * shape.ny * shape.nz;
      const values = lcgValues(n, n + 11);
      const spectrum = realFft3d({ ...shape, data: values });
      const full = directDft3d(values, new Float64Array(n), shape);
      expect(spectrum.hx).toBe(Math.floor(shape.nx / 2) + 1);
      let worst = 0;
      for (let kz = 0; kz < shape.nz; kz++)
        for (let ky = 0; ky < shape.ny; ky++)
          for (let kx = 0; kx < spectrum.hx; kx++) {
            const half = 2 * (kx + spectrum.hx * (ky + shape.ny * kz));
            const whole = 2 * (kx + shape.nx * (ky + shape.ny * kz));
            worst = Math.max(
              worst,
              Math.abs(spectrum.data[half] - full[whole]),
              Math.abs(spectrum.data[half + 1] - full[whole + 1]),
            );
          }
      expect(worst).toBeLessThan(1e-12);
    });

    it(`round-trips ${label(shape)} to float64 precision`, () => {
      const n = shape.nx * shape.ny * shape.nz;
      const values = lcgValues(n, n + 3);
      const back = inverseRealFft3d(realFft3d({ ...shape, data: values }));
      expect(maxAbsDiff(back, values)).toBeLessThan(1e-15);
    });

    it(`complexFft3d matches a direct DFT both ways for ${label(shape)}`, () => {
      const n = shape.nx * shape.ny * shape.nz;
      const re = lcgValues(n, 5);
      const im = lcgValues(n, 6);
      const data = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) [data[2 * i], data[2 * i + 1]] = [re[i], im[i]];
      const original = data.slice();
      complexFft3d(data, shape, "forward");
      expect(maxAbsDiff(data, directDft3d(re, im, shape))).toBeLessThan(1e-12);
      complexFft3d(data, shape, "inverse");
      expect(maxAbsDiff(data, original)).toBeLessThan(1e-15);
    });
  }

  it("gives the same result when allowed to consume the spectrum", () => {
    const values = lcgValues(5 * 6 * 7, 9);
    const spectrum = realFft3d({ nx: 5, ny: 6, nz: 7, data: values });
    const kept = inverseRealFft3d(spectrum);
    expect(inverseRealFft3d(spectrum, true)).toEqual(kept);
  });

  it("runs in place when the grid is the start of the output, bit for bit the out-of-place transform", () => {
    // Odd and even nx; 15 rows (an unpaired last row) and 24.
    for (const shape of [{ nx: 7, ny: 5, nz: 3 }, { nx: 8, ny: 6, nz: 4 }, { nx: 1, ny: 3, nz: 3 }]) {
      const { nx, ny, nz } = shape;
      const values = lcgValues(nx * ny * nz, 11);
      const expected = realFft3d({ ...shape, data: values });
      const buffer = new Float64Array(expected.data.length);
      buffer.set(values);
      const inPlace = realFft3d({ ...shape, data: buffer.subarray(0, nx * ny * nz) }, buffer);
      expect(inPlace.data).toBe(buffer);
      expect(inPlace.data).toEqual(expected.data);
    }
  });

  it("accepts Float32Array volumes", () => {
    const values = Float32Array.from(lcgValues(60, 1));
    const back = inverseRealFft3d(realFft3d({ nx: 3, ny: 4, nz: 5, data: values }));
    expect(maxAbsDiff(back, values)).toBeLessThan(1e-15);
  });

  it("rejects data that does not match the shape", () => {
    expect(() => realFft3d({ nx: 2, ny: 2, nz: 2, data: new Float64Array(7) })).toThrow(RangeError);
    expect(() => realFft3d({ nx: 0, ny: 2, nz: 2, data: new Float64Array(0) })).toThrow(RangeError);
  });

  it("drops the imaginary parts a real inverse cannot carry, like numpy's irfftn", () => {
    // A lone imaginary DC and a lone imaginary x-Nyquist bin (kx = nx/2, ky = kz = 0) vanish from the real result.
    const spectrum = realFft3d({ nx: 4, ny: 3, nz: 2, data: new Float64Array(24) });
    spectrum.data[1] = 5;
    spectrum.data[2 * 2 + 1] = 7;
    expect(maxAbs(inverseRealFft3d(spectrum))).toBeLessThan(1e-15);
  });
});

describe("realFft3d against numpy rfftn fixtures", () => {
  for (const fixture of fixtures.cases) {
    const [nz, ny, nx] = fixture.shape;
    it(`matches np.fft.rfftn for (z, y, x) = (${nz}, ${ny}, ${nx})`, () => {
      const values = lcgValues(nx * ny * nz, fixture.seed);
      const spectrum = realFft3d({ nx, ny, nz, data: values });
      // Fixture stores real and imaginary parts in rfftn's C order, which is our layout.
      const diff = maxAbsDiff(spectrum.data, fixture.spectrum);
      expect(diff).toBeLessThan(1e-12 * maxAbs(fixture.spectrum));
      const back = inverseRealFft3d(spectrum);
      expect(maxAbsDiff(back, values)).toBeLessThan(1e-15);
    });
  }
});

describe("realFft3dFloat32", () => {
  for (const [nx, ny, nz] of [[8, 6, 5], [7, 9, 4], [1, 3, 2], [16, 16, 16]])
    it(`equals realFft3d rounded to float32 (two roundings) for ${nx}×${ny}×${nz}`, () => {
      const values = lcgValues(nx * ny * nz, nx + 10 * ny + 100 * nz);
      const exact = realFft3d({ nx, ny, nz, data: values }).data;
      const rounded = realFft3dFloat32({ nx, ny, nz, data: values });
      expect(rounded).toBeInstanceOf(Float32Array);
      expect(rounded.length).toBe(exact.length);
      expect(maxAbsDiff(Float64Array.from(rounded), exact)).toBeLessThan(3e-7 * maxAbs(exact));
    });

  it("writes into the buffer it is given and refuses one of the wrong size", () => {
    const grid = { nx: 4, ny: 4, nz: 4, data: lcgValues(64, 3) };
    const out = new Float32Array(2 * 3 * 16);
    expect(realFft3dFloat32(grid, out)).toBe(out);
    expect(() => realFft3dFloat32(grid, new Float32Array(10))).toThrow(RangeError);
  });
});

/** The x pass as it was before zero row pairs were skipped: every pair through the DFT, then separated. */
function denseXPass(input: ArrayLike<number>, out: Float64Array, nx: number, rowCount: number, inputOffset = 0): void {
  const hx = halfWidth(nx);
  const plan = complexFft(nx);
  const packed = new Float64Array(2 * nx);
  const z = new Float64Array(2 * nx);
  for (let row = 2 * Math.floor((rowCount - 1) / 2); row >= 0; row -= 2) {
    const hasPair = row + 1 < rowCount;
    const a = inputOffset + row * nx;
    for (let x = 0; x < nx; x++) {
      packed[2 * x] = input[a + x];
      packed[2 * x + 1] = hasPair ? input[a + nx + x] : 0;
    }
    plan.forward(z, packed);
    const outA = 2 * row * hx, outB = outA + 2 * hx;
    for (let k = 0; k < hx; k++) {
      const mirror = k === 0 ? 0 : nx - k;
      const [zr, zi, mr, mi] = [z[2 * k], z[2 * k + 1], z[2 * mirror], z[2 * mirror + 1]];
      out[outA + 2 * k] = 0.5 * (zr + mr);
      out[outA + 2 * k + 1] = 0.5 * (zi - mi);
      if (hasPair) {
        out[outB + 2 * k] = 0.5 * (zi + mi);
        out[outB + 2 * k + 1] = -0.5 * (zr - mr);
      }
    }
  }
}

/** The bits of each value (+0 and −0 differ). */
const bits = (values: Float64Array) => Array.from(new BigUint64Array(values.buffer, values.byteOffset, values.length));

describe("realRowsToHalfSpectrum skips zero row pairs", () => {
  /** Rows of random values, zero where `zero(row)`: whole zero pairs, pairs with one zero row, a zero unpaired last row. */
  const sparseRows = (nx: number, rowCount: number, zero: (row: number) => boolean, seed: number) => {
    const values = lcgValues(nx * rowCount, seed);
    for (let row = 0; row < rowCount; row++) if (zero(row)) values.fill(0, row * nx, (row + 1) * nx);
    return values;
  };
  const zeroRows = (rowCount: number) => (row: number) => row < 4 || row === 7 || row === 10 || row === rowCount - 1;
  for (const nx of [1, 2, 7, 8, 12, 37])
    for (const rowCount of [11, 12])
      it(`has the dense pass's bits for nx = ${nx}, ${rowCount} rows (out of place, in place, at an offset)`, () => {
        const hx = halfWidth(nx);
        const input = sparseRows(nx, rowCount, zeroRows(rowCount), nx + rowCount);
        const expected = new Float64Array(2 * hx * rowCount);
        denseXPass(input, expected, nx, rowCount);
        const out = new Float64Array(2 * hx * rowCount).fill(Number.NaN); // every value must be written
        realRowsToHalfSpectrum(input, out, nx, rowCount);
        expect(bits(out)).toEqual(bits(expected));
        const inPlace = new Float64Array(2 * hx * rowCount);
        inPlace.set(input);
        realRowsToHalfSpectrum(inPlace.subarray(0, nx * rowCount), inPlace, nx, rowCount);
        expect(bits(inPlace)).toEqual(bits(expected));
        // The last rowCount − 3 rows of a longer input, as realFft3dFloat32 passes a plane.
        const shifted = new Float64Array(nx * 3 + input.length);
        shifted.set(input.subarray(0, nx * (rowCount - 3)), nx * 6);
        const tail = new Float64Array(2 * hx * (rowCount - 3));
        const denseTail = new Float64Array(2 * hx * (rowCount - 3));
        realRowsToHalfSpectrum(shifted, tail, nx, rowCount - 3, nx * 6);
        denseXPass(shifted, denseTail, nx, rowCount - 3, nx * 6);
        expect(bits(tail)).toEqual(bits(denseTail));
      });

  it("a pair of +0 rows has −0 in its half spectrum, which the copy keeps", () => {
    const expected = new Float64Array(2 * halfWidth(8) * 2);
    denseXPass(new Float64Array(16), expected, 8, 2);
    expect(Array.from(expected).some((v) => Object.is(v, -0))).toBe(true);
  });

  it("rows of −0 (a masked negative value) give the dense values; only the sign of a zero may differ", () => {
    const input = sparseRows(8, 6, (row) => row < 2, 5);
    input.fill(-0, 0, 16);
    const expected = new Float64Array(2 * 5 * 6);
    denseXPass(input, expected, 8, 6);
    const out = new Float64Array(2 * 5 * 6);
    realRowsToHalfSpectrum(input, out, 8, 6);
    expect(Array.from(out).every((v, i) => v === expected[i])).toBe(true);
    expect(bits(out.subarray(20))).toEqual(bits(expected.subarray(20)));
  });

  it("realFft3d of a sparse grid matches the direct DFT", () => {
    const shape = { nx: 7, ny: 5, nz: 3 };
    const values = sparseRows(7, 15, (row) => row % 3 !== 1 || row === 14, 11);
    const spectrum = realFft3d({ ...shape, data: values }).data;
    const full = directDft3d(values, new Float64Array(values.length), shape);
    const hx = halfWidth(7);
    let diff = 0;
    for (let row = 0; row < 15; row++)
      for (let k = 0; k < 2 * hx; k++) diff = Math.max(diff, Math.abs(spectrum[2 * hx * row + k] - full[2 * 7 * row + k]));
    expect(diff).toBeLessThan(1e-12);
  });
});
