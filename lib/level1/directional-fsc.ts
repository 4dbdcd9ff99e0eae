/**
 * 1.g Fourier shell occupancy (FSO) and 1.h directional FSC from two half maps: cone-weighted FSCs along a
 * near-uniform set of directions (a Fibonacci hemisphere generated here), the FSO curve, Bingham's test of the passing
 * directions' uniformity per shell, the FSC along x, y and z and the global FSC, and the sphericity of the surface of
 * directional resolutions. The weighting and FSO rules follow Xmipp's resolution_fso (Vilas et al. 2023); what
 * differs and why: docs/reference/level1.md and docs/vrs-differences.md.
 */
import { checkResolution, finiteMap, type Sourced } from "../analysis-inputs.js";
import { AnalysisInputError } from "../errors.js";
import { realFft3d } from "../fourier/fft3d.js";
import { fixed } from "../report/format.js";
import { checkHalfMaps, FSC_LEVELS, firstCrossing, masked } from "./fsc.js";
import {
  atLeast80PercentWording,
  REPORTED_RESOLUTION_FRACTION,
  reportedResolutionCriterion,
  type Level1SectionResult,
} from "./level1-sections.js";
import { digitalFrequencies, shellIndex } from "../fourier/radial.js";
import { statusFromWarnings, type AnalysisMode } from "../report/report-types.js";
import type { Vec3, Volume } from "../io/volume.js";

/** Xmipp's defaults (VRS: `--anglecone 17 --threshold 0.143`); 321 directions, as many as Xmipp's table. */
export const DEFAULT_CONE_ANGLE_DEGREES = 17;
export const DEFAULT_DIRECTION_COUNT = 321;
export const DEFAULT_DIRECTIONAL_THRESHOLD = FSC_LEVELS["0.143"];
/** Xmipp sets the FSO of the first shells to 1: a 17° cone there holds a few voxels at most. */
export const FSO_FORCED_SHELLS = 5;
/** A direction's resolution is sought from this shell on (Xmipp: the first i > 2 with dFSC ≤ threshold). */
export const DIRECTIONAL_FIRST_SHELL = 3;
/** Bingham's test rejects uniformity of the passing directions below this p-value. */
export const BINGHAM_SIGNIFICANCE = 0.05;
/** Shells whose FSO is within this range are tested for anisotropy (elsewhere nearly all or no direction passes). */
export const BINGHAM_FSO_RANGE: readonly [number, number] = [0.1, 0.9];
/** The cost grows with the directions (7.9 s CPU for 321 at 256³); 2000 keeps a 256³ pair under a minute. */
export const MAX_DIRECTION_COUNT = 2000;

export interface DirectionalFscOptions {
  /** Soft mask (values in [0, 1], the halves' grid), as VRS's Level 0 soft mask. */
  mask?: Volume;
  coneAngleDegrees?: number;
  directionCount?: number;
  threshold?: number;
  /** "vrs-compat" reproduces VRS's 1.h frequency units (docs/vrs-differences.md). */
  mode?: AnalysisMode;
  voxelSize?: Sourced;
  memoryBudgetBytes?: number;
}

export interface DirectionalFscResult {
  voxelSize: number;
  mode: AnalysisMode;
  coneAngleDegrees: number;
  threshold: number;
  /** Unit vectors of the upper hemisphere (each stands for ±d). */
  directions: Vec3[];
  /** Rows: shells 1 … ⌊Xdim/2⌋ at i/(Xdim·Ts) 1/Å. */
  frequency: number[];
  /** Per direction, per row: max(0, cone-weighted FSC); NaN where the cone holds no power. */
  directionalFsc: number[][];
  /** Per row: the fraction of directions whose FSC is at least the threshold (1 on the first FSO_FORCED_SHELLS). */
  fso: number[];
  /**
   * Per row: Bingham's statistic of the passing directions, counted as the 1/(1 − cos α) independent cones of the
   * hemisphere rather than as `count` directions, and its χ²(5) p-value (NaN when none passes).
   */
  bingham: { statistic: number[]; pValue: number[] };
  /** True when Bingham rejects uniformity in a shell with FSO in BINGHAM_FSO_RANGE; null when no shell is there. */
  anisotropic: boolean | null;
  /** Per direction, the resolution (Å) where its FSC first falls to the threshold from shell 3 on; null: never. */
  directionalResolution: (number | null)[];
  /** FSO crossings (Å, VRS's findFirstCross): 0.5 (FSOresolution), 0.9 and 0.1. */
  fsoResolution: number | null;
  fso09Resolution: number | null;
  fso01Resolution: number | null;
  /** Cone FSCs along the axes and the global (all-direction) FSC of the masked halves, per row, and their crossings. */
  axes: { x: number[]; y: number[]; z: number[]; global: number[] };
  axisResolution: { x: number | null; y: number | null; z: number | null; global: number | null };
  /**
   * Sphericity π^⅓(6V)^⅔/A of the surface whose radius in each direction is that direction's crossing frequency (1 for
   * a sphere); directions that never cross count at Nyquist. Null when no direction crosses.
   */
  sphericity: number | null;
  directionsWithoutCrossing: number;
}

