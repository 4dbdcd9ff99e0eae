/**
 * 1.g FSO and 1.h directional FSC (lib/level1/directional-fsc.ts): the direction set, the cone weight, Bingham's statistic
 * and its χ²(5) p-value (scipy's chi2 values), sphericity against a sphere and an analytic spheroid, and synthetic
 * pairs whose signal decays faster along z (anisotropic) or equally in every direction (isotropic).
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  binghamStatistic,
  chiSquare5Survival,
  coneWeight,
  directionalFsc,
  fsc3dSection,
  fsoSection,
  hemisphereDirections,
  surfaceSphericity,
  type DirectionalFscResult,
} from "../lib/level1/directional-fsc.js";
import { halfWidth, inverseRealFft3d, realFft3d } from "../lib/fourier/fft3d.js";
import { digitalFrequency } from "../lib/fourier/radial.js";
import { makeVolume, type Volume, type Vec3 } from "../lib/io/volume.js";
import { seededNormal } from "./helpers/random.js";

const n = 64;
const noiseVolume = (seed: number) => {
  const normal = seededNormal(seed);
  return makeVolume(n, n, n, () => normal());
};

/** White noise of `seed` with every bin's amplitude scaled by gain(shell radius in Fourier pixels, û_z). */
function shapedNoise(seed: number, gain: (radius: number, uz: number) => number): Float64Array {
  const spectrum = realFft3d(noiseVolume(seed));
  const hx = halfWidth(n);
  for (let kz = 0, e = 0; kz < n; kz++)
    for (let ky = 0; ky < n; ky++)
      for (let kx = 0; kx < hx; kx++, e++) {
        const fx = digitalFrequency(kx, n), fy = digitalFrequency(ky, n), fz = digitalFrequency(kz, n);
        const r = Math.hypot(fx, fy, fz);
        const g = r === 0 ? 1 : gain(r * n, fz / r);
        spectrum.data[2 * e] *= g;
        spectrum.data[2 * e + 1] *= g;
      }
  return inverseRealFft3d(spectrum);
}

/**
 * Halves = signal + independent unit white noise, the signal's power 200·exp(−i(1 + k·û_z²)/4) at radius i: the
 * FSC S/(S+1) reaches 0.143 at i = 4·ln 1200 ≈ 28 along x and y, and at 28/(1 + k) along z.
 */
function pair(k: number): [Volume, Volume] {
  const signal = shapedNoise(1, (i, uz) => Math.sqrt(200 * Math.exp((-i * (1 + k * uz * uz)) / 4)));
  const half = (seed: number) => {
    const noise = noiseVolume(seed);
    return { ...noise, data: noise.data.map((v, i) => v + signal[i]) };
  };
  return [half(2), half(3)];
}

