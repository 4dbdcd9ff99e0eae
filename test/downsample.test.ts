import { expect, test } from "vitest";
import { downsample, downsampleFactor, LIVE_VOXEL_LIMIT } from "../lib/fourier/downsample.js";
import { makeVolume } from "../lib/io/volume.js";

test("factor: 1 up to the limit, then the smallest that fits", () => {
  expect(downsampleFactor([160, 160, 160])).toBe(1);
  expect(downsampleFactor([161, 160, 160])).toBe(2);
  expect(downsampleFactor([320, 320, 320])).toBe(2);
  expect(downsampleFactor([321, 320, 320])).toBe(3);
  expect(downsampleFactor([10, 10, 10], 8)).toBe(5);
  expect(LIVE_VOXEL_LIMIT).toBe(160 ** 3);
});

test("block means, short last blocks, voxel size and origin of the first block's centre", () => {
  const v = makeVolume(5, 4, 3, (x, y, z) => x + 10 * y + 100 * z, [2, 3, 4], [1, 1, 1]);
  const d = downsample(v, 2);
  expect([d.nx, d.ny, d.nz]).toEqual([3, 2, 2]);
  // Block (0,0,0): x∈{0,1}, y∈{0,1}, z∈{0,1} → mean x 0.5, y 0.5, z 0.5.
  expect(d.data[0]).toBeCloseTo(0.5 + 5 + 50, 5);
  // Block (2,1,1): x = 4 only, y∈{2,3}, z = 2 only.
  expect(d.data[2 + 3 * (1 + 2 * 1)]).toBeCloseTo(4 + 25 + 200, 5);
  expect(d.voxelSize).toEqual([4, 6, 8]);
  expect(d.origin).toEqual([2, 2.5, 3]);
});

test("factor 1 is the volume itself; non-finite voxels are left out of their block", () => {
  const v = makeVolume(2, 2, 2, (x) => (x === 0 ? NaN : 3));
  expect(downsample(v, 1)).toBe(v);
  const d = downsample(v, 2);
  expect(d.data[0]).toBe(3);
  expect(() => downsample(v, 1.5)).toThrow(RangeError);
});
