/**
 * Absurd numbers from the command line, a map header or the entries file reach `mapval report`, `runLevel0` and the
 * site loader: each ends in a result or a named error, quickly and in bounded memory (docs/analysis-inputs.md).
 * The CLI runs in a child process with a timeout, so an input that hangs fails the test instead of stalling it.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { entryFiles } from "../data-loaders/site/site-entry.js";
import { AnalysisInputError } from "../lib/errors.js";
import { runLevel0 } from "../lib/level0/level0.js";
import { parseMap } from "../lib/io/mrc-reader.js";
import { loadMap, withFloat32 } from "./helpers/corrupt.js";

const root = join(import.meta.dirname, "..");
const dir = mkdtempSync(join(tmpdir(), "mapval-hostile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An MRC file (mode 2) of `dims` with CELLA `cell` (Å), made from EMD-3197's header; `value(x, y, z)` per voxel. */
function mrc(dims: [number, number, number], cell: [number, number, number], value: (x: number, y: number, z: number) => number) {
  const header = loadMap("data/maps/emd_3197.map").slice(0, 1024);
  const view = new DataView(header.buffer);
  dims.forEach((n, a) => {
    view.setInt32(4 * a, n, true); // NC, NR, NS
    view.setInt32(28 + 4 * a, n, true); // MX, MY, MZ
    view.setFloat32(40 + 4 * a, cell[a], true);
    view.setInt32(16 + 4 * a, 0, true); // NCSTART…
  });
  view.setInt32(92, 0, true);
  const [nx, ny, nz] = dims;
  const data = new Float32Array(nx * ny * nz);
  for (let z = 0, i = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++, i++) data[i] = value(x, y, z);
  return Buffer.concat([header, new Uint8Array(data.buffer)]);
}

