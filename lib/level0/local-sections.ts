/**
 * 0.e, 0.f and 0.g with their bands computed by an executor (lib/local/bands.ts, e.g. worker threads), for callers that
 * then hand them to `runLevel0` as `precomputed` (the CLI, the site loader). The sections are those `runLevel0` would
 * compute, number for number.
 */
import type { BandExecutor } from "../local/bands.js";
import type { SectionResult } from "../report/report-types.js";
import { localResolutionSectionWith, type LocalResolutionOptions } from "./section-0e-local-resolution.js";
import { localSectionsWith } from "./section-0f-locbfactor.js";
import type { LocalMapOutput } from "../local/local-stats.js";
import { localSectionIds, type LocalSectionId } from "../section-registry.js";
import type { Volume } from "../io/volume.js";

export { localSectionIds, type LocalSectionId } from "../section-registry.js";

/** A local section with its map (for pages); `runLevel0` reports take it without. */
export type LocalSection = SectionResult<object> & { localMap?: LocalMapOutput };

/** A section's numbers (what a report keeps) apart from its local map, a volume (what pages draw). */
export function splitLocalMap(section: LocalSection): { numbers: SectionResult<object>; localMap?: LocalMapOutput } {
  if (!("localMap" in section)) return { numbers: section }; // as given: a precomputed section stays the same object
  const { localMap, ...numbers } = section;
  return { numbers, localMap };
}

/**
 * The sections of `ids` (default all three), computed with `executor`: 0.e, then 0.f and 0.g, each planned just before
 * its band run and run on all the executor's threads. (Run together, or planned together from one transform of the
 * map, they took as long on two cores and a quarter more memory: each one's buffers and garbage add up.)
 */
export async function computeLocalSections(
  executor: BandExecutor,
  volume: Volume,
  options: LocalResolutionOptions,
  ids: readonly LocalSectionId[] = localSectionIds,
): Promise<Partial<Record<LocalSectionId, LocalSection>>> {
  const wanted = { bfactor: ids.includes("0.f"), occupancy: ids.includes("0.g") };
  const out: Partial<Record<LocalSectionId, LocalSection>> = {};
  if (ids.includes("0.e")) out["0.e"] = await localResolutionSectionWith(executor, volume, options);
  if (wanted.bfactor || wanted.occupancy) {
    const sections = await localSectionsWith(executor, volume, options, wanted);
    if (wanted.bfactor) out["0.f"] = sections["0.f"];
    if (wanted.occupancy) out["0.g"] = sections["0.g"];
  }
  return out;
}
