import { describe, expect, test } from "vitest";
import { centredDomain, colorLookup, finiteExtent, level, rgbaPixels } from "../lib/report/colormap.js";

const grey = colorLookup((t) => [255 * t, 255 * t, 255 * t]);

describe("finiteExtent", () => {
  test("ignores NaN and ±Infinity wherever they are", () => {
    expect(finiteExtent(Float32Array.of(NaN, 2, -3, 5))).toEqual([-3, 5]);
    expect(finiteExtent([Infinity, 1, -Infinity, 4, NaN])).toEqual([1, 4]);
    expect(finiteExtent([NaN, Infinity])).toBeNull();
    expect(finiteExtent([])).toBeNull();
  });
});

describe("centredDomain", () => {
  test("is symmetric about the centre, so that the centre falls on the middle level of a diverging map", () => {
    // Local B-factors of EMD-3488's kind: all negative but a few; [min, max] would put 0 Å² near the top of the scale.
    const slices = [Float32Array.of(-300, -80, NaN), [-150, 20], Float32Array.of(Infinity, -5)];
    const domain = centredDomain(slices);
    expect(domain).toEqual([-300, 300]);
    expect(level(0, domain)).toBe(127); // 127.5 truncated: the middle of 0..255
    expect(level(-300, domain)).toBe(0);
    expect(level(300, domain)).toBe(255);
    expect(level(0, finiteExtent([-300, -80, -150, 20, -5])!)).toBe(239); // what the [min, max] scale did
    expect(centredDomain([[4, 6.5]], 5)).toEqual([3.5, 6.5]);
    expect(level(5, centredDomain([[4, 6.5]], 5))).toBe(127);
  });
  test("falls back to ±1 about the centre when no finite value differs from it", () => {
    expect(centredDomain([[0, NaN], []])).toEqual([-1, 1]);
    expect(centredDomain([], 2)).toEqual([1, 3]);
  });
});

describe("level", () => {
  test("maps the domain onto 0..255 like a uint8 cast of 255·(v − lo)/(hi − lo), clamped", () => {
    const domain = [-1, 3] as const;
    expect(level(-1, domain)).toBe(0);
    expect(level(3, domain)).toBe(255);
    expect(level(1, domain)).toBe(127); // 127.5 truncated
    expect(level(-10, domain)).toBe(0);
    expect(level(10, domain)).toBe(255);
    expect(level(7, [7, 7])).toBe(0);
  });
});

describe("rgbaPixels", () => {
  // 3 × 2 image, row y = 0 is [0, 1, 2], row y = 1 is [3, 4, NaN].
  const values = Float32Array.of(0, 1, 2, 3, 4, NaN);
  const base = { values, width: 3, height: 2, domain: [0, 4] as const, lookup: grey };

  test("puts row 0 at the top without flip and at the bottom with it; NaN stays transparent", () => {
    const plain = rgbaPixels({ ...base, flipY: false });
    expect(Array.from(plain.filter((_, i) => i % 4 === 0))).toEqual([0, 63, 127, 191, 255, 0]);
    expect(plain[5 * 4 + 3]).toBe(0);
    expect(plain[0 * 4 + 3]).toBe(255);
    const flipped = rgbaPixels({ ...base, flipY: true });
    expect(Array.from(flipped.filter((_, i) => i % 4 === 0))).toEqual([191, 255, 0, 0, 63, 127]);
    expect(flipped[2 * 4 + 3]).toBe(0);
  });

  test("tints masked pixels with the mask colour at its opacity", () => {
    const mask = Uint8Array.of(1, 0, 0, 0, 1, 0);
    const pixels = rgbaPixels({ ...base, flipY: false, mask, maskColor: [255, 0, 0, 0.5] });
    expect(Array.from(pixels.subarray(0, 4))).toEqual([128, 0, 0, 255]); // black half-way to red
    expect(Array.from(pixels.subarray(16, 20))).toEqual([255, 128, 128, 255]); // white half-way to red
    expect(Array.from(pixels.subarray(4, 8))).toEqual([63, 63, 63, 255]);
  });

  test("rejects arrays of the wrong size", () => {
    expect(() => rgbaPixels({ ...base, width: 2, flipY: false })).toThrow(RangeError);
    expect(() => rgbaPixels({ ...base, flipY: false, mask: new Uint8Array(5) })).toThrow(RangeError);
  });
});

test("colorLookup samples the colour map at i/255 and rounds", () => {
  const lookup = colorLookup((t) => [t * 10, 255 - t * 255, 100.4]);
  expect(Array.from(lookup.subarray(0, 3))).toEqual([0, 255, 100]);
  expect(Array.from(lookup.subarray(255 * 3))).toEqual([10, 0, 100]);
});
