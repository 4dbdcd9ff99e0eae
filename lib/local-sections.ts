/**
 * 0.e, 0.f and 0.g with their bands computed by an executor (lib/bands.ts, e.g. worker threads), for callers that
 * then hand them to `runLevel0` as `precomputed` (the CLI, the site loader). 0.e's sweep and the spiral bands of
 * 0.f/0.g are two band runs started together, so the executor's threads have work while either run's statistics are
 * computed here. The sections are those `runLevel0` would compute, number for number.
 */
import type { BandExecutor } from "./bands.js";
import type { SectionResult } from "./report-types.js";
import { localResolutionSectionWith, type LocalResolutionOptions } from "./section-0e-local-resolution.js";
import { localSectionsWith } from "./section-0f-locbfactor.js";
import type { LocalMapOutput } from "./local-stats.js";
import type { Volume } from "./volume.js";

export type LocalSectionId = "0.e" | "0.f" | "0.g";
export const localSectionIds: readonly LocalSectionId[] = ["0.e", "0.f", "0.g"];

/** A local section with its map (for pages); `runLevel0` reports take it without. */
export type LocalSection = SectionResult<object> & { localMap?: LocalMapOutput };

/** The sections of `ids` (default all three), computed with `executor`. */
export async function computeLocalSections(
  executor: BandExecutor,
  volume: Volume,
  options: LocalResolutionOptions,
  ids: readonly LocalSectionId[] = localSectionIds,
): Promise<Partial<Record<LocalSectionId, LocalSection>>> {
  const wanted = { bfactor: ids.includes("0.f"), occupancy: ids.includes("0.g") };
  // Both are async functions: an input error in either rejects its promise, which Promise.all handles, instead of
  // throwing while the other's bands are already running.
  const [resolution, spiral] = await Promise.all([
    ids.includes("0.e") ? localResolutionSectionWith(executor, volume, options) : undefined,
    wanted.bfactor || wanted.occupancy ? localSectionsWith(executor, volume, options, wanted) : undefined,
  ]);
  const out: Partial<Record<LocalSectionId, LocalSection>> = {};
  if (resolution) out["0.e"] = resolution;
  if (spiral && wanted.bfactor) out["0.f"] = spiral["0.f"];
  if (spiral && wanted.occupancy) out["0.g"] = spiral["0.g"];
  return out;
}
