import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { dilate18, dilate18Runs, GrowingDilation } from "../lib/masks/morphology.js";
import { componentRuns, labelComponents, largestComponentMask, largestLabel } from "../lib/masks/components.js";
import { voxelsOfRuns, type VoxelRuns } from "../lib/masks/voxel-runs.js";
import { xorshift32 } from "./helpers/random.js";

const count = (m: Uint8Array) => m.reduce((a, b) => a + b, 0);
const setVoxels = (m: Uint8Array) => Array.from(m.keys()).filter((i) => m[i] === 1);

/** The runs along x of a mask's voxels, found voxel by voxel (rows of nx). */
function runsOf(m: Uint8Array, nx: number): VoxelRuns {
  const first: number[] = [], last: number[] = [];
  for (let i = 0; i < m.length; i++)
    if (m[i] === 1) {
      if (i % nx !== 0 && m[i - 1] === 1) last[last.length - 1] = i;
      else first.push(i), last.push(i);
    }
  return { runs: first.length, first: Int32Array.from(first), last: Int32Array.from(last) };
}
const at = (n: number, x: number, y: number, z: number) => x + n * (y + n * z);

function single(n: number, x: number, y: number, z: number): Uint8Array {
  const m = new Uint8Array(n * n * n);
  m[at(n, x, y, z)] = 1;
  return m;
}

/**
 * Reference: Xmipp's dilate3D_step read literally. Every voxel (or only the interior ones when skipping the shell)
 * that is 0 in the input becomes 1 when one of its 18 neighbours is 1 in the input.
 */
function naiveDilate(mask: Uint8Array, nx: number, ny: number, nz: number, iterations: number, skipShell: boolean) {
  let cur = mask.slice();
  for (let it = 0; it < iterations; it++) {
    const out = cur.slice();
    const lo = skipShell ? 1 : 0;
    for (let z = lo; z < nz - lo; z++)
      for (let y = lo; y < ny - lo; y++)
        for (let x = lo; x < nx - lo; x++) {
          const i = x + nx * (y + ny * z);
          if (cur[i] !== 0) continue;
          let sum = 0;
          for (let dz = -1; dz <= 1; dz++)
            for (let dy = -1; dy <= 1; dy++)
              for (let dx = -1; dx <= 1; dx++) {
                const steps = Math.abs(dx) + Math.abs(dy) + Math.abs(dz);
                if (steps === 0 || steps === 3) continue;
                const xx = x + dx, yy = y + dy, zz = z + dz;
                if (xx < 0 || yy < 0 || zz < 0 || xx >= nx || yy >= ny || zz >= nz) continue;
                sum += cur[xx + nx * (yy + ny * zz)];
              }
          if (sum > 0) out[i] = 1;
        }
    cur = out;
  }
  return cur;
}

