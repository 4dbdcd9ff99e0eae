import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { hardMask, rawMask, rawMaskThreshold, roundLikePercentF, softMask } from "../lib/masks/masks.js";
import { labelComponents, largestComponentMask } from "../lib/masks/components.js";
import { dilate18 } from "../lib/masks/morphology.js";
import { componentSweep } from "../lib/level0/sweep-components.js";
import { axisKernel, realGaussianFilter, realGaussianKernel } from "../lib/masks/gaussian.js";
import { parseMap } from "../lib/io/mrc-reader.js";
import { makeVolume, type Volume } from "../lib/io/volume.js";
import { AnalysisInputError } from "../lib/errors.js";
import { xorshift32 } from "./helpers/random.js";

const sum = (a: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
};

describe("rawMask", () => {
  it("is v >= threshold, NaN outside", () => {
    const v = makeVolume(5, 1, 1, (x) => [0.5, 1, 1.5, NaN, -2][x]);
    expect(Array.from(rawMask(v, 1))).toEqual([0, 1, 1, 0, 0]);
  });

  it("vrs-compat compares in float32 like numpy: a voxel at float32(t) < t is in", () => {
    const f = Math.fround(0.1);
    const t = f + 1e-12; // float32(t) === f, and f < t
    const v = makeVolume(1, 1, 1, () => f);
    expect(rawMask(v, rawMaskThreshold(t, "default"))[0]).toBe(0);
    expect(rawMask(v, rawMaskThreshold(t, "vrs-compat"))[0]).toBe(1);
  });
});

describe("roundLikePercentF", () => {
  // Right-hand sides printed by Python: float("%f" % x).
  const cases: [number, number][] = [
    [0.0078125, 0.007812], // exact half, printf rounds to even (toFixed would give 0.007813)
    [-0.0078125, -0.007812],
    [0.0234375, 0.023438],
    [0.5078125, 0.507812],
    [0.09, 0.09],
    [0.1234565, 0.123456],
    [2.5e-7, 0],
    [5e-7, 0],
    [1.5e-6, 2e-6],
    [123.4567895, 123.456789],
    [1, 1],
  ];
  it.each(cases)("%f → %f", (x, want) => expect(roundLikePercentF(x)).toBe(want));
});

/** A 9³ volume: a bright 3³ cube at 2..4, a single voxel at (7,7,7) and values that straddle 0.1234565. */
function cubeVolume(): Volume {
  return makeVolume(9, 9, 9, (x, y, z) => {
    if (x >= 2 && x <= 4 && y >= 2 && y <= 4 && z >= 2 && z <= 4) return 2;
    if (x === 7 && y === 7 && z === 7) return 3;
    if (x === 5 && y === 3 && z === 3) return 0.1234562; // reaches the rounded 0.123456, not 0.1234565
    return 0;
  });
}

