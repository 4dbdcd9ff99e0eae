import { describe, expect, it } from "vitest";
import { TOO_HOMOGENEOUS_WARNING } from "../lib/local/local-stats.js";
import { localSections, locBfactorWarnings } from "../lib/level0/section-0f-locbfactor.js";
import { locOccupancySection, locOccupancyWarnings, occupancyFrequencies } from "../lib/level0/section-0g-lococcupancy.js";
import type { Volume } from "../lib/io/volume.js";
import { seededNormal as gaussian } from "./helpers/random.js";

/** White noise smoothed by a 3-voxel box along each axis (blobs, so the hard mask is a few solid components). */
function blobs(nx: number, ny: number, nz: number, seed: number): Volume {
  const normal = gaussian(seed);
  const raw = Float32Array.from({ length: nx * ny * nz }, normal);
  const at = (x: number, y: number, z: number) => raw[((x + nx) % nx) + nx * (((y + ny) % ny) + ny * ((z + nz) % nz))];
  const data = new Float32Array(raw.length);
  for (let z = 0, i = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, i++) {
        let s = 0;
        for (let dz = -1; dz <= 1; dz++) for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) s += at(x + dx, y + dy, z + dz);
        data[i] = s / 27;
      }
  return { nx, ny, nz, data, voxelSize: [1, 1, 1], origin: [0, 0, 0] };
}

const pct = (p2_5: number, p50: number, p97_5: number) => ({ p2_5, p25: p50, p50, p75: p50, p97_5 });

describe("occupancyFrequencies", () => {
  it("is linspace(1/15, 1/res, max(1, int((1/res − 1/15)/σ)))", () => {
    const sigma = 4.8 / (64 * 1.6);
    const f = occupancyFrequencies(3.2, sigma);
    expect(f).toHaveLength(Math.trunc((1 / 3.2 - 1 / 15) / sigma)); // 5
    expect(f).toHaveLength(5);
    expect(f[0]).toBe(1 / 15);
    expect(f[4]).toBe(1 / 3.2);
  });

  it("keeps one band (at 15 Å) when the resolution is 15 Å or coarser, as int() truncates towards zero", () => {
    expect(occupancyFrequencies(15, 0.01)).toEqual([1 / 15]);
    expect(occupancyFrequencies(24.8, 0.01)).toEqual([1 / 15]);
  });
});

describe("0.g on a blob map", () => {
  const volume = blobs(48, 48, 48, 4);
  const options = { voxelSize: 1, threshold: 0.25, resolution: 2 };
  const both = localSections(volume, options);
  const alone = locOccupancySection(volume, options);

  it("has mean occupancy (N − ⌈(N−1)/4⌉)/N over the mask: each band's first quartile passes that share", () => {
    // A voxel passes a band when m ≥ the linear-interpolated quantile at h = (N−1)/4, i.e. the N − ⌈h⌉ largest
    // values pass (no ties); every band passes the same share, so the mean over the mask is that share.
    const r = both["0.g"].results!;
    const N = r.voxels;
    expect(N).toBeGreaterThan(1000);
    expect(Math.abs(r.mean - (N - Math.ceil((N - 1) / 4)) / N)).toBeLessThan(1 / N);
  });

  it("gives the same section alone as with 0.f (shared bands fed in another order)", () => {
    expect(alone.results).toEqual(both["0.g"].results);
    expect(alone.status).toBe(both["0.g"].status);
  });

  it("reports occupancies in [0, 1] in steps of 1/n_f, and a local map with its mask", () => {
    const r = both["0.g"].results!;
    const nf = r.frequencies.length;
    expect(nf).toBe(4);
    expect(r.thresholds).toHaveLength(nf);
    for (const v of Object.values(r.percentiles)) expect(Math.abs(v * nf - Math.round(v * nf))).toBeLessThan(1e-9);
    const { volume: map, mask } = both["0.g"].localMap!;
    expect([map.nx, map.ny, map.nz]).toEqual(r.resizedShape);
    expect(mask).toHaveLength(map.data.length);
    for (const v of map.data) expect(v >= 0 && v <= 1).toBe(true);
  });
});

describe("non-cubic boxes", () => {
  const volume = blobs(40, 32, 24, 8);
  const options = { voxelSize: 1, threshold: 0.35, resolution: 2 };

  it("default keeps the box and uses each axis's frequencies; vrs-compat windows it to a cube of the x edge", () => {
    const def = localSections(volume, options);
    const vrs = localSections(volume, { ...options, mode: "vrs-compat" });
    expect(def["0.f"].results!.resizedShape).toEqual([40, 32, 24]);
    expect(vrs["0.f"].results!.resizedShape).toEqual([40, 40, 40]);
    // The cube is centred on the box (Xmipp's window keeps voxel ⌊n/2⌋): y and z start 4 and 8 voxels earlier.
    expect(def["0.f"].localMap!.volume.origin).toEqual([0, 0, 0]);
    expect(vrs["0.f"].localMap!.volume.origin).toEqual([0, -4, -8]);
    // σ = 4.8 bins of the geometric-mean edge by default, of the cube's edge in vrs-compat.
    expect(def["0.f"].results!.shellSigma).toBeCloseTo(4.8 / Math.cbrt(40 * 32 * 24), 12);
    expect(vrs["0.f"].results!.shellSigma).toBeCloseTo(4.8 / 40, 12);
    for (const s of [def, vrs]) {
      expect(Number.isFinite(s["0.f"].results!.median)).toBe(true);
      expect(s["0.g"].results!.voxels).toBeGreaterThan(0);
    }
  });
});

describe("VRS verdicts and wording", () => {
  it("0.f: median outside [−300, 0], and |p2.5 − p97.5| < 0.01", () => {
    expect(locBfactorWarnings(pct(-200, -100, -10))).toEqual([]);
    expect(locBfactorWarnings(pct(-500, -300, 0))).toEqual([]);
    expect(locBfactorWarnings(pct(-900, -300.01, 0))).toEqual(["The median B-factor is out of the interval [-300,0]"]);
    expect(locBfactorWarnings(pct(-10, 5, 30))).toEqual(["The median B-factor is out of the interval [-300,0]"]);
    expect(locBfactorWarnings(pct(-50, -50, -49.995))).toEqual([TOO_HOMOGENEOUS_WARNING]);
    expect(TOO_HOMOGENEOUS_WARNING).toBe(
      "Program output seems to be too homogeneous. There might be some program issues analyzing the data.",
    );
  });

  it("0.g: median below 0.5, and |p2.5 − p97.5| < 0.1", () => {
    expect(locOccupancyWarnings(pct(0, 0.5, 1))).toEqual([]);
    expect(locOccupancyWarnings(pct(0, 0.49, 1))).toEqual(["The median occupancy is less than 50%"]);
    expect(locOccupancyWarnings(pct(0.7, 0.75, 0.79))).toEqual([TOO_HOMOGENEOUS_WARNING]);
  });
});
