import { describe, expect, it } from "vitest";
import { runLevel0, runLevel0WithWorkings } from "../lib/level0/level0.js";
import { readMap } from "../lib/io/mrc-reader.js";
import { LARGEST_COMPONENT_MIN_FRACTION, partialMaskCaution } from "../lib/level0/section-0b-mask.js";
import { sweep } from "../lib/level0/sweep.js";
import { makeVolume } from "../lib/io/volume.js";
import { loadMap } from "./helpers/corrupt.js";

/** 32³, 2 Å voxels: two separate 6³ blobs of density 1 (raw mask 432 voxels, largest 216 = 50 %), or one. */
const blobs = (count: 1 | 2) =>
  makeVolume(32, 32, 32, (x, y, z) => {
    const inBlob = (x0: number) => x >= x0 && x < x0 + 6 && y >= 13 && y < 19 && z >= 13 && z < 19;
    return inBlob(8) || (count === 2 && inBlob(18)) ? 1 : (x + y + z) % 2 ? 0.01 : -0.01;
  }, [2, 2, 2]);

const note = /keeps only the largest connected component of the raw mask, which holds 50 % of its voxels \(less than 80 %\)/;
const warning = "This verdict rests on the largest component alone, 50 % of the density above the threshold.";

describe("verdicts resting on part of the density (largest component < 80 % of the raw mask)", () => {
  it("two equal blobs: a note on 0.a and 0.c in both modes, a warning on both in default mode only", () => {
    for (const mode of ["default", "vrs-compat"] as const) {
      const { report: r, workings } = runLevel0WithWorkings(blobs(2), { threshold: 0.5, mode });
      expect(workings.hardMask.largestComponentVoxels).toBe(216);
      for (const id of ["0.a", "0.c"] as const) {
        expect(r.sections[id].notes).toEqual(expect.arrayContaining([expect.stringMatching(note)]));
        expect(r.sections[id].warnings.includes(warning)).toBe(mode === "default");
      }
      expect(r.sections["0.b"].notes?.some((n) => note.test(n)) ?? false).toBe(false);
    }
    // The same map with one blob: no caution anywhere.
    const one = runLevel0(blobs(1), { threshold: 0.5 });
    for (const id of ["0.a", "0.c"] as const) {
      expect(one.sections[id].warnings).not.toContain(warning);
      expect(one.sections[id].notes?.some((n) => note.test(n)) ?? false).toBe(false);
    }
  });

  it("the limit: 80 % passes, just under warns; an empty raw mask has no caution", () => {
    expect(LARGEST_COMPONENT_MIN_FRACTION).toBe(0.8);
    expect(partialMaskCaution(80, 100, "default")).toBeNull();
    expect(partialMaskCaution(79, 100, "default")!.warning).toMatch(/79 %/);
    expect(partialMaskCaution(79, 100, "vrs-compat")!.warning).toBeNull();
    expect(partialMaskCaution(0, 0, "default")).toBeNull();
  });

  it("EMD-1997 at its contour 1 (GroEL, one ring of two kept: 50 %) says so on 0.a and 0.c", async () => {
    const { volume } = await readMap(loadMap("data/maps/emd_1997.map"));
    for (const mode of ["default", "vrs-compat"] as const) {
      const { report: r, workings } = runLevel0WithWorkings(volume, { threshold: 1, mode, sections: [] });
      expect(workings.hardMask.largestComponentVoxels / 34002).toBeCloseTo(0.4993, 4); // 16978 of 34002 raw voxels
      for (const id of ["0.a", "0.c"] as const) {
        expect(r.sections[id].notes).toEqual(expect.arrayContaining([expect.stringMatching(note)]));
        expect(r.sections[id].warnings.includes(warning)).toBe(mode === "default");
      }
    }
  });

  it("the threshold sweep counts the same warning, so its verdicts match the report's", () => {
    const [row] = sweep(blobs(2), [0.5], { voxelSize: 2 });
    const report = runLevel0(blobs(2), { threshold: 0.5 });
    expect(row.warnings["0.a"]).toBe(report.sections["0.a"].warnings.length);
    expect(row.warnings["0.c"]).toBe(report.sections["0.c"].warnings.length);
    expect(row.status["0.c"]).toBe("warnings");
  });
});
