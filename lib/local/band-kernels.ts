/**
 * The band kernels by job kind (lib/local/bands.ts), and the two ways to settle a planned section: computing its bands here,
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

/** The planned section, its bands computed by `executor`. */
export async function runWith<T>(executor: BandExecutor, planned: Planned<T>): Promise<T> {
  if ("done" in planned) return planned.done;
  await executor(planned.run);
  return planned.finish();
}
