import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { componentSweep } from "../lib/level0/sweep-components.js";
import { labelComponents, largestComponentMask, type Connectivity } from "../lib/masks/components.js";
import { rawMask } from "../lib/masks/masks.js";
import { makeVolume, type Volume } from "../lib/io/volume.js";
import { AnalysisInputError } from "../lib/errors.js";
import { xorshift32 } from "./helpers/random.js";

/** Expected figures from one labelling: sizes sorted descending, VRS's "while cum/total < 0.95" loop. */
function expectedAt(v: Volume, t: number, connectivity: Connectivity, topK: number, coverage = 0.95) {
  const c = labelComponents(rawMask(v, t), v.nx, v.ny, v.nz, connectivity);
  const sizes = Array.from(c.sizes.subarray(1)).sort((a, b) => b - a);
  const raw = sizes.reduce((a, b) => a + b, 0);
  let cum = 0;
  let taken = 0;
  while (raw > 0 && cum / raw < coverage) cum += sizes[taken++];
  return {
    threshold: t,
    rawVoxels: raw,
    componentCount: c.count,
    largestComponentVoxels: sizes[0] ?? 0,
    components95: taken,
    components95Voxels: cum,
    components95SmallestVoxels: taken > 0 ? sizes[taken - 1] : 0,
    topSizes: sizes.slice(0, topK),
  };
}

describe("componentSweep on hand-built volumes", () => {
  // Values along x: a bright 2-voxel blob, a gap, a dimmer blob that joins when the gap fills.
  const line = [5, 5, 1, 3, 3, 3, 0];
  const v = makeVolume(7, 1, 1, (x) => line[x]);

  it("follows components as the threshold drops", () => {
    const r = componentSweep(v, [4, 3, 1, 0, 6], 6);
    expect(r.map((s) => [s.threshold, s.rawVoxels, s.componentCount, s.largestComponentVoxels])).toEqual([
      [4, 2, 1, 2],
      [3, 5, 2, 3],
      [1, 6, 1, 6],
      [0, 7, 1, 7],
      [6, 0, 0, 0],
    ]);
    expect(r[1].topSizes).toEqual([3, 2]);
    expect(r[1].components95).toBe(2);
    expect(r[1].components95SmallestVoxels).toBe(2);
    expect(r[4].components95).toBe(0);
  });

  it("counts v >= t: a voxel equal to the threshold is in", () => {
    expect(componentSweep(v, [3], 6)[0].rawVoxels).toBe(5);
  });

  it("duplicates and order of thresholds are preserved", () => {
    const r = componentSweep(v, [3, 5, 3], 6);
    expect(r.map((s) => s.rawVoxels)).toEqual([5, 2, 5]);
    r[0].topSizes.push(99);
    expect(r[2].topSizes).toEqual([3, 2]);
  });

  it("many equal-sized noise voxels: 95 % needs the exact number of them", () => {
    // One 20-voxel bar plus 30 isolated voxels: 50 voxels, 95 % = 47.5 → bar + 28 singles.
    const single = (x: number, y: number, z: number) => y > 0 && z > 0 && y % 2 === 0 && z % 2 === 0 && x % 2 === 0 && x < 10;
    const w = makeVolume(20, 7, 5, (x, y, z) => (y === 0 && z === 0 ? 1 : single(x, y, z) ? 1 : 0));
    const [s] = componentSweep(w, [1], 26);
    expect(s.rawVoxels).toBe(20 + 5 * 3 * 2); // y ∈ {2,4,6}, z ∈ {2,4}, x ∈ {0,2,...,8}: 30 singles
    expect(s.componentCount).toBe(31);
    expect(s.components95).toBe(1 + 28);
    expect(s.components95Voxels).toBe(48);
  });

  it("components of 4096+ voxels (tracked apart from the size histogram): equal sizes, then a merge", () => {
    // Two 17³ cubes (4913 voxels each) at value 2, joined at value 1 by a 2-voxel bridge.
    const inCube = (x: number, y: number, z: number, x0: number) =>
      x >= x0 && x < x0 + 17 && y >= 1 && y < 18 && z >= 1 && z < 18;
    const v = makeVolume(40, 20, 20, (x, y, z) =>
      inCube(x, y, z, 2) || inCube(x, y, z, 21) ? 2 : (x === 19 || x === 20) && y === 9 && z === 9 ? 1 : 0,
    );
    const largestSeen: Uint8Array[] = [];
    const restarts: boolean[] = [];
    const largest = new Uint8Array(40 * 20 * 20);
    const r = componentSweep(v, [2, 1], 26, {
      onLevel: (_, largestGrowth) => {
        const growth = largestGrowth();
        restarts.push(growth.restarted);
        if (growth.restarted) largest.fill(0);
        for (const i of growth.voxels) largest[i] = 1;
        largestSeen.push(largest.slice());
      },
    });
    expect(restarts).toEqual([true, false]); // the first cube grows into the joined pair
    expect(r).toEqual([expectedAt(v, 2, 26, 10), expectedAt(v, 1, 26, 10)]);
    expect(r[0].topSizes).toEqual([4913, 4913]);
    expect(r[1].topSizes).toEqual([9828]);
    expect(largestSeen[0]).toEqual(largestComponentMask(labelComponents(rawMask(v, 2), 40, 20, 20, 26)));
    expect(largestSeen[0][2 + 40 * (1 + 20 * 1)]).toBe(1); // the first cube in raster order wins the tie
    expect(largestSeen[1]).toEqual(rawMask(v, 1));
  });

  it("rejects NaN thresholds and a coverage outside [0, 1]", () => {
    expect(() => componentSweep(v, [NaN])).toThrow(AnalysisInputError);
    expect(() => componentSweep(v, [1], 26, { coverage: 1.5 })).toThrow(RangeError);
  });

  it("no thresholds, no results", () => {
    expect(componentSweep(v, [])).toEqual([]);
  });
});