describe("hardMask", () => {
  it("keeps the largest component and dilates it ceil(2/Ts) times", () => {
    const h = hardMask(cubeVolume(), 1, { voxelSize: 1 });
    expect(h.rawComponents.count).toBe(2);
    expect(h.largestComponentVoxels).toBe(27);
    expect(h.dilationIterations).toBe(2);
    // A 3³ cube dilated twice by the 18-cross: points within |d|∞ ≤ 2 of the cube with L1 distance ≤ 4 → count them.
    let want = 0;
    for (let z = 0; z < 9; z++)
      for (let y = 0; y < 9; y++)
        for (let x = 0; x < 9; x++) {
          const d = [x, y, z].map((c) => Math.max(0, 2 - c, c - 4));
          if (Math.max(...d) <= 2 && d[0] + d[1] + d[2] <= 4) want++;
        }
    expect(h.voxels).toBe(want);
    expect(h.mask[7 + 9 * (7 + 9 * 7)]).toBe(0); // the single bright voxel is not the largest component
  });

  it("Ts > 2 Å gives one step; Ts = 1.05 gives two; Ts = 0.5 gives four", () => {
    expect(hardMask(cubeVolume(), 1, { voxelSize: 2.02 }).dilationIterations).toBe(1);
    expect(hardMask(cubeVolume(), 1, { voxelSize: 1.05 }).dilationIterations).toBe(2);
    expect(hardMask(cubeVolume(), 1, { voxelSize: 0.5 }).dilationIterations).toBe(4);
  });

  it("a voxel size of 1e-9 Å (2·10⁹ dilation steps) ends as soon as the mask stops growing", () => {
    const started = performance.now();
    const h = hardMask(cubeVolume(), 1, { voxelSize: 1e-9 });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(h.dilationIterations).toBe(2e9);
    expect(h.voxels).toBe(9 * 9 * 9); // the whole box is within reach of the cube
  });

  it("vrs-compat thresholds at the 6-decimal value; raw components stay at the full threshold", () => {
    const t = 0.1234565;
    const exact = hardMask(cubeVolume(), t, { voxelSize: 10 });
    const compat = hardMask(cubeVolume(), t, { voxelSize: 10, mode: "vrs-compat" });
    expect(compat.appliedThreshold).toBe(0.123456);
    expect(exact.largestComponentVoxels).toBe(27);
    expect(compat.largestComponentVoxels).toBe(28); // the 0.1234562 voxel touches the cube
    expect(Math.max(...compat.rawComponents.sizes.subarray(1))).toBe(27); // 0.b's raw mask uses the full value
  });

  it("vrs-compat never dilates into the outermost shell, default does", () => {
    const v = makeVolume(6, 6, 6, (x, y, z) => (x === 1 && y >= 1 && y <= 4 && z >= 1 && z <= 4 ? 1 : 0));
    const compat = hardMask(v, 0.5, { voxelSize: 1, mode: "vrs-compat" });
    const plain = hardMask(v, 0.5, { voxelSize: 1 });
    const shellSet = (m: Uint8Array) => {
      let s = 0;
      for (let z = 0; z < 6; z++)
        for (let y = 0; y < 6; y++)
          for (let x = 0; x < 6; x++)
            if ([x, y, z].some((c) => c === 0 || c === 5)) s += m[x + 6 * (y + 6 * z)];
      return s;
    };
    expect(shellSet(compat.mask)).toBe(0);
    expect(shellSet(plain.mask)).toBeGreaterThan(0);
    expect(compat.voxels).toBe(4 * 4 * 3); // x = 1..3 over the 4×4 interior rows: the slab only grows inwards
  });

  it("an empty mask gives 0 voxels, no error", () => {
    const h = hardMask(cubeVolume(), 10, { voxelSize: 1 });
    expect(h.voxels).toBe(0);
    expect(h.largestComponentVoxels).toBe(0);
    expect(h.rawComponents.count).toBe(0);
  });

  it("rejects a missing voxel size or threshold", () => {
    expect(() => hardMask(cubeVolume(), 1, { voxelSize: 0 })).toThrow(AnalysisInputError);
    expect(() => hardMask(cubeVolume(), NaN, { voxelSize: 1 })).toThrow(AnalysisInputError);
  });
});

