import { describe, expect, it } from "vitest";
import {
  analysisInputs, analysisVoxelSize, checkMemoryBudget, DEFAULT_MEMORY_BUDGET_BYTES, derivedGrids, finiteMap,
  HEADER_SOURCE, LOCAL_GRID_BYTES_PER_VOXEL, VOXEL_SIZE_RANGE,
} from "../lib/analysis-inputs.js";
import { AnalysisInputError } from "../lib/errors.js";
import { runLevel0 } from "../lib/level0/level0.js";
import { readMap } from "../lib/io/mrc-reader.js";
import { reportJson } from "../lib/report/report-text.js";
import type { Level0SectionId } from "../lib/report/report-types.js";
import { makeVolume, type Vec3, type Volume } from "../lib/io/volume.js";
import { loadMap, withFloat32 } from "./helpers/corrupt.js";

/** A 16³ box: a 4³ cube of density 1 on faint alternating noise. */
const cube = (voxelSize: Vec3 | null = [1, 1, 1], n = 16) =>
  makeVolume(n, n, n, (x, y, z) =>
    [x, y, z].every((c) => c >= 6 && c <= 9) ? 1 : (x + y + z) % 2 ? 0.01 : -0.01, voxelSize);

/** The AnalysisInputError `run` throws (fails the test when it throws something else or nothing). */
function inputError(run: () => unknown): AnalysisInputError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(AnalysisInputError);
    return e as AnalysisInputError;
  }
  throw new Error("expected an AnalysisInputError");
}

describe("voxel size: range and sources", () => {
  it("a header giving 1e-37 Å (CELLA 1e-35 over 100 voxels) is refused, naming the header", async () => {
    const bytes = withFloat32(loadMap("data/maps/emd_1997.map"), 40, 1e-35); // CELLA.x
    const { volume } = await readMap(bytes);
    expect(volume.voxelSize![0]).toBeCloseTo(1e-37, 43);
    const e = inputError(() => runLevel0(volume, { threshold: 1 }));
    expect(e.code).toBe("implausible-voxel-size");
    expect(e.message).toContain(HEADER_SOURCE);
    expect(e.message).toContain(`${VOXEL_SIZE_RANGE[0]}–${VOXEL_SIZE_RANGE[1]} Å`);
  });

  it("each source is named, at both ends of the range; the range's ends themselves pass", () => {
    for (const value of [1e-300, 1e-6, 0.049, 100.1, 1e300]) {
      const e = inputError(() => runLevel0(cube(), { threshold: 0.5, voxelSize: value, voxelSizeSource: "--voxel-size" }));
      expect([e.code, e.message]).toEqual(["implausible-voxel-size", expect.stringContaining(`${value} Å from --voxel-size`)]);
    }
    const recorded = { value: 1e-6, source: "mapval.entries.json (entry x)" };
    expect(inputError(() => runLevel0(cube(null), { threshold: 0.5, recordedVoxelSize: recorded })).message).toContain(
      "from mapval.entries.json (entry x)",
    );
    for (const value of VOXEL_SIZE_RANGE) expect(analysisVoxelSize(cube([value, value, value])).ts).toBe(value);
    expect(inputError(() => analysisVoxelSize(cube([0, 0, 0]))).code).toBe("bad-voxel-size");
  });

  it("precedence: --voxel-size, else the header, else the recorded value; every disagreement warns", () => {
    const header = cube([2, 2, 2]);
    const recorded = { value: 2.5, source: "EMDB REST API (pixel spacing)" };
    const fromHeader = analysisVoxelSize(header, { recorded });
    expect([fromHeader.ts, fromHeader.source]).toEqual([2, HEADER_SOURCE]);
    expect(fromHeader.warnings).toEqual([
      `The voxel size from EMDB REST API (pixel spacing), 2.5 Å, differs from the 2 Å from ${HEADER_SOURCE}, which is used.`,
    ]);
    const overridden = analysisVoxelSize(header, { override: { value: 3, source: "--voxel-size" }, recorded });
    expect(overridden.ts).toBe(3);
    expect(overridden.warnings).toHaveLength(2);
    expect(overridden.warnings[0]).toMatch(/^The voxel size from the map header .*, 2 Å, differs from the 3 Å from --voxel-size/);
    // Within 1 %: no warning. No header: the recorded value, named.
    expect(analysisVoxelSize(header, { recorded: { value: 2.01, source: "e" } }).warnings).toEqual([]);
    expect(analysisVoxelSize(cube(null), { recorded })).toEqual({ ts: 2.5, source: recorded.source, warnings: [] });
  });

  it("the disagreement reaches the report's input warnings", () => {
    const r = runLevel0(cube([2, 2, 2]), { threshold: 0.5, recordedVoxelSize: { value: 4, source: "the entries file" } });
    expect(r.input.voxelSize).toBe(2);
    expect(r.inputWarnings).toEqual([expect.stringMatching(/^The voxel size from the entries file, 4 Å, differs/)]);
  });
});

