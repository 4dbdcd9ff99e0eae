/**
 * Node worker threads that compute the spectral sections' bands (lib/local/bands.ts): `pool.execute` is a `BandExecutor`.
 *
 * Each worker computes one task at a time into a result buffer in shared memory; the main thread feeds the results to
 * the run in task order (a result that arrives early waits), so the numbers are those of the sequential path. A job
 * holds as many result buffers as the pool has workers, which bounds its memory; jobs run at the same time are served
 * first come, first served. When a run stops early, the workers finish the task in hand and its result is dropped.
 *
 * Failures never hang: a task that throws rejects its run with the worker's message; a worker that dies (or cannot
 * start) rejects every run and the pool refuses new ones. When the last running job settles and no job follows
 * within IDLE_WORKERS_MS, the workers are ended: the buffers of their kernels go then (a worker's garbage is otherwise
 * only collected when it allocates again), and the next job starts new ones, which takes about 0.1 s and their code's
 * compilation again. `close()` ends them for good.
 */
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { BandExecutor, BandJob, BandRun } from "../../lib/local/bands.js";
import { AnalysisInputError } from "../../lib/errors.js";

/** Environment variable that sets the default pool size (e.g. 1 to compute the bands on one thread). */
const WORKERS_VARIABLE = "MAPVAL_WORKERS";

/**
 * Most workers a pool may have. Each costs about 12 MB and its result buffers, and no band run has more than a few
 * dozen bands to share out (0.f has 10, 0.e's sweep about 25), so more would sit idle and only take memory
 * (256 workers took 3 GB on a 4 MB map).
 */
export const MAX_WORKERS = 32;

/**
 * How long idle workers are kept for the next job: 1.a's steps (lib/level1/fsc.ts `fscAnalysisWith`) follow each other
 * within milliseconds, and restarting the workers between them cost about 0.1 s a step.
 */
export const IDLE_WORKERS_MS = 500;

/** Workers by default: MAPVAL_WORKERS if set, else the cores this process may use (at most MAX_WORKERS). */
export function defaultPoolSize(env: NodeJS.ProcessEnv = process.env): number {
  const text = env[WORKERS_VARIABLE];
  if (text === undefined || text.trim() === "") return Math.min(availableParallelism(), MAX_WORKERS);
  return poolSize(text, WORKERS_VARIABLE);
}

/** A pool size from text (an option or the environment), or an error that names where it came from. */
export function poolSize(text: string, source: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > MAX_WORKERS)
    throw new AnalysisInputError("bad-worker-count", `${source} must be a whole number of workers from 1 to ${MAX_WORKERS}, got "${text}"`);
  return n;
}

export interface BandPoolOptions {
  /** Worker threads (default `defaultPoolSize()`). */
  size?: number;
  /** The worker's script (default: `compiledWorker`, else band-worker.ts bundled by `workerSource`); tests pass one that fails. */
  workerUrl?: URL;
}

/** In the built package (scripts/build-package.mjs) the worker is compiled beside this module; not so in the sources. */
const compiledWorker = import.meta.url.endsWith(".ts") ? null : new URL("./band-worker.js", import.meta.url);

let bundledWorker: string | null = null;

/**
 * band-worker.ts and the kernel bundled into one CommonJS script (once per process, ≈0.1 s), run as an `eval` worker.
 * Loading the TypeScript sources through tsx in each worker instead cost ≈30 MB of memory per worker more. esbuild is
 * a development tool, so it is loaded only here (the built package never comes here).
 */
function workerSource(): string {
  const { buildSync } = createRequire(import.meta.url)("esbuild") as typeof import("esbuild");
  bundledWorker ??= buildSync({
    entryPoints: [fileURLToPath(new URL("./band-worker.ts", import.meta.url))],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    write: false,
    logLevel: "silent",
  }).outputFiles[0].text;
  return bundledWorker;
}

/** Messages to a worker. The job's definition comes with the first task of that job the worker gets. */
export type ToWorker =
  | { type: "task"; job: number; definition?: BandJob; index: number; out: SharedArrayBuffer }
  | { type: "release"; job: number };

/** Messages from a worker, one per task. */
export type FromWorker =
  | { type: "done"; job: number; index: number }
  | { type: "failed"; job: number; index: number; message: string };

interface PoolWorker {
  thread: Worker;
  /** Jobs whose definition this worker has. */
  knows: Set<number>;
  task: { job: number; index: number; buffer: SharedArrayBuffer } | null;
}

interface ActiveJob {
  id: number;
  run: BandRun;
  /** Next task to hand out, and next result to feed. */
  nextTask: number;
  nextResult: number;
  /** Results computed but not fed yet, by task index. */
  ready: Map<number, SharedArrayBuffer>;
  freeBuffers: SharedArrayBuffer[];
  buffers: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

export class BandPool {
  readonly size: number;
  private readonly workerUrl: URL | null;
  private workers: PoolWorker[] = [];
  /** Running jobs, oldest first. */
  private readonly jobs = new Map<number, ActiveJob>();
  private nextJobId = 0;
  /** Set once a worker died or the pool was closed: every later run is refused with it. */
  private broken: Error | null = null;
  /** Ends the idle workers unless a job comes first. */
  private idleTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(options: BandPoolOptions = {}) {
    this.size = options.size ?? defaultPoolSize();
    if (!Number.isInteger(this.size) || this.size < 1)
      throw new RangeError(`pool size must be a positive integer, got ${this.size}`);
    this.workerUrl = options.workerUrl ?? compiledWorker;
  }

