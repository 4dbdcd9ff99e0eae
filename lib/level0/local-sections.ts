/**
 * 0.e, 0.f and 0.g with their bands computed by an executor (lib/local/bands.ts, e.g. worker threads), for callers that
 * then hand them to `runLevel0` as `precomputed` (the CLI, the site loader). The sections are those `runLevel0` would
 * compute, number for number.
 */
import { runWith } from "../local/band-kernels.js";
import type { BandExecutor, PlanProgress } from "../local/bands.js";
import type { LocalProgress, LocalStage } from "./local-progress.js";
import type { SectionResult } from "../report/report-types.js";
import { localResolutionPlanSteps, type LocalResolutionOptions } from "./section-0e-local-resolution.js";
import { localSectionsPlanSteps } from "./section-0f-locbfactor.js";
import { allStepsNow, type StepRunner } from "../steps.js";
import type { LocalMapOutput } from "../local/local-stats.js";
import { localSectionIds, type LocalSectionId } from "../section-registry.js";
import type { Volume } from "../io/volume.js";

export { localSectionIds, type LocalSectionId } from "../section-registry.js";
export { localProgressText, type LocalProgress, type LocalStage } from "./local-progress.js";

/** A local section with its map (for pages); `runLevel0` reports take it without. */
export type LocalSection = SectionResult<object> & { localMap?: LocalMapOutput };

/** A section's numbers (what a report keeps) apart from its local map, a volume (what pages draw). */
export function splitLocalMap(section: LocalSection): { numbers: SectionResult<object>; localMap?: LocalMapOutput } {
  if (!("localMap" in section)) return { numbers: section }; // as given: a precomputed section stays the same object
  const { localMap, ...numbers } = section;
  return { numbers, localMap };
}

/**
 * The preparing's fraction is reported again once it has grown by this much (it is told after each plane); a new stage
 * or phase, and every band event (a few per band: a 1 % step can be more than a band), always are.
 */
const PROGRESS_STEP = 0.01;

/**
 * The sections of `ids` (default all three), computed with `executor`: 0.e, then 0.f and 0.g, each planned just before
 * its band run and run on all the executor's threads. (Run together, or planned together from one transform of the
 * map, they took as long on two cores and a quarter more memory: each one's buffers and garbage add up.)
 * `onProgress` follows each stage through its phases: preparing (the map's transforms and grids), its bands (after
 * each one fed), finishing; the same events whichever the executor. `runSteps` runs each planning (lib/steps.ts): straight
 * through by default, or handing the thread back between its steps (the page worker, which serves moves and Cancel
 * meanwhile, and whose runner stops the planning on Cancel).
 */
export async function computeLocalSections(
  executor: BandExecutor,
  volume: Volume,
  options: LocalResolutionOptions,
  ids: readonly LocalSectionId[] = localSectionIds,
  onProgress: (progress: LocalProgress) => void = () => undefined,
  runSteps: StepRunner = allStepsNow,
): Promise<Partial<Record<LocalSectionId, LocalSection>>> {
  const wanted = { bfactor: ids.includes("0.f"), occupancy: ids.includes("0.g") };
  const out: Partial<Record<LocalSectionId, LocalSection>> = {};
  let last: LocalProgress | null = null;
  const report = (stage: LocalStage) => (progress: PlanProgress) => {
    const next = { ...progress, stage };
    const moved = !last || last.stage !== stage || last.phase !== next.phase || next.phase === "bands" ||
      next.fraction - last.fraction >= PROGRESS_STEP;
    if (moved) onProgress((last = next));
  };
  const preparing = (stage: LocalStage) => (fraction: number) => report(stage)({ phase: "preparing", fraction });
  if (ids.includes("0.e")) {
    preparing("0.e")(0);
    const planned = await runSteps(localResolutionPlanSteps(volume, options, preparing("0.e")));
    out["0.e"] = await runWith(executor, planned, report("0.e"));
  }
  if (wanted.bfactor || wanted.occupancy) {
    preparing("0.f–0.g")(0);
    const planned = await runSteps(localSectionsPlanSteps(volume, options, wanted, preparing("0.f–0.g")));
    const sections = await runWith(executor, planned, report("0.f–0.g"));
    if (wanted.bfactor) out["0.f"] = sections["0.f"];
    if (wanted.occupancy) out["0.g"] = sections["0.g"];
  }
  return out;
}
