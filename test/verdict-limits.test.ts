/**
 * Each verdict rule of 0.a–0.c at its limit, through the report (runLevel0) and the threshold sweep, with the
 * expected verdicts written in: a limit that moved or a comparison that turned non-strict fails here. The maps are
 * blocks of 1 on 0 (threshold 0.5) whose numbers are counted by hand in each case.
 */
import { describe, expect, it } from "vitest";
import { runLevel0 } from "../lib/level0/level0.js";
import type { AnalysisMode } from "../lib/report/report-types.js";
import type { MassResults } from "../lib/level0/section-0a-mass.js";
import type { MaskResults } from "../lib/level0/section-0b-mask.js";
import { sweep } from "../lib/level0/sweep.js";
import { makeVolume, type Vec3 } from "../lib/io/volume.js";

type Block = [from: Vec3, to: Vec3];

/** 1 inside the blocks ([from, to) on each axis), 0 elsewhere. */
function blocks(shape: Vec3, list: Block[]) {
  return makeVolume(shape[0], shape[1], shape[2], (x, y, z) =>
    list.some(([f, t]) => x >= f[0] && x < t[0] && y >= f[1] && y < t[1] && z >= f[2] && z < t[2]) ? 1 : 0);
}

function report(volume: ReturnType<typeof blocks>, voxelSize: number, mode: AnalysisMode = "default") {
  return runLevel0(volume, { threshold: 0.5, voxelSize, resolution: null, mode });
}

const decenteredX = "The volume might be significantly decentered in X.";

describe("0.a: decentering above 20 % of the box warns (strictly above)", () => {
  // Box 100 along x, Ts = 1 Å: the hard mask is the block dilated by ⌈2/Ts⌉ = 2 voxels, so a block [a, b) leaves
  // a − 2 voxels on the left and 100 − (b + 2) on the right (default mode), and decentering = |right − left| %.
  it.each([
    [[32, 48], 30, 50, 20, false],
    [[32, 47], 30, 51, 21, true],
    [[32, 43], 30, 55, 25, true],
  ] as const)("block x ∈ %j: spaces %d and %d Å, decentering %d percent, warns %s", ([a, b], left, right, percent, warns) => {
    // y and z: the block in the middle of 60 voxels, 24 Å of space each side.
    const volume = blocks([100, 60, 60], [[[a, 26, 26], [b, 34, 34]]]);
    const r = report(volume, 1);
    const mass = r.sections["0.a"].results as MassResults;
    expect(mass.spaceLeft[0]).toBe(left);
    expect(mass.spaceRight[0]).toBe(right);
    expect(mass.decentering[0]).toBe(percent);
    expect(r.sections["0.a"].warnings.includes(decenteredX)).toBe(warns);
    expect(r.sections["0.a"].status).toBe(warns ? "warnings" : "ok");
    const [row] = sweep(volume, [0.5], { voxelSize: 1 });
    expect(row.decentering![0]).toBe(percent);
    expect(row.status["0.a"]).toBe(warns ? "warnings" : "ok");
  });
});

describe("0.b: more than 5 components for 95 % of the raw mask warns", () => {
  // k equal 2³ cubes 6 voxels apart: 95 % of the raw mask needs all k of them.
  const cubes = (k: number): Block[] =>
    Array.from({ length: k }, (_, i) => [[3 + 6 * i, 10, 10], [5 + 6 * i, 12, 12]] as Block);
  const connectivity =
    "There might be a problem of connectivity at this threshold because more than 5 connected components are needed to reach 95% of the total mask. Probably a smaller threshold will not cause this issue.";
  it.each([[5, false], [6, true]] as const)("%d cubes: warns %s", (k, warns) => {
    for (const mode of ["default", "vrs-compat"] as const) {
      const volume = blocks([40, 22, 22], cubes(k));
      const r = report(volume, 1, mode);
      const b = r.sections["0.b"].results as MaskResults;
      // vrs-compat counts the background's place in the size order too: here it is larger than every cube.
      expect(b.components95, mode).toBe(k);
      expect(r.sections["0.b"].warnings.includes(connectivity), mode).toBe(warns);
      const [row] = sweep(volume, [0.5], { voxelSize: 1, mode });
      expect(row.components95).toBe(k);
      expect(row.warnings["0.b"]).toBe(r.sections["0.b"].warnings.length);
    }
  });
});