/**
 * `count` near-uniform unit vectors of the upper hemisphere (z > 0): a Fibonacci lattice, z_k = 1 − (k + ½)/count
 * (equal areas) and azimuths k·(golden angle).
 */
export function hemisphereDirections(count: number): Vec3[] {
  const golden = Math.PI * (3 - Math.sqrt(5));
  return Array.from({ length: count }, (_, k) => {
    const z = 1 - (k + 0.5) / count;
    const r = Math.sqrt(1 - z * z);
    return [r * Math.cos(k * golden), r * Math.sin(k * golden), z] as Vec3;
  });
}

/** Xmipp's cone weight for |cos| = c of the angle to the cone axis: exp(−4(c − 1)²/(cos α − 1)²) within α, else 0. */
export function coneWeight(c: number, cosCone: number): number {
  return c >= cosCone ? Math.exp((-4 * (c - 1) ** 2) / (cosCone - 1) ** 2) : 0;
}

export function directionalFsc(half1: Volume, half2: Volume, options: DirectionalFscOptions = {}): DirectionalFscResult {
  const mode = options.mode ?? "default";
  if (mode !== "default" && mode !== "vrs-compat")
    throw new AnalysisInputError("bad-mode", `mode must be "default" or "vrs-compat", got ${JSON.stringify(mode)}`);
  const coneAngleDegrees = options.coneAngleDegrees ?? DEFAULT_CONE_ANGLE_DEGREES;
  if (!(coneAngleDegrees > 0 && coneAngleDegrees <= 90))
    throw new AnalysisInputError("bad-cone-angle", `the cone half-angle must be in (0, 90] degrees, got ${coneAngleDegrees}`);
  const count = options.directionCount ?? DEFAULT_DIRECTION_COUNT;
  if (!(Number.isInteger(count) && count >= 3 && count <= MAX_DIRECTION_COUNT))
    throw new AnalysisInputError("bad-direction-count", `the number of directions must be an integer from 3 to ${MAX_DIRECTION_COUNT}, got ${count}`);
  const threshold = options.threshold ?? DEFAULT_DIRECTIONAL_THRESHOLD;
  if (!(threshold > 0 && threshold < 1))
    throw new AnalysisInputError("bad-threshold", `the directional FSC threshold must be in (0, 1), got ${threshold}`);
  const ts = checkHalfMaps(half1, half2, { mask: options.mask, voxelSize: options.voxelSize, memoryBudgetBytes: options.memoryBudgetBytes });

  const mask = options.mask;
  const scratch = mask ? new Float32Array(mask.data.length) : null;
  const prepared = (half: Volume) => (mask ? masked(finiteMap(half).volume, mask.data, scratch!) : finiteMap(half).volume);
  const a = realFft3d(prepared(half1)), b = realFft3d(prepared(half2));
  const { nx, ny, nz, hx } = a;
  const rowCount = Math.floor(nx / 2);
  const shellCount = rowCount + 1;
  const directions = hemisphereDirections(count);
  // The cones: the directions, then x, y and z for 1.h.
  const axes: Vec3[] = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
  const cones = [...directions, ...axes];
  const coneCount = cones.length;
  const dx = Float64Array.from(cones, (d) => d[0]), dy = Float64Array.from(cones, (d) => d[1]), dz = Float64Array.from(cones, (d) => d[2]);
  const cosCone = Math.cos((coneAngleDegrees * Math.PI) / 180);
  const weightScale = -4 / (cosCone - 1) ** 2;
  const cross = new Float64Array(coneCount * shellCount), power1 = new Float64Array(coneCount * shellCount), power2 = new Float64Array(coneCount * shellCount);
  const globalSums = { cross: new Float64Array(shellCount), power1: new Float64Array(shellCount), power2: new Float64Array(shellCount) };

  const fx = digitalFrequencies(nx), fy = digitalFrequencies(ny), fz = digitalFrequencies(nz);
  for (let kz = 0, e = 0; kz < nz; kz++)
    for (let ky = 0; ky < ny; ky++)
      for (let kx = 0; kx < hx; kx++, e++) {
        const ux = fx[kx], uy = fy[ky], uz = fz[kz];
        const r2 = ux * ux + uy * uy + uz * uz;
        if (r2 > 0.25 || r2 === 0) continue;
        // Each Friedel pair once: on the kx = 0 plane keep uy > 0, and on its ky = 0 line uz > 0 (Xmipp).
        if (kx === 0 && (uy < 0 || (uy === 0 && uz < 0))) continue;
        const radius = Math.sqrt(r2);
        const shell = shellIndex(radius, nx);
        const r1 = a.data[2 * e], i1 = a.data[2 * e + 1], r2b = b.data[2 * e], i2 = b.data[2 * e + 1];
        const c12 = r1 * r2b + i1 * i2, p1 = r1 * r1 + i1 * i1, p2 = r2b * r2b + i2 * i2;
        globalSums.cross[shell] += c12;
        globalSums.power1[shell] += p1;
        globalSums.power2[shell] += p2;
        const vx = ux / radius, vy = uy / radius, vz = uz / radius;
        for (let d = 0; d < coneCount; d++) {
          const c = Math.abs(vx * dx[d] + vy * dy[d] + vz * dz[d]);
          if (c < cosCone) continue;
          const w = Math.exp(weightScale * (c - 1) * (c - 1));
          const at = d * shellCount + shell;
          cross[at] += w * c12;
          power1[at] += w * p1;
          power2[at] += w * p2;
        }
      }

  const frequency = Array.from({ length: rowCount }, (_, k) => (k + 1) / (nx * ts));
  const coneFsc = (d: number) =>
    frequency.map((_, k) => {
      const at = d * shellCount + k + 1;
      return Math.max(0, cross[at] / Math.sqrt(power1[at] * power2[at]));
    });
  const directionalCurves = directions.map((_, d) => coneFsc(d));
  const fso = frequency.map((_, k) =>
    k < FSO_FORCED_SHELLS ? 1 : directionalCurves.filter((curve) => curve[k] >= threshold).length / count,
  );
  const bingham = { statistic: [] as number[], pValue: [] as number[] };
  // Overlapping cones are not independent samples: the hemisphere (2π sr) holds 1/(1 − cos α) disjoint cones.
  const independentFraction = Math.min(1, 1 / (1 - cosCone) / count);
  frequency.forEach((_, k) => {
    const passing = directions.filter((_, d) => directionalCurves[d][k] >= threshold);
    const statistic = binghamStatistic(passing) * independentFraction;
    bingham.statistic.push(statistic);
    bingham.pValue.push(chiSquare5Survival(statistic));
  });
  const tested = fso.map((v, k) => k >= FSO_FORCED_SHELLS && v >= BINGHAM_FSO_RANGE[0] && v <= BINGHAM_FSO_RANGE[1]);
  const anisotropic = tested.some(Boolean) ? tested.some((t, k) => t && bingham.pValue[k] < BINGHAM_SIGNIFICANCE) : null;

  const crossingFrequency = directionalCurves.map((curve) => directionalCrossing(frequency, curve, threshold));
  const nyquist = 1 / (2 * ts);
  const directionsWithoutCrossing = crossingFrequency.filter((f) => f === null).length;
  const sphericity =
    directionsWithoutCrossing === count
      ? null
      : surfaceSphericity((v) => interpolateOnSphere(v, directions, crossingFrequency.map((f) => f ?? nyquist), cosCone));

  const axisCurves = { x: coneFsc(count), y: coneFsc(count + 1), z: coneFsc(count + 2), global: frequency.map((_, k) => globalSums.cross[k + 1] / Math.sqrt(globalSums.power1[k + 1] * globalSums.power2[k + 1])) };
  const unitScale = fsc3dUnitScale(mode, ts);
  // The axis cones, like every direction, from shell 3 on (their first shells hold a few bins); the global FSC as 1.a.
  const resolutionOf = (f: number | null) => (f === null ? null : unitScale / f);
  const axisCrossing = (curve: number[]) => resolutionOf(directionalCrossing(frequency, curve, FSC_LEVELS["0.143"]));
  const fsoAt = (level: number) => {
    const f = firstCrossing(frequency, fso, level, "below");
    return f === null ? null : 1 / f;
  };
  return {
    voxelSize: ts, mode, coneAngleDegrees, threshold, directions, frequency,
    directionalFsc: directionalCurves, fso, bingham, anisotropic,
    directionalResolution: crossingFrequency.map((f) => (f === null ? null : 1 / f)),
    fsoResolution: fsoAt(0.5), fso09Resolution: fsoAt(0.9), fso01Resolution: fsoAt(0.1),
    axes: axisCurves,
    axisResolution: {
      x: axisCrossing(axisCurves.x), y: axisCrossing(axisCurves.y), z: axisCrossing(axisCurves.z),
      global: resolutionOf(firstCrossing(frequency, axisCurves.global, FSC_LEVELS["0.143"], "below")),
    },
    sphericity, directionsWithoutCrossing,
  };
}

