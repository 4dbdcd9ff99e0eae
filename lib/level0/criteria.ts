/**
 * Level 0 acceptance criteria as data: what each test checks, its parameters with VRS's values, and how we word it.
 * Pages list these and let users change the numbers; the sections read the numbers from `CriteriaParameters`.
 * `vrsWording` is VRS's "Automatic criteria" paragraph where it differs from what VRS's code tests.
 */
import type { SectionId } from "../report/report-types.js";

export interface CriterionParameter {
  key: keyof CriteriaParameters;
  label: string;
  unit: string;
}

export interface Criterion {
  id: string;
  section: SectionId;
  /** What the test checks, in our words, with `{key}` placeholders for parameter values. */
  wording: string;
  /** VRS's own wording, kept only where it does not describe what VRS computes… */
  vrsWording?: string;
  /** …and what VRS's code actually tests. */
  vrsActually?: string;
  parameters: CriterionParameter[];
}

export interface CriteriaParameters {
  maxDecenteringPercent: number;
  minSpaceAngstrom: number;
  maxCenterOfMassOffsetPercent: number;
  massFraction: number;
  maxComponentsForMass: number;
  maxAverageBlobVolume: number;
  minOverlap: number;
  maxBackgroundP: number;
  outlierSigmas: number;
  maxOutlierRatio: number;
}

/** The numbers VRS's code uses (validationLevel0.py). */
export const vrsParameters: Readonly<CriteriaParameters> = Object.freeze({
  maxDecenteringPercent: 20,
  minSpaceAngstrom: 20,
  maxCenterOfMassOffsetPercent: 20,
  massFraction: 0.95,
  maxComponentsForMass: 5,
  maxAverageBlobVolume: 5,
  minOverlap: 0.75,
  maxBackgroundP: 0.001,
  outlierSigmas: 5,
  maxOutlierRatio: 20,
});

export const criteria: readonly Criterion[] = [
  {
    id: "0.a.decentering",
    section: "0.a",
    wording:
      "On each axis, the difference between the empty space left and right of the constructed mask is at most {maxDecenteringPercent} % of the box size.",
    parameters: [{ key: "maxDecenteringPercent", label: "largest decentering", unit: "%" }],
  },
  {
    id: "0.a.space",
    section: "0.a",
    wording:
      "On each side of each axis there are at least {minSpaceAngstrom} Å of empty space between the constructed mask and the box edge (an absolute distance, not a fraction of the box).",
    vrsWording: "the extra space on each direction is more than 20% of the map dimensions",
    vrsActually: "its code tests 20 Å, not 20 % (and its explanation asks for 30 Å)",
    parameters: [{ key: "minSpaceAngstrom", label: "smallest space", unit: "Å" }],
  },
  {
    id: "0.a.centerOfMass",
    section: "0.a",
    wording:
      "On each axis, the centre of mass of the whole map (raw values, no mask) is at most {maxCenterOfMassOffsetPercent} % of the box size away from the box centre.",
    parameters: [{ key: "maxCenterOfMassOffsetPercent", label: "largest centre-of-mass offset", unit: "%" }],
  },
  {
    id: "0.b.components",
    section: "0.b",
    wording:
      "At most {maxComponentsForMass} connected components of the raw mask (26-connected) are needed to hold {massFraction} of its voxels.",
    parameters: [
      { key: "maxComponentsForMass", label: "most components", unit: "" },
      { key: "massFraction", label: "fraction of the mass", unit: "" },
    ],
  },
  {
    id: "0.b.blobs",
    section: "0.b",
    wording:
      "The components left over after that set average at most {maxAverageBlobVolume} Å³. With no component left over there is nothing to average and the test passes.",
    vrsWording: "the average volume of the blobs outside the given threshold has a size smaller than 5Å³",
    vrsActually:
      "its code compares the volume of one voxel, Ts³, with 5 Å³, so the test fails exactly when Ts > 1.71 Å; mapval's default mode averages the left-over blobs",
    parameters: [{ key: "maxAverageBlobVolume", label: "largest average blob", unit: "Å³" }],
  },
  {
    id: "0.b.overlap",
    section: "0.b",
    wording:
      "At least {minOverlap} of the raw mask's voxels lie inside the constructed mask (largest component, dilated by 2 Å).",
    parameters: [{ key: "minOverlap", label: "smallest overlap", unit: "" }],
  },
  {
    id: "0.c.mean",
    section: "0.c",
    wording:
      "A two-sided one-sample t-test of the background voxels (outside the constructed mask) against mean 0 gives p ≥ {maxBackgroundP}.",
    parameters: [{ key: "maxBackgroundP", label: "significance level", unit: "" }],
  },
  {
    id: "0.c.outliers",
    section: "0.c",
    wording:
      "The fraction of background voxels with |value| > {outlierSigmas}σ (σ the background's standard deviation, measured about 0) is at most {maxOutlierRatio} times what a zero-mean Gaussian would give.",
    parameters: [
      { key: "outlierSigmas", label: "outlier limit", unit: "σ" },
      { key: "maxOutlierRatio", label: "largest ratio to a Gaussian", unit: "" },
    ],
  },
];

/** Fill a criterion's placeholders with the parameter values in force. */
export function criterionText(c: Criterion, p: CriteriaParameters = vrsParameters): string {
  return c.wording.replace(/\{(\w+)\}/g, (_, key: string) => String(p[key as keyof CriteriaParameters]));
}

/** Where VRS's criteria text and its code disagree, a sentence saying so (shown with the section). */
export function criteriaNotes(section: SectionId): string[] {
  return criteriaFor(section)
    .filter((c) => c.vrsWording)
    .map((c) => `VRS's criteria text says "${c.vrsWording}"; ${c.vrsActually}.`);
}

export function criteriaFor(section: SectionId): Criterion[] {
  return criteria.filter((c) => c.section === section);
}

/** VRS's parameters with the given ones in their place (undefined entries keep VRS's value). */
export function withDefaults(p: Partial<CriteriaParameters> | undefined): CriteriaParameters {
  const out = { ...vrsParameters };
  for (const [key, value] of Object.entries(p ?? {}))
    if (value !== undefined) out[key as keyof CriteriaParameters] = value;
  return out;
}
