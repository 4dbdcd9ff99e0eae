/**
 * The browser's band executor (lib/local/bands.ts `BandExecutor`): the bands of a run are computed by Web Workers running
 * src/workers/band-worker.ts, and fed to the run in task order, so the numbers are those of the sequential path (and
 * of data-loaders/workers/band-pool.ts, the Node pool this mirrors).
 *
 * Each run starts its own workers and ends them when it settles: their buffers go at once, and nothing is left running
 * between runs. At most as many results as there are workers are outstanding (computed or being computed, not yet fed),
 * which bounds the memory of a run. `cancel()` ends the workers of the run in hand, which is rejected with a
 * `BandRunCancelled`, and so is every later run of this executor (a section planned meanwhile never starts its bands).
 */
import type { BandExecutor } from "../../lib/local/bands.js";
import type { FromBandWorker, ToBandWorker } from "./band-worker.js";

/** Most workers a page may start (as data-loaders/workers/band-pool.ts MAX_WORKERS: no run has more bands to share out). */
export const MAX_BAND_WORKERS = 32;

export class BandRunCancelled extends Error {
  constructor() {
    super("the local sections were cancelled");
    this.name = "BandRunCancelled";
  }
}

export interface WebBandExecutor {
  execute: BandExecutor;
  /** Ends the workers of the run in hand; it and every later run are rejected with BandRunCancelled. */
  cancel(): void;
  /** Whether `cancel()` was called (a planning between runs stops then: lib/steps.ts `stepsWithBreaks`). */
  readonly cancelled: boolean;
}

/**
 * `size` workers (1 … MAX_BAND_WORKERS) of the script at `url`. (The progress of a run is told by the run itself:
 * lib/local/band-kernels.ts `runWith`.)
 */
export function webBandExecutor(url: string, size: number): WebBandExecutor {
  if (!Number.isInteger(size) || size < 1 || size > MAX_BAND_WORKERS)
    throw new RangeError(`band workers must be a whole number from 1 to ${MAX_BAND_WORKERS}, got ${size}`);
  let stopCurrent: ((error: Error) => void) | null = null;
  let cancelled = false;

  const execute: BandExecutor = (run) =>
    new Promise<void>((resolve, reject) => {
      if (cancelled) return reject(new BandRunCancelled());
      const total = run.job.tasks.length;
      if (total === 0) return resolve();
      const workers = Array.from({ length: Math.min(size, total) }, () => new Worker(url, { type: "module" }));
      const ready = new Map<number, Float32Array | Float64Array>();
      let nextTask = 0;
      let nextResult = 0;
      let settled = false;
      const settle = (error?: Error) => {
        if (settled) return;
        settled = true;
        stopCurrent = null;
        for (const worker of workers) worker.terminate();
        if (error) reject(error);
        else resolve();
      };
      stopCurrent = settle;
      // A task goes to an idle worker only while fewer than `workers.length` results are outstanding.
      const dispatch = (worker: Worker) => {
        if (nextTask >= total || nextTask - nextResult >= workers.length) return false;
        worker.postMessage({ type: "task", index: nextTask++ } satisfies ToBandWorker);
        return true;
      };
      const idle: Worker[] = [];
      const feed = () => {
        for (let out = ready.get(nextResult); out; out = ready.get(nextResult)) {
          const index = nextResult++;
          ready.delete(index);
          let more: boolean;
          try {
            more = run.accept(index, out);
          } catch (error) {
            return settle(error instanceof Error ? error : new Error(String(error)));
          }
          if (!more || nextResult === total) return settle();
        }
        while (idle.length > 0 && dispatch(idle[idle.length - 1])) idle.pop();
      };
      for (const worker of workers) {
        worker.onmessage = ({ data }: MessageEvent<FromBandWorker>) => {
          if (settled) return;
          if (data.type === "progress") return run.progress?.(data.index, data.fraction);
          if (data.type === "failed")
            return settle(new Error(`band ${data.index} of the ${run.job.kind} job failed in a band worker: ${data.message}`));
          ready.set(data.index, data.out);
          if (!dispatch(worker)) idle.push(worker);
          feed();
        };
        worker.onerror = (event) => {
          event.preventDefault();
          settle(new Error(`a band worker failed: ${event.message || "it could not be started"}`));
        };
        worker.postMessage({ type: "job", definition: run.job } satisfies ToBandWorker);
        if (!dispatch(worker)) idle.push(worker);
      }
    });

  const cancel = () => {
    cancelled = true;
    stopCurrent?.(new BandRunCancelled());
  };
  return {
    execute,
    cancel,
    get cancelled() {
      return cancelled;
    },
  };
}