describe("componentSweep against labelComponents (property)", () => {
  it("agrees at every threshold, ties and repeated values included", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 2, max: 6 }), // few distinct levels → many equal values
        fc.integer(),
        fc.constantFrom<Connectivity>(6, 18, 26),
        fc.array(fc.integer({ min: -1, max: 7 }), { minLength: 1, maxLength: 8 }),
        fc.constantFrom(0.95, 0.5, 0.8, 1, 0),
        (nx, ny, nz, levels, seed, connectivity, thresholdSteps, coverage) => {
          const next = xorshift32(seed);
          const v = makeVolume(nx, ny, nz, () => (next() % levels) / 2);
          const thresholds = thresholdSteps.map((k) => k / 2 + (k % 3 === 0 ? 0.25 : 0));
          const got = componentSweep(v, thresholds, connectivity, { topK: 5, coverage });
          expect(got).toEqual(thresholds.map((t) => expectedAt(v, t, connectivity, 5, coverage)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("agrees on larger boxes where most voxels take the interior shortcuts", () => {
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 16 }), fc.integer(), (n, seed) => {
        const next = xorshift32(seed);
        // Smooth-ish field: a sum of a few bumps plus noise, so that components merge in many ways on the way down.
        const rnd = () => next() / 2 ** 32;
        const bumps = Array.from({ length: 4 }, () => [rnd() * n, rnd() * n, rnd() * n, 1 + rnd() * 3]);
        const v = makeVolume(n, n, n, (x, y, z) => {
          let f = Math.floor(rnd() * 4) / 8;
          for (const [bx, by, bz, w] of bumps) f += Math.exp(-((x - bx) ** 2 + (y - by) ** 2 + (z - bz) ** 2) / (2 * w * w));
          return f;
        });
        const thresholds = Array.from({ length: 12 }, (_, k) => 0.1 * k);
        const got = componentSweep(v, thresholds, 26, { topK: 3 });
        expect(got).toEqual(thresholds.map((t) => expectedAt(v, t, 26, 3)));
      }),
      { numRuns: 40 },
    );
  });

  it("onLevel: thresholds from the top down; the largest component, grown or restarted, equals largestComponentMask's", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 2, max: 5 }),
        fc.integer(),
        fc.constantFrom<Connectivity>(6, 18, 26),
        (nx, ny, nz, levels, seed, connectivity) => {
          const next = xorshift32(seed);
          const v = makeVolume(nx, ny, nz, () => next() % levels);
          const thresholds = [2, 0, 1, 3, 2];
          const seen: number[] = [];
          const got = new Uint8Array(nx * ny * nz);
          componentSweep(v, thresholds, connectivity, {
            onLevel: (level, largestGrowth) => {
              seen.push(level.threshold);
              const want = largestComponentMask(labelComponents(rawMask(v, level.threshold), nx, ny, nz, connectivity));
              const { restarted, voxels } = largestGrowth();
              if (restarted) got.fill(0);
              else for (let i = 0; i < want.length; i++) if (got[i] === 1) expect(want[i]).toBe(1); // it grew
              for (const i of voxels) {
                expect(got[i]).toBe(0); // listed once
                got[i] = 1;
              }
              expect(got).toEqual(want);
              expect(level).toEqual(expectedAt(v, level.threshold, connectivity, 10));
            },
          });
          expect(seen).toEqual([3, 2, 1, 0]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
