/**
 * The page worker given two half maps (the open-a-map page, src/open.md): it reads them with the kernel's reader,
 * checks them against each other, takes their average as the map when no map file is given, and after each report
 * computes 1.a at the report's threshold ("level1"): masked by Level 0's soft mask there, or by the user's mask. Run in
 * Node with a stand-in for the worker's global scope, on the bundled simulated pair (data/halfmaps/SOURCES.md).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { pageWorker } from "./helpers/page-worker.js";
import { readMap } from "../lib/io/mrc-reader.js";
import { fscAnalysis, type FscResult, type FscSectionResults } from "../lib/level1/fsc.js";
import { hardMask, softMask } from "../lib/masks/masks.js";
import type { Volume } from "../lib/io/volume.js";
import { fileURLToPath } from "node:url";
import { runReport } from "../data-loaders/cli/cli-report.js";
import { runLevel0 } from "../lib/level0/level0.js";
import { expectJsonClose, withoutGenerationTime } from "./helpers/json-close.js";

const pairDir = new URL("../data/halfmaps/sim-emd-1997/", import.meta.url);
const fileBytes = (name: string) => new Uint8Array(readFileSync(new URL(name, pairDir)));
const load = async (name: string) => (await readMap(fileBytes(name))).volume;
const given = (name: string) => ({ bytes: fileBytes(name).buffer, name });

type Message = Record<string, unknown> & { type: string };
const { posted, scope } = pageWorker<Message>();

/** Sends messages and waits until an answer satisfies `done`; every answer since the first message is returned. */
async function send(messages: unknown[], done: (m: Message) => boolean): Promise<Message[]> {
  posted.length = 0;
  for (const data of messages) scope.onmessage!({ data });
  for (let waited = 0; waited < 120_000; waited += 5) {
    if (posted.some(done)) return posted.slice();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`no answer; got ${posted.map((m) => m.type).join(", ")}`);
}
const answerOf = (types: string[]) => (m: Message) => types.includes(m.type);
const report = (id: number, threshold: number, resolution: number | null = 7) =>
  ({ type: "report", id, threshold, mode: "default", parameters: {}, resolution });
const level1Of = (id: number) => (m: Message) => (m.type === "level1" || m.type === "error") && m.id === id;

/** Every RELION data_fsc row of the star file (columns as its loop header), indexed by _rlnSpectralIndex. */
function relionFsc(): number[][] {
  const text = readFileSync(new URL("relion_postprocess_no_ampl_corr.star", pairDir), "utf8");
  return text.slice(text.indexOf("data_fsc"), text.indexOf("data_guinier")).split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number)).filter((cells) => cells.length === 8 && cells.every(Number.isFinite));
}

it("two half maps without a map: the map is their average, and 1.a's masked FSC follows Level 0's soft mask at each threshold", async () => {
  const [half1, half2] = await Promise.all([load("half1.mrc.gz"), load("half2.mrc.gz")]);
  const opened = (await send([{ type: "open", half1: given("half1.mrc.gz"), half2: given("half2.mrc.gz") }], answerOf(["opened", "error"])))
    .find(answerOf(["opened", "error"]))!;
  expect(opened.type).toBe("opened");
  const average = new Float32Array(half1.data.length).map((_, i) => (half1.data[i] + half2.data[i]) / 2);
  expect(opened.sha256).toBe(createHash("sha256").update(new Uint8Array(average.buffer)).digest("hex"));
  expect(opened.name).toBe("average of half1.mrc.gz and half2.mrc.gz");
  const sha = (name: string) => createHash("sha256").update(fileBytes(name)).digest("hex");
  expect(opened.halves).toEqual({
    half1: { file: "half1.mrc.gz", sha256: sha("half1.mrc.gz") }, half2: { file: "half2.mrc.gz", sha256: sha("half2.mrc.gz") },
    averaged: true, fileWarnings: [],
  });

  // The FSC of the halves masked by the soft mask of the average's hard mask at T (Level 0's masks, VRS's 1.a mask).
  const expected = (threshold: number): FscResult => {
    const averageMap: Volume = { ...half1, data: average };
    const soft = softMask(hardMask(averageMap, threshold, { voxelSize: 2.02, mode: "default" }).mask, 100, 100, 100);
    return fscAnalysis(half1, half2, { mask: { ...half1, data: soft } });
  };
  const atThreshold: Record<number, FscSectionResults> = {};
  for (const [id, threshold] of [[1, 0.3], [2, 0.9]] as const) {
    const answers = await send([report(id, threshold)], level1Of(id));
    expect(answers.map((m) => m.type).slice(0, 1)).toEqual(["report"]); // Level 0's numbers first
    const level1 = answers.find(level1Of(id))!;
    expect(level1).toMatchObject({ type: "level1", id, threshold });
    const json = level1.json as { sections: Record<string, { status: string; results: FscSectionResults }>; score: { evaluable: number } };
    const fsc = json.sections["1.a"].results;
    const oracle = expected(threshold);
    expect(fsc.shells).toHaveLength(50);
    fsc.shells.forEach((s, i) => {
      expect(s.fsc).toBe(oracle.shells[i].fsc);
      expect(s.fscMasked).toBe(oracle.shells[i].fscMasked);
      expect(s.fscCorrected).toBe(oracle.shells[i].fscCorrected);
    });
    expect(fsc.fscMaskedResolution).toBe(oracle.fscMaskedResolution);
    expect(fsc.fscResolution).toBe(oracle.fscResolution);
    // Level 1 counts in the one score: Level 0's report plus 1.a (1.d and 1.f are never evaluable).
    const level0 = answers.find((m) => m.type === "report")!.report as { score: { evaluable: number } };
    expect(json.score.evaluable).toBe(level0.score.evaluable + (["ok", "warnings"].includes(json.sections["1.a"].status) ? 1 : 0));
    for (const id of ["1.b", "1.c", "1.e", "1.g", "1.h"]) expect(json.sections[id].status).toBe("not-requested");
    atThreshold[threshold] = fsc;
  }
  // The unmasked FSC does not depend on the threshold; the masked one does (a tighter mask, less solvent noise).
  expect(atThreshold[0.9].shells.map((s) => s.fsc)).toEqual(atThreshold[0.3].shells.map((s) => s.fsc));
  expect(atThreshold[0.9].shells.map((s) => s.fscMasked)).not.toEqual(atThreshold[0.3].shells.map((s) => s.fscMasked));
}, 120_000);

