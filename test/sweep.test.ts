import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runLevel0 } from "../lib/level0/level0.js";
import { parseMap } from "../lib/io/mrc-reader.js";
import type { MassResults } from "../lib/level0/section-0a-mass.js";
import type { MaskResults } from "../lib/level0/section-0b-mask.js";
import type { BackgroundResults } from "../lib/level0/section-0c-background.js";
import { sweep } from "../lib/level0/sweep.js";
import { makeVolume } from "../lib/io/volume.js";
import { centeredUniform } from "./helpers/random.js";

const root = join(import.meta.dirname, "..");
const load = (f: string) => parseMap(new Uint8Array(readFileSync(join(root, "data/maps", f)))).volume;

describe.each([
  ["emd_1997.map", 2.02, [0.3, 0.5, 1.0, 1.5, 2.5]],
  ["emd_3488.map", 1.05, [0.03, 0.09, 0.2, 0.4]],
])("sweep of %s equals full reports at each threshold", (file, ts, thresholds) => {
  const volume = load(file);
  for (const mode of ["default", "vrs-compat"] as const) {
    it(mode, () => {
      const rows = sweep(volume, thresholds, { voxelSize: ts, mode });
      rows.forEach((row, i) => {
        const r = runLevel0(volume, { threshold: thresholds[i], voxelSize: ts, mode });
        const a = r.sections["0.a"].results as MassResults;
        const b = r.sections["0.b"].results as MaskResults;
        const c = r.sections["0.c"].results as BackgroundResults;
        expect(row.threshold).toBe(thresholds[i]);
        expect(row.rawVoxels).toBe(b.rawVoxels);
        expect(row.rawComponents).toBe(b.rawComponents);
        expect(row.largestComponentVoxels).toBe(b.componentSizes[0]);
        expect(row.components95).toBe(b.components95);
        expect(row.constructedVoxels).toBe(b.constructedVoxels);
        expect(row.overlap).toBe(b.overlap);
        if (Number.isNaN(b.remainingAverageVolume)) expect(Number.isNaN(row.remainingAverageVolume)).toBe(true);
        else expect(row.remainingAverageVolume).toBeCloseTo(b.remainingAverageVolume, 9);
        expect(row.spaceLeft).toEqual(a.spaceLeft);
        expect(row.spaceRight).toEqual(a.spaceRight);
        expect(row.background.voxels).toBe(c.voxels);
        expect(Math.abs(row.background.mean - c.mean)).toBeLessThan(1e-10 * c.std);
        expect(Math.abs(row.background.std / c.std - 1)).toBeLessThan(1e-10);
        expect(Math.abs(row.background.t - c.t)).toBeLessThan(1e-6 * Math.max(1, Math.abs(c.t)));
        expect(row.background.outlierPercent).toBe(c.outlierPercent);
        for (const id of ["0.a", "0.b", "0.c"] as const) {
          expect(row.status[id], `${id} at ${thresholds[i]}`).toBe(r.sections[id].status);
          expect(row.warnings[id]).toBe(r.sections[id].warnings.length);
        }
      });
    });
  }
});

describe("sweep edge cases", () => {
  it("blobs against the box edge: the cropped hard mask equals the full one in both modes", () => {
    // A 5³ blob in the corner, a 2-voxel blob on the opposite face, a ridge along z, faint noise.
    const v = makeVolume(20, 18, 16, (x, y, z) =>
      x < 5 && y < 5 && z < 5 ? 2 + 0.1 * x : (x === 19 && y === 9 && z < 2) ? 1.5 : x === 10 && y === 10 ? 0.8 + 0.01 * z : 0.02 * Math.sin(x * 7 + y * 3 + z));
    const thresholds = [0.01, 0.5, 0.85, 1.2, 2.05, 2.3, 3];
    for (const mode of ["default", "vrs-compat"] as const)
      for (const ts of [0.6, 1.5]) {
        const rows = sweep(v, thresholds, { voxelSize: ts, mode });
        rows.forEach((row, i) => {
          if (row.rawVoxels === 0) return;
          const r = runLevel0(v, { threshold: thresholds[i], voxelSize: ts, mode });
          const b = r.sections["0.b"].results as MaskResults;
          expect(row.constructedVoxels, `${mode} Ts ${ts} t ${thresholds[i]}`).toBe(b.constructedVoxels);
          expect(row.overlap).toBe(b.overlap);
          expect(row.spaceRight).toEqual((r.sections["0.a"].results as MassResults).spaceRight);
          expect(row.background.outlierPercent).toBe((r.sections["0.c"].results as BackgroundResults).outlierPercent);
        });
      }
  });

  it("another mass fraction than 95 % is honoured", () => {
    const volume = load("emd_1997.map");
    const parameters = { massFraction: 0.5 };
    const [row] = sweep(volume, [1.0], { voxelSize: 2.02, parameters });
    const r = runLevel0(volume, { threshold: 1.0, voxelSize: 2.02, parameters });
    expect(row.components95).toBe((r.sections["0.b"].results as MaskResults).components95);
    expect(row.components95).toBe(2); // 16978 + 3828 of 34002 voxels
  });

  it("a mass fraction other than 95 % that needs more than 100 components: the count, as the report gives it", () => {
    // emd_1997 at 2.5 keeps many small noise blobs: 90 % of the raw voxels need 101 components.
    const volume = load("emd_1997.map");
    for (const mode of ["default", "vrs-compat"] as const) {
      const parameters = { massFraction: 0.9 };
      const [row] = sweep(volume, [2.5], { voxelSize: 2.02, parameters, mode });
      const r = runLevel0(volume, { threshold: 2.5, voxelSize: 2.02, parameters, mode });
      const b = r.sections["0.b"].results as MaskResults;
      expect(b.components95, mode).toBe(101);
      expect(row.components95, mode).toBe(b.components95);
      expect(row.status["0.b"]).toBe(r.sections["0.b"].status);
      expect(row.warnings["0.b"]).toBe(r.sections["0.b"].warnings.length);
    }
  });

  it("a threshold above the maximum gives VRS's empty-mask warning for 0.a, not an exception", () => {
    const volume = load("emd_3488.map");
    const [row] = sweep(volume, [5], { voxelSize: 1.05 });
    expect(row.rawVoxels).toBe(0);
    expect(row.constructedVoxels).toBe(0);
    expect(row.warnings["0.a"]).toBe(1);
    expect(row.status["0.b"]).toBe("not-measured");
  });
});