describe("directions, cone weights, Bingham and sphericity", () => {
  it("the Fibonacci hemisphere is unit, in z > 0, and near-uniform (mean d·dᵀ ≈ I/3, so Bingham ≈ 0)", () => {
    const d = hemisphereDirections(321);
    expect(d).toHaveLength(321);
    for (const v of d) {
      expect(Math.hypot(...v)).toBeCloseTo(1, 12);
      expect(v[2]).toBeGreaterThan(0);
    }
    // 15·321·(tr T² − 1/3) for the whole set: far below χ²₅'s 5 % point 11.07.
    expect(binghamStatistic(d)).toBeLessThan(0.5);
  });

  it("cone weight: 1 on the axis, e^−4 at the cone's edge, 0 outside", () => {
    const cos17 = Math.cos((17 * Math.PI) / 180);
    expect(coneWeight(1, cos17)).toBe(1);
    expect(coneWeight(cos17, cos17)).toBeCloseTo(Math.exp(-4), 14);
    expect(coneWeight(cos17 - 1e-9, cos17)).toBe(0);
  });

  it("Bingham by hand: n copies of one axis give T = e·eᵀ, tr T² = 1, statistic 15·n·(2/3) = 10n", () => {
    const z: Vec3 = [0, 0, 1];
    expect(binghamStatistic(Array.from({ length: 7 }, () => z))).toBeCloseTo(70, 12);
    expect(Number.isNaN(binghamStatistic([]))).toBe(true);
  });

  it("χ²₅ survival matches scipy (chi2.isf(0.05, 5) = 11.0705, isf(0.01) = 15.0863, sf(3) = 0.69999)", () => {
    expect(chiSquare5Survival(11.070497693516355)).toBeCloseTo(0.05, 6);
    expect(chiSquare5Survival(15.086272469388991)).toBeCloseTo(0.01, 6);
    expect(chiSquare5Survival(3)).toBeCloseTo(0.6999858358786276, 6);
    expect(chiSquare5Survival(40) / 1.493367900050393e-7).toBeCloseTo(1, 4);
    expect(chiSquare5Survival(0)).toBe(1);
  });

  it("sphericity: 1 for a sphere, and the analytic value π^⅓(6V)^⅔/A for a prolate spheroid (a = 1, c = 2)", () => {
    expect(surfaceSphericity(() => 3)).toBeCloseTo(1, 3);
    const a = 1, c = 2, e = Math.sqrt(1 - (a * a) / (c * c));
    const area = 2 * Math.PI * a * a * (1 + (c / (a * e)) * Math.asin(e));
    const volume = (4 / 3) * Math.PI * a * a * c;
    const analytic = (Math.cbrt(Math.PI) * Math.cbrt(6 * volume) ** 2) / area;
    const measured = surfaceSphericity((v) => 1 / Math.sqrt((v[0] ** 2 + v[1] ** 2) / (a * a) + v[2] ** 2 / (c * c)));
    expect(Math.abs(measured - analytic)).toBeLessThan(2e-3);
    expect(analytic).toBeLessThan(0.94);
  });
});