it("a drag: reports that arrive while one is computed leave one Level 1 job, for the newest report only", async () => {
  await send([{ type: "open", half1: given("half1.mrc.gz"), half2: given("half2.mrc.gz") }], answerOf(["opened"]));
  // Reports 12 and 13 arrive while report 11 is computed (as the slider's input events do): 13 replaces 12, and its
  // Level 1 job replaces 11's.
  const post = scope.postMessage;
  scope.postMessage = (message) => {
    post(message);
    if ((message as Message).type === "report" && (message as Message).id === 11)
      for (const data of [report(12, 0.5), report(13, 0.6)]) scope.onmessage!({ data });
  };
  const answers = await send([report(11, 0.4)], level1Of(13)).finally(() => (scope.postMessage = post));
  await new Promise((resolve) => setTimeout(resolve, 100));
  const level1Ids = posted.filter((m) => m.type === "level1").map((m) => m.id);
  expect(level1Ids).toEqual([13]);
  expect(answers.filter((m) => m.type === "report").map((m) => m.id)).toEqual([11, 13]);
}, 120_000);

it("a user mask replaces Level 0's soft mask: the masked FSC is RELION's with that mask, at any threshold", async () => {
  const relion = relionFsc();
  const messages = [{ type: "open", bytes: fileBytes("half1.mrc.gz").buffer, name: "map.mrc.gz", half1: given("half1.mrc.gz"), half2: given("half2.mrc.gz"), mask: given("mask.mrc.gz") }];
  const opened = (await send(messages, answerOf(["opened", "error"]))).find(answerOf(["opened", "error"]))!;
  expect(opened).toMatchObject({ type: "opened", name: "map.mrc.gz", halves: { mask: { file: "mask.mrc.gz" }, averaged: false } });
  for (const [id, threshold] of [[21, 0.5], [22, 1.5]] as const) {
    const level1 = (await send([report(id, threshold)], level1Of(id))).find(level1Of(id))!;
    expect(level1.type).toBe("level1");
    const { shells } = (level1.json as { sections: Record<string, { results: FscSectionResults }> }).sections["1.a"].results;
    expect(shells).toHaveLength(50);
    // RELION's column 6 is the masked FSC; shell 50 is left out, as in test/fsc.test.ts (RELION keeps bins beyond
    // R = 0.5 in it, Xmipp does not).
    for (const s of shells.filter((s) => s.index < 50)) expect(Math.abs(s.fscMasked! - relion[s.index][6])).toBeLessThanOrEqual(1e-5);
  }
}, 120_000);

