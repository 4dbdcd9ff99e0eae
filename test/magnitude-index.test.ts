import { describe, expect, it } from "vitest";
import { MagnitudeIndex } from "../lib/magnitude-index.js";

describe("MagnitudeIndex", () => {
  let seed = 3;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const data = Float32Array.from({ length: 5000 }, (_, i) =>
    i % 97 === 0 ? NaN : i % 89 === 0 ? -0 : i % 83 === 0 ? -Infinity : i % 61 === 0 ? 0.75 : random() * 10 ** ((i % 7) - 3),
  );
  const index = new MagnitudeIndex(data);
  const near = Math.fround(Math.abs(data[5]));
  // Limits between float32 values (float64 just above and below one), on a value shared by many voxels, at the
  // edges (negative, zero, NaN, infinite) and ordinary ones.
  const limits = [-1, 0, 1e-4, 0.3, 0.75, 0.75 - 1e-12, 0.75 + 1e-12, 1, 7.5, 999, 3.5e38, Infinity, NaN, near, near * (1 + 1e-12), near * (1 - 1e-12)];

  it("counts |value| > limit like a direct count; NaN voxels and a NaN limit count nothing", () => {
    for (const limit of limits) {
      const direct = Array.from(data).filter((d) => Math.abs(d) > limit).length;
      expect(index.countAbove(limit), String(limit)).toBe(direct);
    }
  });

  it("counts within a set from its per-bin counts like a direct count", () => {
    const inSet = (i: number) => i % 3 !== 1;
    const perBin = new Int32Array(MagnitudeIndex.bins);
    for (let i = 0; i < data.length; i++) if (inSet(i) && index.binOfVoxel(i) >= 0) perBin[index.binOfVoxel(i)]++;
    for (const limit of limits) {
      const direct = Array.from(data).filter((d, i) => inSet(i) && Math.abs(d) > limit).length;
      expect(index.countAboveIn(limit, perBin, inSet), String(limit)).toBe(direct);
    }
  });

  it("bins are ordered like the magnitudes", () => {
    const finite = Array.from(data.keys()).filter((i) => !Number.isNaN(data[i]));
    finite.sort((a, b) => Math.abs(data[a]) - Math.abs(data[b]));
    for (let k = 1; k < finite.length; k++)
      expect(index.binOfVoxel(finite[k])).toBeGreaterThanOrEqual(index.binOfVoxel(finite[k - 1]));
    expect(index.binOfVoxel(0)).toBe(-1); // NaN
  });
});
