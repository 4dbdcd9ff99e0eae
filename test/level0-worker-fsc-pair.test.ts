/**
 * The page worker's second worker for Level 1 threshold moves (src/workers/fsc-pair.ts): given its script
 * ("fsc-pair-worker"), the worker hands 1.a's phase-randomised halves over to it (transferred: it no longer holds them),
 * sends it each move's soft mask and combines its FSC with the masked halves' own; 1.a is the one a single
 * `fscAnalysis` gives. A move that a newer one supersedes while it waits is dropped, and a failed second worker gives
 * Level 1's error. Run in Node with a stand-in for the worker's global scope and a stand-in Worker that runs the second
 * worker's protocol (fscPairHandler) in this thread, with messages cloned (and transferred) as a browser does, on the
 * bundled simulated pair (data/halfmaps/SOURCES.md).
 */
import { readFileSync } from "node:fs";
import { expect, it, vi } from "vitest";
import { pageWorker } from "./helpers/page-worker.js";
import { readMap } from "../lib/io/mrc-reader.js";
import { fscAnalysis, fscUnmaskedPart, maskedPairFsc, takeRandomisedHalves, type FscSectionResults } from "../lib/level1/fsc.js";
import { hardMask, softMask } from "../lib/masks/masks.js";
import { maxVarianceSlices } from "../lib/report/figures.js";
import type { Volume } from "../lib/io/volume.js";
import { fscPairHandler, type FromFscPair, type ToFscPair } from "../src/workers/fsc-pair.js";

const pairDir = new URL("../data/halfmaps/sim-emd-1997/", import.meta.url);
const fileBytes = (name: string) => new Uint8Array(readFileSync(new URL(name, pairDir)));
const load = async (name: string) => (await readMap(fileBytes(name))).volume;
const given = (name: string) => ({ bytes: fileBytes(name).buffer, name });
const openHalves = { type: "open", half1: given("half1.mrc.gz"), half2: given("half2.mrc.gz") };

/** The second worker in this thread: fscPairHandler behind structured cloning, with its deliveries held by `gate`. */
class StandInPairWorker {
  static started: StandInPairWorker[] = [];
  /** The next one started fails (its error event) when it is first asked for an FSC. */
  static failNext = false;
  onmessage: ((event: { data: FromFscPair }) => void) | null = null;
  onerror: ((event: { message: string; preventDefault(): void }) => void) | null = null;
  received: { message: ToFscPair; transfer: Transferable[] }[] = [];
  /** The masks of the "fsc" requests as sent (the sender's views are detached by the transfer). */
  sentMasks: Float32Array[] = [];
  answers: FromFscPair[] = [];
  terminated = false;
  gate: Promise<void> = Promise.resolve();
  private readonly fails = StandInPairWorker.failNext;
  private readonly handler = fscPairHandler((answer, transfer) => {
    const delivered = structuredClone(answer, { transfer });
    this.answers.push(delivered);
    setTimeout(() => this.terminated || this.onmessage?.({ data: delivered }), 0);
  });
  constructor(
    readonly url: string,
    readonly options: unknown,
  ) {
    StandInPairWorker.failNext = false;
    StandInPairWorker.started.push(this);
  }
  postMessage(message: ToFscPair, transfer: Transferable[] = []): void {
    this.received.push({ message, transfer });
    if (message.type === "fsc") this.sentMasks.push(Float32Array.from(message.mask));
    const delivered = structuredClone(message, { transfer });
    if (this.fails && message.type === "fsc") {
      setTimeout(() => this.onerror?.({ message: "out of memory", preventDefault: () => undefined }), 0);
      return;
    }
    void this.gate.then(() => this.terminated || this.handler.receive(delivered));
  }
  terminate(): void {
    this.terminated = true;
  }
}
(globalThis as { Worker?: unknown }).Worker = StandInPairWorker;
// softMask as it is, counted: the worker's calls go through the spy too.
vi.mock("../lib/masks/masks.js", async (original) => {
  const masks = await original<typeof import("../lib/masks/masks.js")>();
  return { ...masks, softMask: vi.fn(masks.softMask) };
});

type Message = Record<string, unknown> & { type: string };
const { posted, scope } = pageWorker<Message>();

