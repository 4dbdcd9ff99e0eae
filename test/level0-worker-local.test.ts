/**
 * The page worker never mixes thresholds in a score: an entry's precomputed 0.e–0.g (given with `localThreshold`) are
 * in a report only at that threshold and mode; at another one they are not requested (the score leaves them out) and
 * the report's `local` names the threshold they are at; without `localThreshold` they are not used at all. Run in Node
 * with a stand-in for the worker's global scope, on a small analytic map (a Gaussian blob) with stand-in sections.
 */
import { expect, it } from "vitest";
import { pageWorker } from "./helpers/page-worker.js";

type Message = Record<string, any> & { type: string };
const { posted, scope } = pageWorker<Message>();

async function report(threshold: number, mode = "default"): Promise<Message> {
  posted.length = 0;
  scope.onmessage!({ data: { type: "report", id: 1, threshold, mode, parameters: {} } });
  for (let waited = 0; waited < 20_000; waited += 5) {
    const answer = posted.find((m) => m.type === "report" || m.type === "error");
    if (answer) return answer;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error("no report");
}

const n = 24;
function blob(): Float32Array {
  const data = new Float32Array(n ** 3);
  for (let z = 0; z < n; z++)
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++) data[x + n * (y + n * z)] = Math.exp(-((x - 12) ** 2 + (y - 12) ** 2 + (z - 12) ** 2) / 18);
  return data;
}

/** A stand-in section: "ok", so that it counts in the score when it is in the report. */
const section = (id: string) => ({ id, title: `stand-in ${id}`, status: "ok", warnings: [], results: null, summarySentence: null });
const precomputed = Object.fromEntries(["0.d", "0.e", "0.f", "0.g", "0.h"].map((id) => [id, section(id)]));

function init(localThreshold?: number) {
  scope.onmessage!({ data: {
    type: "init", data: blob(), shape: [n, n, n], voxelSize: [2, 2, 2], origin: [0, 0, 0], ts: 2, resolution: 7,
    file: "blob.map", sha256: "0", precomputed: { default: precomputed, "vrs-compat": precomputed }, localThreshold,
  } });
}

/** Sections that pass or warn: the score's evaluable items. */
const counted = (answer: Message) => Object.values(answer.report.sections as Record<string, { status: string }>)
  .filter((s) => s.status === "ok" || s.status === "warnings").length;
const statuses = (answer: Message) => ["0.e", "0.f", "0.g"].map((id) => answer.report.sections[id].status);

it("at the threshold they were computed at, 0.e–0.g are in the report and its score", async () => {
  init(0.5);
  const answer = await report(0.5);
  expect(statuses(answer)).toEqual(["ok", "ok", "ok"]);
  expect(answer.report.sections["0.e"].title).toBe("stand-in 0.e");
  expect(answer.local).toMatchObject({ threshold: 0.5, mode: "default", current: true });
  expect(answer.report.score.evaluable).toBe(counted(answer));
  expect(answer.json.sections["0.e"].status).toBe("ok");
});

it("at another threshold they are not requested, left out of the score, and `local` names their threshold", async () => {
  init(0.5);
  const at = await report(0.5);
  const moved = await report(0.4);
  expect(statuses(moved)).toEqual(["not-requested", "not-requested", "not-requested"]);
  expect(moved.json.sections["0.f"].status).toBe("not-requested");
  expect(moved.local).toMatchObject({ threshold: 0.5, current: false });
  expect(moved.local.sections["0.g"].title).toBe("stand-in 0.g");
  expect(moved.report.score.evaluable).toBe(counted(moved));
  expect(counted(at) - counted(moved)).toBe(3);
});

it("without localThreshold the precomputed 0.e–0.g are not used at any threshold", async () => {
  init(undefined);
  const answer = await report(0.5);
  expect(statuses(answer)).toEqual(["not-requested", "not-requested", "not-requested"]);
  expect(answer.local).toBeNull();
});