/**
 * 1.h's resolutions are 1/f × this: VRS reads 3DFSC's curves on f = i·2·Ts/Xdim instead of i/(Xdim·Ts), so under
 * vrs-compat they are the true ones / (2·Ts²).
 */
function fsc3dUnitScale(mode: AnalysisMode, ts: number): number {
  return mode === "vrs-compat" ? 1 / (2 * ts * ts) : 1;
}

/**
 * Bingham's statistic for axial directions: with T the mean of d·dᵀ over the n directions (each standing for ±d, so
 * 2n samples), ½·p(p+2)·2n·(tr T² − 1/p), p = 3; χ² with 5 degrees of freedom under uniformity. NaN for no direction.
 */
export function binghamStatistic(directions: readonly Vec3[]): number {
  const n = directions.length;
  if (n === 0) return NaN;
  const t = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  for (const d of directions) for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) t[3 * i + j] += (d[i] * d[j]) / n;
  let trace2 = 0;
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) trace2 += t[3 * i + j] * t[3 * j + i];
  return 0.5 * 3 * 5 * 2 * n * (trace2 - 1 / 3);
}

/** P(χ²₅ > x) = erfc(√y) + (2/√π)·e^(−y)·(√y + ⅔·y^(3/2)), y = x/2 (the regularised upper gamma Q(5/2, y)). */
export function chiSquare5Survival(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x <= 0) return 1;
  const y = x / 2, root = Math.sqrt(y);
  return Math.min(1, complementaryErf(root) + (2 / Math.sqrt(Math.PI)) * Math.exp(-y) * (root + (2 / 3) * y * root));
}

