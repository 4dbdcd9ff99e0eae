import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import expected from "./fixtures/reader-expected.json" with { type: "json" };
import type { CliIO } from "../data-loaders/cli/cli-io.js";
import { main } from "../data-loaders/cli/cli.js";
import { MapFileError, readMapFile } from "../data-loaders/cli/read-map-file.js";
import { EMD_3197, loadMap, withInt32 } from "./helpers/corrupt.js";

const ROOT = new URL("../", import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), "mapval-cli-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function mapval(...args: string[]) {
  const run = spawnSync(process.execPath, ["bin/mapval.js", ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

async function inProcess(...args: string[]) {
  let stdout = "";
  let stderr = "";
  const io: CliIO = { out: (t) => void (stdout += t), err: (t) => void (stderr += t) };
  const status = await main(args, io);
  return { status, stdout, stderr };
}

const expectOneLine = (stderr: string) => {
  expect(stderr.endsWith("\n")).toBe(true);
  expect(stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
};

describe("mapval info (spawned)", () => {
  it("--json prints one JSON object describing a good map", () => {
    const run = mapval("info", EMD_3197, "--json");
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout.trimEnd().split("\n")).toHaveLength(1);
    const info = JSON.parse(run.stdout);
    const want = (expected as unknown as Record<string, { stats: Record<string, number> }>)[EMD_3197];
    expect(info.shape).toEqual([20, 20, 20]);
    expect(info.voxelSize).toEqual([11.4, 11.4, 11.4]);
    expect(info.origin).toEqual([-22.8, 0, 0]);
    expect(info.originSource).toBe("NSTART");
    expect(info.mode).toBe(2);
    expect(info.axisOrder).toEqual([1, 2, 3]);
    expect(info.min).toBe(want.stats.min);
    expect(info.max).toBe(want.stats.max);
    expect(info.mean).toBeCloseTo(want.stats.mean, 10);
    expect(info.std).toBeCloseTo(want.stats.std, 10);
    expect(info.nanCount).toBe(0);
    expect(info.warnings).toEqual([]);
    expect(info.labels).toEqual(["::::EMDATABANK.org::::EMD-3197::::"]);
    expect(info.sha256).toBe("351d5090d4c56eb5fc41796842ad64abecc238b8da6181f8857be5844dbbc262"); // data/maps/SOURCES.md
  });

  it("a truncated map exits 2 with one line on stderr naming the file and the problem", () => {
    const file = "test/fixtures/mrc-corner-cases/sfftk-test_data_corrupt_header.map";
    const run = mapval("info", file, "--json");
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expectOneLine(run.stderr);
    expect(run.stderr).toMatch(new RegExp(`^mapval: ${file}: data block truncated: .* need 34279084 bytes`));
  });

  it("MODE 3 exits 2 naming the mode", () => {
    const path = join(scratch, "emd_mode3.map");
    writeFileSync(path, withInt32(loadMap(EMD_3197), 12, 3));
    const run = mapval("info", path);
    expect(run.status).toBe(2);
    expectOneLine(run.stderr);
    expect(run.stderr).toBe(`mapval: ${path}: MODE is 3 (complex transform data); supported: 0, 1, 2, 6, 12\n`);
  });

  it("an unknown command prints the usage and exits 2", () => {
    const run = mapval("frobnicate");
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^mapval: unknown command "frobnicate"\nusage: mapval <command>/);
  });
});

describe("mapval info (in process)", () => {
  it("text output summarises the map", async () => {
    const run = await inProcess("info", "test/fixtures/mrc-corner-cases/gemmi-iota_yzx.ccp4.gz");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^shape\s+4 × 1 × 2 voxels \(x, y, z\)$/m);
    expect(run.stdout).toMatch(/^axis order\s+MAPC\/MAPR\/MAPS 2,3,1 \(columns, rows, sections = yzx\)$/m);
    expect(run.stdout).toMatch(/^origin\s+30, 440, -60 Å \(from NSTART\)$/m);
    expect(run.stdout).toMatch(/gzip/);
  });

  it("--json reports gzip input and warnings", async () => {
    const run = await inProcess("info", "test/fixtures/mrc-corner-cases/mrcjl-emd_3197_proj.mrcs", "--json");
    const info = JSON.parse(run.stdout);
    expect(info.gzip).toBe(false);
    expect(info.warnings.some((w: string) => /stack of 10 images/.test(w))).toBe(true);
  });

  it("--lenient-voxel-size gives 1 Å where the cell is 0", async () => {
    const file = "test/fixtures/mrc-corner-cases/aspire-clean70SRibosome_vol_65p.mrc";
    expect(JSON.parse((await inProcess("info", file, "--json")).stdout).voxelSize).toBeNull();
    const lenient = JSON.parse((await inProcess("info", file, "--json", "--lenient-voxel-size")).stdout);
    expect(lenient.voxelSize).toEqual([1, 1, 1]);
  });

  for (const [name, args, pattern] of [
    ["missing file", ["info", "no/such/map.mrc"], /^mapval: no\/such\/map.mrc: no such file\n$/],
    ["directory", ["info", "data"], /^mapval: data: is a directory, expected a map file\n$/],
    ["no FILE", ["info"], /^mapval info: missing FILE \(usage: mapval info FILE/],
    ["two FILEs", ["info", "a", "b"], /^mapval info: give exactly one FILE/],
    ["unknown option", ["info", EMD_3197, "--bogus"], /^mapval info: Unknown option '--bogus'/],
  ] as const) {
    it(`${name}: exit 2, one line`, async () => {
      const run = await inProcess(...args);
      expect(run.status).toBe(2);
      expect(run.stdout).toBe("");
      expectOneLine(run.stderr);
      expect(run.stderr).toMatch(pattern);
    });
  }

  it("no command: usage and exit 2; --help: usage and exit 0", async () => {
    const none = await inProcess();
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/usage: mapval <command>/);
    const help = await inProcess("--help");
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/commands: .*info/);
    expect((await inProcess("info", "--help")).stdout).toMatch(/^usage: mapval info FILE/);
  });
});

describe("readMapFile", () => {
  it("refuses a file larger than maxBytes before reading it", async () => {
    await expect(readMapFile(EMD_3197, { maxBytes: 1000 })).rejects.toMatchObject({
      name: "MapFileError",
      code: "too-large",
      message: `${EMD_3197}: file is 33024 bytes; the limit is 1000 bytes`,
    });
  });

  it("prefixes reader errors with the path and keeps their code", async () => {
    const path = join(scratch, "short.map");
    writeFileSync(path, new Uint8Array(10));
    await expect(readMapFile(path)).rejects.toMatchObject({
      name: "MapFormatError",
      code: "too-short",
      message: `${path}: file too short for an MRC header (10 < 1024 bytes)`,
    });
  });

  it("reports gzip input, file size and the hash of the stored bytes", async () => {
    const file = await readMapFile("test/fixtures/mrc-corner-cases/mrcfile-emd_3197.map.gz");
    expect(file.compressed).toBe(true);
    expect(file.fileBytes).toBe(29083);
    expect(file.sha256).toBe("a846aadd655eda6a5c2660347978bf1ab9bdefad29ae0af6ebb61cee2d80fe71"); // SOURCES.md
    expect(file.result.volume.nx).toBe(20);
  });

  it("missing files are MapFileError no-such-file", async () => {
    await expect(readMapFile(join(scratch, "absent.map"))).rejects.toBeInstanceOf(MapFileError);
  });
});
