/**
 * Level 0.a Mass analysis: is the object centred in the box, with room around it to correct the CTF?
 * Space and decentering come from the constructed (hard) mask; the centre of mass from the raw map of the whole box.
 */
import { criteriaFor, criteriaNotes, criterionText, type CriteriaParameters } from "./criteria.js";
import { statusFromWarnings, type AnalysisMode, type SectionResult } from "../report/report-types.js";
import type { PartialMaskCaution } from "./section-0b-mask.js";
import type { Vec3, Volume } from "../io/volume.js";
import { sectionTitle } from "../section-registry.js";

export interface MassResults {
  /** Empty space before the mask on each axis, Å. */
  spaceLeft: Vec3;
  /** Empty space after the mask on each axis, Å (VRS counts one voxel too many; see docs/vrs-differences.md). */
  spaceRight: Vec3;
  /** |right − left| / box size, %. */
  decentering: Vec3;
  /** Centre of mass of the raw values, 0-based voxel indices (x, y, z). */
  centerOfMass: Vec3;
  /** |centre of mass − box centre| / box size, %. */
  centerOfMassOffset: Vec3;
}

export const massTitle = sectionTitle("0.a");
export const emptyMaskWarning = "Threshold parameter is too high, try to lower it.";
const axes = ["X", "Y", "Z"] as const;

const explanation =
  "A reconstruction should sit near the middle of its box with empty space on every side, so that the CTF " +
  "(whose correction spreads density outwards) can be corrected. We measure, on each axis, the empty space between " +
  "the constructed mask and the box edges, how unequal the two sides are, and how far the centre of mass of the " +
  "whole map is from the box centre. Local or focused refinements are expected to give warnings.";

/** Centre of mass of the raw values (negatives included), in voxel indices; NaN when the values sum to 0. */
export function centerOfMass(v: Volume): Vec3 {
  const { nx, ny, nz, data } = v;
  let total = 0, sx = 0, sy = 0, sz = 0;
  for (let z = 0, i = 0; z < nz; z++) {
    let planeTotal = 0, planeY = 0;
    for (let y = 0; y < ny; y++) {
      let rowTotal = 0;
      for (let x = 0; x < nx; x++, i++) {
        const d = data[i];
        rowTotal += d;
        sx += d * x;
      }
      planeTotal += rowTotal;
      planeY += rowTotal * y;
    }
    total += planeTotal;
    sy += planeY;
    sz += planeTotal * z;
  }
  return [sx / total, sy / total, sz / total];
}

/** 0.a from the mask's extent and the map's centre of mass (the threshold sweep reuses the centre of mass). */
export function massFromExtent(
  dims: Vec3,
  extent: { first: Vec3; last: Vec3 } | null,
  com: Vec3,
  ts: number,
  mode: AnalysisMode,
  p: CriteriaParameters,
  caution: PartialMaskCaution | null = null,
): SectionResult<MassResults> {
  const base = {
    id: "0.a" as const,
    title: massTitle,
    explanation,
    criteria: criteriaFor("0.a").map((c) => criterionText(c, p)),
  };
  if (extent === null) {
    return { ...base, status: "warnings", warnings: [emptyMaskWarning], results: null, summarySentence: problemSentence };
  }
  // VRS takes the right space as (N − last)·Ts, one voxel more than the empty voxels after the mask.
  const rightGap = mode === "vrs-compat" ? 0 : 1;
  const spaceLeft = extent.first.map((f) => f * ts) as Vec3;
  const spaceRight = extent.last.map((l, a) => (dims[a] - l - rightGap) * ts) as Vec3;
  const decentering = dims.map((n, a) => (Math.abs(spaceRight[a] - spaceLeft[a]) / (ts * n)) * 100) as Vec3;
  // VRS measures from N/2; the middle of voxels 0..N−1 is (N−1)/2.
  const centre = (n: number) => (mode === "vrs-compat" ? n / 2 : (n - 1) / 2);
  const centerOfMassOffset = dims.map((n, a) => (Math.abs(com[a] - centre(n)) / n) * 100) as Vec3;

  const warnings: string[] = [];
  const notes: string[] = criteriaNotes("0.a");
  axes.forEach((ax, a) => {
    if (decentering[a] > p.maxDecenteringPercent) warnings.push(`The volume might be significantly decentered in ${ax}.`);
  });
  axes.forEach((ax, a) => {
    if (spaceLeft[a] < p.minSpaceAngstrom)
      warnings.push(`There could be little space from ${ax} left to effectively correct for the CTF.`);
  });
  axes.forEach((ax, a) => {
    if (spaceRight[a] < p.minSpaceAngstrom)
      warnings.push(`There could be little space from ${ax} right to effectively correct for the CTF.`);
  });
  const comUndefined = com.some((c) => !Number.isFinite(c));
  // VRS tests an infinite offset (values summing to 0) like any other; in default mode that test is not made.
  const testCom = !(comUndefined && mode === "default");
  axes.forEach((ax, a) => {
    if (testCom && centerOfMassOffset[a] > p.maxCenterOfMassOffsetPercent)
      warnings.push(
        `The center of mass in ${ax} may be significantly shifted. This is common when the refinement is applied exclusively to one protein region.`,
      );
  });
  const undefinedCom = "The map's values sum to 0, so its centre of mass is undefined.";
  if (comUndefined) notes.push(undefinedCom);
  if (caution) {
    notes.push(caution.note);
    if (caution.warning) warnings.push(caution.warning);
  }
  const results = { spaceLeft, spaceRight, decentering, centerOfMass: com, centerOfMassOffset };
  // VRS compares NaN as false and passes; we refuse to pass a test we could not make.
  if (!testCom && warnings.length === 0) {
    return { ...base, status: "not-measured", warnings, results, notes, reason: undefinedCom, summarySentence: null };
  }
  return {
    ...base,
    status: statusFromWarnings(warnings),
    warnings,
    results,
    notes,
    summarySentence: warnings.length > 0 ? problemSentence : "The map seems to be well centered. ",
  };
}

const problemSentence = "The map seems to have some problem in its centering or extra space (see Sec. 0.a). ";
