import { describe, expect, it } from "vitest";
import { vrsParameters } from "../lib/level0/criteria.js";
import { centerOfMass, emptyMaskWarning } from "../lib/level0/section-0a-mass.js";
import { massSection } from "./helpers/mask-oracle.js";
import { makeVolume } from "../lib/io/volume.js";

const n = 20;
const ts = 5;
/** A box mask [lo, hi] on every axis. */
function boxMask(lo: [number, number, number], hi: [number, number, number]): Uint8Array {
  const m = new Uint8Array(n * n * n);
  for (let z = lo[2]; z <= hi[2]; z++)
    for (let y = lo[1]; y <= hi[1]; y++) for (let x = lo[0]; x <= hi[0]; x++) m[x + n * (y + n * z)] = 1;
  return m;
}
const inBox = (lo: number[], hi: number[]) => (x: number, y: number, z: number) =>
  x >= lo[0] && x <= hi[0] && y >= lo[1] && y <= hi[1] && z >= lo[2] && z <= hi[2] ? 1 : 0;

describe("0.a mass analysis", () => {
  it("a centred cube: default mode measures equal space both sides and no offset", () => {
    const v = makeVolume(n, n, n, inBox([5, 5, 5], [14, 14, 14]));
    const s = massSection(v, boxMask([5, 5, 5], [14, 14, 14]), ts, "default", vrsParameters);
    expect(s.status).toBe("ok");
    expect(s.results!.spaceLeft).toEqual([25, 25, 25]); // 5 empty voxels × 5 Å
    expect(s.results!.spaceRight).toEqual([25, 25, 25]);
    expect(s.results!.decentering).toEqual([0, 0, 0]);
    expect(s.results!.centerOfMass).toEqual([9.5, 9.5, 9.5]);
    expect(s.results!.centerOfMassOffset).toEqual([0, 0, 0]);
    expect(s.summarySentence).toBe("The map seems to be well centered. ");
  });

  it("a centred cube: vrs-compat adds one voxel on the right and measures from N/2", () => {
    const v = makeVolume(n, n, n, inBox([5, 5, 5], [14, 14, 14]));
    const s = massSection(v, boxMask([5, 5, 5], [14, 14, 14]), ts, "vrs-compat", vrsParameters);
    expect(s.results!.spaceRight).toEqual([30, 30, 30]); // (20 − 14) × 5
    expect(s.results!.decentering).toEqual([5, 5, 5]); // |30 − 25| / 100 × 100
    expect(s.results!.centerOfMassOffset).toEqual([2.5, 2.5, 2.5]); // |9.5 − 10| / 20 × 100
    expect(s.status).toBe("ok");
  });

  it("a blob against the left X face gets VRS's three X warnings in VRS's order", () => {
    const v = makeVolume(n, n, n, inBox([0, 5, 5], [9, 14, 14]));
    const s = massSection(v, boxMask([0, 5, 5], [9, 14, 14]), ts, "default", vrsParameters);
    expect(s.results!.spaceLeft[0]).toBe(0);
    expect(s.results!.spaceRight[0]).toBe(50);
    expect(s.results!.decentering[0]).toBe(50);
    expect(s.results!.centerOfMassOffset[0]).toBe(25); // |4.5 − 9.5| / 20
    expect(s.warnings).toEqual([
      "The volume might be significantly decentered in X.",
      "There could be little space from X left to effectively correct for the CTF.",
      "The center of mass in X may be significantly shifted. This is common when the refinement is applied exclusively to one protein region.",
    ]);
    expect(s.status).toBe("warnings");
    expect(s.summarySentence).toMatch(/some problem in its centering/);
  });

  it("space is an absolute 20 Å rule, not 20 % of the box", () => {
    // 8 empty voxels × 2.5 Å = 20 Å on each side: exactly the limit, so no warning; at 2.4 Å/voxel all six sides warn.
    const v = makeVolume(n, n, n, inBox([8, 8, 8], [11, 11, 11]));
    const s = massSection(v, boxMask([8, 8, 8], [11, 11, 11]), 2.5, "default", vrsParameters);
    expect(s.results!.spaceLeft).toEqual([20, 20, 20]);
    expect(s.warnings).toEqual([]);
    const tight = massSection(v, boxMask([8, 8, 8], [11, 11, 11]), 2.4, "default", vrsParameters);
    expect(tight.warnings.filter((w) => w.includes("little space"))).toHaveLength(6);
  });

  it("the centre of mass includes negative densities of the whole box", () => {
    const v = makeVolume(4, 1, 1, (x) => [1, 0, 0, -0.5][x]);
    // (0·1 + 3·(−0.5)) / 0.5 = −3
    expect(centerOfMass(v)[0]).toBeCloseTo(-3, 12);
  });

  it("an empty mask gives VRS's single warning", () => {
    const v = makeVolume(n, n, n, () => 0);
    const s = massSection(v, new Uint8Array(n * n * n), ts, "default", vrsParameters);
    expect(s.warnings).toEqual([emptyMaskWarning]);
    expect(s.results).toBeNull();
  });

  it("a map summing to 0 has no centre of mass: not-measured in default, VRS tests the infinite offset", () => {
    const v = makeVolume(n, n, n, (x, y, z) => (x === 10 && y === 10 && z === 10 ? 1 : x === 9 && y === 10 && z === 10 ? -1 : 0));
    const mask = boxMask([5, 5, 5], [14, 14, 14]);
    expect(massSection(v, mask, ts, "default", vrsParameters).status).toBe("not-measured");
    const vrs = massSection(v, mask, ts, "vrs-compat", vrsParameters);
    // x moment 1 over a total of 0 is +∞ (> 20 %: a warning); y and z are 0/0 (NaN: no warning).
    expect(vrs.warnings).toHaveLength(1);
    expect(vrs.warnings[0]).toMatch(/center of mass in X/);
  });
});
