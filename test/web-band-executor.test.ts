/**
 * The browser's band executor (src/workers/web-band-executor.ts) in Node, with a stand-in for the Web Worker class
 * that answers the band worker's protocol (src/workers/band-worker.ts) after a random delay, so that results arrive
 * out of order: they are fed in task order, at most `size` are outstanding, a run that says stop or fails or is
 * cancelled ends its workers, and a cancelled executor refuses later runs.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { BandRun } from "../lib/local/bands.js";
import type { FromBandWorker, ToBandWorker } from "../src/workers/band-worker.js";
import { BandRunCancelled, webBandExecutor } from "../src/workers/web-band-executor.js";
import { seededRandom } from "../lib/random.js";

const random = seededRandom(7);
let started: FakeWorker[] = [];
let inFlight = 0;
let mostInFlight = 0;

/** Task i's result: [i, i², the task's value, 1]; a task whose value is "fail" fails. */
class FakeWorker {
  onmessage: ((event: { data: FromBandWorker }) => void) | null = null;
  onerror: ((event: { message: string; preventDefault(): void }) => void) | null = null;
  terminated = false;
  private tasks: unknown[] = [];
  constructor(readonly url: string) {
    started.push(this);
  }
  postMessage(message: ToBandWorker): void {
    if (message.type === "job") {
      this.tasks = [...message.definition.tasks];
      return;
    }
    const { index } = message;
    inFlight++;
    mostInFlight = Math.max(mostInFlight, inFlight);
    setTimeout(() => {
      inFlight--;
      if (this.terminated) return;
      const task = this.tasks[index];
      this.onmessage?.({ data: { type: "progress", index, fraction: 0.5 } });
      const data: FromBandWorker = task === "fail"
        ? { type: "failed", index, message: "no such band" }
        : { type: "done", index, out: Float64Array.of(index, index * index, Number(task), 1) };
      this.onmessage?.({ data });
    }, Math.floor(random() * 8));
  }
  terminate(): void {
    this.terminated = true;
  }
}

function testRun(tasks: unknown[], stopAfter = Infinity) {
  const fed: number[][] = [];
  const progress: [number, number][] = [];
  const run: BandRun = {
    job: { kind: "test", setup: null, tasks, result: { type: "float64", length: 4 } },
    accept: (index, result) => {
      fed.push([index, ...result]);
      return fed.length < stopAfter;
    },
    progress: (index, fraction) => progress.push([index, fraction]),
  };
  return { run, fed, progress };
}

beforeEach(() => {
  (globalThis as { Worker?: unknown }).Worker = FakeWorker;
  started = [];
  inFlight = mostInFlight = 0;
});
afterEach(() => {
  delete (globalThis as { Worker?: unknown }).Worker;
});

describe("web band executor", () => {
  it("feeds every result in task order, with at most `size` outstanding, tells each task's progress, and ends its workers", async () => {
    const tasks = Array.from({ length: 23 }, (_, i) => 10 + i);
    const { run, fed, progress } = testRun(tasks);
    await webBandExecutor("band.js", 3).execute(run);
    expect(fed).toEqual(tasks.map((t, i) => [i, i, i * i, t, 1]));
    expect(progress.map(([index]) => index).sort((a, b) => a - b)).toEqual(tasks.map((_, i) => i));
    expect(progress.every(([, fraction]) => fraction === 0.5)).toBe(true);
    expect(started.length).toBe(3);
    expect(mostInFlight).toBeLessThanOrEqual(3);
    expect(started.every((w) => w.terminated)).toBe(true);
  });

  it("starts no more workers than tasks, and none for an empty run", async () => {
    await webBandExecutor("band.js", 8).execute(testRun([1, 2]).run);
    expect(started.length).toBe(2);
    started = [];
    await webBandExecutor("band.js", 8).execute(testRun([]).run);
    expect(started.length).toBe(0);
  });

  it("stops when the run says so", async () => {
    const { run, fed } = testRun(Array.from({ length: 20 }, (_, i) => i), 5);
    await webBandExecutor("band.js", 2).execute(run);
    expect(fed.map((row) => row[0])).toEqual([0, 1, 2, 3, 4]);
    expect(started.every((w) => w.terminated)).toBe(true);
  });

  it("rejects with the worker's message when a band fails", async () => {
    await expect(webBandExecutor("band.js", 2).execute(testRun([1, 2, "fail", 4]).run)).rejects.toThrow(
      "band 2 of the test job failed in a band worker: no such band",
    );
    expect(started.every((w) => w.terminated)).toBe(true);
  });

  it("cancel ends the run in hand and refuses later runs", async () => {
    const executor = webBandExecutor("band.js", 2);
    const { run, fed } = testRun(Array.from({ length: 50 }, (_, i) => i));
    const running = executor.execute(run);
    executor.cancel();
    await expect(running).rejects.toBeInstanceOf(BandRunCancelled);
    expect(fed.length).toBeLessThan(50);
    expect(started.every((w) => w.terminated)).toBe(true);
    await expect(executor.execute(testRun([1]).run)).rejects.toBeInstanceOf(BandRunCancelled);
  });

  it.each([0, 33, 1.5])("refuses %s workers", (size) => {
    expect(() => webBandExecutor("band.js", size)).toThrow(/band workers must be a whole number from 1 to 32/);
  });
});
