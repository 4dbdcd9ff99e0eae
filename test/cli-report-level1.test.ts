/**
 * `mapval report [MAP] --half1 H1 --half2 H2 [--mask M]`: Level 1 in the CLI's JSON and its errors, on the bundled
 * simulated EMD-1997 pair (halves reconstructed by RELION from projections of EMD-1997, not EMDB half maps:
 * data/halfmaps/SOURCES.md) and RELION's postprocess table of it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { runReport } from "../data-loaders/cli/cli-report.js";
import { level1SectionIds, sectionIds } from "../lib/section-registry.js";
import { RELION, relionFscTable } from "./helpers/relion-star.js";

const root = join(import.meta.dirname, "..");
const pair = (name: string) => join(root, "data/halfmaps/sim-emd-1997", name);
const map = (name: string) => join(root, "data/maps", name);
const halves = ["--half1", pair("half1.mrc.gz"), "--half2", pair("half2.mrc.gz")];
/** data/halfmaps/SOURCES.md */
const sha256 = {
  half1: "7ebc0ef8096f30b868f723ca1fa087ae1f39262f267fe8c325ccec664a2f3c52",
  half2: "4f2dd6dc38abef947424b28263e73974b3ae0faecef61109fdb1f10f38f038c5",
  mask: "12f28d1e04e4204987a535624a63a2231b0f5887e1ff16fec2a15422c988d61c",
};