function file(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** A 16³ map, 2 Å voxels: a ball of density 1 on faint noise. */
const ball = (x: number, y: number, z: number) => ((x - 8) ** 2 + (y - 8) ** 2 + (z - 8) ** 2 < 16 ? 1 : 0) + 0.01 * Math.sin(7 * x + 3 * y + z);
const small = file("small.mrc", mrc([16, 16, 16], [32, 32, 32], ball));
const emd1997 = join(root, "data/maps/emd_1997.map");

/** `mapval report` in a child process: exit code, output, the time it took and its peak memory (bytes). */
function report(args: string[], timeout = 20_000) {
  const rssFile = join(dir, `rss-${Math.random().toString(36).slice(2)}`);
  const started = performance.now();
  const r = spawnSync("node", ["--import", join(root, "test/helpers/report-max-rss.mjs"), "bin/mapval.js", "report", ...args], {
    cwd: root, timeout, env: { ...process.env, MAPVAL_WORKERS: "1", MAPVAL_MAX_RSS_FILE: rssFile },
  });
  const seconds = (performance.now() - started) / 1000;
  let peakBytes = NaN;
  try {
    peakBytes = Number(readFileSync(rssFile, "utf8")) * 1024;
  } catch {
    // killed by the timeout before it could write
  }
  return { code: r.status, out: r.stdout.toString(), err: r.stderr.toString(), seconds, peakBytes };
}

/** Exit 2 with one line on stderr matching `message`, within a few seconds. */
function refused(r: ReturnType<typeof report>, message: RegExp) {
  expect(r.code).toBe(2);
  expect(r.err).toMatch(message);
  expect(r.err.trim().split("\n")).toHaveLength(1);
}

describe("mapval report refuses absurd numbers at once, naming where they came from", { timeout: 60_000 }, () => {
  it("a header CELLA giving 1e-37 Å (it hung in the dilation), and one of 3e38 with a resolution (RangeError)", () => {
    refused(report([file("tiny-cell.map", withFloat32(loadMap("data/maps/emd_1997.map"), 40, 1e-35)), "--threshold", "1"]),
      /voxel size 1e-37 Å from the map header \(CELLA \/ MX\) is outside the plausible range 0\.05–100 Å/);
    const huge = file("huge-cell.mrc", mrc([16, 16, 16], [3e38, 3e38, 3e38], ball));
    refused(report([huge, "--threshold", "0.5", "--resolution", "3"]), /from the map header \(CELLA \/ MX\) is outside the plausible range/);
  });

  it("--voxel-size 1e-300 and 1e300, --resolution 1e-300", () => {
    refused(report([small, "--threshold", "0.5", "--voxel-size", "1e-300"]), /voxel size 1e-300 Å from --voxel-size is outside/);
    refused(report([small, "--threshold", "0.5", "--voxel-size", "1e300", "--resolution", "3"]), /voxel size 1e\+300 Å from --voxel-size/);
    refused(report([small, "--threshold", "0.5", "--resolution", "1e-300"]), /resolution 1e-300 Å from --resolution is finer than the map's Nyquist limit, 2·Ts = 4 Å/);
  });

  it("--resolution 0.5 on EMD-1997 (2.02 Å; it grew to 11.9 GB) and --vrs-compat on a 1000×4×4 rod (a 1000³ cube)", () => {
    const fine = report([emd1997, "--threshold", "1", "--resolution", "0.5"]);
    refused(fine, /resolution 0\.5 Å from --resolution is finer than the map's Nyquist limit, 2·Ts = 4\.04 Å/);
    const rod = file("rod.mrc", mrc([1000, 4, 4], [2000, 8, 8], (x, y, z) => (x > 400 && x < 600 && y > 0 && y < 3 && z > 0 && z < 3 ? 1 : 0)));
    const cube = report([rod, "--threshold", "0.5", "--resolution", "4", "--vrs-compat"]);
    refused(cube, /0\.f\/0\.g's box, the map resized to 2 Å per voxel in a cube, would be 1000×1000×1000 voxels, about 29\.8 GiB, above the memory budget of 6 GiB/);
    for (const r of [fine, cube]) expect(r.peakBytes).toBeLessThan(500e6);
  });

  it("--workers 256 and MAPVAL_WORKERS=256", () => {
    refused(report([small, "--threshold", "0.5", "--workers", "256"]), /--workers must be a whole number of workers from 1 to 32, got "256"/);
  });

  it("one NaN voxel of EMD-1997: the clean map's verdicts and score, and the count in the JSON", () => {
    const nan = file("emd_1997-nan.map", withFloat32(loadMap("data/maps/emd_1997.map"), 1024, NaN));
    const args = ["--threshold", "1", "--resolution", "7", "--sections", "0.a,0.b,0.c,0.d", "--json"];
    const [dirty, clean] = [report([nan, ...args]), report([emd1997, ...args])].map((r) => {
      expect(r.code).toBe(0);
      return JSON.parse(r.out);
    });
    expect(dirty.score).toEqual(clean.score);
    for (const id of ["0.a", "0.b", "0.c", "0.d"]) expect(dirty.sections[id].warnings).toHaveLength(clean.sections[id].warnings.length);
    expect(dirty.sections["0.c"].status).toBe(clean.sections["0.c"].status);
    expect(dirty.input.nonFiniteVoxels).toBe(1);
    expect(clean.input.nonFiniteVoxels).toBe(0);
    expect(dirty.inputWarnings).toEqual(expect.arrayContaining([expect.stringMatching(/^1 voxel is NaN or ±Inf; every section analysed it as the mean/)]));
  });
});

describe("the site loader: the entries file's voxel size", { timeout: 60_000 }, () => {
  const entries = (voxelSize: number, mapFile: string) => {
    const path = join(dir, `entries-${voxelSize}.json`);
    const entry = {
      id: "x", emdb: null, title: "x", file: mapFile, sha256: null, resolution: { angstrom: 6, source: "test" },
      contour: { level: 0.5, source: "test" }, voxelSize, attribution: "test", notes: null,
    };
    writeFileSync(path, JSON.stringify({ version: 1, entries: [entry] }));
    return path;
  };

  it("is used when the header has none, and refused by name when implausible", async () => {
    file("no-cell.mrc", mrc([16, 16, 16], [0, 0, 0], ball));
    await expect(entryFiles("x", entries(1e-6, "no-cell.mrc"))).rejects.toThrow(
      expect.objectContaining({ code: "implausible-voxel-size", message: expect.stringContaining('0.000001 Å from entries-0.000001.json (entry x, "voxelSize")') }),
    );
    const { index } = await entryFiles("x", entries(2, "no-cell.mrc"));
    expect(index.voxelSize).toBe(2);
  });

  it("loses to the header, with a warning naming both", async () => {
    const { files, index } = await entryFiles("x", entries(3, "small.mrc"));
    expect(index.voxelSize).toBe(2);
    expect(JSON.parse(files["report.json"] as string).report.inputWarnings).toEqual([
      'The voxel size from entries-3.json (entry x, "voxelSize"), 3 Å, differs from the 2 Å from the map header (CELLA / MX), which is used.',
    ]);
  });
});

/** 10^e for e drawn in [-10, 10]: twenty orders of magnitude. */
const magnitude = fc.double({ min: -10, max: 10, noNaN: true }).map((e) => 10 ** e);

describe("property: any voxel size, resolution and threshold across twenty orders of magnitude", () => {
  const { volume } = parseMap(readFileSync(small));

  it("runLevel0 gives a report or a named error, each within 3 s", { timeout: 120_000 }, () => {
    const outcomes = new Set<string>();
    fc.assert(
      fc.property(magnitude, fc.option(magnitude, { nil: null }), magnitude, fc.boolean(), fc.boolean(), (voxelSize, resolution, level, negative, compat) => {
        const started = performance.now();
        try {
          const r = runLevel0(volume, { threshold: negative ? -level : level, resolution, voxelSize, mode: compat ? "vrs-compat" : "default" });
          expect(r.score.evaluable).toBeGreaterThanOrEqual(0);
          outcomes.add("report");
        } catch (e) {
          expect(e).toBeInstanceOf(AnalysisInputError);
          outcomes.add((e as AnalysisInputError).code);
        }
        expect(performance.now() - started).toBeLessThan(3000);
      }),
      { numRuns: 200, seed: 11 },
    );
    // The draws reach reports as well as refusals.
    expect([...outcomes]).toEqual(expect.arrayContaining(["implausible-voxel-size", "report", "resolution-beyond-nyquist"]));
  });

  it("mapval report exits 0 or 2 (one line) within 20 s and 1 GB", { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(magnitude, magnitude, magnitude, (voxelSize, resolution, threshold) => {
        const r = report([small, "--threshold", String(threshold), "--resolution", String(resolution), "--voxel-size", String(voxelSize), "--json"]);
        expect([0, 2]).toContain(r.code);
        if (r.code === 2) expect(r.err.trim().split("\n")).toHaveLength(1);
        else expect(JSON.parse(r.out).input.voxelSize).toBe(voxelSize);
        expect(r.peakBytes).toBeLessThan(1e9);
      }),
      { numRuns: 4, seed: 11 },
    );
  });
});
