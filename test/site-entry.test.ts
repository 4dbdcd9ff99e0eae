import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runReport } from "../data-loaders/cli/cli-report.js";
import { FileCache, sha256Hex } from "../data-loaders/emdb/cache.js";
import { bfactorCorrectedSlices, emdbHeader, entryFiles, localSlices, localSurfaceGrid, SWEEP_THRESHOLDS } from "../data-loaders/site/site-entry.js";
import { levelKeepingFraction } from "../lib/entries.js";
import { maxVarianceSlices } from "../lib/report/figures.js";
import { runLevel0 } from "../lib/level0/level0.js";
import { parseMap } from "../lib/io/mrc-reader.js";
import { reportJson } from "../lib/report/report-text.js";
import { makeVolume } from "../lib/io/volume.js";
import { level1SectionIds, sectionIds } from "../lib/section-registry.js";
import { seededNormal } from "./helpers/random.js";
import { DEFAULT_ENTRIES_PATH } from "../data-loaders/emdb/resolve-entry.js";
import { siteEntriesPath } from "../data-loaders/site/site-entries.js";

const root = join(import.meta.dirname, "..");

test("an entry's site files: the report at the fallback threshold, flagged, with its tables and the live volume", async () => {
  // EMD-3197 (20³, 11.4 Å voxels) has no recorded contour and no resolution.
  const { files, index } = await entryFiles("emd-3197");
  const { volume } = parseMap(new Uint8Array(readFileSync(join(root, "data/maps/emd_3197.map"))));
  const page = JSON.parse(files["report.json"] as string);
  const level = levelKeepingFraction(volume.data, 0.01);
  expect(page.threshold).toMatchObject({ level, fromAuthors: false });
  expect(page.markers.author).toBeNull();
  // The 1 % marker and the sweep's ends (levels keeping 20 % and 0.05 % of the voxels), by a sort of the map.
  const sorted = volume.data.filter(Number.isFinite).sort();
  const keeping = (fraction: number) => sorted[sorted.length - Math.max(1, Math.ceil(fraction * sorted.length))];
  expect(page.markers.onePercent).toBe(keeping(0.01));
  expect(page.range[0]).toBeLessThanOrEqual(keeping(0.2));
  expect(page.range[1]).toBeGreaterThanOrEqual(keeping(0.0005));

  // The JSON is the CLI's for that threshold (0.d–0.h do not apply without a resolution, so nothing was precomputed
  // that the CLI would not compute too).
  const expected = reportJson(runLevel0(volume, { threshold: level, voxelSize: 11.4 }), "emd_3197.map", page.entry.sha256);
  // Equal apart from the time each was generated.
  expect(Date.parse(page.json.generator.generatedAt)).toBeLessThanOrEqual(Date.parse(expected.generator.generatedAt));
  expect({ ...page.json, generator: { ...page.json.generator, generatedAt: null } }).toEqual(
    JSON.parse(JSON.stringify({ ...expected, generator: { ...expected.generator, generatedAt: null } })),
  );
  expect(index).toMatchObject({ id: "emd-3197", shape: [20, 20, 20], passed: expected.score.passed, evaluable: expected.score.evaluable });

  // The live volume is the map itself (20³ is far below 160³).
  expect(page.live).toMatchObject({ shape: [20, 20, 20], factor: 1, voxelSize: 11.4 });
  expect(new Float32Array((files["volume.f32"] as Uint8Array).slice().buffer)).toEqual(volume.data);
  // No full-size file to fetch: the page names it, empty.
  expect(page.full).toBeNull();
  expect((files["volume-full.f32"] as Uint8Array).byteLength).toBe(0);

  const rows = (name: string) => Array.from(tableFromIPC(files[name] as Uint8Array), (r) => r.toJSON());
  expect(rows("summary.arrow").map((r) => r.status)).toEqual(Object.values(expected.sections).map((s) => s.status));
  const sweep = rows("sweep.arrow");
  expect(sweep).toHaveLength(SWEEP_THRESHOLDS);
  expect(sweep[0].threshold).toBe(page.range[0]);
  expect(sweep.at(-1)!.threshold).toBeCloseTo(page.range[1], 12);
  expect(page.range[0]).toBeLessThanOrEqual(level);
  expect(page.range[1]).toBeGreaterThanOrEqual(level);
  expect(rows("guinier.arrow")).toEqual([]);
  expect(rows("components.arrow").length).toBe(page.json.sections["0.b"].results.componentSizes.length);
});