async function run(args: string[]) {
  let out = "", err = "";
  const code = await runReport(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

/** The average of the two halves as an MRC file: half 1's header and (h1 + h2)/2 in float32 (mode 2, little-endian). */
function averageMapFile(): string {
  const h1 = gunzipSync(readFileSync(pair("half1.mrc.gz"))), h2 = gunzipSync(readFileSync(pair("half2.mrc.gz")));
  const voxels = 100 ** 3, offset = h1.length - 4 * voxels;
  const out = Buffer.from(h1);
  for (let i = 0; i < voxels; i++)
    out.writeFloatLE(Math.fround((h1.readFloatLE(offset + 4 * i) + h2.readFloatLE(offset + 4 * i)) / 2), offset + 4 * i);
  const dir = mkdtempSync(join(tmpdir(), "mapval-average-"));
  writeFileSync(join(dir, "average.mrc"), out);
  return join(dir, "average.mrc");
}

// Each run computes 0.a–0.c and 1.a on 100³ (two seconds on an idle machine; more under load).
const TIMEOUT = 120_000;

describe("mapval report with half maps", { timeout: TIMEOUT }, () => {
  let withMask: { code: number; out: string; err: string };
  beforeAll(async () => {
    withMask = await run([...halves, "--mask", pair("mask.mrc.gz"), "--threshold", "1", "--resolution", "7", "--sections", "1.a,1.d", "--json"]);
  }, TIMEOUT);

  it("names the halves and the mask, and says the map is their average", () => {
    expect(withMask.code).toBe(0);
    expect(withMask.err).toBe("");
    const j = JSON.parse(withMask.out);
    expect(j.input.file).toBe("average of half1.mrc.gz and half2.mrc.gz");
    expect(j.input.halfMaps).toEqual({
      half1: { file: "half1.mrc.gz", sha256: sha256.half1 },
      half2: { file: "half2.mrc.gz", sha256: sha256.half2 },
      maskFile: { file: "mask.mrc.gz", sha256: sha256.mask },
      averaged: true,
      mask: "user",
      nonFiniteVoxels: [0, 0],
    });
  });

  it("1.a's shells match RELION's unmasked FSC and its FSC masked by the same mask", () => {
    const j = JSON.parse(withMask.out);
    const a = j.sections["1.a"];
    expect(a.status).toBe("ok");
    const relion = relionFscTable("relion_postprocess_no_ampl_corr.star", 8);
    expect(a.results.shells).toHaveLength(50);
    // Shell 50 left out: RELION keeps bins beyond R = 0.5 in it (docs/reference/level1.md).
    for (const s of a.results.shells.filter((s: { index: number }) => s.index < 50)) {
      expect(s.frequency).toBeCloseTo(relion[s.index][1], 6);
      expect(Math.abs(s.fsc - relion[s.index][RELION.unmasked])).toBeLessThanOrEqual(1e-5);
      expect(Math.abs(s.fscMasked - relion[s.index][RELION.masked])).toBeLessThanOrEqual(1e-5);
    }
    // RELION's corrected FSC crosses 0.143 at 5.46 Å; mapval's random draw differs (docs/reference/level1.md).
    expect(a.results.fscCorrectedResolution).toBeGreaterThan(5.2);
    expect(a.results.fscCorrectedResolution).toBeLessThan(5.6);
    for (const key of ["fscResolution", "fscMaskedResolution", "dprResolution", "ssnrResolution"]) expect(a.results[key]).toBeGreaterThan(0);
  });

  it("--sections computes only what it lists; the score counts the evaluable items of both levels", () => {
    const j = JSON.parse(withMask.out);
    expect(Object.keys(j.sections)).toEqual([...sectionIds, ...level1SectionIds]);
    const status = (id: string) => j.sections[id].status;
    for (const id of ["0.d", "0.e", "0.f", "0.g", "0.h", "1.b", "1.c", "1.e", "1.g", "1.h"]) expect(status(id), id).toBe("not-requested");
    expect(status("1.d")).toBe("not-measured");
    const all = Object.keys(j.sections);
    const evaluable = all.filter((id) => ["ok", "warnings"].includes(status(id)));
    expect(evaluable).toEqual(["0.a", "0.b", "0.c", "1.a"]);
    const passed = all.filter((id) => status(id) === "ok").length;
    expect(j.score).toEqual({ passed, evaluable: 4 });
    expect(j.abstract).toContain(`The overall score (passing tests) of this report is ${passed} out of 4 evaluable items.`);
  });

  it("without MAP gives the report of MAP = the average of the halves", { timeout: TIMEOUT }, async () => {
    const given = await run([averageMapFile(), ...halves, "--mask", pair("mask.mrc.gz"), "--threshold", "1", "--resolution", "7", "--sections", "1.a,1.d", "--json"]);
    expect(given.code).toBe(0);
    const a = JSON.parse(withMask.out), b = JSON.parse(given.out);
    expect(b.input.file).toBe("average.mrc");
    expect(b.input.halfMaps.averaged).toBe(false);
    expect(b.sections).toEqual(a.sections);
    expect(b.score).toEqual(a.score);
    expect(b.abstract).toEqual(a.abstract);
  });

  it("without a resolution, 1.a and 1.b do not apply (the report is still written)", { timeout: TIMEOUT }, async () => {
    const { code, out } = await run([...halves, "--threshold", "1", "--sections", "1.a,1.b", "--json"]);
    expect(code).toBe(0);
    const j = JSON.parse(out);
    expect(j.input.halfMaps.mask).toBe("level0-soft");
    expect(j.sections["1.a"].status).toBe("does-not-apply");
    expect(j.sections["1.a"].results.shells[0].fscMasked).toEqual(expect.any(Number));
    expect(["does-not-apply", "not-measured"]).toContain(j.sections["1.b"].status);
  });

  it.each([
    [[pair("half1.mrc.gz"), "--half1", pair("half1.mrc.gz"), "--threshold", "1"], /--half1 needs --half2: Level 1 takes both half maps/],
    [["--half2", pair("half2.mrc.gz"), "--threshold", "1"], /--half2 needs --half1/],
    [[map("emd_1997.map"), "--mask", pair("mask.mrc.gz"), "--threshold", "1"], /--mask is Level 1's mask: it needs --half1 and --half2/],
    [[map("emd_1997.map"), "--threshold", "1", "--sections", "1.a"], /--sections 1\.a: Level 1 sections need --half1 and --half2/],
    [[...halves, "--threshold", "1", "--sections", "1.z"], /--sections takes section ids from 0\.a,.*,1\.h; got "1\.z"/],
    [[...halves], /missing --threshold \(no author's contour is known for average of half1\.mrc\.gz and half2\.mrc\.gz\)/],
    [["--half1", pair("half1.mrc.gz"), "--half2", join(root, "no-such-half.mrc"), "--threshold", "1"], /--half2 .*no-such-half\.mrc: no such file/],
    [["--half1", pair("relion_postprocess.star"), "--half2", pair("half2.mrc.gz"), "--threshold", "1"], /--half1 .*relion_postprocess\.star: /],
    [["--half1", pair("half1.mrc.gz"), "--half2", map("emd_1832.map"), "--threshold", "1"], /half map 2 is 64×64×64 voxels, half map 1 is 100×100×100/],
    [[...halves, "--mask", map("emd_1832.map"), "--threshold", "1"], /the mask is 64×64×64 voxels, the half maps 100×100×100/],
    [[...halves, "--mask", pair("half1.mrc.gz"), "--threshold", "1"], /mask voxel \d+ is -?[\d.e-]+; a soft mask holds values in \[0, 1\]/],
    [[map("emd_1832.map"), ...halves, "--threshold", "1"], /the half maps are 100×100×100 voxels, the map 64×64×64: they must share its grid/],
    [[map("emd_3488.map"), ...halves, "--threshold", "0.09"], /the half maps have 2\.02\d* Å voxels, the map 1\.05\d* Å/],
  ])("exits 2 with one line on stderr: %j", async (args, message) => {
    const { code, out, err } = await run(args as string[]);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toMatch(message);
    expect(err.trim().split("\n")).toHaveLength(1);
  });
});