describe("sweep against full reports on random maps (property)", () => {
  // Random blobs of random heights on noise: as the threshold falls the largest component changes, ties, grows
  // by merging, and reaches the box edge, which exercises every path of the growing hard mask.
  it("constructed voxels, overlap, extents and background outliers equal runLevel0's at every threshold", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 4, max: 11 }),
        fc.integer({ min: 4, max: 11 }),
        fc.integer({ min: 4, max: 11 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer(),
        fc.constantFrom(0.5, 0.9, 2.5),
        fc.constantFrom("default" as const, "vrs-compat" as const),
        (nx, ny, nz, blobs, seed, ts, mode) => {
          const random = centeredUniform(seed);
          const centres = Array.from({ length: blobs }, () => [
            (random() + 0.5) * nx, (random() + 0.5) * ny, (random() + 0.5) * nz, 1 + random(), 1 + 2 * (random() + 0.5),
          ]);
          const v = makeVolume(nx, ny, nz, (x, y, z) =>
            centres.reduce((sum, [cx, cy, cz, height, width]) =>
              sum + height * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2 + (z - cz) ** 2) / width ** 2), 0.1 * random()));
          const thresholds = [0.05, 0.15, 0.3, 0.45, 0.6, 0.8, 1.0, 1.3];
          const rows = sweep(v, thresholds, { voxelSize: ts, mode });
          rows.forEach((row, i) => {
            if (row.rawVoxels === 0) return;
            const r = runLevel0(v, { threshold: thresholds[i], voxelSize: ts, mode });
            const a = r.sections["0.a"].results as MassResults;
            const b = r.sections["0.b"].results as MaskResults;
            const c = r.sections["0.c"].results as BackgroundResults;
            const where = `${mode} Ts ${ts} t ${thresholds[i]}`;
            expect(row.constructedVoxels, where).toBe(b.constructedVoxels);
            expect(row.overlap, where).toBe(b.overlap);
            expect(row.spaceLeft, where).toEqual(a.spaceLeft);
            expect(row.spaceRight, where).toEqual(a.spaceRight);
            expect(row.background.voxels, where).toBe(c.voxels);
            expect(row.background.outlierPercent, where).toBe(c.outlierPercent);
          });
        },
      ),
      { numRuns: 150 },
    );
  });

  it("components for the mass fraction, the left-over blobs and 0.b's verdict equal runLevel0's for any fraction", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 5, max: 12 }),
        fc.integer(),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        fc.constantFrom("default" as const, "vrs-compat" as const),
        (n, seed, massFraction, mode) => {
          // Noise with many small blobs above the thresholds, so that the count runs from 1 to dozens.
          const random = centeredUniform(seed);
          const v = makeVolume(n, n, n, () => random() + 0.5);
          const thresholds = [0.5, 0.7, 0.85, 0.95];
          const parameters = { massFraction };
          const rows = sweep(v, thresholds, { voxelSize: 1, mode, parameters });
          rows.forEach((row, i) => {
            if (row.rawVoxels === 0) return;
            const r = runLevel0(v, { threshold: thresholds[i], voxelSize: 1, mode, parameters });
            const b = r.sections["0.b"].results as MaskResults;
            const where = `${mode} fraction ${massFraction} t ${thresholds[i]}`;
            expect(row.components95, where).toBe(b.components95);
            if (Number.isNaN(b.remainingAverageVolume)) expect(Number.isNaN(row.remainingAverageVolume), where).toBe(true);
            else expect(row.remainingAverageVolume, where).toBeCloseTo(b.remainingAverageVolume, 9);
            expect(row.status["0.b"], where).toBe(r.sections["0.b"].status);
            expect(row.warnings["0.b"], where).toBe(r.sections["0.b"].warnings.length);
          });
        },
      ),
      { numRuns: 100 },
    );
  });
});