describe("synthetic pairs: isotropic and with a faster decay along z", () => {
  let isotropic: DirectionalFscResult, anisotropic: DirectionalFscResult;
  beforeAll(() => {
    isotropic = directionalFsc(...pair(0));
    anisotropic = directionalFsc(...pair(3));
  }, 120_000);

  it("isotropic: Bingham does not reject, x, y and z agree with the global resolution, sphericity near 1", () => {
    expect(isotropic.anisotropic).toBe(false);
    const { x, y, z, global } = isotropic.axisResolution;
    for (const v of [x, y, z]) expect(Math.abs(v! / global! - 1)).toBeLessThan(0.15);
    expect(isotropic.sphericity!).toBeGreaterThan(0.95);
    // FSC = 0.143 at radius ≈ 28.4 of 64 (1 Å voxels): about 2.25 Å.
    expect(global!).toBeGreaterThan(2.1);
    expect(global!).toBeLessThan(2.45);
  });

  it("anisotropic: Bingham rejects, z is the worst direction as built, x and y as the isotropic pair", () => {
    expect(anisotropic.anisotropic).toBe(true);
    const { x, y, z, global } = anisotropic.axisResolution;
    // Along z the crossing is at radius ≈ 28.4/4 ≈ 7: about 9 Å.
    expect(z!).toBeGreaterThan(6);
    expect(z!).toBeLessThan(13);
    for (const v of [x!, y!]) expect(Math.abs(v / isotropic.axisResolution.x! - 1)).toBeLessThan(0.15);
    expect(global!).toBeGreaterThan(Math.max(x!, y!));
    expect(global!).toBeLessThan(z!);
    expect(anisotropic.sphericity!).toBeLessThan(isotropic.sphericity! - 0.1);
    // The FSO falls early and slowly: 0.9 reached well before the isotropic pair's, 0.5 later than its 0.9.
    expect(anisotropic.fso09Resolution!).toBeGreaterThan(2 * isotropic.fso09Resolution!);
    expect(anisotropic.fsoResolution!).toBeGreaterThan(isotropic.fsoResolution!);
  });

  it("the directions nearest z resolve worst, those nearest the equator best", () => {
    const byZ = anisotropic.directions.map((d, k) => ({ z: d[2], resolution: anisotropic.directionalResolution[k] ?? 0 }));
    const mean = (rows: typeof byZ) => rows.reduce((s, r) => s + r.resolution, 0) / rows.length;
    expect(mean(byZ.filter((r) => r.z > 0.9))).toBeGreaterThan(2 * mean(byZ.filter((r) => r.z < 0.2)));
  });

  it("1.g's and 1.h's section results carry their curves (the page's charts), JSON-safe", () => {
    const curve = fsoSection(anisotropic, 2).results!.curve;
    const { frequency, fso, bingham, threshold } = anisotropic;
    // Through JSON as the site hands it to a page: plain arrays, NaN (a shell where no direction passes) as null.
    const asJson = (v: unknown) => JSON.parse(JSON.stringify(v));
    expect(asJson(curve)).toEqual(asJson({ frequency, fso, bingham, threshold }));
    expect([curve.frequency, curve.fso, curve.bingham.pValue].every(Array.isArray)).toBe(true);
    const h = fsc3dSection(anisotropic, 10).results!;
    expect(asJson(h.curves)).toEqual(asJson({ frequency, axes: anisotropic.axes, threshold: 0.143 }));
  });

  it("1.h's curves cross their threshold at the section's resolutions, in both modes (vrs-compat on VRS's frequencies)", () => {
    const voxelSize = 1.5;
    const scaled = (v: Volume) => ({ ...v, voxelSize: [voxelSize, voxelSize, voxelSize] as Vec3 });
    const [h1, h2] = pair(3).map(scaled);
    const frequencies: number[][] = [];
    for (const mode of ["default", "vrs-compat"] as const) {
      const { curves, ...r } = fsc3dSection(directionalFsc(h1, h2, { mode, directionCount: 20 }), null).results!;
      frequencies.push(curves.frequency);
      const at = (curve: number[], f: number) => {
        const k = curves.frequency.findIndex((x) => x >= f);
        const t = (f - curves.frequency[k - 1]) / (curves.frequency[k] - curves.frequency[k - 1]);
        return curve[k - 1] + t * (curve[k] - curve[k - 1]);
      };
      for (const [axis, resolution] of [["x", r.FSC3DresolutionX], ["y", r.FSC3DresolutionY], ["z", r.FSC3DresolutionZ], ["global", r.FSC3DresolutionGlobal]] as const)
        expect(at(curves.axes[axis], 1 / resolution!)).toBeCloseTo(curves.threshold, 9);
    }
    // Shell i at i/(Xdim·Ts) 1/Å, and at VRS's i·2·Ts/Xdim under vrs-compat.
    expect(frequencies[0][9]).toBeCloseTo(10 / (n * voxelSize), 12);
    expect(frequencies[1][9]).toBeCloseTo((10 * 2 * voxelSize) / n, 12);
  }, 120_000);

  it("1.g and 1.h verdicts in VRS's words; vrs-compat's 1.h units are the true ones / (2·Ts²)", () => {
    const fso = fsoSection(anisotropic, 2);
    expect(fso.status).toBe("warnings");
    expect(fso.warnings[0]).toMatch(/^The resolution reported by the user, 2\.00 Å, is at least 80% smaller than the resolution estimated by FSO, \d+\.\d\d Å\.$/);
    expect(fso.notes![0]).toMatch(/^Bingham's test rejects/);
    expect(fsoSection(isotropic, 2).status).toBe("ok");
    const h = fsc3dSection(anisotropic, 10);
    expect(h.status).toBe("ok");
    expect(h.results!.resolutionRange).toEqual([Math.min(...Object.values(anisotropic.axisResolution) as number[]), anisotropic.axisResolution.z]);
    const voxelSize = 1.5;
    const [h1, h2] = pair(3);
    const scaled = (v: Volume) => ({ ...v, voxelSize: [voxelSize, voxelSize, voxelSize] as Vec3 });
    const compat = directionalFsc(scaled(h1), scaled(h2), { mode: "vrs-compat" });
    const fixedUnits = directionalFsc(scaled(h1), scaled(h2));
    expect(compat.axisResolution.global!).toBeCloseTo(fixedUnits.axisResolution.global! / (2 * voxelSize ** 2), 10);
    // VRS's code adds "We could not estimate the global FSC3D" exactly when it could.
    expect(fsc3dSection(compat, 100).warnings).toEqual(["We could not estimate the global FSC3D"]);
    expect(fsc3dSection(fixedUnits, 100).warnings).toEqual([]);
  }, 120_000);
});

describe("edge cases", () => {
  it("identical halves: every direction correlates to Nyquist, so no FSO or sphericity can be measured", () => {
    const h = noiseVolume(9);
    const result = directionalFsc(h, h, { directionCount: 50 });
    expect(result.fso.every((v) => v === 1)).toBe(true);
    expect(result.fsoResolution).toBeNull();
    expect(result.sphericity).toBeNull();
    expect(result.directionsWithoutCrossing).toBe(50);
    expect(fsoSection(result, 3).status).toBe("not-measured");
    expect(fsc3dSection(result, 3).warnings).toEqual(["We could not estimate the global FSC3D"]);
    expect(() => fsoSection(result, -1)).toThrow(expect.objectContaining({ code: "bad-resolution" }));
    expect(() => fsc3dSection(result, NaN)).toThrow(expect.objectContaining({ code: "bad-resolution" }));
  }, 120_000);

  it("multiplies the halves by the soft mask: a mask of ones changes nothing, a mask of halves neither (FSC is scale-free)", () => {
    const [h1, h2] = pair(0);
    const plain = directionalFsc(h1, h2, { directionCount: 40 });
    const ones = directionalFsc(h1, h2, { directionCount: 40, mask: makeVolume(n, n, n, () => 1) });
    const halves = directionalFsc(h1, h2, { directionCount: 40, mask: makeVolume(n, n, n, () => 0.5) });
    expect(ones.axes.global).toEqual(plain.axes.global);
    halves.axes.global.forEach((v, i) => expect(v).toBeCloseTo(plain.axes.global[i], 10));
    const ball = directionalFsc(h1, h2, { directionCount: 40, mask: makeVolume(n, n, n, (x, y, z) => ((x - 32) ** 2 + (y - 32) ** 2 + (z - 32) ** 2 < 100 ? 1 : 0)) });
    expect(ball.axes.global[20]).not.toBeCloseTo(plain.axes.global[20], 2);
    expect(() => directionalFsc(h1, h2, { mask: makeVolume(8, 8, 8, () => 1) })).toThrow(expect.objectContaining({ code: "mask-shape-mismatch" }));
  }, 120_000);

  it("analyses a NaN voxel as the half's finite mean", () => {
    const h1 = noiseVolume(10), h2 = noiseVolume(11);
    h1.data[5] = NaN;
    expect(directionalFsc(h1, h2, { directionCount: 20 }).axes.global.every(Number.isFinite)).toBe(true);
  }, 60_000);

  it("rejects bad parameters with named errors", () => {
    const h = makeVolume(16, 16, 16, () => 1);
    expect(() => directionalFsc(h, h, { coneAngleDegrees: 0 })).toThrow(expect.objectContaining({ code: "bad-cone-angle" }));
    expect(() => directionalFsc(h, h, { directionCount: 2001 })).toThrow(expect.objectContaining({ code: "bad-direction-count" }));
    expect(() => directionalFsc(h, h, { threshold: 1 })).toThrow(expect.objectContaining({ code: "bad-threshold" }));
  });
});
