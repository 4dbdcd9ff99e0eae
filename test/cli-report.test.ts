import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../data-loaders/cli/cli.js";
import { runReport } from "../data-loaders/cli/cli-report.js";
import { sectionIds } from "../lib/level0/level0.js";
import { concat, gzip, loadMap, withBytes, withFloat32, withInt32 } from "./helpers/corrupt.js";

const root = join(import.meta.dirname, "..");
const map = (name: string) => join(root, "data/maps", name);

/** A copy of a bundled map that no entry lists (neither its path nor its SHA-256). */
function unlistedCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "mapval-unlisted-"));
  const bytes = withFloat32(loadMap("data/maps/emd_3197.map"), 1024 + 4 * 100, 0.25);
  writeFileSync(join(dir, "unlisted.map"), bytes);
  return join(dir, "unlisted.map");
}

async function run(args: string[]) {
  let out = "", err = "";
  const code = await runReport(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe("mapval report (in process)", () => {
  // The one run of every section on a real map (0.e–0.g take seconds); other tests ask only for what they check.
  it("--json follows the contract", { timeout: 180_000 }, async () => {
    const { code, out } = await run([map("emd_3488.map"), "--threshold", "0.09", "--resolution", "3.2", "--json"]);
    expect(code).toBe(0);
    expect(out.trim().split("\n")).toHaveLength(1);
    const j = JSON.parse(out);
    expect(Object.keys(j.input)).toEqual(["file", "sha256", "shape", "voxelSize", "threshold", "resolution", "nonFiniteVoxels"]);
    expect(j.input).toMatchObject({
      file: "emd_3488.map",
      sha256: "2fdf1909cbfbc21d3af4230e8a8ff57bf4d4b6ccc72b480992df4dfe39e30209",
      shape: [100, 100, 100],
      threshold: 0.09,
      resolution: 3.2,
      nonFiniteVoxels: 0,
    });
    expect(j.input.voxelSize).toBeCloseTo(1.05, 6); // the header's cell/N in float32
    expect(j.mode).toBe("default");
    expect(Object.keys(j.sections)).toEqual([...sectionIds]);
    for (const id of sectionIds) {
      expect(["ok", "warnings", "does-not-apply", "not-measured"]).toContain(j.sections[id].status);
      expect(Array.isArray(j.sections[id].warnings)).toBe(true);
    }
    expect(Object.keys(j.sections["0.a"].results)).toEqual(
      expect.arrayContaining(["spaceLeft", "spaceRight", "decentering", "centerOfMass", "centerOfMassOffset"]),
    );
    expect(Object.keys(j.sections["0.b"].results)).toEqual(
      expect.arrayContaining([
        "rawComponents", "rawVoxels", "rawVolume", "componentSizes", "components95", "remainingComponents",
        "remainingAverageVoxels", "remainingAverageVolume", "constructedVoxels", "constructedVolume", "overlap", "massTable",
      ]),
    );
    expect(Object.keys(j.sections["0.b"].results.massTable[0])).toEqual(["threshold", "voxels", "kDa", "aminoAcids"]);
    expect(Object.keys(j.sections["0.c"].results)).toEqual(
      expect.arrayContaining(["voxels", "mean", "std", "t", "p", "outlierPercent", "gaussianPercent", "outlierRatio"]),
    );
    expect(Object.keys(j.sections["0.d"].results)).toEqual(expect.arrayContaining(["B", "slope", "intercept", "points"]));
    for (const id of ["0.e", "0.f", "0.g"]) {
      expect(["ok", "warnings"]).toContain(j.sections[id].status);
      const r = j.sections[id].results;
      expect(r.median).toBe(r.percentiles.p50);
      expect(r.percentiles.p2_5).toBeLessThanOrEqual(r.percentiles.p97_5);
      expect(j.sections[id]).not.toHaveProperty("localMap");
    }
    expect(j.sections["0.h"].status).toBe("not-measured");
    const evaluable = sectionIds.filter((id) => ["ok", "warnings"].includes(j.sections[id].status));
    expect(j.score).toEqual({
      passed: sectionIds.filter((id) => j.sections[id].status === "ok").length,
      evaluable: evaluable.length,
    });
  });

  it("--vrs-compat sets the mode; NaN becomes null", async () => {
    const { code, out } = await run([map("emd_5170.map"), "--threshold", "0.61", "--voxel-size", "2.38", "--vrs-compat", "--json"]);
    expect(code).toBe(0);
    const j = JSON.parse(out);
    expect(j.mode).toBe("vrs-compat");
    expect(j.input.resolution).toBeNull();
    expect(out).not.toMatch(/NaN|Infinity/);
    expect(j.sections["0.d"].status).toBe("does-not-apply");
  });

  it("text report has the score line and the section table", async () => {
    const { code, out } = await run([map("emd_1997.map"), "--threshold", "1"]);
    expect(code).toBe(0);
    expect(out).toMatch(/The overall score \(passing tests\) of this report is \d out of 3 evaluable items\./);
    expect(out).toMatch(/0\.a Mass analysis\s+(OK|\d+ warnings?)/);
    expect(out).toMatch(/0\.e Local resolution \(MonoRes-style; VRS uses DeepRes\)\s+Does not apply/);
    expect(out).toContain("Some programs may not work properly since resolution parameter has not been reported.");
  });

  it("text report words counts as the page does (lib/report/format.ts): singular for one, Å³ volumes in %.2f, no padding", async () => {
    const { code, out } = await run([map("emd_1997.map"), "--threshold", "1", "--sections", "0.a,0.b,0.c", "--vrs-compat"]);
    expect(code).toBe(0);
    // At the author's contour, in VRS's mode (without default mode's partial-mask warning), 0.a has exactly one
    // warning (decentred in Z) and the smallest remaining blob is 1 voxel.
    expect(out).toMatch(/^0\.a Mass analysis\s+1 warning$/m);
    expect(out).toContain("== 0.a Mass analysis: 1 warning\n");
    expect(out).toMatch(/to 1 voxel \(8\.24 Å³\)/);
    expect(out).not.toMatch(/\b1 (warnings|voxels|connected components|components)\b/);
    expect(out).not.toMatch(/\d\.\d+e[+-]\d+ Å³|NaN|nan/);
    expect(out).toMatch(/a volume of 280258\.36 Å³/);
    // Sentences carry no alignment padding (VRS's "%5.2f" made "are  28.28 and").
    const sentences = out.split("\n").filter((line) => /^(The|Raw mask|Constructed mask)/.test(line));
    for (const line of sentences) expect(line).not.toMatch(/\S  +\S/);
  });

  it.each([
    [["--threshold", "1"], /missing FILE/],
    [[unlistedCopy()], /missing --threshold \(no author's contour is known for unlisted\.map\)/],
    [[map("emd_1997.map")], /missing --threshold \(no author's contour is known for emd_1997\.map; it is the file of entry emd-1997: "mapval report emd-1997" uses/],
    [[map("emd_1997.map"), "--threshold", "abc"], /--threshold must be a number/],
    [[map("emd_1997.map"), "--threshold", "100"], /The mask obtained from the volume map is empty, try to lower the threshold value/],
    [[map("emd_1997.map"), "--threshold", "1", "--voxel-size", "0"], /--voxel-size must be positive/],
    [[map("nope.map"), "--threshold", "1"], /nope.map/],
    [[map("emd_1997.map"), "--threshold", "1", "--bogus"], /bogus/],
  ])("bad arguments %j: one line, exit 2", async (args, message) => {
    const { code, out, err } = await run(args as string[]);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toMatch(message);
    expect(err.trim().split("\n")).toHaveLength(1);
  });
});

describe("a map without a voxel size", () => {
  it("needs --voxel-size: exit 2 with one line, then 0 with it", async () => {
    const bytes = readFileSync(map("emd_3197.map"));
    bytes.fill(0, 40, 52); // cell dimensions (Å) = 0: the voxel size is undefined
    const dir = mkdtempSync(join(tmpdir(), "mapval-report-"));
    const file = join(dir, "no-voxel-size.map");
    writeFileSync(file, bytes);
    try {
      const bad = await run([file, "--threshold", "0.01", "--json"]);
      expect(bad.code).toBe(2);
      expect(bad.err).toMatch(/voxel size/);
      expect(bad.err.trim().split("\n")).toHaveLength(1);
      const good = await run([file, "--threshold", "0.01", "--voxel-size", "11.4", "--json"]);
      expect(good.code).toBe(0);
      expect(JSON.parse(good.out).input.voxelSize).toBe(11.4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// A child process per test: through tsx in a checkout without build/ (bin/mapval.js), seconds more on a loaded machine.
describe("node bin/mapval.js report", { timeout: 60_000 }, () => {
  it("writes the JSON contract and exits 0", () => {
    const out = execFileSync("node", ["bin/mapval.js", "report", map("emd_1997.map"), "--threshold", "1", "--json"], { cwd: root });
    expect(JSON.parse(out.toString()).sections["0.b"].status).toBeDefined();
  });
  it("exits 2 on an empty mask", () => {
    const r = spawnSync("node", ["bin/mapval.js", "report", map("emd_1997.map"), "--threshold", "100"], { cwd: root });
    expect(r.status).toBe(2);
    expect(r.stderr.toString()).toMatch(/mask obtained from the volume map is empty/);
  });
});

describe("0.e–0.g on worker threads", { timeout: 60_000 }, () => {
  const args = [map("emd_1997.map"), "--threshold", "1", "--resolution", "7", "--sections", "0.f,0.g", "--json"];

  it("node bin/mapval.js gives the same report with one worker and two, and exits", () => {
    const reports = ["1", "2"].map((n) => execFileSync("node", ["bin/mapval.js", "report", ...args, "--workers", n], { cwd: root }));
    // Identical but for the time each report was generated.
    const [one, two] = reports.map((r) => JSON.parse(r.toString().replace(/"generatedAt":"[^"]*"/, '"generatedAt":null')));
    expect(one.sections["0.f"].status).toMatch(/ok|warnings/);
    expect(two).toStrictEqual(one);
  }, 60_000); // two child processes computing 0.f/0.g: seconds each, more on a loaded machine

  it.each([
    [["--workers", "0"], {}, /--workers must be a whole number of workers from 1 to 32, got "0"/],
    [[], { MAPVAL_WORKERS: "many" }, /MAPVAL_WORKERS must be a whole number of workers from 1 to 32, got "many"/],
  ])("a bad worker count %j %j: one line, exit 2", (extra, env, message) => {
    const r = spawnSync("node", ["bin/mapval.js", "report", ...args, ...extra], { cwd: root, env: { ...process.env, ...env } });
    expect(r.status).toBe(2);
    expect(r.stderr.toString()).toMatch(message);
    expect(r.stderr.toString().trim().split("\n")).toHaveLength(1);
  });
});

describe("a configured entry or accession instead of a file", () => {
  const config = JSON.parse(readFileSync(join(root, "mapval.entries.json"), "utf8")) as {
    entries: { id: string; emdb: string | null; contour: { level: number } | null; resolution: { angstrom: number } | null; voxelSize: number | null }[];
  };
  const groel = config.entries.find((e) => e.id === "emd-1997")!;

  it.each([["emd-1997"], ["EMD-1997"]])("%s takes the author's contour, resolution and voxel size as defaults", async (name) => {
    const { code, out } = await run([name, "--sections", "0.a,0.b,0.c", "--json"]);
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.input.file).toBe("emd_1997.map");
    expect(report.input.threshold).toBe(groel.contour!.level);
    expect(report.input.resolution).toBe(groel.resolution!.angstrom);
    expect(report.input.voxelSize).toEqual(groel.voxelSize);
  });

  it("an explicit --threshold wins over the author's contour", async () => {
    const { code, out } = await run(["emd-1997", "--threshold", "0.5", "--sections", "0.a,0.b,0.c", "--json"]);
    expect(code).toBe(0);
    expect(JSON.parse(out).input.threshold).toBe(0.5);
  });

  it("an entry with no known contour still needs --threshold", async () => {
    const unknown = config.entries.find((e) => e.contour === null)!;
    const { code, err } = await run([unknown.id]);
    expect(code).toBe(2);
    expect(err).toMatch(new RegExp(`missing --threshold \\(no author's contour is known for ${unknown.id}\\)`));
  });
});

describe("--sections", () => {
  it("computes only the listed sections of 0.d–0.h; the others are not requested, saying so, and not counted", async () => {
    const { code, out } = await run([map("emd_1997.map"), "--threshold", "1", "--resolution", "7", "--sections", "0.a,0.b,0.c,0.d", "--json"]);
    expect(code).toBe(0);
    const j = JSON.parse(out);
    expect(j.sections["0.d"].results.B).toEqual(expect.any(Number));
    for (const id of ["0.e", "0.f", "0.g", "0.h"]) {
      expect(j.sections[id].status).toBe("not-requested");
      expect(j.sections[id].reason).toBe("Not computed in this run (requested: 0.a, 0.b, 0.c, 0.d)");
    }
    expect(j.score.evaluable).toBe(4);
  });

  it("the text report says \"Not requested\", not \"Could not be measured\"", async () => {
    const { code, out } = await run([map("emd_3197.map"), "--threshold", "1", "--sections", "0.a,0.b,0.c"]);
    expect(code).toBe(0);
    expect(out).toMatch(/^0\.d B-factor analysis\s+Not requested$/m);
    expect(out).toMatch(/^== 0\.h .*: Not requested$/m);
    expect(out).not.toContain("Could not be measured");
  });

  it("rejects an unknown section id with one line, exit 2", async () => {
    const { code, err } = await run([map("emd_1997.map"), "--threshold", "1", "--sections", "0.a,0.z"]);
    expect(code).toBe(2);
    expect(err).toMatch(/--sections takes section ids from 0\.a,0\.b,0\.c,0\.d,0\.e,0\.f,0\.g,0\.h; got "0\.z"/);
  });
});

describe("arguments", () => {
  it.each([["report"], ["info"], ["fetch"]])("mapval %s --help prints the usage and exits 0", async (command) => {
    for (const flag of ["--help", "-h"]) {
      let out = "", err = "";
      const code = await main([command, flag], { out: (t) => (out += t), err: (t) => (err += t) });
      expect(code).toBe(0);
      expect(out).toContain(`usage: mapval ${command}`);
      expect(err).toBe("");
    }
  });

  it("accepts negative numbers as option values (--threshold -100, --threshold=-0.5)", async () => {
    for (const [args, level] of [[["--threshold", "-0.5"], -0.5], [["--threshold=-0.5"], -0.5], [["--threshold", "-1e-2"], -0.01]] as const) {
      const { code, out, err } = await run([map("emd_3197.map"), ...args, "--sections", "0.a,0.b,0.c", "--json"]);
      expect(err).toBe("");
      expect(code).toBe(0);
      expect(JSON.parse(out).input.threshold).toBe(level);
    }
    // A negative value where only positive ones make sense is refused by name, not as "ambiguous".
    const bad = await run([map("emd_3197.map"), "--threshold", "1", "--voxel-size", "-2"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--voxel-size must be positive, got -2/);
  });
});

describe("the reader's warnings reach the report", () => {
  const dir = mkdtempSync(join(tmpdir(), "mapval-warn-"));
  const original = loadMap("data/maps/emd_3197.map");

  it("NaN voxels, a bogus NSYMBT and an unknown stamp: text Notes and JSON inputWarnings, marked as the file's", async () => {
    let bytes = withFloat32(original, 1024, Number.NaN);
    bytes = withBytes(bytes, 212, [0, 0, 0, 0]);
    bytes = withInt32(bytes, 92, 4096);
    const path = join(dir, "hostile.map");
    writeFileSync(path, bytes);
    const expected = [
      /^map file: machine stamp 00 00 00 00 is not recognised; the header reads as little-endian$/,
      /^map file: NSYMBT is 4096 but the file holds exactly the 1024-byte header and the data/,
      /^map file: 1 NaN and 0 infinite voxels; statistics use the finite ones only$/,
    ];
    const json = await run([path, "--threshold", "1", "--sections", "0.a,0.b,0.c", "--json"]);
    expect(json.code).toBe(0);
    const warnings: string[] = JSON.parse(json.out).inputWarnings;
    for (const pattern of expected) expect(warnings.some((w) => pattern.test(w)), String(pattern)).toBe(true);
    const text = await run([path, "--threshold", "1", "--sections", "0.a,0.b,0.c"]);
    expect(text.out).toMatch(/^Note: map file: 1 NaN and 0 infinite voxels/m);
    expect(text.out).toMatch(/^Note: map file: NSYMBT is 4096/m);
  });

  it("trailing data in a gzip stream", async () => {
    const path = join(dir, "trailing.map.gz");
    writeFileSync(path, gzip(concat(original, new Uint8Array(100))));
    const { code, out } = await run([path, "--threshold", "1", "--sections", "0.a,0.b,0.c", "--json"]);
    expect(code).toBe(0);
    expect(JSON.parse(out).inputWarnings).toContain(
      "map file: the gzip stream continues past the 33024 bytes the header declares; the rest was not read",
    );
  });

  it("a file compressed twice is named as such, without pointing to internal functions", async () => {
    const path = join(dir, "twice.map.gz");
    writeFileSync(path, gzip(gzip(original)));
    const { code, err } = await run([path, "--threshold", "1"]);
    expect(code).toBe(2);
    expect(err).toMatch(/twice\.map\.gz: map ID at byte 208 .*gzip-compressed \(starts with 1f 8b; compressed twice\?\)\n$/);
    expect(err).not.toMatch(/readMap/);
  });

  it("a format error names the file", async () => {
    const path = join(dir, "bad-mode.map");
    writeFileSync(path, withInt32(original, 12, 7));
    const { code, err } = await run([path, "--threshold", "1"]);
    expect(code).toBe(2);
    expect(err).toBe(`mapval report: ${path}: MODE is 7 (unknown); supported: 0, 1, 2, 6, 12\n`);
  });
});

describe("progress on a terminal", { timeout: 60_000 }, () => {
  const args = `report ${map("emd_3197.map")} --threshold 1 --resolution 30`;

  it("stderr on a pseudo-terminal (script -qc) shows what is being computed, ending with the last step, then clears the line", () => {
    const dir = mkdtempSync(join(tmpdir(), "mapval-tty-"));
    const outFile = join(dir, "report.txt");
    // script gives the command a pseudo-terminal; stdout goes to a file, so what script prints is stderr alone.
    const terminal = execFileSync("script", ["-qec", `node bin/mapval.js ${args} > ${outFile}`, "/dev/null"], { cwd: root }).toString();
    const lines = terminal.split("\r\x1b[K").filter((l) => l !== "");
    expect(lines[0]).toMatch(/^mapval report: computing 0\.e, 0\.f, 0\.g \(\d+ worker threads?\)…$/);
    expect(lines.at(-1)).toBe("mapval report: computing 0.h Deep hand…");
    // Between them, 0.e–0.g's progress (localProgressText) and the sections after them, redrawn at most every 100 ms
    // (test/cli-progress.test.ts), so not every step is drawn.
    const steps = lines.slice(1, -1);
    for (const line of steps)
      expect(line).toMatch(/^mapval report: (0\.(e|f–0\.g), (preparing the grids \(\d+ %\)|band \d+ of at most \d+|finishing) \(\d+ worker threads?\)|computing 0\.d B-factor analysis)…$/);
    expect(steps.some((line) => line.startsWith("mapval report: 0.f–0.g, band"))).toBe(true);
    expect(terminal.endsWith("\r\x1b[K")).toBe(true); // the status line is cleared before the report
    expect(readFileSync(outFile, "utf8")).toMatch(/^mapval Level 0 report/);
    rmSync(dir, { recursive: true, force: true });
  });

  it("stderr that is not a terminal gets no progress", () => {
    const r = spawnSync("node", ["bin/mapval.js", ...args.split(" ")], { cwd: root });
    expect(r.status).toBe(0);
    expect(r.stderr.toString()).toBe("");
  });
});