async function until<T>(found: () => T | undefined, what: string): Promise<T> {
  for (let waited = 0; waited < 120_000; waited += 5) {
    const value = found();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`no ${what}; got ${posted.map((m) => m.type).join(", ")}`);
}
const sent = (data: unknown) => scope.onmessage!({ data });
const report = (id: number, threshold: number) => ({ type: "report", id, threshold, mode: "default", parameters: {}, resolution: 7 });
const level1Of = (id: number) => until(() => posted.find((m) => (m.type === "level1" || m.type === "error") && m.id === id), `level1 ${id}`);
const opened = async () => {
  posted.length = 0;
  sent(openHalves);
  return until(() => posted.find((m) => m.type === "opened" || m.type === "error"), "opened");
};
const fscRequests = (worker: StandInPairWorker) => worker.received.filter((r) => r.message.type === "fsc").map((r) => r.message as Extract<ToFscPair, { type: "fsc" }>);

it("the randomised halves go to the second worker, each move sends it the soft mask, and 1.a is fscAnalysis's", async () => {
  sent({ type: "fsc-pair-worker", url: "https://example.test/fsc-pair-worker.js" });
  expect(posted).toEqual([]);
  expect((await opened()).type).toBe("opened");
  const [half1, half2] = await Promise.all([load("half1.mrc.gz"), load("half2.mrc.gz")]);
  const average: Volume = { ...half1, data: new Float32Array(half1.data.length).map((_, i) => (half1.data[i] + half2.data[i]) / 2) };
  const softAt = (threshold: number) => softMask(hardMask(average, threshold, { voxelSize: 2.02, mode: "default" }).mask, 100, 100, 100);
  for (const [id, threshold] of [[1, 0.3], [2, 0.9]] as const) {
    sent(report(id, threshold));
    const level1 = await level1Of(id);
    expect(level1).toMatchObject({ type: "level1", id, threshold });
    const fsc = (level1.json as { sections: Record<string, { results: FscSectionResults }> }).sections["1.a"].results;
    const oracle = fscAnalysis(half1, half2, { mask: { ...half1, data: softAt(threshold) } });
    expect(oracle.randomisation?.fromShell).not.toBeNull(); // the corrected FSC needs the second worker's curve
    fsc.shells.forEach((s, i) => {
      expect(s.fsc).toBe(oracle.shells[i].fsc);
      expect(s.fscMasked).toBe(oracle.shells[i].fscMasked);
      expect(s.fscCorrected).toBe(oracle.shells[i].fscCorrected);
    });
    expect(fsc.fscCorrectedResolution).toBe(oracle.fscCorrectedResolution);
  }
  // One second worker, given the two randomised halves once (transferred: this worker's copies are detached) and then
  // one soft mask per move, the one Level 0 makes at the move's threshold.
  expect(StandInPairWorker.started).toHaveLength(1);
  const [second] = StandInPairWorker.started;
  expect(second.url).toBe("https://example.test/fsc-pair-worker.js");
  expect(second.options).toEqual({ type: "module" });
  const [handOver, ...rest] = second.received;
  expect(handOver.message.type).toBe("halves");
  const halves = (handOver.message as Extract<ToFscPair, { type: "halves" }>).halves!;
  expect(handOver.transfer).toEqual([halves[0].buffer, halves[1].buffer]);
  expect(halves.map((h) => h.buffer.byteLength)).toEqual([0, 0]);
  expect(rest).toHaveLength(2);
  // Each mask a copy, transferred; the second move's copy goes into the buffer the first came back in.
  const [first, moved] = rest;
  expect(first.transfer).toEqual([(first.message as { mask: Float32Array }).mask.buffer]);
  expect(moved.transfer).toEqual([second.answers[0].mask!.buffer]);
  expect(second.sentMasks[0]).toEqual(softAt(0.3));
  expect(second.sentMasks[1]).toEqual(softAt(0.9));
}, 300_000);

it("a move superseded while it waits for the second worker is dropped: only the newest report's Level 1 is answered", async () => {
  const [second] = StandInPairWorker.started;
  let release!: () => void;
  second.gate = new Promise((resolve) => (release = resolve));
  posted.length = 0;
  const asked = fscRequests(second).length;
  const askedFor = (count: number) => until(() => (fscRequests(second).length === count ? true : undefined), `request ${count}`);
  sent(report(3, 0.5));
  await askedFor(asked + 1); // job 3 waits for the second worker
  sent(report(4, 0.6));
  await askedFor(asked + 2);
  release();
  await level1Of(4);
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(posted.filter((m) => m.type === "report").map((m) => m.id)).toEqual([3, 4]);
  expect(posted.filter((m) => m.type === "level1").map((m) => m.id)).toEqual([4]);
  // The second worker got both masks at once: it computed the newest only.
  const [job3, job4] = fscRequests(second).slice(-2).map((r) => r.id);
  expect(second.answers.slice(-2).map((a) => [a.type, a.id])).toEqual([["superseded", job3], ["fsc", job4]]);
}, 300_000);

