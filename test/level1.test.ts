/**
 * lib/level1/level1.ts: runLevel1 (sections 1.a–1.h in the report), combineReports (one score over both levels),
 * maskedFscAtThreshold and the report JSON of a combined report, on the bundled simulated EMD-1997 pair (RELION-made
 * halves, data/halfmaps/SOURCES.md) and on small synthetic pairs.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { runLevel0, runLevel0WithWorkings } from "../lib/level0/level0.js";
import { combineReports, maskedFscAtThreshold, runLevel1, runLevel1With, runLevel1WithWorkings, type Level1Report } from "../lib/level1/level1.js";
import { BandPool } from "../data-loaders/workers/band-pool.js";
import { fsc3dTitle, fsoTitle } from "../lib/level1/directional-fsc.js";
import { fdrFscTitle } from "../lib/level1/fdr-fsc.js";
import { fscTitle, fscUnmaskedPart, halfBitThreshold } from "../lib/level1/fsc.js";
import { halfMapFigures } from "../lib/level1/level1-figures.js";
import { halfMapLocalResolutionTitle, localFscTitle } from "../lib/level1/level1-local.js";
import { hardMask, softMask } from "../lib/masks/masks.js";
import { readMap } from "../lib/io/mrc-reader.js";
import { makeVolume, type Volume } from "../lib/io/volume.js";
import { formatReport, reportJson } from "../lib/report/report-text.js";
import { displayReport, displaySection, jupyterDisplay } from "../lib/report/display.js";
import { level1SectionIds, sectionIds, sectionTitle } from "../lib/section-registry.js";
import { seededNormal } from "./helpers/random.js";

const pairDir = new URL("../data/halfmaps/sim-emd-1997/", import.meta.url);
const load = async (url: URL) => (await readMap(new Uint8Array(readFileSync(url)))).volume;
/** numpy's frc_dpr of the pair (scripts/make-fsc-fixtures.py): unmasked FSC and FSC masked by mask.mrc, per shell. */
const fixture = JSON.parse(readFileSync(new URL("./fixtures/fsc-sim-emd-1997.json", import.meta.url), "utf8")) as {
  fsc: number[];
  fscMasked: number[];
};

/** A second or two on an idle machine; several times that on the shared, loaded one. */
const LOADED = 60_000;

function noise(n: number, seed: number): Volume {
  const normal = seededNormal(seed);
  return makeVolume(n, n, n, () => normal(), [1, 1, 1]);
}

/** A 24³ pair: a shared blob plus independent noise in each half. */
function blobPair(n = 24): { half1: Volume; half2: Volume } {
  const c = n / 2;
  const blob = (x: number, y: number, z: number) => 4 * Math.exp(-((x - c) ** 2 + (y - c) ** 2 + (z - c) ** 2) / 18);
  const a = noise(n, 5), b = noise(n, 6);
  return {
    half1: makeVolume(n, n, n, (x, y, z) => blob(x, y, z) + 0.2 * a.data[x + n * (y + n * z)], [1, 1, 1]),
    half2: makeVolume(n, n, n, (x, y, z) => blob(x, y, z) + 0.2 * b.data[x + n * (y + n * z)], [1, 1, 1]),
  };
}

describe("section titles", () => {
  it("are the registry's, in the section files too", () => {
    const files = { "1.a": fscTitle, "1.b": fdrFscTitle, "1.c": localFscTitle, "1.e": halfMapLocalResolutionTitle, "1.g": fsoTitle, "1.h": fsc3dTitle };
    for (const [id, title] of Object.entries(files)) expect(sectionTitle(id as keyof typeof files)).toBe(title);
  });
});

