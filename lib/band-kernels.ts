/**
 * The band kernels by job kind (lib/bands.ts), and the two ways to settle a planned section: computing its bands here,
 * or with an executor. A worker thread builds its computer with `bandComputer`, the same function `runHere` uses.
 */
import { computeInOrder, type BandComputer, type BandExecutor, type BandJob, type Planned } from "./bands.js";
import { monoResBandComputer, type MonoResJob } from "./monores.js";
import { spiralBandComputer, type SpiralJob } from "./spiral-amplitude.js";

export type SpectralBandJob = SpiralJob | MonoResJob;

/** The computer of a job's tasks, by its kind. */
export function bandComputer(job: BandJob): BandComputer {
  const known = job as SpectralBandJob;
  switch (known.kind) {
    case "spiral":
      return spiralBandComputer(known);
    case "monores":
      return monoResBandComputer(known);
    default:
      throw new Error(`unknown band job kind "${job.kind}"`);
  }
}

/** The planned section, its bands computed on this thread. */
export function runHere<T>(planned: Planned<T>): T {
  if ("done" in planned) return planned.done;
  computeInOrder(planned.run, bandComputer(planned.run.job));
  return planned.finish();
}

/**
 * The section `plan` plans, its bands computed by `executor`. A throw while planning becomes a rejection, and nothing
 * the plan was made from (e.g. a map's spectrum in its options) is kept while the bands run.
 */
export function runWith<T>(executor: BandExecutor, plan: () => Planned<T>): Promise<T> {
  let planned: Planned<T>;
  try {
    planned = plan();
  } catch (error) {
    return Promise.reject(error);
  }
  if ("done" in planned) return Promise.resolve(planned.done);
  return executor(planned.run).then(planned.finish);
}
