/** lib/level1/level1-figures.ts: max-variance slices of each half and of half 1 − half 2. */
import { describe, expect, it } from "vitest";
import { halfMapFigures } from "../lib/level1/level1-figures.js";
import { makeVolume } from "../lib/io/volume.js";

describe("Level 1 input figures", () => {
  // 8×10×12 halves equal to 1 except: half 1 has a ±1 checkerboard on the plane x = 2 and a stronger ±3 one on z = 7;
  // half 2 has the same z = 7 pattern and a ±2 checkerboard on y = 5. Their difference keeps x = 2 (±1, variance 1)
  // and y = 5 (∓2, variance 4), and cancels z = 7.
  const nx = 8, ny = 10, nz = 12;
  const sign = (a: number, b: number) => ((a + b) % 2 === 0 ? 1 : -1);
  const half1 = makeVolume(nx, ny, nz, (x, y, z) => (z === 7 ? 1 + 3 * sign(x, y) : x === 2 ? 1 + sign(y, z) : 1));
  const half2 = makeVolume(nx, ny, nz, (x, y, z) => (z === 7 ? 1 + 3 * sign(x, y) : y === 5 ? 1 + 2 * sign(x, z) : 1));
  const figures = halfMapFigures(half1, half2);

  it("finds each map's own max-variance planes", () => {
    // Half 1 on x: plane x = 2 holds 11 rows of ±1 and the z = 7 row of ±3, variance (110 + 90)/120 = 1.67; any other
    // x plane only the ±3 row, 90/120 = 0.75.
    expect(figures.half1.x.index).toBe(2);
    expect(figures.half1.z.index).toBe(7);
    expect(figures.half2.y.index).toBe(5);
    expect(figures.half2.z.index).toBe(7);
    expect(figures.difference.x.index).toBe(2);
    expect(figures.difference.y.index).toBe(5);
  });

  it("draws half 1 − half 2 voxel by voxel", () => {
    const { y } = figures.difference;
    // Y image: width nx, height nz, pixel (x, z) = h1 − h2 at (x, 5, z).
    expect([y.width, y.height]).toEqual([nx, nz]);
    for (let z = 0; z < nz; z++)
      for (let x = 0; x < nx; x++) {
        const i = x + nx * (5 + ny * z);
        expect(y.data[z * nx + x]).toBe(half1.data[i] - half2.data[i]);
      }
    // The z = 7 pattern cancels (both halves hold it, over their x = 2 and y = 5 planes too): every other z plane has
    // the same variance, so the first, 0, is drawn.
    expect(figures.difference.z.index).toBe(0);
  });

  it("rejects halves on different grids with a named error", () => {
    expect(() => halfMapFigures(half1, makeVolume(nx, ny, nz + 1, () => 0))).toThrow(
      expect.objectContaining({ code: "half-map-shape-mismatch" }),
    );
  });
});