describe("runLevel1 on the simulated EMD-1997 pair", () => {
  let half1: Volume, half2: Volume, mask: Volume;
  let withUserMask: Level1Report;
  beforeAll(async () => {
    [half1, half2, mask] = await Promise.all(["half1.mrc.gz", "half2.mrc.gz", "mask.mrc.gz"].map((f) => load(new URL(f, pairDir))));
    withUserMask = runLevel1(half1, half2, { threshold: 1, resolution: 7, userMask: mask, sections: ["1.a", "1.d", "1.f"] });
  }, LOADED);

  it("has every Level 1 section in order; the ones left out are not requested", () => {
    expect(Object.keys(withUserMask.sections)).toEqual([...level1SectionIds]);
    for (const id of level1SectionIds) expect(withUserMask.sections[id].title).toBe(sectionTitle(id));
    for (const id of ["1.b", "1.c", "1.e", "1.g", "1.h"] as const) expect(withUserMask.sections[id].status).toBe("not-requested");
    expect(withUserMask.sections["1.d"].status).toBe("not-measured");
    expect(withUserMask.sections["1.f"].status).toBe("not-measured");
    expect(withUserMask.input).toEqual({ shape: [100, 100, 100], voxelSize: expect.closeTo(2.02, 5), mask: "user", nonFiniteVoxels: [0, 0] });
  });

  it("1.a's shells are numpy's unmasked FSC and its FSC masked by the same mask, with the criteria curves", () => {
    const r = withUserMask.sections["1.a"].results as { shells: Record<string, number | null>[] };
    expect(r.shells).toHaveLength(50);
    expect(Object.keys(r.shells[0])).toEqual(["index", "frequency", "resolution", "fsc", "fscMasked", "fscCorrected", "dpr", "halfBit", "threeSigma"]);
    // n of the criteria curves: the voxels of the full 100³ spectrum (k = −50 … 49 per axis) within radius 50 whose
    // rounded radius is the shell, counted here directly.
    const shellVoxels = new Array<number>(51).fill(0);
    for (let z = -50; z < 50; z++)
      for (let y = -50; y < 50; y++)
        for (let x = -50; x < 50; x++) {
          const radius = Math.sqrt(x * x + y * y + z * z);
          if (radius <= 50) shellVoxels[Math.round(radius)]++;
        }
    for (const s of r.shells) {
      const i = s.index!;
      expect(s.frequency).toBeCloseTo(i / (100 * 2.02), 9);
      expect(s.fsc).toBeCloseTo(fixture.fsc[i], 9);
      expect(s.fscMasked).toBeCloseTo(fixture.fscMasked[i], 8);
      expect(s.threeSigma).toBeCloseTo(3 / Math.sqrt(shellVoxels[i]), 12);
      expect(s.halfBit).toBeCloseTo(halfBitThreshold(shellVoxels[i]), 12);
    }
  });

  // Three masked 1.a runs on 100³ (a second each on an idle machine).
  it("with Level 0's masks given, 1.a uses Level 0's soft mask (input.mask level0-soft) and matches maskedFscAtThreshold", { timeout: 60_000 }, async () => {
    const map = await load(new URL("../data/maps/emd_1997.map", import.meta.url));
    const { workings } = runLevel0WithWorkings(map, { threshold: 1, sections: ["0.a", "0.b", "0.c"] });
    const soft = softMask(workings.hardMask.mask, 100, 100, 100);
    const report = runLevel1(half1, half2, { threshold: 1, resolution: 7, hardMask: workings.hardMask.mask, softMask: soft, sections: ["1.a"] });
    expect(report.input.mask).toBe("level0-soft");
    const live = maskedFscAtThreshold(half1, half2, soft, { resolution: 7 });
    expect(live).toEqual(report.sections["1.a"]);
    // Another threshold moves the masked curve, not the unmasked one.
    const tighter = softMask(hardMask(map, 2, { voxelSize: 2.02 }).mask, 100, 100, 100);
    const moved = maskedFscAtThreshold(half1, half2, tighter, { resolution: 7 }).results!;
    const first = live.results!;
    expect(moved.shells.map((s) => s.fsc)).toEqual(first.shells.map((s) => s.fsc));
    expect(moved.shells.map((s) => s.fscMasked)).not.toEqual(first.shells.map((s) => s.fscMasked));
    // A kept part (a page's threshold moves) gives the same sections, and refuses to serve other options.
    const part = fscUnmaskedPart(half1, half2);
    expect(maskedFscAtThreshold(half1, half2, tighter, { resolution: 7, fscPart: part }).results).toEqual(moved);
    expect(runLevel1(half1, half2, { threshold: 1, resolution: 7, hardMask: workings.hardMask.mask, softMask: soft, sections: ["1.a"], fscPart: part }))
      .toEqual(report);
    expect(() => maskedFscAtThreshold(half1, half2, soft, { resolution: 7, mode: "vrs-compat", fscPart: part })).toThrow(/vrs-compat/);
  });
});

