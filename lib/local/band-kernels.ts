/**
 * The band kernels by job kind (lib/local/bands.ts), and the two ways to settle a planned section: computing its bands here,
 * or with an executor. A worker thread builds its computer with `bandComputer`, the same function `runHere` uses.
 */
import { fscHalvesComputer, type FscHalvesJob } from "../level1/fsc.js";
import { computeInOrder, type BandComputer, type BandExecutor, type BandJob, type PlanProgress, type Planned } from "./bands.js";
import { monoResBandComputer, type MonoResJob } from "./monores.js";
import { spiralBandComputer, type SpiralJob } from "./spiral-amplitude.js";

export type SpectralBandJob = SpiralJob | MonoResJob | FscHalvesJob;

/** The computer of a job's tasks, by its kind. */
export function bandComputer(job: BandJob): BandComputer {
  const known = job as SpectralBandJob;
  switch (known.kind) {
    case "spiral":
      return spiralBandComputer(known);
    case "monores":
      return monoResBandComputer(known);
    case "fsc-halves":
      return fscHalvesComputer(known);
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
 * The planned section, its bands computed by `executor`; `onProgress` is told when the band run starts, after each
 * band is fed (whichever the executor), as bands not yet fed are computed (where the executor tells: the fraction then
 * counts their shares done), and when the finishing starts.
 */
export async function runWith<T>(
  executor: BandExecutor,
  planned: Planned<T>,
  onProgress: (progress: PlanProgress) => void = () => undefined,
): Promise<T> {
  if ("done" in planned) return planned.done;
  const { job } = planned.run;
  const total = job.tasks.length;
  let fed = 0;
  /** Shares computed of the tasks not yet fed. */
  const partial = new Map<number, number>();
  const tell = () => {
    let computing = 0;
    for (const share of partial.values()) computing += share;
    onProgress({ phase: "bands", fraction: (fed + computing) / total, fed, total });
  };
  tell();
  await executor({
    job,
    accept(index, result) {
      const more = planned.run.accept(index, result);
      partial.delete(index);
      fed = index + 1;
      tell();
      return more;
    },
    progress(index, fraction) {
      if (index < fed) return;
      partial.set(index, fraction);
      tell();
    },
  });
  onProgress({ phase: "finishing", fraction: 0 });
  return planned.finish();
}
