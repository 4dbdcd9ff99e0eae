/**
 * Long computations written as steps: generators that yield between planes or passes, so that a caller with an event
 * loop to serve (the page worker: threshold moves and Cancel during 0.e–0.g's planning) can hand the thread back
 * between them, while every other caller runs them straight through, with the same code and the same numbers.
 */

/** A computation that yields (nothing) between its steps and returns its result. */
export type Steps<T> = Generator<void, T, void>;

/** How a caller runs steps: straight through (`allStepsNow`) or handing the thread back now and then (`stepsWithBreaks`). */
export type StepRunner = <T>(steps: Steps<T>) => Promise<T>;

/** Runs every step here, now. */
export function allSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/** `allSteps` as a StepRunner (the default: Node, the CLI, tests). */
export const allStepsNow: StepRunner = (steps) => Promise.resolve(allSteps(steps));

export interface BreakOptions {
  /** The thread is handed back (a macrotask) at the first step that ends this long (ms) after the last break. */
  sliceMs: number;
  /** Asked at each break: an error ends the steps (the generator is closed) and is thrown. */
  stopped?: () => Error | null;
}

/** A StepRunner that hands the thread back at least every `sliceMs` plus one step, and stops when told. */
export function stepsWithBreaks({ sliceMs, stopped = () => null }: BreakOptions): StepRunner {
  return async <T>(steps: Steps<T>): Promise<T> => {
    let sliceStart = performance.now();
    for (;;) {
      const next = steps.next();
      if (next.done) return next.value;
      if (performance.now() - sliceStart < sliceMs) continue;
      await new Promise((resolve) => setTimeout(resolve, 0));
      const error = stopped();
      if (error) {
        steps.return(undefined as T);
        throw error;
      }
      sliceStart = performance.now();
    }
  };
}