it("another file ends the second worker; one that fails gives Level 1's error, and the next move fails at once", async () => {
  StandInPairWorker.failNext = true;
  expect((await opened()).type).toBe("opened");
  expect(StandInPairWorker.started[0].terminated).toBe(true);
  sent(report(5, 0.5));
  const failed = await level1Of(5);
  expect(failed).toMatchObject({ type: "error", request: "level1", threshold: 0.5, message: "the second worker of Level 1 failed: out of memory" });
  expect(StandInPairWorker.started).toHaveLength(2);
  sent(report(6, 0.6));
  expect(await level1Of(6)).toMatchObject({ type: "error", request: "level1", message: "the second worker of Level 1 failed: out of memory" });
}, 300_000);

it("one soft mask per move, shared by Level 1 and the mask figures, which come after the Level 1 numbers", async () => {
  sent({ type: "fsc-pair-worker", url: "https://example.test/fsc-pair-worker.js" });
  expect((await opened()).type).toBe("opened");
  const [half1, half2] = await Promise.all([load("half1.mrc.gz"), load("half2.mrc.gz")]);
  const average: Volume = { ...half1, data: new Float32Array(half1.data.length).map((_, i) => (half1.data[i] + half2.data[i]) / 2) };
  const softAt = (threshold: number) => softMask(hardMask(average, threshold, { voxelSize: 2.02, mode: "default" }).mask, 100, 100, 100);
  sent(report(7, 0.4)); // starts the second worker
  await Promise.all([level1Of(7), until(() => posted.find((m) => m.type === "soft" && m.id === 7), "soft 7")]);
  const second = StandInPairWorker.started.at(-1)!;
  for (const [id, threshold] of [[8, 0.7], [9, 0.5]] as const) {
    const expected = softAt(threshold);
    let release!: () => void;
    second.gate = new Promise((resolve) => (release = resolve));
    const asked = fscRequests(second).length;
    posted.length = 0;
    vi.mocked(softMask).mockClear();
    sent(report(id, threshold));
    // The Level 1 job waits for the second worker well past the figures' quiet time (250 ms): no figure comes meanwhile.
    await until(() => (fscRequests(second).length > asked ? true : undefined), `request ${id}`);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(posted.map((m) => m.type)).toEqual(["report"]);
    release();
    const soft = await until(() => posted.find((m) => m.type === "soft" && m.id === id), `soft ${id}`);
    expect(posted.map((m) => m.type)).toEqual(["report", "level1", "masks", "soft"]);
    expect(vi.mocked(softMask)).toHaveBeenCalledTimes(1);
    expect(second.sentMasks.at(-1)).toEqual(expected);
    expect(soft.slices).toEqual(maxVarianceSlices(expected, 100, 100, 100));
  }
}, 300_000);

it("fscPairHandler: the FSC of its randomised halves times a mask; another part's request, and a part that randomises nothing", async () => {
  const [half1, half2] = await Promise.all([load("half1.mrc.gz"), load("half2.mrc.gz")]);
  const part = fscUnmaskedPart(half1, half2);
  const randomised = takeRandomisedHalves(part)!;
  const expected = maskedPairFsc(randomised[0], randomised[1], new Float32Array(half1.data.length).fill(0.5), half1, false);
  const answers: FromFscPair[] = [];
  const handler = fscPairHandler((answer) => answers.push(answer));
  const mask = (value: number) => new Float32Array(half1.data.length).fill(value);
  const shape = { nx: 100, ny: 100, nz: 100 };
  handler.receive({ type: "halves", key: "default 2.02", shape, halves: randomised });
  const first = mask(0.5);
  handler.receive({ type: "fsc", id: 1, key: "default 2.02", mask: first });
  await until(() => answers[0], "answer 1");
  expect(answers[0]).toMatchObject({ type: "fsc", id: 1, fsc: expected });
  expect(answers[0].mask).toBe(first); // back to the sender, for its next copy
  const wrongKey = mask(0);
  handler.receive({ type: "fsc", id: 2, key: "vrs-compat 2.02", mask: wrongKey });
  await until(() => answers[1], "answer 2");
  expect(answers[1]).toEqual({ type: "error", id: 2, message: "no randomised halves of vrs-compat 2.02 here", mask: wrongKey });
  handler.receive({ type: "halves", key: "default 2.02", shape, halves: null });
  const nothing = mask(0);
  handler.receive({ type: "fsc", id: 3, key: "default 2.02", mask: nothing });
  await until(() => answers[2], "answer 3");
  expect(answers[2]).toEqual({ type: "fsc", id: 3, fsc: null, ms: 0, mask: nothing });
}, 300_000);