  /** Computes the run's tasks on the pool's threads and feeds the results in order (a `BandExecutor`). */
  readonly execute: BandExecutor = (run) =>
    new Promise<void>((resolve, reject) => {
      if (this.broken) return reject(this.broken);
      if (run.job.tasks.length === 0) return resolve();
      const id = this.nextJobId++;
      this.cancelIdleTimer();
      this.jobs.set(id, {
        id, run, nextTask: 0, nextResult: 0, ready: new Map(), freeBuffers: [], buffers: 0, resolve, reject,
      });
      this.startWorkers();
      this.dispatch();
    });

  /** Ends the workers; runs still going are rejected. */
  async close(): Promise<void> {
    this.cancelIdleTimer();
    this.fail(new Error("the band worker pool was closed"));
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map((w) => w.thread.terminate()));
  }

  private startWorkers(): void {
    while (this.workers.length < this.size) {
      const thread = this.workerUrl ? new Worker(this.workerUrl) : new Worker(workerSource(), { eval: true });
      const worker: PoolWorker = { thread, knows: new Set(), task: null };
      worker.thread.on("message", (message: FromWorker) => this.onMessage(worker, message));
      worker.thread.on("error", (error) => this.fail(new Error(`a band worker thread failed: ${error.message}`)));
      worker.thread.on("exit", (code) => this.fail(new Error(`a band worker thread stopped (exit code ${code})`)));
      this.workers.push(worker);
    }
  }

  private cancelIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  /** Ends the workers of an idle pool (their exit is expected: it fails nothing). */
  private endIdleWorkers(): void {
    this.idleTimer = null;
    const workers = this.workers;
    this.workers = [];
    for (const worker of workers) {
      worker.thread.removeAllListeners();
      // A worker that fails while ending has nothing left to report.
      worker.thread.on("error", () => {});
      void worker.thread.terminate();
    }
  }

  /** Hands tasks to idle workers, oldest job first, while the job has a free result buffer. */
  private dispatch(): void {
    for (const worker of this.workers) {
      if (worker.task) continue;
      const job = [...this.jobs.values()].find(
        (j) => j.nextTask < j.run.job.tasks.length && (j.freeBuffers.length > 0 || j.buffers < this.size),
      );
      if (!job) break;
      const buffer = job.freeBuffers.pop() ?? this.newBuffer(job);
      const index = job.nextTask++;
      worker.task = { job: job.id, index, buffer };
      const definition = worker.knows.has(job.id) ? undefined : job.run.job;
      worker.knows.add(job.id);
      worker.thread.ref();
      worker.thread.postMessage({ type: "task", job: job.id, definition, index, out: buffer } satisfies ToWorker);
    }
    // An idle worker must not keep the process alive (a caller that forgot close() still exits).
    for (const worker of this.workers) if (!worker.task) worker.thread.unref();
  }

  private newBuffer(job: ActiveJob): SharedArrayBuffer {
    job.buffers++;
    const { type, length } = job.run.job.result;
    return new SharedArrayBuffer((type === "float32" ? 4 : 8) * length);
  }

  private onMessage(worker: PoolWorker, message: FromWorker): void {
    const task = worker.task!;
    worker.task = null;
    const job = this.jobs.get(message.job);
    if (job) {
      if (message.type === "failed") {
        const where = `band ${message.index} of the ${job.run.job.kind} job`;
        this.settle(job, new Error(`${where} failed in a worker thread: ${message.message}`));
      } else {
        job.ready.set(message.index, task.buffer);
        this.feed(job);
      }
    }
    this.dispatch();
  }

  /** Feeds the job's ready results in task order; settles it when the last one is fed or the run says stop. */
  private feed(job: ActiveJob): void {
    const { run } = job;
    const { type } = run.job.result;
    for (let buffer = job.ready.get(job.nextResult); buffer; buffer = job.ready.get(job.nextResult)) {
      const index = job.nextResult++;
      job.ready.delete(index);
      let more: boolean;
      try {
        more = run.accept(index, type === "float32" ? new Float32Array(buffer) : new Float64Array(buffer));
      } catch (error) {
        return this.settle(job, error instanceof Error ? error : new Error(String(error)));
      }
      job.freeBuffers.push(buffer);
      if (!more || job.nextResult === run.job.tasks.length) return this.settle(job);
    }
  }

  /** Ends a job: resolves it (or rejects with `error`) and lets the workers drop its definition. */
  private settle(job: ActiveJob, error?: Error): void {
    this.jobs.delete(job.id);
    for (const worker of this.workers)
      if (worker.knows.delete(job.id)) worker.thread.postMessage({ type: "release", job: job.id } satisfies ToWorker);
    // Workers may still be finishing tasks of a run that stopped early: those results are dropped with the workers.
    if (this.jobs.size === 0 && !this.broken) {
      // The timer must not keep the process alive.
      this.idleTimer = setTimeout(() => this.endIdleWorkers(), IDLE_WORKERS_MS);
      this.idleTimer.unref();
    }
    if (error) job.reject(error);
    else job.resolve();
  }

  /** The pool cannot go on: every running job is rejected with `error`, and so is every later one. */
  private fail(error: Error): void {
    this.broken ??= error;
    for (const job of [...this.jobs.values()]) this.settle(job, this.broken);
    for (const worker of this.workers) worker.thread.unref();
  }
}

/** Runs `f` with a pool of `options.size` workers, closed afterwards whatever happens. */
export async function withBandPool<T>(f: (pool: BandPool) => Promise<T>, options: BandPoolOptions = {}): Promise<T> {
  const pool = new BandPool(options);
  try {
    return await f(pool);
  } finally {
    await pool.close();
  }
}