/** erfc for x ≥ 0 (Chebyshev fit with relative error below 1.2e-7 everywhere; Numerical Recipes' erfcc). */
function complementaryErf(x: number): number {
  const t = 1 / (1 + 0.5 * x);
  return (
    t *
    Math.exp(
      -x * x - 1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    )
  );
}

/** The frequency where a directional FSC first falls to `threshold` from shell 3 on, linear between rows; null: never. */
function directionalCrossing(frequency: readonly number[], curve: readonly number[], threshold: number): number | null {
  for (let k = DIRECTIONAL_FIRST_SHELL - 1; k < curve.length; k++) {
    if (!(curve[k] <= threshold)) continue;
    const before = curve[k - 1] - threshold, at = curve[k] - threshold;
    if (!(before > 0)) return frequency[k];
    return frequency[k - 1] + (before * (frequency[k] - frequency[k - 1])) / (before - at);
  }
  return null;
}

/** A value on the sphere from the directions' values: cone-weighted mean over ±d within the cone, else the nearest. */
function interpolateOnSphere(v: Vec3, directions: readonly Vec3[], values: readonly number[], cosCone: number): number {
  let sum = 0, weights = 0, nearest = 0, best = -1;
  directions.forEach((d, k) => {
    const c = Math.abs(v[0] * d[0] + v[1] * d[1] + v[2] * d[2]);
    const w = coneWeight(c, cosCone);
    sum += w * values[k];
    weights += w;
    if (c > best) {
      best = c;
      nearest = k;
    }
  });
  return weights > 0 ? sum / weights : values[nearest];
}

/** Latitude and longitude steps of the mesh on which sphericity is measured. */
const SPHERICITY_MESH: readonly [number, number] = [60, 120];

/**
 * Sphericity π^⅓(6V)^⅔/A of the star-shaped surface r(v)·v, measured on a latitude–longitude triangle mesh (V from the
 * tetrahedra on the origin, A from the triangles): 1 for a sphere, less for any other shape.
 */
