import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { componentRuns, componentsOfRuns, labelComponents, largestComponentMask, largestLabel, type Connectivity } from "../lib/masks/components.js";
import { xorshift32 } from "./helpers/random.js";

/** Mask nx×ny×nz with the listed voxels set. */
function maskWith(nx: number, ny: number, nz: number, voxels: [number, number, number][]): Uint8Array {
  const m = new Uint8Array(nx * ny * nz);
  for (const [x, y, z] of voxels) m[x + nx * (y + ny * z)] = 1;
  return m;
}

/** Reference: breadth-first flood fill in raster order of seeds (the numbering scipy uses). */
function floodFill(mask: Uint8Array, nx: number, ny: number, nz: number, connectivity: Connectivity) {
  const labels = new Int32Array(mask.length);
  const sizes = [0];
  let count = 0;
  for (let seed = 0; seed < mask.length; seed++) {
    if (mask[seed] === 0 || labels[seed] !== 0) continue;
    count++;
    labels[seed] = count;
    let size = 0;
    const queue = [seed];
    while (queue.length > 0) {
      const i = queue.pop()!;
      size++;
      const x = i % nx, y = Math.floor(i / nx) % ny, z = Math.floor(i / (nx * ny));
      for (let dz = -1; dz <= 1; dz++)
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) {
            const steps = Math.abs(dx) + Math.abs(dy) + Math.abs(dz);
            if (steps === 0 || (connectivity === 6 && steps > 1) || (connectivity === 18 && steps > 2)) continue;
            const xx = x + dx, yy = y + dy, zz = z + dz;
            if (xx < 0 || yy < 0 || zz < 0 || xx >= nx || yy >= ny || zz >= nz) continue;
            const j = xx + nx * (yy + ny * zz);
            if (mask[j] !== 0 && labels[j] === 0) {
              labels[j] = count;
              queue.push(j);
            }
          }
    }
    sizes.push(size);
  }
  sizes[0] = mask.length - sizes.reduce((a, b) => a + b, 0);
  return { labels, count, sizes };
}

