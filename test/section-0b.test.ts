import { describe, expect, it } from "vitest";
import { vrsParameters } from "../lib/level0/criteria.js";
import type { ComponentSizes } from "../lib/masks/components.js";
import { maskSection, massTable, massTableThresholds, splitMass } from "../lib/level0/section-0b-mask.js";
import { makeVolume } from "../lib/io/volume.js";
import { constructedOverlap } from "./helpers/mask-oracle.js";

const sizes = (background: number, components: number[]): ComponentSizes => ({
  count: components.length,
  sizes: Float64Array.from([background, ...components]),
});

describe("0.b: components needed for 95 % of the mass", () => {
  it("usual case (background largest): both modes count 2 of 27+2+1 voxels; VRS's 'from' is inside the set", () => {
    const c = sizes(1000, [27, 2, 1]); // 27/30 = 90 % < 95 %, 29/30 = 96.7 %
    const d = splitMass(c, 0.95, 1, "default");
    const v = splitMass(c, 0.95, 1, "vrs-compat");
    expect(d.components95).toBe(2);
    expect(v.components95).toBe(2);
    expect(d.remainingComponents).toBe(1);
    expect(d.remainingFromVoxels).toBe(1); // largest remaining component
    expect(v.remainingFromVoxels).toBe(2); // VRS: the smallest component inside the 95 % set
    expect(v.remainingToVoxels).toBe(1);
    expect(d.listed.map((e) => e.voxels)).toEqual([27, 2]);
    expect(d.listed[1].cumulativePercent).toBeCloseTo((100 * 29) / 30, 12);
  });

  it("raw mask larger than the background: VRS counts one component too few", () => {
    const c = sizes(1, [10, 5, 2, 2]); // 10, 15, 17 of 19 are below 95 %; all 4 are needed
    expect(splitMass(c, 0.95, 1, "default").components95).toBe(4);
    const v = splitMass(c, 0.95, 1, "vrs-compat");
    expect(v.components95).toBe(3);
    expect(v.remainingComponents).toBe(1);
    expect(v.remainingToVoxels).toBe(1); // the background itself
  });
});

describe("0.b mass table", () => {
  it("reproduces numpy arange's row count and values (checked against numpy 1.24)", () => {
    const cases: [number, number, number, number][] = [
      [1.0, 24, 0.08, 0.9600000000000001],
      [3.4670300483703613, 24, 0.2773624038696289, 3.3283488464355466],
      [0.7004380226135254, 24, 0.05603504180908203, 0.6724205017089844],
      [4.752318481629676, 25, 0.3801854785303741, 4.752318481629676],
    ];
    for (const [max, rows, second, last] of cases) {
      const g = massTableThresholds(max);
      expect(g.length).toBe(rows);
      expect(g[1]).toBe(second);
      expect(g[g.length - 1]).toBe(last);
    }
    expect(massTableThresholds(0)).toEqual([]);
  });

  it("counts voxels strictly above each threshold and converts with 1.207 Å³/Da and 110 Da/residue", () => {
    // values 0, 0.04, 0.08, …: exactly one voxel per multiple of max/25
    const v = makeVolume(26, 1, 1, (x) => x * 0.04);
    const rows = massTable(v, 2, "default");
    const g = massTableThresholds(1.0);
    rows.forEach((r, i) => {
      const above = Array.from(v.data).filter((d) => d > g[i]).length;
      expect(r.voxels).toBe(above);
      expect(r.kDa).toBeCloseTo((above * 8) / 1207, 12);
      expect(r.aminoAcids).toBeCloseTo((above * 8) / (110 * 1.207), 12);
    });
  });
});

describe("0.b section", () => {
  // A 4×4×4 cube of 1 at 2..5 and a 2-voxel blob at (8,8,8)–(8,8,9); constructed mask = cube 1..6.
  const n = 10;
  const inCube = (x: number, y: number, z: number) => x >= 2 && x <= 5 && y >= 2 && y <= 5 && z >= 2 && z <= 5;
  const v = makeVolume(n, n, n, (x, y, z) => (inCube(x, y, z) || (x === 8 && y === 8 && z >= 8) ? 1 : 0));
  const hard = new Uint8Array(n ** 3);
  for (let z = 1; z <= 6; z++) for (let y = 1; y <= 6; y++) for (let x = 1; x <= 6; x++) hard[x + n * (y + n * z)] = 1;
  const input = (mode: "default" | "vrs-compat", ts: number) => ({
    volume: v, threshold: 0.5, rawThreshold: 0.5, rawComponents: sizes(1000 - 66, [64, 2]), constructed: constructedOverlap(v, hard, 0.5), ts, mode,
    parameters: vrsParameters,
  });

  it("sizes and overlap", () => {
    const d = maskSection(input("default", 1.5));
    expect(d.results!.rawVoxels).toBe(66);
    expect(d.results!.rawVolume).toBe(66 * 3.375);
    expect(d.results!.componentSizes).toEqual([64, 2]);
    expect(d.results!.components95).toBe(1); // 64/66 = 97 %
    expect(d.results!.remainingComponents).toBe(1);
    expect(d.results!.remainingAverageVoxels).toBe(2);
    expect(d.results!.constructedVoxels).toBe(216);
    expect(d.results!.overlap).toBe(64 / 66);
  });

  it("blob volume: default averages the remaining blobs (2 voxels × 3.375 Å³), VRS reports one voxel", () => {
    const d = maskSection(input("default", 1.5));
    expect(d.results!.remainingAverageVolume).toBe(6.75);
    expect(d.warnings).toEqual([
      "There might be a problem with noise and artifacts, because the average noise blob has a volume of 6.750000 Å³.",
    ]);
    const vrs = maskSection(input("vrs-compat", 1.5));
    expect(vrs.results!.remainingAverageVolume).toBe(3.375);
    expect(vrs.status).toBe("ok");
    // VRS's test fires on Ts³ > 5 whatever the blobs: Ts = 2 gives 8 Å³.
    expect(maskSection(input("vrs-compat", 2)).warnings[0]).toMatch(/volume of 8\.000000 Å³/);
  });

  it("overlap below 0.75 warns", () => {
    const small = new Uint8Array(n ** 3);
    small[2 + n * (2 + n * 2)] = 1;
    const s = maskSection({ ...input("default", 1), constructed: constructedOverlap(v, small, 0.5) });
    expect(s.results!.overlap).toBe(1 / 66);
    expect(s.warnings.some((w) => w.startsWith("There might be a problem in the construction of the mask"))).toBe(true);
  });

  it("nothing left outside the 95 % set: default passes with a note, VRS's average is NaN", () => {
    const one = { ...input("default", 1), rawComponents: sizes(934, [66]) };
    const d = maskSection(one);
    expect(d.status).toBe("ok");
    expect(Number.isNaN(d.results!.remainingAverageVoxels)).toBe(true);
    expect(d.notes!.join(" ")).toMatch(/no noise blob/);
    const vrs = maskSection({ ...one, mode: "vrs-compat" });
    expect(Number.isNaN(vrs.results!.remainingAverageVolume)).toBe(true);
    expect(vrs.status).toBe("ok");
  });
});