describe("0.b: an overlap below 0.75 warns (0.75 itself passes)", () => {
  // A large plate (the constructed mask) and a small one far from it: overlap = large / (large + small).
  const overlapWarning =
    "There might be a problem in the construction of the mask, because the overlap is smaller than 0.75. A common reason is that the suggested threshold causes too many disconnected components.";
  it.each([
    [[3, 25], [1, 25], 0.75, false],
    [[2, 37], [2, 13], 0.74, true],
  ] as const)("plates of %j and %j voxels: overlap %d, warns %s", (large, small, overlap, warns) => {
    // Ts = 2 Å: one voxel of dilation; plates one voxel thick along z, 15 voxels apart.
    const volume = blocks([50, 50, 30], [
      [[5, 5, 5], [5 + large[0], 5 + large[1], 6]],
      [[30, 5, 20], [30 + small[0], 5 + small[1], 21]],
    ]);
    const r = report(volume, 2);
    const b = r.sections["0.b"].results as MaskResults;
    expect(b.rawVoxels).toBe(100);
    expect(b.overlap).toBe(overlap);
    expect(r.sections["0.b"].warnings.includes(overlapWarning)).toBe(warns);
    const [row] = sweep(volume, [0.5], { voxelSize: 2 });
    expect(row.overlap).toBe(overlap);
    expect(row.warnings["0.b"]).toBe(r.sections["0.b"].warnings.length);
  });
});

describe("0.b: left-over blobs averaging more than 5 Å³ warn (default mode)", () => {
  // A 10³ block (1000 of the raw mask's voxels, 95 % of it with 4 small blobs) and 4 blobs of k voxels (Ts = 1 Å):
  // the 95 % set is the block, and the 4 left over average k Å³.
  const blobWarning = /^There might be a problem with noise and artifacts, because the average noise blob has a volume of/;
  it.each([[5, false], [6, true]] as const)("blobs of %d voxels: warns %s", (k, warns) => {
    const volume = blocks([60, 30, 30], [
      [[10, 10, 10], [20, 20, 20]],
      ...Array.from({ length: 4 }, (_, i) => [[30 + 7 * i, 5, 5], [31 + 7 * i, 6, 5 + k]] as Block),
    ]);
    const r = report(volume, 1);
    const b = r.sections["0.b"].results as MaskResults;
    expect(b.components95).toBe(1);
    expect(b.remainingAverageVolume).toBe(k);
    expect(r.sections["0.b"].warnings.some((w) => blobWarning.test(w))).toBe(warns);
    const [row] = sweep(volume, [0.5], { voxelSize: 1 });
    expect(row.warnings["0.b"]).toBe(r.sections["0.b"].warnings.length);
  });
});

describe("0.b in vrs-compat: one component too few when the raw mask is larger than the background", () => {
  it("a 12³ box filled but for one face: VRS counts 0 components for 95 %, default 1; the sweep agrees", () => {
    const volume = makeVolume(12, 12, 12, (x) => (x === 0 ? 0 : 1));
    for (const [mode, expected] of [["vrs-compat", 0], ["default", 1]] as const) {
      const r = report(volume, 1, mode);
      const b = r.sections["0.b"].results as MaskResults;
      expect(b.rawVoxels).toBe(11 * 144);
      expect(b.components95, mode).toBe(expected);
      const [row] = sweep(volume, [0.5], { voxelSize: 1, mode });
      expect(row.components95, mode).toBe(expected);
      expect(row.status["0.b"], mode).toBe(r.sections["0.b"].status);
    }
  });
});
