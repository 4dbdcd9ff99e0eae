/**
 * Level 1's one input check (lib/level1/level1.ts `level1Inputs`), shared by runLevel1 and maskedFscAtThreshold: the
 * same named errors from both; and the halves' input warnings, kept per pair and Ts for a page's threshold moves, are
 * those of the halves and Ts asked. Small hand-made halves: 16³ noise inside a sphere of radius 5 voxels, exactly 0
 * beyond (a masked half, which the masked-half check names with the radius in Å).
 */
import { describe, expect, it } from "vitest";
import { maskedFscAtThreshold, runLevel1 } from "../lib/level1/level1.js";
import { seededRandom } from "../lib/random.js";
import type { Volume } from "../lib/io/volume.js";

const N = 16;
function maskedHalf(seed: number): Volume {
  const random = seededRandom(seed);
  const data = new Float32Array(N ** 3);
  for (let z = 0, i = 0; z < N; z++)
    for (let y = 0; y < N; y++)
      for (let x = 0; x < N; x++, i++) if ((x - 8) ** 2 + (y - 8) ** 2 + (z - 8) ** 2 <= 25) data[i] = 1 + random();
  return { nx: N, ny: N, nz: N, data, voxelSize: [1, 1, 1], origin: [0, 0, 0] };
}
const half1 = maskedHalf(1), half2 = maskedHalf(2);
const ones = (n = N ** 3) => ({ hardMask: new Uint8Array(n).fill(1), softMask: new Float32Array(n).fill(1) });
const warningsAt = (voxelSize: number) =>
  runLevel1(half1, half2, { threshold: 0.5, ...ones(), voxelSize, sections: ["1.d"] }).inputWarnings;

describe("level1Inputs", () => {
  it("gives the halves' warnings of the Ts asked, again on a second run of the same halves", () => {
    // The farthest non-zero voxel is 5 voxels from the centre: 5 Å at Ts 1, 10 Å at Ts 2.
    const at1 = warningsAt(1);
    expect(at1).toHaveLength(2);
    expect(at1[0]).toMatch(/^half map 1 looks masked: every voxel farther than 5\.0 Å \(5\.0 voxels\) from the box centre is exactly 0/);
    at1.push("a caller's own remark");
    const at2 = warningsAt(2);
    expect(at2[0]).toMatch(/farther than 10\.0 Å \(5\.0 voxels\)/);
    expect(warningsAt(1)).toEqual(at1.slice(0, 2));
    // Another half map 2 with the same half map 1: its own warnings (here the second is 0 everywhere).
    const empty = { ...half2, data: new Float32Array(N ** 3) };
    expect(runLevel1(half1, empty, { threshold: 0.5, ...ones(), voxelSize: 1, sections: ["1.d"] }).inputWarnings[1]).toBe("half map 2 is 0 everywhere.");
  });

  it("refuses the same inputs with the same named errors in runLevel1 and maskedFscAtThreshold", () => {
    const both = (options: { resolution?: number; softMask?: Float32Array; other?: Volume }) => {
      const soft = options.softMask ?? new Float32Array(N ** 3).fill(1);
      const second = options.other ?? half2;
      const errorOf = (f: () => unknown) => {
        try {
          f();
        } catch (error) {
          return { code: (error as { code?: string }).code, message: (error as Error).message };
        }
        return null;
      };
      const run = errorOf(() => runLevel1(half1, second, { threshold: 0.5, hardMask: new Uint8Array(N ** 3).fill(1), softMask: soft, resolution: options.resolution, sections: ["1.d"] }));
      const move = errorOf(() => maskedFscAtThreshold(half1, second, soft, { resolution: options.resolution }));
      expect(move).toEqual(run);
      return run;
    };
    expect(both({ softMask: new Float32Array(5) })).toEqual({ code: "mask-shape-mismatch", message: `the soft mask has 5 voxels, the half maps ${N ** 3}` });
    expect(both({ resolution: 1.5 })).toEqual({
      code: "resolution-beyond-nyquist",
      message: "resolution 1.5 Å from the resolution option is finer than the map's Nyquist limit, 2·Ts = 2 Å (Ts = 1 Å): no section can measure detail the sampling cannot hold",
    });
    expect(both({ other: { ...half2, nx: 8, ny: 32 } })?.code).toBe("half-map-shape-mismatch");
    expect(both({ softMask: new Float32Array(N ** 3).fill(1.5) })?.code).toBe("bad-mask-value");
  });
});
