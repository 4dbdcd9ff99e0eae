import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { MapValues, ValueIndex } from "../lib/masks/value-index.js";
import { xorshift32 } from "./helpers/random.js";

/** The runs along x (rows of nx) of the voxels `has` picks, found voxel by voxel. */
function directRuns(n: number, nx: number, has: (i: number) => boolean): { first: number[]; last: number[] } {
  const first: number[] = [], last: number[] = [];
  for (let i = 0; i < n; i++)
    if (has(i)) {
      if (i % nx !== 0 && has(i - 1)) last[last.length - 1] = i;
      else first.push(i), last.push(i);
    }
  return { first, last };
}

const runsOf = (r: { runs: number; first: Int32Array; last: Int32Array }) => {
  expect(r.first.length).toBe(r.runs);
  return { first: Array.from(r.first), last: Array.from(r.last) };
};

describe("ValueIndex", () => {
  let seed = 3;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  // Signed values over many octaves, with NaN, ±0, ±Infinity, denormals and a value shared by many voxels.
  const data = Float32Array.from({ length: 6000 }, (_, i) =>
    i % 97 === 0 ? NaN
    : i % 89 === 0 ? -0
    : i % 87 === 0 ? 0
    : i % 83 === 0 ? -Infinity
    : i % 79 === 0 ? Infinity
    : i % 73 === 0 ? 1e-40 * random()
    : i % 61 === 0 ? 0.75
    : i % 59 === 0 ? -0.75
    : random() * 10 ** ((i % 7) - 3),
  );
  const index = new ValueIndex(data);
  const near = Math.fround(Math.abs(data[5]));
  // Limits between float32 values (float64 just above and below one), on a value shared by many voxels, at the
  // edges (negative, zero, NaN, infinite, denormal) and ordinary ones.
  const limits = [
    -1, -0.75, -1e-45, -0, 0, 1e-46, 1e-40, 1e-4, 0.3, 0.75, 0.75 - 1e-12, 0.75 + 1e-12, 1, 7.5, 999, 3.5e38, 1e39,
    Infinity, -Infinity, NaN, near, near * (1 + 1e-12), near * (1 - 1e-12), -near, -near * (1 + 1e-12),
  ];
  const values = Array.from(data);

  it("atLeast lists the voxels ≥ t in raster order, countAtLeast counts them", () => {
    for (const t of limits) {
      const direct = values.flatMap((d, i) => (d >= t ? [i] : []));
      expect(Array.from(index.atLeast(t)), String(t)).toEqual(direct);
      expect(index.countAtLeast(t), String(t)).toBe(direct.length);
    }
  });

  it("runsAtLeast gives the runs along x of the voxels ≥ t, cut at the ends of rows, whatever was asked before", () => {
    // Every limit after every other (the bits of the previous threshold are kept and updated), rows of several
    // lengths: a row that ends inside a 32-bit word, on a word's end, and rows longer than a word.
    const text = (r: { first: number[]; last: number[] }) => `${r.first.join()} / ${r.last.join()}`;
    for (const nx of [7, 32, 6000]) {
      const want = limits.map((t) => text(directRuns(data.length, nx, (i) => data[i] >= t)));
      for (const previous of limits)
        limits.forEach((t, k) => {
          index.runsAtLeast(previous, nx);
          expect(text(runsOf(index.runsAtLeast(t, nx))), `${previous} → ${t}, nx ${nx}`).toBe(want[k]);
        });
    }
  });

  it("atLeast and runsAtLeast after any sequence of thresholds equal a direct comparison (property)", () => {
    // Maps of 1–300 voxels with runs of equal values, thresholds on those values, between them and far away.
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 40 }), fc.integer(), (n, nx, seed) => {
        const next = xorshift32(seed);
        const levels = [-2, -0.5, 0, 0.25, 1, 3];
        const map = Float32Array.from({ length: n }, () => (next() % 9 === 0 ? NaN : levels[next() % levels.length] + (next() % 3 === 0 ? 1e-3 : 0)));
        const valueIndex = new ValueIndex(map);
        for (let k = 0; k < 12; k++) {
          const t = levels[next() % levels.length] + [0, 1e-3, -1e-9, 0.5, -10, 10][next() % 6];
          const direct = (i: number) => map[i] >= t;
          const runs = valueIndex.runsAtLeast(t, nx);
          expect(runsOf(runs)).toEqual(directRuns(n, nx, direct));
          expect(Array.from(valueIndex.atLeast(t))).toEqual(Array.from(map.keys()).filter(direct));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("counts |value| > limit like a direct count; NaN voxels and a NaN limit count nothing", () => {
    for (const limit of limits) {
      const direct = values.filter((d) => Math.abs(d) > limit).length;
      expect(index.countBeyond(limit), String(limit)).toBe(direct);
    }
  });

  it("counts within a set from its per-bin counts like a direct count", () => {
    const inSet = (i: number) => i % 3 !== 1;
    const perBin = new Int32Array(ValueIndex.bins);
    for (let i = 0; i < data.length; i++) if (inSet(i) && index.binOfVoxel(i) >= 0) perBin[index.binOfVoxel(i)]++;
    for (const limit of limits) {
      const direct = values.filter((d, i) => inSet(i) && Math.abs(d) > limit).length;
      expect(index.countBeyondIn(limit, perBin, inSet), String(limit)).toBe(direct);
    }
  });

  it("bins are ordered like the values, −0 with +0", () => {
    const finite = Array.from(data.keys()).filter((i) => !Number.isNaN(data[i]));
    finite.sort((a, b) => data[a] - data[b]);
    for (let k = 1; k < finite.length; k++)
      expect(index.binOfVoxel(finite[k])).toBeGreaterThanOrEqual(index.binOfVoxel(finite[k - 1]));
    expect(index.binOfVoxel(89)).toBe(index.binOfVoxel(87)); // −0 and +0
    expect(index.binOfVoxel(0)).toBe(-1); // NaN
  });
});

describe("MapValues", () => {
  const data = Float32Array.from({ length: 3000 }, (_, i) => (i % 101 === 0 ? NaN : Math.sin(i * 0.37) * (1 + (i % 13))));
  const values = Array.from(data);
  const direct = {
    atLeast: (t: number) => values.flatMap((d, i) => (d >= t ? [i] : [])),
    beyond: (limit: number) => values.filter((d) => Math.abs(d) > limit).length,
  };

  it("answers the first threshold by a pass over the map and the next ones from the index, alike", () => {
    const m = new MapValues(data);
    for (const limit of [0, 2.5, NaN]) expect(m.countBeyond(limit)).toBe(direct.beyond(limit)); // before any index
    expect(m.countAtLeast(1)).toBe(direct.atLeast(1).length);
    expect(Array.from(m.atLeast(1))).toEqual(direct.atLeast(1)); // a pass
    for (const t of [1, -3, 7.25, 0]) {
      expect(Array.from(m.atLeast(t)), String(t)).toEqual(direct.atLeast(t)); // the index
      expect(m.countAtLeast(t)).toBe(direct.atLeast(t).length);
    }
    for (const limit of [0, 2.5, NaN]) expect(m.countBeyond(limit)).toBe(direct.beyond(limit));
  });

  it("gives runs along x by a pass for the first threshold and from the index after, alike", () => {
    const m = new MapValues(data);
    for (const t of [1, 1, -3, 7.25, 0, 100]) {
      const want = directRuns(data.length, 37, (i) => data[i] >= t);
      expect(runsOf(m.runsAtLeast(t, 37)), String(t)).toEqual(want);
    }
    const whole = new MapValues(Float32Array.from({ length: 74 }, () => 1));
    expect(runsOf(whole.runsAtLeast(0, 37))).toEqual({ first: [0, 37], last: [36, 73] });
    expect(runsOf(whole.runsAtLeast(0, 37))).toEqual({ first: [0, 37], last: [36, 73] });
  });
});
