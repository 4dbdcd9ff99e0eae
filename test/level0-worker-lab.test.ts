/**
 * The page worker on the teaching lab (src/lab.md): given the lab's parameters it builds the synthetic map itself
 * ("lab"), the same map to the bit as buildSyntheticMap in Node (its SHA-256), and its first report is runLevel0's on
 * that map at the map's threshold and resolution. Run in Node with a stand-in for the worker's global scope.
 */
import { createHash } from "node:crypto";
import { expect, it } from "vitest";
import { pageWorker } from "./helpers/page-worker.js";
import { runLevel0 } from "../lib/level0/level0.js";
import { reportJson } from "../lib/report/report-text.js";
import { buildSyntheticMap, labParametersFromQuery, labPresets, labQuery } from "../lib/lab/synthetic-map.js";
import { withoutGenerationTime } from "./helpers/json-close.js";

type Message = Record<string, unknown> & { type: string };
const { posted, scope } = pageWorker<Message>();

/** Sends messages and waits until an answer matches `done`. */
async function send(messages: unknown[], done: (m: Message) => boolean): Promise<Message[]> {
  posted.length = 0;
  for (const data of messages) scope.onmessage!({ data });
  for (let waited = 0; waited < 60_000; waited += 5) {
    if (posted.some(done)) return [...posted];
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error("no answer");
}

// The worker builds and reports 48–80³ maps: about a second, and over vitest's default 5 s on a loaded 2-core machine.
const SLOW = 60_000;
const labMessage = (id: number, query: string) => ({ type: "lab", id, lab: labParametersFromQuery(query), mode: "default", parameters: {} });

it("builds the lab's map, the same to the bit as in Node, and answers with runLevel0's report of it", async () => {
  const query = "preset=off-centre&box=48&dx=20";
  const answers = await send([labMessage(1, query)], (m) => m.type === "report" || m.type === "error");
  const [built, report] = answers.filter((m) => m.type === "lab-map" || m.type === "report");
  expect([built.type, report.type, report.id]).toEqual(["lab-map", "report", 1]);

  const map = buildSyntheticMap(labParametersFromQuery(query));
  const sha256 = createHash("sha256").update(new Uint8Array(map.volume.data.buffer)).digest("hex");
  expect(built).toMatchObject({ id: 1, sha256, query: labQuery(map.parameters), peak: map.peak, threshold: map.threshold, resolution: 4 });
  expect((built.figureVolume as { data: Float32Array }).data).toEqual(map.volume.data);

  // The options mapval report would take for the map written out: --threshold, --resolution, its own voxel size.
  const expected = reportJson(runLevel0(map.volume, {
    threshold: map.threshold, thresholdSource: "--threshold", resolution: map.resolution, resolutionSource: "--resolution",
    voxelSizeSource: "--voxel-size", sections: ["0.a", "0.b", "0.c", "0.d", "0.h"],
  }), `lab?${labQuery(map.parameters)}`, sha256);
  expect(withoutGenerationTime(JSON.parse(JSON.stringify(report.json)))).toEqual(withoutGenerationTime(JSON.parse(JSON.stringify(expected))));
  expect((report.json as { sections: Record<string, { status: string }> }).sections["0.a"].status).toBe("warnings");

  // A threshold move on that map is an ordinary report request.
  const moved = await send([{ type: "report", id: 2, threshold: map.threshold / 2, mode: "default", parameters: {}, resolution: 4 }], (m) => m.type === "report");
  expect((moved.find((m) => m.type === "report")!.json as { input: { threshold: number } }).input.threshold).toBe(map.threshold / 2);
}, SLOW);

it("builds only the newest of a burst of parameter changes, and drops reports asked for the map being replaced", async () => {
  const answers = await send(
    [labMessage(3, "preset=clean&box=40"), { type: "report", id: 4, threshold: 0.1, mode: "default", parameters: {} }, labMessage(5, "preset=dusty&box=64")],
    (m) => m.type === "report",
  );
  expect(answers.map((m) => [m.type, m.id])).toEqual([["lab-map", 5], ["report", 5]]);
  expect((answers[0].parameters as { preset: string }).preset).toBe("dusty");
}, SLOW);

it("answers parameters the kernel refuses with its named error, and keeps no report waiting", async () => {
  const bad = { ...labPresets.clean.parameters, boxSize: 10_000 };
  const answers = await send([{ type: "lab", id: 6, lab: bad, mode: "default", parameters: {} }], (m) => m.type === "error");
  expect(answers).toEqual([expect.objectContaining({ type: "error", id: 6, request: "lab", code: "lab-parameter-out-of-range" })]);
  expect((answers[0].message as string)).toMatch(/boxSize \(box size\) is 10000 voxels, outside 24…160/);
  const invalid = await send([{ type: "lab", id: 7, lab: null, mode: "default", parameters: {} }], (m) => m.type === "error");
  expect(invalid[0]).toMatchObject({ request: "invalid", message: "lab: lab must be the lab's parameters" });
}, SLOW);
