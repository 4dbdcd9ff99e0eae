/**
 * What the Level 1 sections share: the result shape (ids from the section registry), VRS's "reported resolution < 0.8 × estimate" criterion, and the sections mapval does not compute (1.d ResMap,
 * 1.f MonoDir). Where each rule comes from: docs/reference/level1.md; how mapval departs from VRS:
 * docs/vrs-differences.md.
 */
import { fixed } from "../report/format.js";
import type { SectionResult } from "../report/report-types.js";
import { sectionTitle, type Level1SectionId } from "../section-registry.js";

export type { Level1SectionId } from "../section-registry.js";

/** A SectionResult with a Level 1 id. */
export type Level1SectionResult<R extends object = Record<string, unknown>> = SectionResult<R> & { id: Level1SectionId };

/** VRS warns when the reported resolution is below this fraction of an estimate (finer than 0.8 × it). */
export const REPORTED_RESOLUTION_FRACTION = 0.8;

/** A resolution estimate (Å) and how VRS names its method in the warning. */
export interface ResolutionEstimate {
  method: string;
  resolution: number | null;
}

/**
 * VRS's criterion for 1.a, 1.b, 1.g and 1.h: a warning for each estimate the reported resolution is below 0.8 × of.
 * An estimate that is null (no crossing) or not finite is never compared: it is listed in `unmeasured` instead.
 * `wording` is the section's VRS sentence, given the reported resolution and the estimate, both "%5.2f".
 */
export function reportedResolutionCriterion(
  reported: number,
  estimates: readonly ResolutionEstimate[],
  wording: (reported: string, method: string, estimate: string) => string,
): { warnings: string[]; unmeasured: string[] } {
  const warnings: string[] = [];
  const unmeasured: string[] = [];
  for (const { method, resolution } of estimates) {
    if (resolution === null || !Number.isFinite(resolution)) unmeasured.push(method);
    else if (reported < REPORTED_RESOLUTION_FRACTION * resolution) warnings.push(wording(fixed(reported, 2), method, fixed(resolution, 2)));
  }
  return { warnings, unmeasured };
}

/** VRS's 1.a and 1.b sentence. */
export const particularlyHighWording = (reported: string, method: string, estimate: string) =>
  `The reported resolution, ${reported} Å, is particularly high with respect to the resolution calculated by the ${method}, ${estimate} Å.`;

/** VRS's 1.f, 1.g and 1.h sentence. */
export const atLeast80PercentWording = (reported: string, method: string, estimate: string) =>
  `The resolution reported by the user, ${reported} Å, is at least 80% smaller than the resolution estimated by ${method}, ${estimate} Å.`;

export const resmapTitle = sectionTitle("1.d");
export const monodirTitle = sectionTitle("1.f");

/**
 * 1.d: not computed. ResMap (Kucukelbir et al. 2014) is distributed only as a closed binary, so its hypothesis test
 * cannot be re-implemented and checked here. `not-measured`, so it is never counted as passed (scoreOf).
 */
export function resmapSection(): Level1SectionResult<Record<string, never>> {
  return {
    id: "1.d",
    title: resmapTitle,
    status: "not-measured",
    warnings: [],
    results: null,
    reason:
      "Not computed: ResMap is closed software (a binary without source), so mapval cannot reproduce or check its local-resolution test. 1.c and 1.e give the local resolution from the half maps.",
    summarySentence: null,
    explanation: "ResMap estimates the local resolution by a hypothesis test on local sinusoids (Kucukelbir et al. 2014).",
    criteria: ["VRS: the reported resolution is above the 0.1 % percentile of ResMap's local resolutions, and they are not all equal."],
  };
}

/**
 * 1.f: not computed. VRS's verdict rests on a Kolmogorov–Smirnov p-value of an unseeded 50,000-draw sample of the
 * direction histogram against a uniform law that leaves out the last direction: it changes from run to run, so no
 * implementation can reproduce it. `not-measured`, never counted as passed.
 */
export function monodirSection(): Level1SectionResult<Record<string, never>> {
  return {
    id: "1.f",
    title: monodirTitle,
    status: "not-measured",
    warnings: [],
    results: null,
    reason:
      "Not computed: VRS's MonoDir verdict is the p-value of an unseeded random sample (50,000 draws from the direction histogram, tested against a uniform law that leaves out the last direction), so it differs between runs and cannot be reproduced. 1.g and 1.h measure the directional resolution from the half maps.",
    summarySentence: null,
    explanation:
      "MonoDir measures the local resolution along many directions (Vilas et al. 2020) and tests whether the best direction of each voxel is uniformly distributed.",
    criteria: [
      "VRS: the Kolmogorov–Smirnov p-value of the direction histogram is at least 0.001, and the reported resolution is not below 0.8 × the average directional resolution.",
    ],
  };
}
