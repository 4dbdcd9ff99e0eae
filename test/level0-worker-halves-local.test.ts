/**
 * The page worker's local run with half maps: "Compute local sections" computes 1.b, 1.c, 1.e, 1.g and 1.h after
 * 0.e–0.g at the run's threshold; a report at that threshold holds them and its JSON is `mapval report --half1 --half2
 * --json`'s (every section); at another threshold they are not requested, like 0.e–0.g. Run in Node with a stand-in
 * for the worker's global scope and an in-process stand-in for the band Web Workers (the band worker's own kernel,
 * lib/local/band-kernels.ts), on the bundled simulated pair (data/halfmaps/SOURCES.md) downsampled 2× to 50³.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { pageWorker } from "./helpers/page-worker.js";
import { withoutGenerationTime, expectJsonClose } from "./helpers/json-close.js";
import { mrcBytes } from "../bench/upsample.js";
import { runReport } from "../data-loaders/cli/cli-report.js";
import { downsample } from "../lib/fourier/downsample.js";
import { readMap } from "../lib/io/mrc-reader.js";
import { InProcessBandWorker } from "./helpers/in-process-band-worker.js";

type Message = Record<string, any> & { type: string };
const { posted, scope } = pageWorker<Message>();
const scratch = mkdtempSync(join(tmpdir(), "mapval-halves-local-"));
const files = { half1: join(scratch, "half1.mrc"), half2: join(scratch, "half2.mrc") };
beforeAll(async () => {
  (globalThis as { Worker?: unknown }).Worker = InProcessBandWorker;
  for (const half of ["half1", "half2"] as const) {
    const bytes = new Uint8Array(readFileSync(new URL(`../data/halfmaps/sim-emd-1997/${half}.mrc.gz`, import.meta.url)));
    writeFileSync(files[half], mrcBytes(downsample((await readMap(bytes)).volume, 2)));
  }
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function until(done: (m: Message) => boolean, what: string): Promise<Message> {
  for (let waited = 0; waited < 600_000; waited += 5) {
    const found = posted.find(done);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`no ${what}; got ${posted.map((m) => m.type).join(", ")}`);
}
const send = (data: unknown) => ((posted.length = 0), scope.onmessage!({ data }));
const reportAt = async (id: number, threshold: number) => {
  send({ type: "report", id, threshold, mode: "default", parameters: {}, resolution: 10 });
  return until((m) => (m.type === "level1" || m.type === "error") && m.id === id, `level1 ${id}`);
};

async function cli(threshold: number, sections?: string) {
  let out = "";
  const args = ["--half1", files.half1, "--half2", files.half2, "--threshold", String(threshold), "--resolution", "10", "--json"];
  if (sections) args.push("--sections", sections);
  const code = await runReport(args, { out: (text) => (out += text), err: (text) => { throw new Error(text); } });
  expect(code).toBe(0);
  return JSON.parse(out);
}

it("1.b–1.h on request at one threshold: in that threshold's report, the CLI's JSON; elsewhere not requested", async () => {
  const file = (path: string, name: string) => ({ bytes: new Uint8Array(readFileSync(path)).buffer, name });
  send({ type: "open", half1: file(files.half1, "half1.mrc"), half2: file(files.half2, "half2.mrc") });
  expect((await until((m) => m.type === "opened" || m.type === "error", "opened")).type).toBe("opened");
  const before = await reportAt(1, 0.5);
  expect(before.type).toBe("level1");
  for (const id of ["1.b", "1.c", "1.e", "1.g", "1.h"]) expect(before.json.sections[id].status).toBe("not-requested");

  send({ type: "local", id: 1, threshold: 0.5, mode: "default", resolution: 10, workers: 2, bandWorkerUrl: "in-process" });
  const done = await until((m) => m.type === "local" || m.type === "error", "local run");
  expect(done).toMatchObject({ type: "local", threshold: 0.5 });
  // The progress goes through 0.e–0.g, then Level 1's stages in the order the page's time estimate counts them, each
  // message saying that Level 1 follows (lib/level0/local-progress.ts localRunFraction).
  const progress = posted.filter((m) => m.type === "local-progress");
  expect([...new Set(progress.map((m) => m.stage))]).toEqual(["0.e", "0.f–0.g", "1.e", "1.b", "1.c", "1.g", "1.h"]);
  expect(progress.every((m) => m.withLevel1 === true)).toBe(true);

  const at = await reportAt(2, 0.5);
  expect(at.type).toBe("level1");
  for (const id of ["1.b", "1.c", "1.e", "1.g", "1.h"]) expect(at.json.sections[id].status).not.toBe("not-requested");
  // The page downloads JSON.stringify's text (which drops undefined fields, as the CLI's output does).
  const downloaded = (json: unknown) => withoutGenerationTime(JSON.parse(JSON.stringify(json)));
  expectJsonClose(downloaded(at.json), withoutGenerationTime(await cli(0.5)));

  // At another threshold: 1.b–1.h (and 0.e–0.g) are not requested, the report's `local` names their threshold.
  const elsewhere = await reportAt(3, 0.8);
  for (const id of ["0.e", "1.b", "1.c", "1.e", "1.g", "1.h"]) expect(elsewhere.json.sections[id].status).toBe("not-requested");
  expectJsonClose(downloaded(elsewhere.json), withoutGenerationTime(await cli(0.8, "0.a,0.b,0.c,0.d,0.h,1.a,1.d,1.f")));
}, 900_000);
