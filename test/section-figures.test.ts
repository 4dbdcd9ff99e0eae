import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { backgroundBeyond, centralSlices, fullestMaskPlanes, maxVarianceIndices, projections, slice } from "../lib/report/figures.js";
import { runLevel0WithWorkings } from "../lib/level0/level0.js";
import { parseMap } from "../lib/io/mrc-reader.js";
import { makeVolume } from "../lib/io/volume.js";

const root = join(import.meta.dirname, "..");

describe("input figure data", () => {
  // value = x + 10y + 100z identifies every voxel
  const v = makeVolume(4, 3, 2, (x, y, z) => x + 10 * y + 100 * z);
  it("slices follow numpy's V[z, y, x] layout", () => {
    expect(Array.from(slice(v.data, 4, 3, 2, "z", 1).data)).toEqual([100, 101, 102, 103, 110, 111, 112, 113, 120, 121, 122, 123]);
    const y = slice(v.data, 4, 3, 2, "y", 2);
    expect([y.width, y.height]).toEqual([4, 2]);
    expect(Array.from(y.data)).toEqual([20, 21, 22, 23, 120, 121, 122, 123]);
    const x = slice(v.data, 4, 3, 2, "x", 3);
    expect([x.width, x.height]).toEqual([3, 2]);
    expect(Array.from(x.data)).toEqual([3, 13, 23, 103, 113, 123]);
    expect([centralSlices(v).x.index, centralSlices(v).y.index, centralSlices(v).z.index]).toEqual([2, 1, 1]);
  });
  it("projections are sums along the axis", () => {
    const p = projections(v);
    expect(p.z.data[0]).toBe(0 + 100); // (x=0, y=0) summed over z
    expect(p.x.data[1 * 3 + 2]).toBe(4 * 120 + (0 + 1 + 2 + 3)); // (z=1, y=2) summed over x
    expect(p.y.data.length).toBe(8);
  });
  it("max-variance slices: first index on ties", () => {
    const flat = makeVolume(3, 3, 3, (x) => (x === 1 ? 5 : 0));
    const at = maxVarianceIndices(flat.data, 3, 3, 3);
    expect(at.x).toBe(0); // every x slice is constant: all variances 0, first wins
    expect(at.y).toBe(0);
  });
  it("a mask's fullest planes find an off-centre mask that the central slices miss", () => {
    // A 20 × 16 × 12 box with a ball of radius 2 centred at (15, 4, 9) and a 2-voxel speck at (2, 12, 1); the central
    // planes x = 10, y = 8, z = 6 hold none of it. The ball is widest through its centre.
    const [nx, ny, nz] = [20, 16, 12];
    const mask = new Uint8Array(nx * ny * nz);
    for (let z = 0, i = 0; z < nz; z++)
      for (let y = 0; y < ny; y++)
        for (let x = 0; x < nx; x++, i++) mask[i] = (x - 15) ** 2 + (y - 4) ** 2 + (z - 9) ** 2 <= 4 ? 1 : 0;
    mask[2 + nx * (12 + ny * 1)] = mask[3 + nx * (12 + ny * 1)] = 1;
    expect(fullestMaskPlanes(mask, nx, ny, nz)).toEqual({ x: 15, y: 4, z: 9 });
    const central = centralSlices({ nx, ny, nz, data: Float32Array.from(mask), voxelSize: [1, 1, 1], origin: [0, 0, 0] });
    for (const axis of ["x", "y", "z"] as const) expect(central[axis].data.some((v) => v !== 0)).toBe(false);
    // Ties go to the first plane; an empty mask gives the central planes.
    const slab = new Uint8Array(4 * 4 * 4);
    for (let i = 0; i < slab.length; i++) if (i % 4 >= 1) slab[i] = 1; // x = 1, 2, 3 full, x = 0 empty
    expect(fullestMaskPlanes(slab, 4, 4, 4)).toEqual({ x: 1, y: 0, z: 0 });
    expect(fullestMaskPlanes(new Uint8Array(5 * 6 * 7), 5, 6, 7)).toEqual({ x: 2, y: 3, z: 3 });
  });
  it("background beyond the limit keeps only outside, large values", () => {
    const w = makeVolume(4, 1, 1, (x) => [10, -10, 1, 10][x]);
    expect(Array.from(backgroundBeyond(w, Uint8Array.from([0, 0, 0, 1]), 5))).toEqual([10, -10, 0, 0]);
  });
});

describe.each(
  readdirSync(join(root, "test/fixtures"))
    .filter((f) => /^level0-.*\.json$/.test(f))
    .map((f) => JSON.parse(readFileSync(join(root, "test/fixtures", f), "utf8"))),
)("max-variance slices of $file at $threshold (numpy np.var + argmax)", (fx) => {
  it("map and hard mask", () => {
    const volume = parseMap(new Uint8Array(readFileSync(join(root, "data/maps", fx.file)))).volume;
    const { workings } = runLevel0WithWorkings(volume, { threshold: fx.threshold, voxelSize: fx.voxelSize, mode: "vrs-compat", figures: true });
    const f = workings.figures!;
    expect({ x: f.maxVarianceSlices.x.index, y: f.maxVarianceSlices.y.index, z: f.maxVarianceSlices.z.index }).toEqual(fx.maxVarianceSlices);
    expect({ x: f.hardMaskSlices.x.index, y: f.hardMaskSlices.y.index, z: f.hardMaskSlices.z.index }).toEqual(
      fx.hardMaskMaxVarianceSlices,
    );
  });
});
