/**
 * Level 0.c Background analysis: outside the constructed mask, is the mean 0 and are there no more extreme values
 * than Gaussian noise would give?
 */
import normalCdf from "@stdlib/stats-base-dists-normal-cdf";
import tCdf from "@stdlib/stats-base-dists-t-cdf";
import { criteriaFor, criterionText, type CriteriaParameters } from "./criteria.js";
import { statusFromWarnings, type AnalysisMode, type SectionResult } from "../report/report-types.js";
import type { PartialMaskCaution } from "./section-0b-mask.js";
import { sectionTitle } from "../section-registry.js";

export interface BackgroundResults {
  voxels: number;
  mean: number;
  /** Population standard deviation (σ of the outlier test). */
  std: number;
  t: number;
  /** Two-sided p. 0 when it is below the smallest double; log10P still says how small. */
  p: number;
  log10P: number;
  outlierPercent: number;
  gaussianPercent: number;
  outlierRatio: number;
}

export const backgroundTitle = sectionTitle("0.c");

const explanation =
  "The background is every voxel outside the constructed mask (noise blobs above the threshold that are not part " +
  "of the largest component are background too). Its mean should be 0, and values beyond a few standard deviations " +
  "should be as rare as for Gaussian noise and show no structure. We test the mean with a two-sided one-sample " +
  "t-test and compare the fraction of voxels with |value| above 5σ with a zero-mean Gaussian's 2Φ(−5).";

/** Sums over the voxels outside the mask, in float64 (lib/level0/level0.ts `backgroundBySubtraction`). */
export interface BackgroundSums {
  n: number;
  sum: number;
  /** Σ(v − mean)², from a second pass (no cancellation). */
  squaredDeviations: number;
}

/** ln Γ by Stirling's series after shifting x above 10 (absolute error < 1e-14 for x > 0). */
function lnGamma(x: number): number {
  let shift = 0;
  while (x < 10) {
    shift += Math.log(x);
    x += 1;
  }
  const x2 = x * x;
  const series = 1 / (12 * x) - 1 / (360 * x * x2) + 1 / (1260 * x2 * x2 * x) - 1 / (1680 * x2 * x2 * x2 * x);
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + series - shift;
}

/**
 * Two-sided p of Student's t with `df` degrees of freedom, and its log10. The t CDF underflows to 0 for
 * |t| ≳ 38 at large df; there log p comes from the tail expansion
 * ln P(T>t) ≈ lnΓ((ν+1)/2) − lnΓ(ν/2) − ½ln(νπ) − ((ν+1)/2)ln(1+t²/ν) + ln((ν+t²)/(νt)) + ln(1 − 1/t²),
 * whose error in ln P is below 1.2e-4 for t ≥ 38 (checked against quadrature; see the reference notes).
 */
export function twoSidedTP(t: number, df: number): { p: number; log10P: number } {
  if (Number.isNaN(t) || !(df > 0)) return { p: NaN, log10P: NaN };
  const a = Math.abs(t);
  if (a === Infinity) return { p: 0, log10P: -Infinity };
  const p = 2 * tCdf(-a, df);
  if (p > 0) return { p, log10P: Math.log10(p) };
  const lnTail =
    lnGamma((df + 1) / 2) -
    lnGamma(df / 2) -
    0.5 * Math.log(df * Math.PI) -
    ((df + 1) / 2) * Math.log1p((a * a) / df) +
    Math.log((df + a * a) / (df * a)) +
    Math.log1p(-1 / (a * a));
  const lnP = Math.LN2 + lnTail;
  return { p: Math.exp(lnP), log10P: lnP / Math.LN10 };
}

/** 2Φ(−k): the fraction of a zero-mean Gaussian beyond k standard deviations. */
export function gaussianTwoSidedTail(k: number): number {
  return 2 * normalCdf(-k, 0, 1);
}

export function backgroundResults(sums: BackgroundSums, outliers: number, sigmas: number): BackgroundResults {
  const { n, sum, squaredDeviations } = sums;
  const mean = sum / n;
  const sampleStd = Math.sqrt(squaredDeviations / (n - 1));
  const t = mean / (sampleStd / Math.sqrt(n));
  const { p, log10P } = twoSidedTP(t, n - 1);
  const fraction = outliers / n;
  const gaussian = gaussianTwoSidedTail(sigmas);
  return {
    voxels: n,
    mean,
    std: Math.sqrt(squaredDeviations / n),
    t,
    p,
    log10P,
    outlierPercent: fraction * 100,
    gaussianPercent: gaussian * 100,
    outlierRatio: fraction / gaussian,
  };
}

/** Status and warnings from the numbers (the report's, lib/level0/level0.ts, and the threshold sweep's). */
export function backgroundVerdict(
  r: BackgroundResults,
  mode: AnalysisMode,
  p: CriteriaParameters,
  caution: PartialMaskCaution | null = null,
): SectionResult<BackgroundResults> {
  const base = {
    id: "0.c" as const,
    title: backgroundTitle,
    explanation,
    criteria: criteriaFor("0.c").map((c) => criterionText(c, p)),
  };
  const warnings: string[] = [];
  if (r.p < p.maxBackgroundP)
    warnings.push(
      `The null hypothesis that the background mean is 0 has been rejected because the p-value of the comparison is smaller than ${p.maxBackgroundP}`,
    );
  if (r.outlierRatio > p.maxOutlierRatio)
    warnings.push(
      `There is a significant proportion of outlier values in the background (cdf5 ratio=${r.outlierRatio.toFixed(2)})`,
    );
  const notes: string[] = [];
  if (caution) {
    notes.push(caution.note);
    if (caution.warning) warnings.push(caution.warning);
  }
  // VRS compares NaN as false and passes; in default mode a test we could not make is not a pass.
  if (mode === "default" && (Number.isNaN(r.p) || Number.isNaN(r.outlierRatio))) {
    const reason =
      r.voxels < 2
        ? `The background has ${r.voxels} voxel(s); the t-test needs at least 2.`
        : "The background statistics are undefined (the background is constant).";
    return { ...base, status: "not-measured", warnings, results: r, reason, notes: [reason, ...notes], summarySentence: null };
  }
  return {
    ...base,
    status: statusFromWarnings(warnings),
    warnings,
    results: r,
    ...(notes.length > 0 ? { notes } : {}),
    summarySentence:
      warnings.length > 0
        ? "There seems to be a problem with the map's background (see Sec. 0.c). "
        : "There is no problem with its background. ",
  };
}