describe("runLevel1 inputs", { timeout: LOADED }, () => {
  const { half1, half2 } = blobPair();

  it("without a reported resolution, the sections that compare with it do not apply (no crash)", () => {
    const report = runLevel1(half1, half2, { threshold: 1, sections: ["1.a", "1.b", "1.g", "1.h"] });
    for (const id of ["1.a", "1.b", "1.g", "1.h"] as const)
      expect(["does-not-apply", "not-measured"], id).toContain(report.sections[id].status);
    expect(report.sections["1.a"].status).toBe("does-not-apply");
  });

  it("refuses masks and sections it cannot use, with named errors", () => {
    const n = half1.data.length;
    expect(() => runLevel1(half1, half2, { threshold: 1, softMask: new Float32Array(n - 1) })).toThrow(expect.objectContaining({ code: "mask-shape-mismatch" }));
    expect(() => runLevel1(half1, half2, { threshold: 1, hardMask: new Uint8Array(8) })).toThrow(expect.objectContaining({ code: "mask-shape-mismatch" }));
    const outOfRange = { ...half1, data: new Float32Array(n).fill(1.5) };
    expect(() => runLevel1(half1, half2, { threshold: 1, userMask: outOfRange })).toThrow(expect.objectContaining({ code: "bad-mask-value" }));
    expect(() => runLevel1(half1, half2, { threshold: 100 })).toThrow(expect.objectContaining({ code: "empty-mask" }));
    expect(() => runLevel1(half1, half2, { threshold: 1, sections: ["0.a" as "1.a"] })).toThrow(expect.objectContaining({ code: "unknown-section" }));
    expect(() => runLevel1(half1, noise(20, 1), { threshold: 1 })).toThrow(expect.objectContaining({ code: "half-map-shape-mismatch" }));
    expect(() => runLevel1(half1, half2, { threshold: 1, resolution: 1.5 })).toThrow(expect.objectContaining({ code: "resolution-beyond-nyquist" }));
  });

  it("adds the half-map input figures on request: each half's and their difference's max-variance slices", () => {
    const report = runLevel1(half1, half2, { threshold: 1, sections: [], figures: true });
    expect(report.figures).toStrictEqual(halfMapFigures(half1, half2));
    expect(runLevel1(half1, half2, { threshold: 1, sections: [] })).not.toHaveProperty("figures");
    expect(Object.values(report.sections).every((s) => s.status === "not-requested")).toBe(true);
  });

  it("warns about a half that looks masked and counts non-finite voxels", () => {
    const c = 12;
    const maskedHalf = makeVolume(24, 24, 24, (x, y, z) => ((x - c) ** 2 + (y - c) ** 2 + (z - c) ** 2 <= 81 ? half1.data[x + 24 * (y + 24 * z)] : 0), [1, 1, 1]);
    const withNaN = { ...half2, data: Float32Array.from(half2.data, (v, i) => (i === 0 ? NaN : v)) };
    const report = runLevel1(maskedHalf, withNaN, { threshold: 1, sections: ["1.d"] });
    expect(report.inputWarnings).toHaveLength(2);
    expect(report.inputWarnings[0]).toMatch(/^half map 1 looks masked: every voxel farther than 9\.0 Å/);
    expect(report.inputWarnings[1]).toMatch(/^half map 2: 1 voxel is NaN or ±Inf/);
    expect(report.input.nonFiniteVoxels).toEqual([0, 1]);
  });
});