describe("labelComponents on hand-built masks", () => {
  it("a single 3×3×3 cube is one component of 27 voxels", () => {
    const voxels: [number, number, number][] = [];
    for (let z = 2; z < 5; z++) for (let y = 2; y < 5; y++) for (let x = 2; x < 5; x++) voxels.push([x, y, z]);
    const c = labelComponents(maskWith(7, 7, 7, voxels), 7, 7, 7, 6);
    expect(c.count).toBe(1);
    expect(Array.from(c.sizes)).toEqual([343 - 27, 27]);
  });

  it("two separated blobs are two components, numbered in raster order", () => {
    const m = maskWith(8, 4, 4, [[6, 0, 0], [7, 0, 0], [1, 2, 2], [1, 3, 2], [1, 3, 3]]);
    const c = labelComponents(m, 8, 4, 4, 26);
    expect(c.count).toBe(2);
    expect(c.labels[6]).toBe(1);
    expect(c.labels[1 + 8 * (2 + 4 * 2)]).toBe(2);
    expect(Array.from(c.sizes)).toEqual([128 - 5, 2, 3]);
  });

  it("edge-only contact joins at 18 and 26, not at 6", () => {
    const m = maskWith(3, 3, 3, [[0, 0, 1], [1, 1, 1]]); // differ in x and y
    expect(labelComponents(m, 3, 3, 3, 6).count).toBe(2);
    expect(labelComponents(m, 3, 3, 3, 18).count).toBe(1);
    expect(labelComponents(m, 3, 3, 3, 26).count).toBe(1);
  });

  it("corner-only contact joins only at 26", () => {
    const m = maskWith(3, 3, 3, [[0, 0, 0], [1, 1, 1], [2, 0, 2]]); // a corner chain in 3 steps
    expect(labelComponents(m, 3, 3, 3, 6).count).toBe(3);
    expect(labelComponents(m, 3, 3, 3, 18).count).toBe(3);
    expect(labelComponents(m, 3, 3, 3, 26).count).toBe(1);
  });

  it("a corner contact whose other voxel lies ahead in the next row and plane (x+1, y-1, z-1)", () => {
    const m = maskWith(3, 3, 3, [[2, 0, 0], [1, 1, 1]]);
    expect(labelComponents(m, 3, 3, 3, 26).count).toBe(1);
    expect(labelComponents(m, 3, 3, 3, 18).count).toBe(2);
  });

  it("neighbours never wrap around the box", () => {
    // (nx-1, y) and (0, y+1) are adjacent in memory but not in space.
    const m = maskWith(4, 4, 4, [[3, 1, 1], [0, 2, 1], [0, 0, 3], [3, 3, 0]]);
    expect(labelComponents(m, 4, 4, 4, 26).count).toBe(4);
  });

  it("a U shape whose arms meet late needs the union-find merge", () => {
    const v: [number, number, number][] = [[0, 0, 0], [4, 0, 0]];
    for (let y = 1; y < 4; y++) v.push([0, y, 0], [4, y, 0]);
    for (let x = 0; x <= 4; x++) v.push([x, 4, 0]);
    const c = labelComponents(maskWith(5, 5, 1, v), 5, 5, 1, 6);
    expect(c.count).toBe(1);
    expect(c.sizes[1]).toBe(13);
    expect(c.labels[4]).toBe(1);
  });

  it("a mask that fills the box, including every border voxel", () => {
    const c = labelComponents(new Uint8Array(60).fill(1), 5, 4, 3, 6);
    expect(c.count).toBe(1);
    expect(Array.from(c.sizes)).toEqual([0, 60]);
  });

  it("an empty mask has no components", () => {
    const c = labelComponents(new Uint8Array(27), 3, 3, 3, 26);
    expect(c.count).toBe(0);
    expect(Array.from(c.sizes)).toEqual([27]);
    expect(largestLabel(c)).toBe(0);
    expect(largestComponentMask(c).every((b) => b === 0)).toBe(true);
  });

  it("a checkerboard is 1 component at 18/26 and one per voxel at 6", () => {
    const n = 6;
    const m = new Uint8Array(n * n * n);
    for (let z = 0; z < n; z++) for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) m[x + n * (y + n * z)] = (x + y + z) % 2;
    expect(labelComponents(m, n, n, n, 6).count).toBe(108);
    expect(labelComponents(m, n, n, n, 18).count).toBe(1);
    expect(labelComponents(m, n, n, n, 26).count).toBe(1);
  });

  it("a mask view that is not 4-byte aligned gives the same answer", () => {
    const n = 7;
    const backing = new Uint8Array(n * n * n + 1);
    for (let i = 1; i < backing.length; i++) backing[i] = (i * 7919) % 5 === 0 ? 1 : 0;
    const view = backing.subarray(1);
    const copy = view.slice();
    expect(labelComponents(view, n, n, n, 26)).toEqual(labelComponents(copy, n, n, n, 26));
  });

  it("rejects a mask of the wrong length", () => {
    expect(() => labelComponents(new Uint8Array(5), 2, 2, 2, 6)).toThrow(RangeError);
  });
});

describe("largestComponentMask", () => {
  it("keeps the largest component", () => {
    const m = maskWith(6, 1, 1, [[0, 0, 0], [2, 0, 0], [3, 0, 0], [5, 0, 0]]);
    const c = labelComponents(m, 6, 1, 1, 6);
    expect(Array.from(largestComponentMask(c))).toEqual([0, 0, 1, 1, 0, 0]);
  });

  it("on equal sizes keeps the component that comes first in raster order", () => {
    const m = maskWith(7, 1, 1, [[0, 0, 0], [1, 0, 0], [3, 0, 0], [4, 0, 0], [6, 0, 0]]);
    const c = labelComponents(m, 7, 1, 1, 6);
    expect(Array.from(largestComponentMask(c))).toEqual([1, 1, 0, 0, 0, 0, 0]);
  });
});