export function surfaceSphericity(radiusAt: (v: Vec3) => number): number {
  const [rows, columns] = SPHERICITY_MESH;
  const point = (j: number, l: number): Vec3 => {
    const theta = (j * Math.PI) / rows, phi = (2 * Math.PI * l) / columns;
    const v: Vec3 = [Math.sin(theta) * Math.cos(phi), Math.sin(theta) * Math.sin(phi), Math.cos(theta)];
    const r = radiusAt(v);
    return [r * v[0], r * v[1], r * v[2]];
  };
  const grid = Array.from({ length: rows + 1 }, (_, j) => Array.from({ length: columns }, (_, l) => point(j, l)));
  let area = 0, volume = 0;
  const triangle = (p: Vec3, q: Vec3, s: Vec3) => {
    const u = [q[0] - p[0], q[1] - p[1], q[2] - p[2]], w = [s[0] - p[0], s[1] - p[1], s[2] - p[2]];
    area += 0.5 * Math.hypot(u[1] * w[2] - u[2] * w[1], u[2] * w[0] - u[0] * w[2], u[0] * w[1] - u[1] * w[0]);
    volume += (p[0] * (q[1] * s[2] - q[2] * s[1]) + p[1] * (q[2] * s[0] - q[0] * s[2]) + p[2] * (q[0] * s[1] - q[1] * s[0])) / 6;
  };
  for (let j = 0; j < rows; j++)
    for (let l = 0; l < columns; l++) {
      const next = (l + 1) % columns;
      triangle(grid[j][l], grid[j + 1][l], grid[j + 1][next]);
      triangle(grid[j][l], grid[j + 1][next], grid[j][next]);
    }
  return (Math.cbrt(Math.PI) * Math.cbrt(6 * Math.abs(volume)) ** 2) / area;
}

export const fsoTitle = "1.g FSO";
export const fsc3dTitle = "1.h FSC3D";

export interface FsoSectionResults {
  FSOresolution: number | null;
  /** [1/f0.9, 1/f0.1] (Å): where 90 % and 10 % of the directions pass; null unless both exist. */
  occupancyRange: [number, number] | null;
  anisotropic: boolean | null;
  sphericity: number | null;
  sentences: string[];
  /** The FSO and Bingham's test per row (the page's 1.g chart); `threshold`: the FSC level a direction passes at. */
  curve: Pick<DirectionalFscResult, "frequency" | "fso" | "bingham" | "threshold">;
}

/** The 1.g verdict: VRS's warning when the reported resolution is below 0.8 × the FSO = 0.5 resolution. */
export function fsoSection(result: DirectionalFscResult, reportedResolution: number | null): Level1SectionResult<FsoSectionResults> {
  checkResolution(reportedResolution, null, "the reported resolution");
  const { fsoResolution, fso09Resolution, fso01Resolution } = result;
  const occupancyRange: [number, number] | null =
    fso09Resolution !== null && fso01Resolution !== null ? [fso09Resolution, fso01Resolution] : null;
  const sentences = [
    fsoResolution === null ? "The FSO does not cross the 0.5 threshold." : `The resolution according to the FSO is ${fixed(fsoResolution, 2)} Å.`,
  ];
  if (occupancyRange)
    sentences.push(`Fourier shells are occupied at between 90 and 10 % in the range [${fixed(occupancyRange[0], 2)},${fixed(occupancyRange[1], 2)}] Å.`);
  const notes =
    result.anisotropic === null
      ? ["No shell has an occupancy between 10 and 90 %, so the anisotropy test was not made."]
      : [
          result.anisotropic
            ? `Bingham's test rejects a uniform distribution of the passing directions (p < ${BINGHAM_SIGNIFICANCE}) in at least one shell with an occupancy between 10 and 90 %: the resolution is anisotropic.`
            : `Bingham's test does not reject a uniform distribution of the passing directions (p ≥ ${BINGHAM_SIGNIFICANCE}) in any shell with an occupancy between 10 and 90 %.`,
        ];
  const base = {
    id: "1.g" as const,
    title: fsoTitle,
    summarySentence: null,
    results: {
      FSOresolution: fsoResolution, occupancyRange, anisotropic: result.anisotropic, sphericity: result.sphericity, sentences,
      curve: { frequency: result.frequency, fso: result.fso, bingham: result.bingham, threshold: result.threshold },
    },
    notes,
    explanation:
      `The Fourier shell occupancy is the fraction of ${result.directions.length} directions whose ${result.coneAngleDegrees}° cone FSC ` +
      `reaches ${result.threshold} in each shell: 1 while every direction still correlates, falling where some directions lose their signal first.`,
    criteria: [`The reported resolution is at least ${REPORTED_RESOLUTION_FRACTION} × the resolution where the FSO first falls below 0.5.`],
  };
  if (fsoResolution === null) return { ...base, status: "not-measured", warnings: [], reason: "The FSO does not fall below 0.5." };
  if (reportedResolution === null)
    return { ...base, status: "does-not-apply", warnings: [], reason: "No resolution was reported, so it cannot be compared with the estimate." };
  const { warnings } = reportedResolutionCriterion(reportedResolution, [{ method: "FSO", resolution: fsoResolution }], atLeast80PercentWording);
  return { ...base, status: statusFromWarnings(warnings), warnings };
}