describe("dilate18", () => {
  it("grows a single voxel into the 18-neighbour cross: 19 voxels, no corners", () => {
    const d = dilate18(single(5, 2, 2, 2), 5, 5, 5, 1);
    expect(count(d)).toBe(19);
    expect(d[at(5, 3, 3, 2)]).toBe(1); // edge neighbour
    expect(d[at(5, 3, 3, 3)]).toBe(0); // corner neighbour
  });

  it("after n steps a voxel covers {|d|∞ ≤ n, |d|₁ ≤ 2n}", () => {
    for (const n of [2, 3, 4]) {
      let expected = 0;
      for (let dz = -n; dz <= n; dz++)
        for (let dy = -n; dy <= n; dy++)
          for (let dx = -n; dx <= n; dx++) if (Math.abs(dx) + Math.abs(dy) + Math.abs(dz) <= 2 * n) expected++;
      const size = 2 * n + 3;
      const d = dilate18(single(size, n + 1, n + 1, n + 1), size, size, size, n);
      expect(count(d)).toBe(expected); // 93 for n = 2
    }
  });

  it("VRS border rule: voxels of the outermost shell are never set", () => {
    const d = dilate18(single(5, 1, 1, 1), 5, 5, 5, 1, { skipBorderShell: true });
    expect(count(d)).toBe(7); // itself + 3 faces + 3 edges that stay inside x,y,z ≥ 1
    expect(d[at(5, 0, 1, 1)]).toBe(0);
    const plain = dilate18(single(5, 1, 1, 1), 5, 5, 5, 1);
    expect(count(plain)).toBe(19);
    expect(plain[at(5, 0, 1, 1)]).toBe(1);
  });

  it("VRS border rule: a shell voxel that is already set stays set and spreads inwards only", () => {
    const d = dilate18(single(5, 0, 2, 2), 5, 5, 5, 1, { skipBorderShell: true });
    expect(d[at(5, 0, 2, 2)]).toBe(1);
    expect(count(d)).toBe(6); // itself + (1,2,2) + its 4 edge neighbours in the x = 1 plane
  });

  it("default mode clips at the box without wrapping", () => {
    const d = dilate18(single(4, 0, 0, 0), 4, 4, 4, 1);
    expect(count(d)).toBe(7);
    expect(d[at(4, 3, 0, 0)]).toBe(0);
  });

  it("0 steps returns a copy and the input is never modified", () => {
    const m = single(4, 1, 1, 1);
    const d0 = dilate18(m, 4, 4, 4, 0);
    expect(d0).toEqual(m);
    expect(d0).not.toBe(m);
    dilate18(m, 4, 4, 4, 2);
    expect(count(m)).toBe(1);
  });

  it("an empty mask stays empty", () => {
    expect(count(dilate18(new Uint8Array(64), 4, 4, 4, 3, { skipBorderShell: true }))).toBe(0);
  });

  it("rejects bad arguments", () => {
    expect(() => dilate18(new Uint8Array(7), 2, 2, 2, 1)).toThrow(RangeError);
    expect(() => dilate18(new Uint8Array(8), 2, 2, 2, -1)).toThrow(RangeError);
  });

  it("equals a literal re-reading of Xmipp's dilate3D_step on random masks (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 4 }),
        fc.boolean(),
        fc.double({ min: 0, max: 0.95, noNaN: true }),
        fc.integer(),
        (nx, ny, nz, iterations, skipBorderShell, density, seed) => {
          const next = xorshift32(seed);
          const m = new Uint8Array(nx * ny * nz);
          for (let i = 0; i < m.length; i++) m[i] = next() / 2 ** 32 < density ? 1 : 0;
          const got = dilate18(m, nx, ny, nz, iterations, { skipBorderShell });
          expect(got).toEqual(naiveDilate(m, nx, ny, nz, iterations, skipBorderShell));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("dilate18Runs spreads across the 32-voxel words of long rows as the literal reading does, and gives runs: rows of 1–100 voxels (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 5 }),
        fc.boolean(),
        fc.double({ min: 0, max: 0.2, noNaN: true }),
        fc.integer(),
        (nx, ny, nz, iterations, skipBorderShell, density, seed) => {
          const next = xorshift32(seed);
          const m = new Uint8Array(nx * ny * nz);
          for (let i = 0; i < m.length; i++) m[i] = next() / 2 ** 32 < density ? 1 : 0;
          const want = naiveDilate(m, nx, ny, nz, iterations, skipBorderShell);
          const got = dilate18Runs(runsOf(m, nx), nx, ny, nz, iterations, { skipBorderShell });
          // The same voxels, as the runs of the literal reading's mask (maximal, within rows, in raster order).
          const wanted = runsOf(want, nx);
          expect(Array.from(got.first)).toEqual(Array.from(wanted.first));
          expect(Array.from(got.last)).toEqual(Array.from(wanted.last));
          expect(got.runs).toBe(wanted.runs);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("dilate18Runs of masks at the box's faces and of the whole box, on boxes of 1–70 voxels a side (property)", () => {
    // Seeds only in the outermost shell or filling the box: the border rule, the empty neighbour rows and the
    // bounding box grown by the steps are all at the edge of the box here.
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 4 }),
        fc.boolean(),
        fc.constantFrom("shell", "whole", "empty", "corner"),
        fc.integer(),
        (nx, ny, nz, iterations, skipBorderShell, kind, seed) => {
          const next = xorshift32(seed);
          const m = new Uint8Array(nx * ny * nz);
          for (let z = 0; z < nz; z++)
            for (let y = 0; y < ny; y++)
              for (let x = 0; x < nx; x++) {
                const shell = x === 0 || y === 0 || z === 0 || x === nx - 1 || y === ny - 1 || z === nz - 1;
                const i = x + nx * (y + ny * z);
                if (kind === "whole") m[i] = 1;
                else if (kind === "shell") m[i] = shell && next() % 5 === 0 ? 1 : 0;
                else if (kind === "corner") m[i] = x === nx - 1 && y === ny - 1 && z === nz - 1 ? 1 : 0;
              }
          const want = naiveDilate(m, nx, ny, nz, iterations, skipBorderShell);
          const got = dilate18Runs(runsOf(m, nx), nx, ny, nz, iterations, { skipBorderShell });
          expect(Array.from(voxelsOfRuns(got))).toEqual(setVoxels(want));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("dilate18Runs refuses runs out of raster order, across a row or outside the box", () => {
    const runs = (first: number[], last: number[]) => ({ runs: first.length, first: Int32Array.from(first), last: Int32Array.from(last) });
    expect(() => dilate18Runs(runs([5, 1], [5, 2]), 4, 4, 4, 1)).toThrow(RangeError);
    expect(() => dilate18Runs(runs([2], [5]), 4, 4, 4, 1)).toThrow(RangeError);
    expect(() => dilate18Runs(runs([63], [64]), 4, 4, 4, 1)).toThrow(RangeError);
    expect(() => dilate18Runs(runs([-1], [0]), 4, 4, 4, 1)).toThrow(RangeError);
  });

  it("stops when a step sets nothing: 10⁹ steps give the box's fixed point at once, in both border modes", () => {
    // 7×5×4 box, one seed: within nx + ny + nz steps every voxel reachable is set; the border rule leaves the shell.
    const [nx, ny, nz] = [7, 5, 4];
    const seed = new Uint8Array(nx * ny * nz);
    seed[2 + nx * (2 + ny * 1)] = 1;
    for (const skipBorderShell of [false, true]) {
      const started = performance.now();
      const grown = dilate18(seed, nx, ny, nz, 1e9, { skipBorderShell });
      expect(performance.now() - started).toBeLessThan(1000);
      expect(grown).toEqual(naiveDilate(seed, nx, ny, nz, nx + ny + nz, skipBorderShell));
    }
    expect(count(dilate18(seed, nx, ny, nz, 1e9))).toBe(nx * ny * nz);
  });

  it("dilate18Runs of a component's runs gives the voxels dilate18 of its mask sets", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 9 }),
        fc.integer(),
        fc.integer({ min: 0, max: 3 }),
        fc.boolean(),
        (n, seed, iterations, skipBorderShell) => {
          const next = xorshift32(seed);
          const m = new Uint8Array(n * n * n);
          for (let i = 0; i < m.length; i++) m[i] = next() % 4 === 0 ? 1 : 0;
          const c = labelComponents(m, n, n, n, 26);
          const want = dilate18(largestComponentMask(c), n, n, n, iterations, { skipBorderShell });
          const runs = componentRuns(Int32Array.from(setVoxels(m)), n, n, n, 26);
          const largest = largestLabel(runs); // 0 when the mask is empty: no seeds
          const keep = Array.from(runs.label.keys()).filter((r) => largest > 0 && runs.label[r] === largest);
          const seeds = { runs: keep.length, first: Int32Array.from(keep, (r) => runs.first[r]), last: Int32Array.from(keep, (r) => runs.last[r]) };
          const got = dilate18Runs(seeds, n, n, n, iterations, { skipBorderShell });
          expect(Array.from(voxelsOfRuns(got))).toEqual(setVoxels(want));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("GrowingDilation", () => {
  const maskOf = (g: GrowingDilation, n: number) => Uint8Array.from({ length: n }, (_, i) => (g.has(i) ? 1 : 0));

  it("a new seed's reach passes through voxels the old seeds set at their limit", () => {
    // A 10-voxel line: seed 0 with 3 steps sets 0..3 (voxel 3 at its limit); seed 2 then carries on to 5.
    const g = new GrowingDilation(10, 1, 1, 3, false);
    g.add([0]);
    expect(Array.from(g.voxels.subarray(0, g.size)).sort((a, b) => a - b)).toEqual([0, 1, 2, 3]);
    g.add([2]);
    expect(maskOf(g, 10)).toEqual(Uint8Array.of(1, 1, 1, 1, 1, 1, 0, 0, 0, 0));
    expect(Array.from(g.voxels.subarray(4, g.size)).sort((a, b) => a - b)).toEqual([4, 5]);
  });

  it("equals Xmipp's dilation of all seeds so far, after every batch, in both border modes (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 4 }),
        fc.boolean(),
        fc.integer(),
        (nx, ny, nz, iterations, skipBorderShell, seed) => {
          const next = xorshift32(seed);
          const random = () => next() / 2 ** 32;
          const n = nx * ny * nz;
          const g = new GrowingDilation(nx, ny, nz, iterations, skipBorderShell);
          const seeds = new Uint8Array(n);
          for (let batch = 0; batch < 6; batch++) {
            if (random() < 0.15) {
              g.clear();
              seeds.fill(0);
            }
            const added = Array.from({ length: n }, (_, i) => i).filter((i) => seeds[i] === 0 && random() < 0.08);
            added.sort(() => random() - 0.5);
            for (const i of added) seeds[i] = 1;
            g.add(added);
            const want = naiveDilate(seeds, nx, ny, nz, iterations, skipBorderShell);
            expect(maskOf(g, n)).toEqual(want);
            const listed = Array.from(g.voxels.subarray(0, g.size));
            expect(new Set(listed).size).toBe(listed.length);
            expect(listed.length).toBe(count(want));
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it("rejects seeds outside the box and negative iterations", () => {
    expect(() => new GrowingDilation(2, 2, 2, 1, false).add([8])).toThrow(RangeError);
    expect(() => new GrowingDilation(2, 2, 2, -1, false)).toThrow(RangeError);
  });
});