describe("labelComponents against a flood fill (property)", () => {
  const arbitraryMask = fc
    .record({
      nx: fc.integer({ min: 1, max: 9 }),
      ny: fc.integer({ min: 1, max: 9 }),
      nz: fc.integer({ min: 1, max: 9 }),
      density: fc.double({ min: 0.05, max: 0.8, noNaN: true }),
      seed: fc.integer(),
      connectivity: fc.constantFrom<Connectivity>(6, 18, 26),
    })
    .map(({ nx, ny, nz, density, seed, connectivity }) => {
      const next = xorshift32(seed);
      const mask = new Uint8Array(nx * ny * nz);
      for (let i = 0; i < mask.length; i++) mask[i] = next() / 2 ** 32 < density ? 1 : 0;
      return { nx, ny, nz, mask, connectivity };
    });

  it("gives the same labels, count and sizes", () => {
    fc.assert(
      fc.property(arbitraryMask, ({ nx, ny, nz, mask, connectivity }) => {
        const got = labelComponents(mask, nx, ny, nz, connectivity);
        const want = floodFill(mask, nx, ny, nz, connectivity);
        expect(got.count).toBe(want.count);
        expect(Array.from(got.sizes)).toEqual(want.sizes);
        expect(got.labels).toEqual(want.labels);
      }),
      { numRuns: 400 },
    );
  });
});

describe("componentRuns", () => {
  it("rejects voxels out of raster order or outside the box", () => {
    expect(() => componentRuns(Int32Array.of(5, 3), 4, 4, 4, 26)).toThrow(RangeError);
    expect(() => componentRuns(Int32Array.of(3, 3), 4, 4, 4, 26)).toThrow(RangeError);
    expect(() => componentRuns(Int32Array.of(64), 4, 4, 4, 26)).toThrow(RangeError);
  });

  it("componentsOfRuns of a mask's runs labels them as the flood fill does, whole box and empty box included (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom(0, 0.1, 0.5, 0.9, 1),
        fc.integer(),
        fc.constantFrom<Connectivity>(6, 18, 26),
        (nx, ny, nz, density, seed, connectivity) => {
          const next = xorshift32(seed);
          const mask = Uint8Array.from({ length: nx * ny * nz }, () => (next() / 2 ** 32 < density ? 1 : 0));
          const first: number[] = [], last: number[] = [];
          for (let i = 0; i < mask.length; i++)
            if (mask[i] === 1) {
              if (i % nx !== 0 && mask[i - 1] === 1) last[last.length - 1] = i;
              else first.push(i), last.push(i);
            }
          const got = componentsOfRuns({ runs: first.length, first: Int32Array.from(first), last: Int32Array.from(last) }, nx, ny, nz, connectivity);
          const want = floodFill(mask, nx, ny, nz, connectivity);
          expect(got.count).toBe(want.count);
          expect(Array.from(got.sizes)).toEqual(want.sizes);
          for (let r = 0; r < got.runs; r++) for (let i = got.first[r]; i <= got.last[r]; i++) expect(got.label[r]).toBe(want.labels[i]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("componentsOfRuns rejects runs out of raster order, touching along x, across a row or outside the box", () => {
    const runs = (first: number[], last: number[]) => ({ runs: first.length, first: Int32Array.from(first), last: Int32Array.from(last) });
    expect(() => componentsOfRuns(runs([5, 1], [5, 2]), 4, 4, 4, 26)).toThrow(RangeError);
    expect(() => componentsOfRuns(runs([0, 2], [1, 3]), 4, 4, 4, 26)).toThrow(RangeError); // 0..1 and 2..3 are one run
    expect(() => componentsOfRuns(runs([2], [5]), 4, 4, 4, 26)).toThrow(RangeError);
    expect(() => componentsOfRuns(runs([63], [64]), 4, 4, 4, 26)).toThrow(RangeError);
    expect(componentsOfRuns(runs([0, 4], [3, 7]), 4, 4, 4, 6).count).toBe(1); // a row's end and the next row's start
  });
});
