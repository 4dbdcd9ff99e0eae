/**
 * 0.f/0.g's resized box is capped (lib/local/spiral-amplitude.ts MAX_LOCAL_BOX_VOXELS): below the cap the box is VRS's
 * (the map resized to half the reported resolution); above it the map is resized for the finest resolution whose box
 * fits, the bands stop there, and both sections say what was resized to what. Boxes hand-computed from VRS's rule: an
 * edge of n voxels at Ts becomes 2·⌊n·Ts/resolution⌋.
 */
import { describe, expect, it } from "vitest";
import { localSections } from "../lib/level0/section-0f-locbfactor.js";
import { localBoxResolution, localGridBoxes, MAX_LOCAL_BOX_VOXELS } from "../lib/local/spiral-amplitude.js";
import type { Vec3, Volume } from "../lib/io/volume.js";

describe("localBoxResolution", () => {
  it("is the reported resolution when VRS's box fits the cap", () => {
    expect(localBoxResolution([100, 100, 100], { voxelSize: 2.02, resolution: 7 })).toBe(7);
    // A 512³ map at 3.5 Å with Ts 1: 2·⌊512/3.5⌋ = 292 per edge, below 448.
    expect(localBoxResolution([512, 512, 512], { voxelSize: 1, resolution: 3.5 })).toBe(3.5);
  });

  it("is the finest resolution whose box fits otherwise: 512³ at Ts = 1 Å and 2 Å → 448³ at 512/225 Å", () => {
    // 2·⌊512/r⌋ ≤ 448 ⟺ 512/r < 225.
    const r = localBoxResolution([512, 512, 512], { voxelSize: 1, resolution: 2 });
    expect(r).toBeGreaterThan(512 / 225);
    expect(r).toBeCloseTo(512 / 225, 9);
    expect(localGridBoxes([512, 512, 512], { voxelSize: 1, resolution: r }).box).toEqual([448, 448, 448]);
    expect(448 ** 3).toBe(MAX_LOCAL_BOX_VOXELS);
    // vrs-compat's cube of the x edge: 2·⌊1000·2/r⌋ ≤ 448 ⟺ 2000/r < 225.
    const cube = localBoxResolution([1000, 4, 4], { voxelSize: 2, resolution: 4, mode: "vrs-compat" });
    expect(cube).toBeCloseTo(2000 / 225, 9);
    expect(localGridBoxes([1000, 4, 4], { voxelSize: 2, resolution: cube, mode: "vrs-compat" }).box).toEqual([448, 448, 448]);
  });

  it("refuses a cap below 2×2×2 voxels, the smallest box", () => {
    expect(() => localBoxResolution([64, 64, 64], { voxelSize: 1, resolution: 3 }, 7)).toThrow(/at least 2×2×2 voxels, got 7/);
  });
});

const n = 64;
function blobOnNoise(): Volume {
  const data = new Float32Array(n ** 3);
  let seed = 99;
  for (let z = 0, i = 0; z < n; z++)
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++, i++) {
        seed = (1103515245 * seed + 12345) % 2 ** 31;
        data[i] = Math.exp(-((x - 30) ** 2 + (y - 33) ** 2 + (z - 31) ** 2) / 60) + (seed / 2 ** 31 - 0.5) * 0.1;
      }
  return { nx: n, ny: n, nz: n, data, voxelSize: [1, 1, 1], origin: [0, 0, 0] };
}

describe("0.f and 0.g above the box cap", () => {
  const volume = blobOnNoise();
  const options = { voxelSize: 1, threshold: 0.5, resolution: 2.5 };
  // VRS's box: 2·⌊64/2.5⌋ = 50 per edge, 125 000 voxels. Capped at 40³: 2·⌊64/r⌋ ≤ 40 ⟺ 64/r < 21.
  const capped = localSections(volume, { ...options, maxBoxVoxels: 40 ** 3 });

  it("resize the map for the finest resolution whose box fits, and say what was resized to what", () => {
    for (const id of ["0.f", "0.g"] as const) {
      const { results, notes } = capped[id];
      expect(results).not.toBeNull();
      expect(results!.resizedShape).toEqual([40, 40, 40]);
      const cap = results!.boxCap!;
      expect(cap).toMatchObject({ reportedResolution: 2.5, reportedBox: [50, 50, 50], maxVoxels: 64_000 });
      expect(cap.analysedResolution).toBeCloseTo(64 / 21, 9);
      expect(results!.resizedVoxelSize).toBe(cap.analysedResolution / 2);
      expect(results!.frequencies.at(-1)).toBe(1 / cap.analysedResolution); // the bands stop there
      expect(notes).toEqual([expect.stringMatching(/would be 50×50×50 voxels, more than the 64000 .* resized to 1\.524 Å per voxel \(40×40×40\) instead, so its bands stop at 3\.05 Å rather than at the reported 2\.5 Å/)]);
    }
  }, 60_000);

  it("give the numbers of an uncapped run at that resolution", () => {
    const at = localSections(volume, { ...options, resolution: capped["0.f"].results!.boxCap!.analysedResolution });
    for (const id of ["0.f", "0.g"] as const) {
      const { boxCap: _cap, ...numbers } = capped[id].results!;
      expect(numbers).toEqual(at[id].results);
      expect(at[id].notes).toBeUndefined();
    }
  }, 60_000);

  it("below the cap (the default one here) nothing changes: VRS's box, no boxCap, no note", () => {
    const plain = localSections(volume, options);
    expect(plain["0.f"].results!.resizedShape).toEqual([50, 50, 50] satisfies Vec3);
    expect(plain["0.f"].results!.boxCap).toBeUndefined();
    expect(plain["0.g"].notes).toBeUndefined();
  }, 60_000);
});