test("a map above 160³ voxels: the report and the sweep are of the map itself, the figures' copy is downsampled, the full map is a file", async () => {
  // A 170³ map (11.4 Å voxels) made from EMD-3197's header: one Gaussian blob off centre.
  const n = 170;
  const header = new Uint8Array(readFileSync(join(root, "data/maps/emd_3197.map")).subarray(0, 1024));
  const view = new DataView(header.buffer);
  for (const offset of [0, 4, 8, 28, 32, 36]) view.setInt32(offset, n, true);
  for (const offset of [40, 44, 48]) view.setFloat32(offset, n * 11.4, true);
  for (const offset of [16, 20, 24]) view.setInt32(offset, 0, true);
  view.setInt32(92, 0, true); // no extended header
  const data = new Float32Array(n ** 3);
  for (let z = 0, i = 0; z < n; z++)
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++, i++) data[i] = Math.exp(-((x - 70) ** 2 + (y - 90) ** 2 + (z - 85) ** 2) / 200);
  const dir = mkdtempSync(join(tmpdir(), "mapval-site-entry-"));
  try {
    writeFileSync(join(dir, "big.map"), Buffer.concat([header, new Uint8Array(data.buffer)]));
    const entry = {
      id: "big", emdb: null, title: "<b>big</b>", file: "big.map", sha256: null, resolution: null,
      contour: { level: 0.5, source: "test" }, voxelSize: 11.4, attribution: "test", notes: null,
    };
    writeFileSync(join(dir, "entries.json"), JSON.stringify({ version: 1, entries: [entry] }));
    const { files, index } = await entryFiles("big", join(dir, "entries.json"));
    const page = JSON.parse(files["report.json"] as string);
    expect(page.report.input.shape).toEqual([n, n, n]);
    expect(page.live).toMatchObject({ shape: [85, 85, 85], voxelSize: 22.8, factor: 2 });
    expect((files["volume.f32"] as Uint8Array).byteLength).toBe(85 ** 3 * 4);
    expect(index).toMatchObject({ downsampleFactor: 2, threshold: 0.5, thresholdFromAuthors: true, title: "<b>big</b>" });
    // The page's numbers come from the file's voxels, which it fetches from volume-full.f32 (its size is in report.json).
    const full = files["volume-full.f32"] as Uint8Array;
    expect(page.full).toEqual({ shape: [n, n, n], bytes: n ** 3 * 4, halfBytes: null });
    // Compared as bytes: a deep equality over 4.9 million elements takes minutes.
    expect(Buffer.from(full).equals(Buffer.from(data.buffer))).toBe(true);
    // The sweep is of the full map: its raw mask at each threshold holds the voxels ≥ it (counted here), and its
    // verdicts are those of a report of the full map at that threshold.
    const sweep = Array.from(tableFromIPC(files["sweep.arrow"] as Uint8Array), (r) => r.toJSON());
    const volume = { nx: n, ny: n, nz: n, data, voxelSize: [11.4, 11.4, 11.4] as [number, number, number], origin: [0, 0, 0] as [number, number, number] };
    for (const row of [sweep[0], sweep[50], sweep.at(-1)!]) {
      expect(row.rawVoxels).toBe(data.reduce((count, v) => count + (v >= row.threshold ? 1 : 0), 0));
      const { sections } = runLevel0(volume, { threshold: row.threshold, voxelSize: 11.4, sections: ["0.a", "0.b", "0.c"] });
      expect([row.status0a, row.status0b, row.status0c]).toEqual([sections["0.a"].status, sections["0.b"].status, sections["0.c"].status]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000); // a 170³ map through the whole site loader: seconds, more on a loaded machine

test("a local map's slices cut its off-centre mask: values inside it to 5 digits, null outside it and where not finite", () => {
  const [nx, ny, nz] = [4, 3, 5];
  const data = Float32Array.from({ length: nx * ny * nz }, (_, i) => 1 + i / 7);
  // The mask: the block x ≤ 1, z ≥ 3 (all y), with one voxel left out at (1, 2, 4); its fullest planes are x = 0,
  // y = 0 and z = 3, where the central ones (x = 2, y = 1, z = 2) hold no mask voxel at all.
  const at = (x: number, y: number, z: number) => x + nx * (y + ny * z);
  const mask = new Uint8Array(nx * ny * nz);
  for (let z = 3; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x <= 1; x++) mask[at(x, y, z)] = 1;
  mask[at(1, 2, 4)] = 0;
  data[at(0, 0, 3)] = NaN; // on all three slices
  const out = localSlices({ volume: { nx, ny, nz, data, voxelSize: [2, 2, 2], origin: [0, 0, 0] }, mask });
  expect(out.shape).toEqual([nx, ny, nz]);
  expect(out.voxelSize).toBe(2);
  expect([out.slices.x.index, out.slices.y.index, out.slices.z.index]).toEqual([0, 0, 3]);
  const expected = (i: number) => (mask[i] && Number.isFinite(data[i]) ? +data[i].toPrecision(5) : null);
  // z = 3: x fastest; y = 0: (x, z); x = 0: (y, z).
  expect(out.slices.z).toMatchObject({ width: nx, height: ny, index: 3 });
  expect(out.slices.z.data).toEqual(Array.from({ length: nx * ny }, (_, j) => expected(j + nx * ny * 3)));
  expect(out.slices.y.data).toEqual(Array.from({ length: nx * nz }, (_, j) => expected(at(j % nx, 0, Math.floor(j / nx)))));
  expect(out.slices.x.data).toEqual(Array.from({ length: ny * nz }, (_, j) => expected(at(0, j % ny, Math.floor(j / ny)))));
  expect(out.slices.z.data.filter((v) => v !== null).length).toBe(2 * ny - 1); // the block's 6 voxels but the NaN
});

test("the header's EMDB facts come from the header XML beside the map when the entry was not resolved through EMDB", () => {
  const beside = { emdbId: "EMD-1997", path: join(root, "data/maps/emd_1997.map"), emdbMetadata: null };
  const header = emdbHeader(beside)!;
  expect(header.url).toBe("https://www.ebi.ac.uk/emdb/EMD-1997");
  expect(header.depositionDate).toBe("2011-12-01"); // data/maps/emd-1997.xml
  expect(header.authors.slice(0, 2)).toEqual(["Clare DK", "Vasishtan D"]);
  expect(header.authors).toHaveLength(8);
  // No header file: the link only; not an EMDB entry: nothing.
  expect(emdbHeader({ ...beside, emdbId: "EMD-3488" })).toEqual({ url: "https://www.ebi.ac.uk/emdb/EMD-3488", authors: [], depositionDate: null });
  expect(emdbHeader({ ...beside, emdbId: null })).toBeNull();
});

test("0.d's corrected-map slices apply the section's B (a plane wave within the resolution scaled by exp(−B·s²/4))", () => {
  // cos along x at k = 2 on 16 voxels of 2 Å: d = 16 Å, s = 1/16 Å⁻¹, within a 6 Å resolution.
  const [n, ts, B] = [16, 2, -200];
  const volume = makeVolume(n, n, n, (x) => Math.cos((2 * Math.PI * 2 * x) / n), [ts, ts, ts]);
  const section = { id: "0.d", title: "0.d", status: "ok", warnings: [], results: { B } } as unknown as Parameters<typeof bfactorCorrectedSlices>[1];
  const slices = bfactorCorrectedSlices(volume, section, ts, 6)!;
  const gain = Math.exp(-0.25 * B / 16 ** 2);
  expect(slices.z).toMatchObject({ width: n, height: n });
  for (let x = 0; x < n; x++) expect(slices.z.data[x]).toBeCloseTo(gain * Math.cos((2 * Math.PI * 2 * x) / n), 4);
  expect(bfactorCorrectedSlices(volume, { ...section, results: null }, ts, 6)).toBeNull();
  expect(bfactorCorrectedSlices(volume, section, ts, null)).toBeNull();
});

test("the local-map copy for the surface views keeps every stride-th voxel, at most maxSide per axis, NaN outside the mask", () => {
  const [nx, ny, nz] = [10, 7, 5];
  const data = Float32Array.from({ length: nx * ny * nz }, (_, i) => i);
  const mask = Uint8Array.from({ length: nx * ny * nz }, (_, i) => (i % 2 === 0 ? 1 : 0)); // even indices inside
  const grid = localSurfaceGrid({ volume: { nx, ny, nz, data, voxelSize: [1.5, 1.5, 1.5], origin: [0, 0, 0] }, mask }, 4);
  // ⌈10/4⌉ = 3: voxels 0, 3, 6, 9 along x; 0, 3, 6 along y; 0, 3 along z.
  expect(grid.shape).toEqual([4, 3, 2]);
  expect(grid.voxelSize).toBe(4.5);
  const at = (x: number, y: number, z: number) => x + nx * (y + ny * z);
  const expected: number[] = [];
  for (const z of [0, 3]) for (const y of [0, 3, 6]) for (const x of [0, 3, 6, 9]) expected.push(at(x, y, z) % 2 === 0 ? at(x, y, z) : NaN);
  expect(Array.from(grid.values)).toEqual(expected);
  // Small maps are copied whole.
  expect(localSurfaceGrid({ volume: { nx, ny, nz, data, voxelSize: null, origin: [0, 0, 0] }, mask }).shape).toEqual([nx, ny, nz]);
});

describe("an entry with half maps", () => {
  // EMD-3197 (20³, 11.4 Å) as the map; each half is the map plus its own seeded noise (σ = 1, the map's σ is 2.4).
  const mapBytes = new Uint8Array(readFileSync(join(root, "data/maps/emd_3197.map")));
  const halfBytes = (seed: number) => {
    const bytes = mapBytes.slice();
    const data = new Float32Array(bytes.buffer, 1024, 20 ** 3);
    const normal = seededNormal(seed);
    for (let i = 0; i < data.length; i++) data[i] += normal();
    if (seed === 2) bytes[211] = 0; // "MAP\0": read, with a warning about the file
    return bytes;
  };
  const pair = {
    id: "pair", emdb: null, title: "a simulated pair", file: "map.mrc", sha256: null,
    resolution: { angstrom: 30, source: "test" }, contour: { level: 2, source: "test" }, voxelSize: 11.4,
    attribution: "test", notes: null, half1: { file: "halves/h1.mrc" }, half2: { file: "halves/h2.mrc" },
  };
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "mapval-site-halves-"));
    mkdirSync(join(dir, "halves"));
    writeFileSync(join(dir, "map.mrc"), mapBytes);
    writeFileSync(join(dir, "halves", "h1.mrc"), halfBytes(1));
    writeFileSync(join(dir, "halves", "h2.mrc"), halfBytes(2));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("report.json holds both levels, whose JSON is `mapval report MAP --half1 H1 --half2 H2 --json`'s; the halves are files", async () => {
    writeFileSync(join(dir, "entries.json"), JSON.stringify({ version: 1, entries: [pair] }));
    const { files, index } = await entryFiles("pair", join(dir, "entries.json"));
    const page = JSON.parse(files["report.json"] as string);

    let out = "";
    const io = { out: (t: string) => void (out += t), err: (t: string) => void (out += t) };
    const args = [join(dir, "map.mrc"), "--half1", join(dir, "halves/h1.mrc"), "--half2", join(dir, "halves/h2.mrc")];
    expect(await runReport([...args, "--threshold", "2", "--resolution", "30", "--workers", "1", "--json"], io)).toBe(0);
    const cli = JSON.parse(out);
    const withoutTime = (json: { generator: object }) => ({ ...json, generator: { ...json.generator, generatedAt: null } });
    expect(withoutTime(page.json)).toEqual(withoutTime(cli));
    expect(Object.keys(page.json.sections)).toEqual([...sectionIds, ...level1SectionIds]);
    expect(page.json.input.halfMaps).toMatchObject({ half1: { file: "h1.mrc" }, half2: { file: "h2.mrc" }, averaged: false, mask: "level0-soft" });
    expect(page.json.inputWarnings).toContainEqual(expect.stringMatching(/^half map 2 file: /));

    // The page's report and the index count both levels, as the CLI does.
    expect(page.report.score).toEqual(cli.score);
    expect(page.report.sections["1.a"].status).toBe(cli.sections["1.a"].status);
    expect(page.report.level1.input).toMatchObject({ shape: [20, 20, 20], mask: "level0-soft" });
    // The halves' input figures: max-variance slices of each half and of their difference, as arrays to 5 digits.
    const half1 = parseMap(halfBytes(1)).volume, half2 = parseMap(halfBytes(2)).volume;
    const difference = half1.data.map((v, i) => v - half2.data[i]);
    const expectedFigures = { half1: half1.data, half2: half2.data, difference };
    for (const [name, data] of Object.entries(expectedFigures)) {
      const slices = maxVarianceSlices(data, 20, 20, 20);
      for (const axis of ["x", "y", "z"] as const) {
        const image = page.report.level1.figures[name][axis];
        expect(image, `${name} ${axis}`).toMatchObject({ width: 20, height: 20, index: slices[axis].index });
        expect(image.data).toEqual(Array.from(slices[axis].data, (v) => +v.toPrecision(5)));
      }
    }
    expect(index).toMatchObject({ passed: cli.score.passed, evaluable: cli.score.evaluable });
    // "simulated" in the title is not the configuration's flag: neither the page nor the index labels the entry.
    expect(page.entry.simulated).toBe(false);
    expect(index.simulated).toBe(false);
    expect(index.level1Statuses).toEqual(Object.fromEntries(level1SectionIds.map((s) => [s, cli.sections[s].status])));
    expect(page.level1).toMatchObject({
      source: "entries configuration", shape: [20, 20, 20],
      half1: { file: "h1.mrc", sha256: sha256Hex(halfBytes(1)), fileWarnings: parseMap(halfBytes(1)).warnings },
      half2: { file: "h2.mrc", sha256: sha256Hex(halfBytes(2)), fileWarnings: parseMap(halfBytes(2)).warnings },
    });
    expect(page.level1.half2.fileWarnings[0]).toMatch(/"MAP\\0"/);
    // The halves' voxels as read, for the page's live masked FSC.
    for (const [name, seed] of [["half1.f32", 1], ["half2.f32", 2]] as const) {
      const expected = parseMap(halfBytes(seed)).volume.data;
      expect(new Float32Array((files[name] as Uint8Array).slice().buffer)).toEqual(expected);
    }
  }, 120_000);

  test("half maps of another grid than the map's are refused before Level 1, naming the entry (the CLI's check)", async () => {
    // 10³ halves of 11.4 Å voxels, from EMD-3197's header: the halves agree with each other, not with the 20³ map.
    const header = mapBytes.slice(0, 1024);
    const view = new DataView(header.buffer);
    for (const offset of [0, 4, 8, 28, 32, 36]) view.setInt32(offset, 10, true);
    for (const offset of [40, 44, 48]) view.setFloat32(offset, 10 * 11.4, true);
    for (const offset of [16, 20, 24]) view.setInt32(offset, 0, true);
    view.setInt32(92, 0, true); // no extended header
    const data = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i));
    writeFileSync(join(dir, "halves", "small.mrc"), Buffer.concat([header, new Uint8Array(data.buffer)]));
    const other = { ...pair, id: "other-grid", half1: { file: "halves/small.mrc" }, half2: { file: "halves/small.mrc" } };
    writeFileSync(join(dir, "other.json"), JSON.stringify({ version: 1, entries: [other] }));
    await expect(entryFiles("other-grid", join(dir, "other.json"))).rejects.toMatchObject({
      name: "AnalysisInputError", code: "half-map-shape-mismatch",
      message: expect.stringMatching(/^other-grid: the half maps are 10×10×10 voxels/),
    });
  }, 120_000);

  test("an entry without half maps names empty half files; EMDB's record listing none is said, with Level 0 alone", async () => {
    const { files, index } = await entryFiles("emd-3197");
    expect(files["half1.f32"]).toEqual(new Uint8Array(0));
    expect(files["half2.f32"]).toEqual(new Uint8Array(0));
    expect(index.level1Statuses).toBeNull();
    expect(JSON.parse(files["report.json"] as string).level1).toBeNull();

    // The entry asks for EMDB's half maps; the cached metadata lists none.
    const cacheDir = join(dir, "cache");
    const metadata = readFileSync(join(root, "test/fixtures/emdb/EMD-1997.json"), "utf8").replaceAll("EMD-1997", "EMD-3197");
    await new FileCache(cacheDir).write("emdb/EMD-3197/entry.json", new TextEncoder().encode(metadata), null);
    const fromEmdb = { ...pair, id: "unlisted", emdb: "EMD-3197", half1: "emdb", half2: "emdb" };
    writeFileSync(join(dir, "unlisted.json"), JSON.stringify({ version: 1, entries: [fromEmdb] }));
    const saved = process.env.MAPVAL_CACHE_DIR;
    process.env.MAPVAL_CACHE_DIR = cacheDir;
    try {
      const unlisted = await entryFiles("unlisted", join(dir, "unlisted.json"));
      const page = JSON.parse(unlisted.files["report.json"] as string);
      expect(page.level1).toEqual({ note: "EMD-3197: EMDB's record lists no half maps; Level 1 needs two" });
      expect(Object.keys(page.json.sections)).toEqual([...sectionIds]);
      expect(unlisted.index.level1Statuses).toBeNull();
      expect(unlisted.files["half1.f32"]).toEqual(new Uint8Array(0));
    } finally {
      process.env.MAPVAL_CACHE_DIR = saved;
    }
  }, 120_000);
});

test("the site's entries configuration: MAPVAL_SITE_ENTRIES when set (resolved), else the repository's", () => {
  expect(siteEntriesPath({})).toBe(DEFAULT_ENTRIES_PATH);
  expect(siteEntriesPath({ MAPVAL_SITE_ENTRIES: "" })).toBe(DEFAULT_ENTRIES_PATH);
  expect(siteEntriesPath({ MAPVAL_SITE_ENTRIES: "mapval.entries.json" })).toBe(join(process.cwd(), "mapval.entries.json"));
  expect(() => siteEntriesPath({ MAPVAL_SITE_ENTRIES: "/nonexistent/entries.json" })).toThrow("MAPVAL_SITE_ENTRIES=/nonexistent/entries.json: no such file");
});