export interface Fsc3dSectionResults {
  FSC3DresolutionX: number | null;
  FSC3DresolutionY: number | null;
  FSC3DresolutionZ: number | null;
  FSC3DresolutionGlobal: number | null;
  /** Smallest and largest of the four (Å), null unless all four exist (VRS). */
  resolutionRange: [number, number] | null;
  sphericity: number | null;
  sentences: string[];
  /**
   * The four FSCs per row (the page's 1.h chart), crossed at `threshold`; `frequency` (1/Å) is where the resolutions
   * above read them, so under vrs-compat VRS's i·2·Ts/Xdim.
   */
  curves: { frequency: number[]; axes: DirectionalFscResult["axes"]; threshold: number };
}

/**
 * The 1.h verdict: VRS's warning when the reported resolution is below 0.8 × the global 0.143 resolution, and
 * "We could not estimate the global FSC3D" when there is none. VRS's code adds that sentence when the global
 * resolution *was* estimated; vrs-compat reproduces it.
 */
export function fsc3dSection(result: DirectionalFscResult, reportedResolution: number | null): Level1SectionResult<Fsc3dSectionResults> {
  checkResolution(reportedResolution, null, "the reported resolution");
  const { x, y, z, global } = result.axisResolution;
  const all = [x, y, z, global];
  const complete = all.every((v): v is number => v !== null);
  const resolutionRange: [number, number] | null = complete ? [Math.min(...(all as number[])), Math.max(...(all as number[]))] : null;
  const a = (v: number | null) => fixed(v, 2);
  const sentences = [
    resolutionRange
      ? `The FSC 3D resolutions at a 0.143 threshold in X, Y, and Z are ${a(x)}, ${a(y)}, and ${a(z)} Å, respectively. The global resolution at the same threshold is ${a(global)} Å. The resolution range is [${a(resolutionRange[0])},${a(resolutionRange[1])}] Å.`
      : "The FSC 3D did not cross the 0.143 threshold in at least one direction.",
  ];
  const results = {
    FSC3DresolutionX: x, FSC3DresolutionY: y, FSC3DresolutionZ: z, FSC3DresolutionGlobal: global,
    resolutionRange, sphericity: result.sphericity, sentences,
    curves: {
      frequency: result.frequency.map((f) => f / fsc3dUnitScale(result.mode, result.voxelSize)),
      axes: result.axes,
      threshold: FSC_LEVELS["0.143"],
    },
  };
  const base = {
    id: "1.h" as const,
    title: fsc3dTitle,
    summarySentence: null,
    results,
    explanation:
      `The FSC within ${result.coneAngleDegrees}° cones along x, y and z and over all directions (global), from the masked half maps; ` +
      "the sphericity of the surface of directional resolutions is 1 for an isotropic map.",
    criteria: [`The reported resolution is at least ${REPORTED_RESOLUTION_FRACTION} × the global FSC = 0.143 resolution.`],
  };
  const couldNotEstimate = "We could not estimate the global FSC3D";
  if (reportedResolution === null)
    return { ...base, status: "does-not-apply", warnings: [], reason: "No resolution was reported, so it cannot be compared with the estimate." };
  const { warnings } = reportedResolutionCriterion(reportedResolution, [{ method: "FSC3D", resolution: global }], atLeast80PercentWording);
  if (result.mode === "vrs-compat" ? global !== null : global === null) warnings.push(couldNotEstimate);
  return { ...base, status: statusFromWarnings(warnings), warnings };
}
