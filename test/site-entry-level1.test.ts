/**
 * An entry with half maps under VRS-compatible mode: the site's loader (data-loaders/site/site-entry.ts) precomputes
 * Level 1 in both modes, and the entry page's worker (src/workers/level0-worker.ts, run in Node with a stand-in for its
 * global scope), given the page's files as the entry page gives them, reports at the entry's threshold in vrs-compat
 * mode the JSON `mapval report MAP --half1 H1 --half2 H2 --vrs-compat --json` writes: 1.b–1.h included, each of that
 * mode. The `simulated` flag of the configuration reaches the page and the index.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { runReport } from "../data-loaders/cli/cli-report.js";
import { entryFiles } from "../data-loaders/site/site-entry.js";
import { level1SectionIds, sectionIds } from "../lib/section-registry.js";
import { halfMapFileWarnings } from "../lib/report/report-text.js";
import { expectJsonClose, withoutGenerationTime } from "./helpers/json-close.js";
import { pageWorker } from "./helpers/page-worker.js";
import { seededNormal } from "./helpers/random.js";

const root = join(import.meta.dirname, "..");
type Message = Record<string, unknown> & { type: string };
const { posted, scope } = pageWorker<Message>();

// EMD-3197 (20³, 11.4 Å) as the map; each half is the map plus its own seeded noise (σ = 1; the map's σ is 2.4).
const mapBytes = new Uint8Array(readFileSync(join(root, "data/maps/emd_3197.map")));
const halfBytes = (seed: number) => {
  const bytes = mapBytes.slice();
  const data = new Float32Array(bytes.buffer, 1024, 20 ** 3);
  const normal = seededNormal(seed);
  for (let i = 0; i < data.length; i++) data[i] += normal();
  return bytes;
};
const pair = {
  id: "pair", emdb: null, title: "a pair", file: "map.mrc", sha256: null,
  resolution: { angstrom: 30, source: "test" }, contour: { level: 2, source: "test" }, voxelSize: 11.4,
  attribution: "test", notes: null, half1: { file: "halves/h1.mrc" }, half2: { file: "halves/h2.mrc" }, simulated: true,
};
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mapval-site-level1-"));
  mkdirSync(join(dir, "halves"));
  writeFileSync(join(dir, "map.mrc"), mapBytes);
  writeFileSync(join(dir, "halves", "h1.mrc"), halfBytes(1));
  writeFileSync(join(dir, "halves", "h2.mrc"), halfBytes(2));
  writeFileSync(join(dir, "entries.json"), JSON.stringify({ version: 1, entries: [pair] }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cliJson(...flags: string[]) {
  let out = "";
  const args = [join(dir, "map.mrc"), "--half1", join(dir, "halves/h1.mrc"), "--half2", join(dir, "halves/h2.mrc"),
    "--threshold", "2", "--resolution", "30", "--workers", "1", "--json", ...flags];
  expect(await runReport(args, { out: (t) => void (out += t), err: (t) => { throw new Error(t); } })).toBe(0);
  return JSON.parse(out);
}

/** Sends a message and waits until an answer satisfies `done`. */
async function send(message: unknown, done: (m: Message) => boolean): Promise<Message> {
  posted.length = 0;
  scope.onmessage!({ data: message });
  for (let waited = 0; waited < 120_000; waited += 5) {
    const answer = posted.find(done);
    if (answer) return answer;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`no answer; got ${posted.map((m) => m.type).join(", ")}`);
}

test("Level 1 in both modes: at the entry's threshold the page's vrs-compat JSON is mapval report --vrs-compat's", async () => {
  const { files, index } = await entryFiles("pair", join(dir, "entries.json"));
  const page = JSON.parse(files["report.json"] as string);
  expect(page.entry.simulated).toBe(true);
  expect(index.simulated).toBe(true);

  const [cliDefault, cliCompat] = [await cliJson(), await cliJson("--vrs-compat")];
  // The modes differ in Level 1 (otherwise this test could not tell them apart).
  expect(level1SectionIds.some((id) => JSON.stringify(cliDefault.sections[id]) !== JSON.stringify(cliCompat.sections[id]))).toBe(true);
  for (const mode of ["default", "vrs-compat"] as const) {
    const cli = mode === "default" ? cliDefault : cliCompat;
    for (const id of level1SectionIds) expect(page.precomputed[mode][id].status, `${mode} ${id}`).toBe(cli.sections[id].status);
  }

  // The entry page's init message (src/entries/[id].md): the map, its precomputed sections per mode, the halves.
  const floats = (name: string) => new Float32Array((files[name] as Uint8Array).slice().buffer);
  scope.onmessage!({ data: {
    type: "init", data: floats("volume.f32"), shape: page.live.shape, voxelSize: Array(3).fill(page.live.voxelSize),
    origin: page.live.origin, ts: page.live.voxelSize, resolution: page.report.input.resolution, file: page.entry.file,
    sha256: page.entry.sha256, fileWarnings: page.entry.fileWarnings, precomputed: page.precomputed, localThreshold: page.threshold.level,
    halves: {
      half1: floats("half1.f32"), half2: floats("half2.f32"),
      files: {
        half1: { file: page.level1.half1.file, sha256: page.level1.half1.sha256 }, half2: { file: page.level1.half2.file, sha256: page.level1.half2.sha256 },
        averaged: false, fileWarnings: halfMapFileWarnings(page.level1.half1.fileWarnings, page.level1.half2.fileWarnings),
      },
    },
  } });
  let id = 0;
  for (const [mode, cli] of [["vrs-compat", cliCompat], ["default", cliDefault]] as const) {
    id++;
    const level1 = await send({ type: "report", id, threshold: 2, mode, parameters: {} },
      (m) => (m.type === "level1" || m.type === "error") && m.id === id);
    expect(level1.type, String(level1.message)).toBe("level1");
    const json = JSON.parse(JSON.stringify(level1.json));
    expect(Object.keys(json.sections)).toEqual([...sectionIds, ...level1SectionIds]);
    expectJsonClose(withoutGenerationTime(json), withoutGenerationTime(cli));
  }
}, 300_000);
