/**
 * A local run's planning (0.e's working grid and MonoRes set-up, 0.f–0.g's resized map and spectrum) hands the page
 * worker's thread back between its steps: a threshold move posted meanwhile is answered before the planning ends (before
 * the first band is handed out), and a Cancel meanwhile ends the run with no band started. Run in Node with a stand-in
 * for the worker's global scope and an in-process stand-in for the band Web Workers, on a 128³ map (blobs on
 * deterministic noise, Ts 1 Å, resolution 7 Å: 0.e resamples it to a coarser working grid, 0.f–0.g to 3.5 Å).
 */
import { beforeAll, beforeEach, expect, it } from "vitest";
import { pageWorker } from "./helpers/page-worker.js";
import { InProcessBandWorker } from "./helpers/in-process-band-worker.js";

type Message = Record<string, any> & { type: string };
const { posted, scope } = pageWorker<Message>();

const n = 128;
function blobsOnNoise(): Float32Array {
  const data = new Float32Array(n ** 3);
  let seed = 12345;
  const noise = () => ((seed = (1103515245 * seed + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 0.2;
  const blobs = [[50, 60, 64], [80, 64, 60], [64, 80, 72]];
  for (let z = 0, i = 0; z < n; z++)
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++, i++) {
        let value = noise();
        for (const [bx, by, bz] of blobs) value += Math.exp(-((x - bx) ** 2 + (y - by) ** 2 + (z - bz) ** 2) / 50);
        data[i] = value;
      }
  return data;
}

const section = (id: string) => ({ id, title: `stand-in ${id}`, status: "ok", warnings: [], results: null, summarySentence: null });
const precomputed = Object.fromEntries(["0.d", "0.h"].map((id) => [id, section(id)]));

beforeAll(() => {
  (globalThis as { Worker?: unknown }).Worker = InProcessBandWorker;
});
beforeEach(() => {
  scope.onmessage!({ data: {
    type: "init", data: blobsOnNoise(), shape: [n, n, n], voxelSize: [1, 1, 1], origin: [0, 0, 0], ts: 1, resolution: 7,
    file: "blobs.map", sha256: "0", precomputed: { default: precomputed, "vrs-compat": precomputed },
  } });
  posted.length = 0;
  InProcessBandWorker.tasksPosted = 0;
});

async function until(done: (m: Message) => boolean, what: string): Promise<Message> {
  for (let waited = 0; waited < 300_000; waited += 5) {
    const found = posted.find(done);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`no ${what}; got ${posted.map((m) => m.type).join(", ")}`);
}
const send = (data: unknown) => scope.onmessage!({ data });
const local = (id: number) => ({ type: "local", id, threshold: 0.5, mode: "default", workers: 2, bandWorkerUrl: "in-process" });
const firstBands = (m: Message) => m.type === "local-progress" && m.phase === "bands";

it("a threshold move posted during the planning is answered before the planning ends", async () => {
  send(local(1));
  send({ type: "report", id: 7, threshold: 0.6, mode: "default", parameters: {} });
  const answer = await until((m) => (m.type === "report" || m.type === "error") && m.id === 7, "report");
  expect(answer.type).toBe("report");
  await until(firstBands, "band run");
  expect(posted.indexOf(answer)).toBeLessThan(posted.findIndex(firstBands));
  // The run goes on to its end.
  expect(await until((m) => m.type === "local" || m.type === "error", "local run")).toMatchObject({ type: "local", id: 1 });
}, 600_000);

it("a Cancel during the planning ends the run with no band started", async () => {
  send(local(2));
  await new Promise((resolve) => setTimeout(resolve, 0)); // the planning hands the thread back
  send({ type: "cancel-local", id: 2 });
  const end = (m: Message) => m.id === 2 && (m.type === "local" || m.type === "local-cancelled" || m.type === "error");
  expect(await until(end, "end of the run")).toEqual({ type: "local-cancelled", id: 2 });
  expect(posted.filter(firstBands)).toEqual([]);
  expect(InProcessBandWorker.tasksPosted).toBe(0);
}, 600_000);