describe("resolution: finer than Nyquist is refused for every section", () => {
  it("below 2·Ts throws resolution-beyond-nyquist for any of 0.d–0.h asked for; 2·Ts itself passes", () => {
    for (const sections of [undefined, ["0.d"], ["0.f"], ["0.h"]] as (Level0SectionId[] | undefined)[]) {
      const e = inputError(() => runLevel0(cube([2, 2, 2]), { threshold: 0.5, resolution: 3.9, resolutionSource: "--resolution", sections }));
      expect(e.code).toBe("resolution-beyond-nyquist");
      expect(e.message).toContain("resolution 3.9 Å from --resolution is finer than the map's Nyquist limit, 2·Ts = 4 Å");
    }
    expect(runLevel0(cube([2, 2, 2]), { threshold: 0.5, resolution: 4, sections: ["0.h"] }).input.resolution).toBe(4);
    // With 0.d–0.h all given (the page's worker, on a downsampled copy with a coarser Ts) the resolution is only
    // reported; it must still be a positive number.
    const given = Object.fromEntries(["0.d", "0.e", "0.f", "0.g", "0.h"].map((id) => [id, { id, title: id, status: "does-not-apply", warnings: [], results: null, summarySentence: null }]));
    expect(runLevel0(cube([2, 2, 2]), { threshold: 0.5, resolution: 3, precomputed: given }).input.resolution).toBe(3);
    expect(inputError(() => runLevel0(cube([2, 2, 2]), { threshold: 0.5, resolution: -3, precomputed: given })).code).toBe("bad-resolution");
    for (const resolution of [1e-300, 0, -1, Infinity, NaN])
      expect(inputError(() => runLevel0(cube(), { threshold: 0.5, resolution })).code).toMatch(/^(bad-resolution|resolution-beyond-nyquist)$/);
  });

  it("--resolution 0.5 and 1 on EMD-1997 (2.02 Å) are refused at once instead of growing 0.f/0.g's box 4–16×", async () => {
    const { volume } = await readMap(loadMap("data/maps/emd_1997.map"));
    for (const resolution of [0.5, 1]) {
      const started = performance.now();
      expect(inputError(() => runLevel0(volume, { threshold: 1, resolution })).code).toBe("resolution-beyond-nyquist");
      expect(performance.now() - started).toBeLessThan(1000);
    }
  });

  it("thresholds must be finite", () => {
    for (const threshold of [NaN, Infinity, -Infinity]) expect(inputError(() => runLevel0(cube(), { threshold })).code).toBe("bad-threshold");
  });
});