it("bad half files: the reader's named error with the file's name, and halves of two grids the checkHalfMaps error", async () => {
  const truncated = fileBytes("half2.mrc.gz").slice(0, 5000);
  const broken = (await send([{ type: "open", half1: given("half1.mrc.gz"), half2: { bytes: truncated.buffer, name: "half2.mrc.gz" } }], answerOf(["opened", "error"])))
    .find(answerOf(["opened", "error"]))!;
  expect(broken).toMatchObject({ type: "error", request: "open", code: expect.any(String) });
  expect(broken.message).toMatch(/^half2\.mrc\.gz: /);
  let readerError: { code?: string; message: string } | undefined;
  await readMap(truncated).catch((error) => (readerError = error));
  expect(broken.message).toBe(`half2.mrc.gz: ${readerError!.message}`);
  expect(broken.code).toBe(readerError!.code);

  const other = new URL("../data/maps/emd_1832.map", import.meta.url);
  const mixed = [{ type: "open", half1: given("half1.mrc.gz"), half2: { bytes: new Uint8Array(readFileSync(other)).buffer, name: "emd_1832.map" } }];
  const mismatch = (await send(mixed, answerOf(["opened", "error"]))).find(answerOf(["opened", "error"]))!;
  expect(mismatch).toMatchObject({ type: "error", request: "open", code: "half-map-shape-mismatch" });
  expect(mismatch.message).toBe("half map 2 is 64×64×64 voxels, half map 1 is 100×100×100: they must share one grid");

  // A map of another grid than its halves: Level 0's numbers, then the CLI's error (exit 2, one line) as Level 1's.
  const withMap = [{ type: "open", bytes: new Uint8Array(readFileSync(other)).buffer, name: "emd_1832.map", half1: given("half1.mrc.gz"), half2: given("half2.mrc.gz") }];
  expect((await send(withMap, answerOf(["opened", "error"]))).find(answerOf(["opened", "error"]))!.type).toBe("opened");
  const level1 = (await send([report(31, 0.1, null)], level1Of(31))).find(level1Of(31))!;
  expect(level1).toMatchObject({ type: "error", request: "level1", code: "half-map-shape-mismatch" });
  let err = "";
  const args = [fileURLToPath(other), "--half1", fileURLToPath(new URL("half1.mrc.gz", pairDir)), "--half2", fileURLToPath(new URL("half2.mrc.gz", pairDir)), "--threshold", "0.1"];
  expect(await runReport(args, { out: () => undefined, err: (text) => (err += text) })).toBe(2);
  expect(err).toBe(`mapval report: ${level1.message}\n`);

  // One half alone is not a Level 1 input: the message is refused as malformed.
  const alone = await send([{ type: "open", half1: given("half1.mrc.gz") }], answerOf(["error"]));
  expect(alone[0]).toMatchObject({ type: "error", request: "invalid", message: "open: give both half maps (half1 and half2), or neither" });
}, 120_000);

it("an entry's half maps given with its map (init): each report's Level 1 is the CLI's, with the loader's 1.b–1.h at its threshold only", async () => {
  const mapUrl = new URL("../data/maps/emd_1997.map", import.meta.url);
  const { volume } = await readMap(new Uint8Array(readFileSync(mapUrl)));
  const [half1, half2] = await Promise.all([load("half1.mrc.gz"), load("half2.mrc.gz")]);
  const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
  const files = {
    half1: { file: "half1.mrc.gz", sha256: sha(fileBytes("half1.mrc.gz")) }, half2: { file: "half2.mrc.gz", sha256: sha(fileBytes("half2.mrc.gz")) },
    averaged: false, fileWarnings: [],
  };
  // What the site loader gives an entry: 0.d and 0.h (any threshold), and 1.b–1.h at the entry's threshold (stand-ins
  // here: what matters is where they appear).
  const options = { threshold: 0.8, resolution: 7, voxelSize: 2.02 };
  const spectral = runLevel0(volume, { ...options, sections: ["0.d", "0.h"] }).sections;
  const standIn = (id: string) => ({ id, title: `stand-in ${id}`, status: "ok", warnings: [], results: null, summarySentence: null });
  const local = Object.fromEntries(["0.e", "0.f", "0.g", "1.b", "1.c", "1.e", "1.g", "1.h"].map((id) => [id, standIn(id)]));
  const precomputed = { "0.d": spectral["0.d"], "0.h": spectral["0.h"], ...local };
  posted.length = 0;
  scope.onmessage!({ data: {
    type: "init", data: volume.data, shape: [100, 100, 100], voxelSize: [2.02, 2.02, 2.02], origin: volume.origin, ts: 2.02,
    resolution: 7, file: "emd_1997.map", sha256: sha(new Uint8Array(readFileSync(mapUrl))), fileWarnings: [],
    precomputed: { default: precomputed, "vrs-compat": precomputed }, localThreshold: 0.8,
    halves: { half1: half1.data, half2: half2.data, files },
  } });
  expect(posted).toEqual([]);

  const elsewhere = (await send([report(41, 1.2)], level1Of(41))).find(level1Of(41))!;
  expect(elsewhere.type).toBe("level1");
  let out = "";
  const args = [fileURLToPath(mapUrl), "--half1", fileURLToPath(new URL("half1.mrc.gz", pairDir)), "--half2", fileURLToPath(new URL("half2.mrc.gz", pairDir)),
    "--threshold", "1.2", "--resolution", "7", "--voxel-size", "2.02", "--sections", "0.a,0.b,0.c,0.d,0.h,1.a,1.d,1.f", "--json"];
  expect(await runReport(args, { out: (text) => (out += text), err: (text) => { throw new Error(text); } })).toBe(0);
  const cli = JSON.parse(out);
  const page = JSON.parse(JSON.stringify(elsewhere.json));
  expectJsonClose(withoutGenerationTime(page), withoutGenerationTime(cli));

  // At the entry's threshold the loader's 1.b–1.h (and 0.e–0.g) are in the report and its score.
  const at = (await send([report(42, 0.8)], level1Of(42))).find(level1Of(42))!;
  const sections = (at.json as { sections: Record<string, { title: string }> }).sections;
  for (const id of ["0.e", "1.b", "1.c", "1.e", "1.g", "1.h"]) expect(sections[id].title).toBe(`stand-in ${id}`);
}, 120_000);
