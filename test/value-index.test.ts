import { describe, expect, it } from "vitest";
import { MapValues, ValueIndex } from "../lib/masks/value-index.js";

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
});