describe("memory budget of the derived grids", () => {
  it("vrs-compat's cube of a 1000×4×4 map (10⁹ voxels) is refused before anything is allocated; default mode runs", () => {
    const rod = makeVolume(1000, 4, 4, (x, y, z) => (x > 400 && x < 600 && y > 0 && y < 3 && z > 0 && z < 3 ? 1 : 0), [2, 2, 2]);
    const started = performance.now();
    const e = inputError(() => runLevel0(rod, { threshold: 0.5, resolution: 4, mode: "vrs-compat" }));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(e.code).toBe("memory-budget");
    expect(e.message).toMatch(/^0\.f\/0\.g's box, the map resized to 2 Å per voxel in a cube, would be 1000×1000×1000 voxels, about 29\.8 GiB, above the memory budget of 6 GiB/);
    expect(derivedGrids([1000, 4, 4], { ts: 2, resolution: 4, mode: "default", computed: ["0.f"] })[1].shape).toEqual([1000, 4, 4]);
    // Without 0.f/0.g the cube is never made.
    expect(() => analysisInputs(rod, { threshold: 0.5, resolution: 4, mode: "vrs-compat", computed: ["0.d", "0.e"] })).not.toThrow();
  });

  it("512³ maps at sane parameters pass in both modes; a map whose own transform exceeds the budget does not", () => {
    for (const mode of ["default", "vrs-compat"] as const)
      for (const [ts, resolution] of [[0.5, 1], [1, 2.5], [1.05, 3.2], [4, 30]])
        expect(() =>
          checkMemoryBudget(derivedGrids([512, 512, 512], { ts, resolution, mode, computed: ["0.d", "0.e", "0.f", "0.g"] })),
        ).not.toThrow();
    // 6 GiB at 32 bytes per voxel is 1024×1024×192 voxels of 0.f/0.g's box.
    expect(DEFAULT_MEMORY_BUDGET_BYTES / LOCAL_GRID_BYTES_PER_VOXEL).toBe(1024 * 1024 * 192);
    const local = (nz: number) => [{ what: "x", shape: [1024, 1024, nz] as Vec3, bytesPerVoxel: LOCAL_GRID_BYTES_PER_VOXEL }];
    expect(() => checkMemoryBudget(local(192))).not.toThrow();
    expect(() => checkMemoryBudget(local(193))).toThrow(/about 6\.03 GiB/);
    const e = inputError(() => checkMemoryBudget(derivedGrids([1000, 1000, 1000], { ts: 1, resolution: 3, mode: "default", computed: ["0.d"] })));
    expect(e.message).toMatch(/^the map's Fourier transform \(0\.d–0\.g\) would be 1000×1000×1000 voxels, about 11\.2 GiB/);
    // A smaller budget is honoured, and no resolution means no transform at all.
    expect(() => runLevel0(cube(), { threshold: 0.5, resolution: 3, memoryBudgetBytes: 1000, sections: ["0.d"] })).toThrow(/memory budget/);
    expect(() => runLevel0(cube(), { threshold: 0.5, memoryBudgetBytes: 1000 })).not.toThrow();
  });
});

describe("non-finite voxels: the mean of the finite ones in every section, and counted", () => {
  it("finiteMap replaces NaN and ±Inf by the finite mean, once per volume; a clean map is returned as it is", () => {
    const v = makeVolume(2, 2, 1, (x, y) => [1, NaN, Infinity, 5][x + 2 * y], [1, 1, 1]);
    const f = finiteMap(v);
    expect(Array.from(f.volume.data)).toEqual([1, 3, 3, 5]);
    expect([f.nonFiniteVoxels, f.fill]).toEqual([2, 3]);
    expect(finiteMap(v)).toBe(f);
    const clean = cube();
    expect(finiteMap(clean).volume).toBe(clean);
    const allNaN = makeVolume(2, 1, 1, () => NaN, [1, 1, 1]);
    expect(inputError(() => finiteMap(allNaN)).code).toBe("no-finite-voxels");
  });

  it("one NaN (or +Inf) voxel of EMD-1997 leaves the verdicts, score and warnings of the clean map, and says so", async () => {
    const clean = (await readMap(loadMap("data/maps/emd_1997.map"))).volume;
    const options = { threshold: 1, resolution: 7, sections: ["0.d"] as Level0SectionId[] };
    const reference = runLevel0(clean, options);
    for (const bad of [NaN, Infinity]) {
      const volume: Volume = { ...clean, data: clean.data.slice() };
      volume.data[0] = bad;
      const r = runLevel0(volume, options);
      for (const id of ["0.a", "0.b", "0.c", "0.d"] as const) {
        expect(r.sections[id].status).toBe(reference.sections[id].status);
        expect(r.sections[id].warnings.length).toBe(reference.sections[id].warnings.length);
      }
      expect(r.score).toEqual(reference.score);
      expect(r.sections["0.a"].warnings).toEqual(reference.sections["0.a"].warnings);
      const B = (s: Volume) => (runLevel0(s, options).sections["0.d"].results as { B: number }).B;
      expect(B(volume)).toBeCloseTo(B(clean), 0);
      expect(r.input.nonFiniteVoxels).toBe(1);
      expect(r.inputWarnings).toEqual([expect.stringMatching(/^1 voxel is NaN or ±Inf; every section analysed it as the mean of the finite voxels, -?0\.\d+\.$/)]);
      expect(reportJson(r, "f", "h").input.nonFiniteVoxels).toBe(1);
    }
    expect(reference.input.nonFiniteVoxels).toBe(0);
    expect(reference.inputWarnings).toEqual([]);
  });
});