describe("hardMask against its steps composed by hand (property)", () => {
  it("equals dilate18(largestComponentMask(labelComponents(rawMask))) in both modes", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer(),
        fc.constantFrom(0.6, 1, 1.9, 2.5),
        fc.constantFrom<"default" | "vrs-compat">("default", "vrs-compat"),
        (nx, ny, nz, seed, voxelSize, mode) => {
          const next = xorshift32(seed);
          // Values on both sides of 0.1234565 and of its 6-decimal rounding 0.123456.
          const values = [0, 0.1234562, 0.1234567, 0.5];
          const v = makeVolume(nx, ny, nz, () => values[next() % 4]);
          const threshold = 0.1234565;
          const h = hardMask(v, threshold, { voxelSize, mode });
          const applied = mode === "vrs-compat" ? 0.123456 : threshold;
          const largest = largestComponentMask(labelComponents(rawMask(v, applied), nx, ny, nz, 26));
          const want = dilate18(largest, nx, ny, nz, Math.ceil(2 / voxelSize), { skipBorderShell: mode === "vrs-compat" });
          expect(h.mask).toEqual(want);
          expect(h.voxels).toBe(sum(want));
          expect(h.largestComponentVoxels).toBe(sum(largest));
          const raw = labelComponents(rawMask(v, mode === "vrs-compat" ? Math.fround(threshold) : threshold), nx, ny, nz, 26);
          expect(h.rawComponents).toEqual({ count: raw.count, sizes: raw.sizes });
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("softMask", () => {
  it("keeps the mean: an all-ones box stays 1 and a single voxel spreads to a total of 1", () => {
    const ones = softMask(new Uint8Array(20 * 18 * 17).fill(1), 20, 18, 17);
    expect(ones.reduce((a, x) => Math.max(a, Math.abs(x - 1)), 0)).toBeLessThan(1e-6);
    const one = new Uint8Array(24 ** 3);
    one[12 + 24 * (12 + 24 * 12)] = 1;
    const s = softMask(one, 24, 24, 24);
    expect(sum(s)).toBeCloseTo(1, 4);
    // Peak = k[0]³ with k the 1-D kernel, ≈ (1/(2√π))³ for a Gaussian of σ = √2 voxels.
    expect(s[12 + 24 * (12 + 24 * 12)]).toBeCloseTo(realGaussianKernel(24, 2)[0] ** 3, 6);
    expect(realGaussianKernel(24, 2)[0]).toBeCloseTo(1 / (2 * Math.sqrt(Math.PI)), 5);
  });

  it("wraps around the box on long axes (truncated kernel): equals the separable sum written out", () => {
    const [nx, ny, nz] = [20, 18, 17];
    const voxels = [[0, 0, 0], [19, 5, 8], [10, 17, 16], [3, 9, 0]];
    const hard = new Uint8Array(nx * ny * nz);
    for (const [x, y, z] of voxels) hard[x + nx * (y + ny * z)] = 1;
    // Weight of a displacement d along an axis of length n: the tap whose shift is d modulo n.
    const weightAlong = (n: number) => {
      const k = axisKernel(n, 2);
      const w = new Float64Array(n);
      k.shifts.forEach((shift, t) => (w[(((shift % n) + n) % n)] += k.weights[t]));
      return w;
    };
    const [wx, wy, wz] = [weightAlong(nx), weightAlong(ny), weightAlong(nz)];
    const got = softMask(hard, nx, ny, nz);
    let worst = 0;
    for (let z = 0; z < nz; z++)
      for (let y = 0; y < ny; y++)
        for (let x = 0; x < nx; x++) {
          let want = 0;
          for (const [x0, y0, z0] of voxels)
            want += wx[(x - x0 + nx) % nx] * wy[(y - y0 + ny) % ny] * wz[(z - z0 + nz) % nz];
          worst = Math.max(worst, Math.abs(got[x + nx * (y + ny * z)] - Math.max(0, want)));
        }
    expect(worst).toBeLessThan(1e-7);
  });

  it("equals numpy's FFT filter exactly on a short box (whole circular kernel), wrap-around included", () => {
    const f = JSON.parse(readFileSync("test/fixtures/masks-soft-small.json", "utf8"));
    const { nx, ny, nz } = f.shape;
    const got = softMask(Uint8Array.from(f.hard), nx, ny, nz);
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - f.soft[i]));
    expect(worst).toBeLessThan(2e-7); // float32 output
    expect(got.every((x) => x >= 0)).toBe(true);
  });
});

/**
 * realGaussianFilter without its sparse bookkeeping: every row of every pass, each output accumulated in float64 in
 * the filter's order (along x from the source voxels in x order, across from the taps in order) and stored in float32.
 */
function denseGaussianFilter(input: ArrayLike<number>, nx: number, ny: number, nz: number, sigma: number): Float32Array {
  const step = [1, nx, nx * ny];
  const along = (values: ArrayLike<number>, axis: 0 | 1 | 2) => {
    const n = [nx, ny, nz][axis];
    const { shifts, weights } = axisKernel(n, sigma);
    const out = new Float32Array(nx * ny * nz);
    const acc = new Float64Array(n);
    for (let z = 0; z < nz; z++)
      for (let y = 0; y < ny; y++)
        for (let x = 0; x < nx; x++) {
          const at = [x, y, z];
          if (at[axis] !== 0) continue; // one line per start
          const start = x + nx * (y + ny * z);
          acc.fill(0);
          if (axis === 0) {
            for (let i = 0; i < n; i++)
              for (let t = 0; t < shifts.length; t++) acc[(((i + shifts[t]) % n) + n) % n] += weights[t] * values[start + i];
          } else
            for (let t = 0; t < shifts.length; t++)
              for (let i = 0; i < n; i++) acc[i] += weights[t] * values[start + step[axis] * ((((i - shifts[t]) % n) + n) % n)];
          for (let i = 0; i < n; i++) out[start + step[axis] * i] = acc[i];
        }
    return out;
  };
  return along(along(along(input, 0), 1), 2);
}

describe("realGaussianFilter against the dense filter (property)", () => {
  it("gives the same bits on sparse masks and sparse signed volumes, short and long axes, wrap-around included", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(3, 8, 15, 16, 21, 24),
        fc.constantFrom(1, 5, 16, 19),
        fc.constantFrom(2, 16, 17),
        fc.integer(),
        fc.constantFrom(0.02, 0.2),
        fc.boolean(),
        (nx, ny, nz, seed, density, signed) => {
          const next = xorshift32(seed);
          const n = nx * ny * nz;
          const input = signed
            ? Float32Array.from({ length: n }, () => (next() % 1000 < density * 1000 ? ((next() % 2001) - 1000) / 250 : 0))
            : Uint8Array.from({ length: n }, () => (next() % 1000 < density * 1000 ? 1 : 0));
          const got = realGaussianFilter(input, nx, ny, nz, 2);
          const want = denseGaussianFilter(input, nx, ny, nz, 2);
          expect(new Uint32Array(got.buffer)).toEqual(new Uint32Array(want.buffer));
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe.each(["emd_1997", "emd_3488"])("scipy/numpy references on %s", (name) => {
  const f = JSON.parse(readFileSync(`test/fixtures/masks-${name}.json`, "utf8"));
  const { volume } = parseMap(new Uint8Array(readFileSync(f.source)));
  const { nx, ny, nz } = volume;
  const hash = (m: Uint8Array) => createHash("sha256").update(m).digest("hex");

  it("raw mask components match scipy.ndimage.label (3×3×3)", () => {
    const c = labelComponents(rawMask(volume, f.threshold), nx, ny, nz, 26);
    expect(c.sizes[0]).toBe(nx * ny * nz - f.raw.voxels);
    expect(c.count).toBe(f.raw.componentCount);
    expect(Array.from(c.sizes.subarray(1)).sort((a, b) => b - a)).toEqual(f.raw.sizesDescending);
  });

  it("vrs-compat hard mask equals the Xmipp re-implementation voxel for voxel", () => {
    const h = hardMask(volume, f.threshold, { voxelSize: f.voxelSize, mode: "vrs-compat" });
    expect(h.appliedThreshold).toBe(f.vrsCompat.appliedThreshold);
    expect(h.largestComponentVoxels).toBe(f.vrsCompat.largestComponentVoxels);
    expect(h.dilationIterations).toBe(f.vrsCompat.dilationIterations);
    expect(h.voxels).toBe(f.vrsCompat.voxels);
    const perZ = Array.from({ length: nz }, (_, z) => sum(h.mask.subarray(z * nx * ny, (z + 1) * nx * ny)));
    expect(perZ).toEqual(f.vrsCompat.voxelsPerZ);
    expect(hash(h.mask)).toBe(f.vrsCompat.sha256);
    expect(h.rawComponents.count).toBe(f.raw.componentCount);
  });

  it("default hard mask equals scipy binary_dilation with the 18-neighbour structure", () => {
    const h = hardMask(volume, f.threshold, { voxelSize: f.voxelSize });
    expect(h.voxels).toBe(f.default.voxels);
    expect(hash(h.mask)).toBe(f.default.sha256);
  });

  it("soft mask agrees with numpy's 3-D FFT filter within the documented ripple bound", () => {
    const h = hardMask(volume, f.threshold, { voxelSize: f.voxelSize, mode: "vrs-compat" });
    const s = softMask(h.mask, nx, ny, nz);
    let worst = 0;
    f.soft.sampleIndex.forEach((i: number, k: number) => (worst = Math.max(worst, Math.abs(s[i] - f.soft.sampleValue[k]))));
    expect(worst).toBeLessThan(1e-5); // measured 2.6e-6 (emd_1997) and 2.2e-6 (emd_3488)
    for (let z = 0; z < nz; z++) {
      const plane = sum(s.subarray(z * nx * ny, (z + 1) * nx * ny));
      expect(Math.abs(plane - f.soft.sumPerZ[z])).toBeLessThan(1e-3 + 1e-5 * f.soft.sumPerZ[z]);
    }
    expect(sum(s) / f.soft.sum).toBeCloseTo(1, 5);
    expect(s.reduce((a, b) => Math.max(a, b), 0)).toBeCloseTo(f.soft.max, 5);
    for (const i of f.soft.zeroIndex) expect(s[i]).toBeLessThan(1e-5);
  });

  it("the sweep agrees with scipy at every reference threshold", () => {
    const thresholds = f.sweep.map((r: { threshold: number }) => r.threshold);
    const got = componentSweep(volume, thresholds, 26);
    expect(
      got.map(({ threshold, rawVoxels, componentCount, largestComponentVoxels, components95 }) => ({
        threshold,
        rawVoxels,
        componentCount,
        largestComponentVoxels,
        components95,
      })),
    ).toEqual(f.sweep);
  });
});