describe("combineReports", { timeout: LOADED }, () => {
  const { half1, half2 } = blobPair();
  const average = { ...half1, data: half1.data.map((v, i) => (v + half2.data[i]) / 2) };

  it("puts both levels in registry order and counts one score over both, as VRS", () => {
    const level0 = runLevel0(average, { threshold: 1, resolution: 4, sections: ["0.a", "0.b", "0.c"] });
    const level1 = runLevel1(half1, half2, { threshold: 1, resolution: 4, sections: ["1.a", "1.g", "1.h"] });
    const combined = combineReports(level0, level1);
    expect(Object.keys(combined.sections)).toEqual([...sectionIds, ...level1SectionIds]);
    const all = Object.values(combined.sections);
    const evaluable = all.filter((s) => s.status === "ok" || s.status === "warnings");
    // 0.a–0.c always evaluable; of Level 1 only the requested, measured ones (1.d, 1.f never).
    expect(evaluable.map((s) => s.id).filter((id) => id.startsWith("0."))).toEqual(["0.a", "0.b", "0.c"]);
    expect(combined.score).toEqual({ evaluable: evaluable.length, passed: all.filter((s) => s.status === "ok").length });
    expect(combined.score.evaluable).toBeGreaterThan(level0.score.evaluable);
    expect(combined.abstract.filter((s) => s.startsWith("The overall score"))).toEqual([
      `The overall score (passing tests) of this report is ${combined.score.passed} out of ${combined.score.evaluable} evaluable items.`,
    ]);
    // The resolution range takes 1.a's estimates and 1.g's and 1.h's.
    const estimates = [
      ...((level1.sections["1.a"].results as { resolutionEstimates: number[] }).resolutionEstimates),
      (level1.sections["1.g"].results as { FSOresolution: number | null }).FSOresolution,
      (level1.sections["1.h"].results as { FSC3DresolutionGlobal: number | null }).FSC3DresolutionGlobal,
    ].filter((v): v is number => v !== null);
    expect(estimates.length).toBeGreaterThan(0);
    const range = combined.abstract.find((s) => s.startsWith("The average resolution"))!;
    expect(range).toContain(`goes from ${Math.min(...estimates).toFixed(1)}Å to ${Math.max(...estimates).toFixed(1)}Å`);
    expect(combined.warningsSummary.map((w) => w.id)).toEqual(all.filter((s) => s.warnings.length > 0).map((s) => s.id));
  });

  it("reportJson writes Level 1's sections and names the halves", () => {
    const level0 = runLevel0(average, { threshold: 1, sections: ["0.a", "0.b", "0.c"] });
    const level1 = runLevel1(half1, half2, { threshold: 1, sections: ["1.a"] });
    const halfMaps = { half1: { file: "h1.mrc", sha256: "a" }, half2: { file: "h2.mrc", sha256: "b" }, averaged: true };
    const j = JSON.parse(JSON.stringify(reportJson(combineReports(level0, level1), "average", "c", { halfMaps })));
    expect(Object.keys(j.sections)).toEqual([...sectionIds, ...level1SectionIds]);
    expect(j.input.halfMaps).toEqual({ ...halfMaps, mask: "level0-soft", nonFiniteVoxels: [0, 0] });
    const a = j.sections["1.a"];
    expect(a.title).toBe("1.a Global resolution");
    expect(a.results.shells[0]).toEqual(expect.objectContaining({ index: 1, frequency: 1 / 24, resolution: 24 }));
    for (const key of ["fscResolution", "fscMaskedResolution", "fscCorrectedResolution", "dprResolution", "ssnrResolution"])
      expect(a.results).toHaveProperty(key);
    // The notebook displays take the combined report too.
    const shown = displayReport(combineReports(level0, level1), { file: "average", sha256: "c", halfMaps })[jupyterDisplay]();
    expect(Object.keys(JSON.parse(JSON.stringify(shown["application/json"])).sections)).toEqual(Object.keys(j.sections));
    expect(shown["text/html"]).toContain("mapval Level 0 and 1 report");
    expect(displaySection(combineReports(level0, level1), "1.a", { file: "average", sha256: "c" })[jupyterDisplay]()["text/plain"])
      .toMatch(/^== 1\.a Global resolution: /);
    expect(() => displaySection(level0, "1.a", { file: "m", sha256: "s" })).toThrow(expect.objectContaining({ code: "unknown-section" }));
    // A Level 0 report's JSON has no Level 1 keys.
    const level0Json = reportJson(level0, "m", "s");
    expect(Object.keys(level0Json.sections)).toEqual([...sectionIds]);
    expect(level0Json.input).not.toHaveProperty("halfMaps");
  });
});

