/**
 * 0.h Hand. VRS runs DeepHand (Xmipp's `xmipp_deep_hand`): two small 3-D CNNs, one finding α-helices and one scoring
 * their hand, whose trained weights ship only in Xmipp's model bundle and cannot be obtained here (docs/reference/
 * local-methods.md "Hand"). No non-neural method determines the hand from a map alone reliably, so mapval does
 * not assess the hand: it reproduces VRS's applicability and otherwise reports the section as not measured, which is
 * never counted as passed.
 */
import { AnalysisInputError } from "../errors.js";
import type { SectionResult } from "../report/report-types.js";
import { sectionTitle } from "../section-registry.js";

export const handTitle = sectionTitle("0.h");
/** VRS runs DeepHand only at reported resolutions up to this (Å). */
export const HAND_WORST_RESOLUTION = 5;

/** DeepHand's score would go here; there is none, so results are always null. */
export type HandResults = Record<string, never>;

const explanation =
  "VRS's Deep hand determines whether the map has the correct hand, for maps with a resolution of 5 Å or better: a " +
  "neural network finds α-helices and another scores their handedness between 0 (correct hand) and 1 (flipped).";

const criteria = [
  "VRS: OK if the Deep hand score is at most 0.4 (it warns \"The orientation of the volume is uncertain.\" above " +
    "0.4 and also \"The volume seems to be flipped.\" above 0.5). mapval computes no score.",
];

export const handNotAssessedReason =
  "The hand was not assessed. VRS uses DeepHand, a neural network whose trained weights are only distributed in " +
  "Xmipp's model bundle and are not available to mapval, and mapval implements no substitute (no established " +
  "non-neural method determines the hand from a map alone). This section is not counted in the score.";

export function handSection(options: { resolution: number | null }): SectionResult<HandResults> {
  const { resolution } = options;
  const base = { id: "0.h" as const, title: handTitle, explanation, criteria, warnings: [], results: null, summarySentence: null };
  if (resolution === null)
    return { ...base, status: "does-not-apply", reason: "This method cannot be applied to maps with no resolution reported." };
  if (!(Number.isFinite(resolution) && resolution > 0))
    throw new AnalysisInputError("bad-resolution", `resolution must be a positive number of Å or null, got ${resolution}`);
  if (resolution > HAND_WORST_RESOLUTION)
    return {
      ...base,
      status: "does-not-apply",
      reason: `This method cannot be applied to maps with a resolution worse than ${HAND_WORST_RESOLUTION}Å.`,
    };
  return { ...base, status: "not-measured", reason: handNotAssessedReason };
}
