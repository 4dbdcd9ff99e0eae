/**
 * Independent band computations of the spectral sections, and the contract that lets them run elsewhere.
 *
 * 0.e's resolution sweep (lib/local/monores.ts) and the spiral bands of 0.f/0.g (lib/local/spiral-amplitude.ts) compute one map of
 * local amplitudes per frequency band from one spectrum, each band independently of the others; only feeding the maps
 * to the statistics is sequential. A `BandJob` describes that work as plain data (its typed arrays may live in shared
 * memory) and a `BandRun` takes the results in task order. `computeInOrder` runs the tasks one after the other on this
 * thread; an executor (`BandExecutor`, e.g. data-loaders/workers/band-pool.ts on Node worker threads) may compute them
 * anywhere with the same code (lib/local/band-kernels.ts `bandComputer`) as long as it feeds them in the same order, which
 * keeps every number identical.
 */

/** What to compute: `tasks[i]` is one band; `setup` is shared by all tasks (typed arrays, numbers, arrays). */
export interface BandJob<Kind extends string = string, Setup = unknown, Task = unknown> {
  readonly kind: Kind;
  readonly setup: Setup;
  readonly tasks: readonly Task[];
  /** Each task's result: `length` values of `type`. */
  readonly result: { readonly type: "float32" | "float64"; readonly length: number };
}

/**
 * Writes the result of task `index` into `out`, telling `onProgress` the share done as it goes; built once per job and
 * thread (lib/local/band-kernels.ts).
 */
export type BandComputer = (index: number, out: Float32Array | Float64Array, onProgress?: FractionDone) => void;

/** A job and the consumer of its results. */
export interface BandRun {
  readonly job: BandJob;
  /**
   * Takes the result of task `index`, called for 0, 1, 2… in order; `result` is reused afterwards. Returns false when
   * no later task is needed (a sweep that stopped early).
   */
  accept(index: number, result: Float32Array | Float64Array): boolean;
  /** Told the share of task `index` computed so far, where the executor can tell (for progress only). */
  progress?(index: number, fraction: number): void;
}

/** Computes a run's tasks somewhere and feeds their results to `run.accept` in task order. */
export type BandExecutor = (run: BandRun) => Promise<void>;

/**
 * How far a planned computation has got: preparing its band run (the map's transforms and grids), the band run (bands
 * fed, of at most `total`: a sweep may stop early), or finishing (statistics and maps); `fraction` of that phase, 0 … 1.
 */
export type PlanProgress =
  | { phase: "preparing" | "finishing"; fraction: number }
  | { phase: "bands"; fraction: number; fed: number; total: number };

/** Told the share done (0 … 1) of one step of the work, as it grows. */
export type FractionDone = (fraction: number) => void;

export const ignoreProgress: FractionDone = () => undefined;

/**
 * One step's progress as part of a larger one: the steps take `weights` (their shares of the time), and step i's
 * fraction f reports (w_0 + … + w_{i−1} + w_i·f)/Σw to `onProgress`.
 */
export function progressSteps(onProgress: FractionDone, weights: readonly number[]): FractionDone[] {
  const total = weights.reduce((a, b) => a + b, 0);
  let before = 0;
  return weights.map((weight) => {
    const start = before;
    before += weight;
    return (fraction) => onProgress((start + weight * Math.min(1, Math.max(0, fraction))) / total);
  });
}

/** A section that is either settled before any band (does not apply, empty mask…) or needs a band run first. */
export type Planned<T> = { done: T } | { run: BandRun; finish: () => T };

/** The plan of `f(result)`. */
export function thenPlanned<A, B>(planned: Planned<A>, f: (value: A) => B): Planned<B> {
  if ("done" in planned) return { done: f(planned.done) };
  return { run: planned.run, finish: () => f(planned.finish()) };
}

/** Computes the run's tasks here, one result array reused for all, until the run says stop. */
export function computeInOrder(run: BandRun, compute: BandComputer): void {
  const { type, length } = run.job.result;
  const out = type === "float32" ? new Float32Array(length) : new Float64Array(length);
  for (let i = 0; i < run.job.tasks.length; i++) {
    compute(i, out, (fraction) => run.progress?.(i, fraction));
    if (!run.accept(i, out)) break;
  }
}

/**
 * A zeroed array in shared memory where the platform has it (Node; browsers only on cross-origin isolated pages), so
 * that worker threads read a job's spectrum without a copy each; an ordinary array otherwise.
 */
export function sharedFloat32Array(length: number): Float32Array {
  return typeof SharedArrayBuffer === "function"
    ? new Float32Array(new SharedArrayBuffer(4 * length))
    : new Float32Array(length);
}

export function sharedFloat64Array(length: number): Float64Array {
  return typeof SharedArrayBuffer === "function"
    ? new Float64Array(new SharedArrayBuffer(8 * length))
    : new Float64Array(length);
}