describe("runLevel1With", () => {
  it("gives runLevel1's sections and 1.e's local map with 1.e's bands on worker threads", { timeout: 120_000 }, async () => {
    const { half1, half2 } = blobPair(32);
    const options = { threshold: 1, resolution: 3, sections: ["1.a", "1.e"] as const };
    const sequential = runLevel1WithWorkings(half1, half2, options);
    const pool = new BandPool({ size: 2 });
    try {
      const order: string[] = [];
      const parallel = await runLevel1With(pool.execute, half1, half2, { ...options, onSection: (id) => order.push(id) });
      expect(order).toEqual(["1.e", "1.a"]);
      expect(parallel.report).toStrictEqual(sequential.report);
      expect(["ok", "warnings"]).toContain(parallel.report.sections["1.e"].status);
      expect(parallel.workings.localMaps["1.e"]!.volume.data).toStrictEqual(sequential.workings.localMaps["1.e"]!.volume.data);
    } finally {
      await pool.close();
    }
  });
});

describe("formatReport of a combined report", { timeout: LOADED }, () => {
  it("lists both levels' sections, the halves and Level 1's mask, and one score line", () => {
    const { half1, half2 } = blobPair();
    const average = { ...half1, data: half1.data.map((v, i) => (v + half2.data[i]) / 2) };
    const level0 = runLevel0(average, { threshold: 1, resolution: 4, sections: ["0.a", "0.b", "0.c"] });
    const level1 = runLevel1(half1, half2, { threshold: 1, resolution: 4, sections: ["1.a", "1.b"] });
    const combined = combineReports(level0, level1);
    const halfMaps = {
      half1: { file: "h1.mrc", sha256: "a1" }, half2: { file: "h2.mrc", sha256: "b2" }, averaged: true,
      fileWarnings: ["half map 2 file: a warning"],
    };
    const text = formatReport(combined, { file: "average of h1.mrc and h2.mrc", sha256: "c3", halfMaps });
    expect(text.startsWith("mapval Level 0 and 1 report (default mode)\n")).toBe(true);
    expect(text).toContain("Half map 1: h1.mrc\nSHA256 hash: a1\nHalf map 2: h2.mrc\nSHA256 hash: b2\nLevel 1 mask: Level 0's soft mask at the visualization threshold\n");
    expect(text).toContain("Note: half map 2 file: a warning\n");
    expect(text.match(/The overall score/g)).toHaveLength(1);
    for (const id of level1SectionIds) expect(text).toMatch(new RegExp(`^${sectionTitle(id).replace(/[().]/g, "\\$&")}\\s+\\S`, "m"));
    const fsc = level1.sections["1.a"].results as { sentences: string[]; fscMaskedResolution: number | null };
    for (const sentence of fsc.sentences) expect(text).toContain(sentence);
    expect(text).toMatch(/^The masked FSC: (\d+\.\d\d Å|does not cross 0\.143)\. The corrected \(phase-randomised\) FSC: /m);
    const fdr = (level1.sections["1.b"].results as { FDRResolution: number | null }).FDRResolution;
    if (fdr !== null) expect(text).toContain(`The resolution at 1 % FDR-FSC is ${fdr.toFixed(2)} Å`);
  });
});
