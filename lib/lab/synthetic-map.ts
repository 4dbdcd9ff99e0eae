/**
 * The teaching lab's synthetic map (docs/lab.md): a small molecule-like particle whose defects are parameters, built
 * deterministically from the parameters and a seed.
 *
 * The particle is a set of Gaussian pseudo-atoms (σ = ATOM_SIGMA, mass 1 each): a bundle of four right-handed
 * α-helices along z (three atoms per residue: backbone inside, Cα, side chain outside) beside a four-stranded β-sheet.
 * Each atom is rendered in real space as a normalised Gaussian, so the map's sum × Ts³ is the number of atoms
 * (minus what falls outside the box). The rendered particle is then filtered in Fourier space by the resolution's
 * Gaussian low-pass and the global B-factor (Xmipp's sign: |F| ∝ exp(B·s²/4), B < 0 blurs); that filter is 1 at
 * s = 0, so it keeps the mass and the centre of mass. Dust, background offset, noise and the mask-like cut are applied
 * after the filter, in the map's own units, scaled by the filtered particle's maximum ("peak").
 */
import { checkResolution } from "../analysis-inputs.js";
import { AnalysisInputError } from "../errors.js";
import { complexFft3d } from "../fourier/fft3d.js";
import { digitalFrequencies } from "../fourier/radial.js";
import { seededRandom } from "../random.js";
import type { Vec3, Volume } from "../io/volume.js";

/** σ (Å) of every pseudo-atom before any filter: about the blur of a well-ordered atom. */
export const ATOM_SIGMA = 1;
/** Gaussian atoms are rendered out to this many σ on each axis (the factor left out is below 4e-6). */
const RENDER_SIGMAS = 5;
/** Dust blobs' peak as a fraction of the particle's peak: above every preset's threshold, so each blob is a component. */
export const DUST_PEAK_FRACTION = 0.6;

export interface LabParameters {
  /** Lesson the parameters started from (see {@link labPresets}). */
  preset: LabPresetName;
  /** Seeds the noise and the dust positions. */
  seed: number;
  /** Voxels on each axis (cubic box). */
  boxSize: number;
  /** Å per voxel. */
  voxelSize: number;
  /** Particle centre minus box centre, Å. */
  offsetX: number;
  offsetY: number;
  offsetZ: number;
  /** Gaussian low-pass, Å: the amplitude is halved at s = 1/resolution. Also the resolution the map is analysed at. */
  resolution: number;
  /** Global B-factor applied in Fourier space, Å² (Xmipp's sign: negative blurs, positive sharpens). */
  bfactor: number;
  /** Extra blur (−B, Å²) at the particle's +x end, falling linearly to 0 at its −x end. */
  localBGradient: number;
  /** Constant added to the whole box, as a fraction of the particle's peak. */
  backgroundOffset: number;
  /** σ of white Gaussian noise added to every voxel, as a fraction of the particle's peak. */
  noiseSigma: number;
  /** Number of dust blobs placed at random outside the particle. */
  dustCount: number;
  /** σ of each dust blob, Å. */
  dustSize: number;
  /** 1: a second, disconnected helix bundle beside the particle. */
  secondDomain: 0 | 1;
  /** Radius (Å) of the spherical cut around the particle centre outside which the map is set to 0; 0 for none. */
  maskRadius: number;
  /** 1: the particle mirrored in x about its centre (the wrong hand). */
  handFlip: 0 | 1;
  /** Threshold to analyse at, as a fraction of the particle's peak (the map's own threshold is this × peak). */
  thresholdFraction: number;
}

type NumericKey = Exclude<keyof LabParameters, "preset">;

interface ParameterSpec {
  key: NumericKey;
  /** Name in the lab's URL. */
  query: string;
  label: string;
  unit: string;
  integer?: boolean;
  /** Allowed range; the offsets' range depends on the box, see {@link parameterRange}. */
  range: readonly [number, number];
}

/** Every numeric parameter with its unit and bounds, in URL order. */
export const labParameterSpecs: readonly ParameterSpec[] = [
  { key: "seed", query: "seed", label: "seed", unit: "", integer: true, range: [0, 2 ** 32 - 1] },
  // 160³ takes about 32 bytes per voxel while it is built (130 MiB), enough for a browser tab; lessons need 40–96³.
  { key: "boxSize", query: "box", label: "box size", unit: "voxels", integer: true, range: [24, 160] },
  { key: "voxelSize", query: "voxel", label: "voxel size", unit: "Å", range: [0.5, 5] },
  { key: "offsetX", query: "dx", label: "particle offset x", unit: "Å", range: [-400, 400] },
  { key: "offsetY", query: "dy", label: "particle offset y", unit: "Å", range: [-400, 400] },
  { key: "offsetZ", query: "dz", label: "particle offset z", unit: "Å", range: [-400, 400] },
  { key: "resolution", query: "res", label: "resolution", unit: "Å", range: [1, 30] },
  { key: "bfactor", query: "b", label: "global B-factor", unit: "Å²", range: [-1000, 500] },
  { key: "localBGradient", query: "localb", label: "local B gradient", unit: "Å²", range: [0, 1000] },
  { key: "backgroundOffset", query: "bg", label: "background offset", unit: "× peak", range: [-1, 1] },
  { key: "noiseSigma", query: "noise", label: "noise σ", unit: "× peak", range: [0, 2] },
  { key: "dustCount", query: "dust", label: "dust blobs", unit: "", integer: true, range: [0, 500] },
  { key: "dustSize", query: "dustsize", label: "dust blob σ", unit: "Å", range: [0.5, 10] },
  { key: "secondDomain", query: "domain", label: "second domain", unit: "", integer: true, range: [0, 1] },
  { key: "maskRadius", query: "mask", label: "mask-like cut radius", unit: "Å", range: [0, 1000] },
  { key: "handFlip", query: "flip", label: "hand flip", unit: "", integer: true, range: [0, 1] },
  { key: "thresholdFraction", query: "t", label: "threshold", unit: "× peak", range: [-1, 2] },
];

/** The range a parameter accepts in a box: offsets are at most half the box, so the particle centre stays inside. */
export function parameterRange(spec: ParameterSpec, p: Pick<LabParameters, "boxSize" | "voxelSize">): readonly [number, number] {
  if (spec.key === "offsetX" || spec.key === "offsetY" || spec.key === "offsetZ") {
    const half = (p.boxSize * p.voxelSize) / 2;
    return [-half, half];
  }
  return spec.range;
}

/** Refuses any parameter that is not a number in its range (and the resolution beyond Nyquist); returns `p`. */
export function checkLabParameters(p: LabParameters): LabParameters {
  if (!Object.hasOwn(labPresets, p.preset))
    throw new AnalysisInputError("unknown-lab-preset", `unknown lab preset "${p.preset}"; the presets are ${presetNames.join(", ")}`);
  for (const spec of labParameterSpecs) {
    const value = p[spec.key];
    const [low, high] = parameterRange(spec, p);
    if (!(typeof value === "number" && Number.isFinite(value)) || (spec.integer && !Number.isInteger(value)))
      throw new AnalysisInputError(
        "bad-lab-parameter",
        `lab parameter ${spec.key} (${spec.label}) must be ${spec.integer ? "an integer" : "a finite number"}, got ${value}`,
      );
    if (value < low || value > high)
      throw new AnalysisInputError(
        "lab-parameter-out-of-range",
        `lab parameter ${spec.key} (${spec.label}) is ${value}${spec.unit ? " " + spec.unit : ""}, outside ${low}…${high}`,
      );
  }
  checkResolution(p.resolution, p.voxelSize, "the lab's resolution parameter");
  return p;
}

/** One pseudo-atom: position relative to the particle centre (Å) and its σ (Å). */
export interface GaussianAtom {
  position: Vec3;
  sigma: number;
}

/** The particle's atoms, centred on their centroid (so a particle offset moves the centre of mass by exactly it). */
export function moleculeAtoms(o: { secondDomain: boolean }): Vec3[] {
  const atoms: Vec3[] = [];
  const bundle = (centre: Vec3) => {
    // Four helices on the corners of a 10 Å square, alternately up and down (an antiparallel bundle).
    const corners: Vec3[] = [[-5, -5, 0], [5, -5, 0], [5, 5, 0], [-5, 5, 0]];
    corners.forEach(([cx, cy], h) => helix(atoms, [centre[0] + cx, centre[1] + cy, centre[2]], h % 2 === 0 ? 1 : -1));
  };
  bundle([0, 0, 0]);
  // A four-stranded sheet in the plane x = 14 Å, strands along z, 4.8 Å apart, with side chains alternating in ±x.
  for (let s = 0; s < 4; s++)
    for (let r = 0; r < 8; r++) {
      const y = -7.2 + 4.8 * s, z = -11.55 + 3.3 * r, side = r % 2 === 0 ? 1 : -1;
      atoms.push([14, y, z], [14 + 0.9 * side, y + 1.2, z + 1.1], [14 + 2.6 * side, y, z]);
    }
  // The second domain, a helix bundle 30 Å from the first in −y: a 10 Å gap, separate at any preset threshold.
  if (o.secondDomain) bundle([0, -30, 0]);
  const centroid = meanPosition(atoms);
  for (const a of atoms) for (let k = 0; k < 3; k++) a[k] -= centroid[k];
  return atoms;
}

/** 20 residues of an α-helix along z (1.5 Å rise, 100° per residue, right-handed for direction +1). */
function helix(atoms: Vec3[], centre: Vec3, direction: 1 | -1): void {
  for (let r = 0; r < 20; r++) {
    const angle = direction * ((100 * Math.PI) / 180) * r, z = centre[2] + direction * (1.5 * r - 14.25);
    for (const [radius, shift, dz] of [[1.6, -0.5, -0.6], [2.3, 0, 0], [3.8, 0.3, 0.4]] as const) {
      const a = angle + direction * shift;
      atoms.push([centre[0] + radius * Math.cos(a), centre[1] + radius * Math.sin(a), z + direction * dz]);
    }
  }
}

function meanPosition(points: readonly Vec3[]): Vec3 {
  const m: Vec3 = [0, 0, 0];
  for (const p of points) for (let k = 0; k < 3; k++) m[k] += p[k] / points.length;
  return m;
}

/** Voxel index of the box centre on an axis of n voxels: the middle of voxels 0…n−1 (0.a measures from it). */
const boxCentre = (n: number) => (n - 1) / 2;

/**
 * Adds normalised Gaussians (each of mass `mass`) to a cubic box of n voxels of `ts` Å, centred at `centre` (voxel
 * coordinates, fractional). Each axis factor is normalised over its samples, so every atom inside the box adds exactly
 * `mass / ts³` to the box's sum; parts beyond the box edge are lost (no wrap-around). Returns the mass added.
 */
export function addGaussians(
  data: Float32Array,
  n: number,
  ts: number,
  atoms: readonly GaussianAtom[],
  centre: Vec3,
  mass = 1,
): number {
  const axes: Float64Array[] = [];
  let added = 0;
  for (const { position, sigma } of atoms) {
    let inBox = 1;
    const sigmaVoxels = sigma / ts, reach = Math.ceil(RENDER_SIGMAS * sigmaVoxels);
    const from: number[] = [], to: number[] = [];
    for (let k = 0; k < 3; k++) {
      const c = centre[k] + position[k] / ts;
      from[k] = Math.max(0, Math.floor(c) - reach);
      to[k] = Math.min(n - 1, Math.ceil(c) + reach);
      const factor = new Float64Array(Math.max(0, to[k] - from[k] + 1));
      // The unclipped sum normalises, so the part beyond the box is lost rather than folded back in.
      let total = 0;
      for (let i = Math.floor(c) - reach; i <= Math.ceil(c) + reach; i++) {
        const g = Math.exp(-0.5 * ((i - c) / sigmaVoxels) ** 2);
        total += g;
        if (i >= from[k] && i <= to[k]) factor[i - from[k]] = g;
      }
      let kept = 0;
      for (let i = 0; i < factor.length; i++) kept += factor[i] /= total;
      inBox *= kept;
      axes[k] = factor;
    }
    const [ax, ay, az] = axes, scale = mass / ts ** 3;
    for (let z = from[2]; z <= to[2]; z++)
      for (let y = from[1]; y <= to[1]; y++) {
        const w = scale * az[z - from[2]] * ay[y - from[1]], row = n * (y + n * z);
        for (let x = from[0]; x <= to[0]; x++) data[row + x] += w * ax[x - from[0]];
      }
    added += mass * inBox;
  }
  return added;
}

/** σ (Å) of the resolution's Gaussian low-pass: exp(−2π²σ²s²) = 1/2 at s = 1/resolution. */
export function lowPassSigma(resolution: number): number {
  return resolution * Math.sqrt(Math.LN2 / (2 * Math.PI * Math.PI));
}

/**
 * The filter of the resolution and the B-factor at s² (Å⁻²): exp(−2π²σ²s²)·exp(B·s²/4), a Gaussian low-pass of σ Å
 * and Xmipp's B-factor. A negative B (blur) acts at every frequency, as a physical blur does; a positive B
 * (sharpening) stops growing at s = 1/resolution, as Xmipp's correction does (beyond it the gain keeps its value
 * there instead of amplifying the finest shells a thousandfold).
 */
export function filterGain(o: { sigma: number; bfactor: number; resolution: number }): (s2: number) => number {
  const lowPass = 2 * Math.PI * Math.PI * o.sigma * o.sigma, sharpenedS2 = 1 / (o.resolution * o.resolution);
  return (s2) => Math.exp(-lowPass * s2 + (o.bfactor / 4) * (o.bfactor > 0 ? Math.min(s2, sharpenedS2) : s2));
}

/**
 * Two real cubic volumes filtered by {@link filterGain} at once, as the real and imaginary parts of one complex FFT
 * (the gain is real and even, so the parts stay apart). Periodic, as any FFT filter.
 */
export function fourierFilterPair(
  first: Float32Array,
  second: Float32Array,
  n: number,
  ts: number,
  gain: (s2: number) => number,
): [Float32Array, Float32Array] {
  const packed = new Float64Array(2 * n * n * n);
  for (let i = 0; i < first.length; i++) {
    packed[2 * i] = first[i];
    packed[2 * i + 1] = second[i];
  }
  const shape = { nx: n, ny: n, nz: n };
  complexFft3d(packed, shape, "forward");
  // The gain depends on s² = (kx² + ky² + kz²)/(n·Ts)² only, with integer signed indices: one value per integer.
  const k = Int32Array.from(digitalFrequencies(n), (f) => Math.round(f * n));
  const half = Math.floor(n / 2), gains = new Float64Array(3 * half * half + 1);
  for (let r2 = 0; r2 < gains.length; r2++) gains[r2] = gain(r2 / (n * ts) ** 2);
  for (let kz = 0, e = 0; kz < n; kz++)
    for (let ky = 0; ky < n; ky++)
      for (let kx = 0; kx < n; kx++, e++) {
        const g = gains[k[kx] * k[kx] + k[ky] * k[ky] + k[kz] * k[kz]];
        packed[2 * e] *= g;
        packed[2 * e + 1] *= g;
      }
  complexFft3d(packed, shape, "inverse");
  const a = new Float32Array(first.length), b = new Float32Array(first.length);
  for (let i = 0; i < a.length; i++) {
    a[i] = packed[2 * i];
    b[i] = packed[2 * i + 1];
  }
  return [a, b];
}

/** Fills `out` with standard normal numbers from a uniform source (Box–Muller, both numbers of each pair used). */
function fillNormal(out: Float32Array, uniform: () => number): void {
  for (let i = 0; i < out.length; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - uniform())), angle = 2 * Math.PI * uniform();
    out[i] = radius * Math.cos(angle);
    if (i + 1 < out.length) out[i + 1] = radius * Math.sin(angle);
  }
}

export interface SyntheticMap {
  volume: Volume;
  parameters: LabParameters;
  /** Maximum of the filtered particle before dust, background, noise and cut: the unit of the "× peak" parameters. */
  peak: number;
  /** Threshold to analyse at: thresholdFraction × peak. */
  threshold: number;
  /** Resolution to analyse at (the low-pass's), Å. */
  resolution: number;
  /** Number of pseudo-atoms (each of mass 1) in the particle, second domain included. */
  atoms: number;
  /** Particle centre in voxel coordinates: box centre + offset / Ts. */
  particleCentre: Vec3;
  /** Dust blob centres actually placed, voxel coordinates. */
  dustCentres: Vec3[];
  /** What the map leaves out of what was asked: particle mass cut off by the box edges, dust blobs that did not fit. */
  warnings: string[];
}

const DUST_STREAM = 0x9e3779b9;

/** Dust is kept this far (Å) beyond the particle's outermost atom, so that blobs do not touch it. */
const DUST_CLEARANCE = 8;

/** Builds the synthetic map of {@link LabParameters} (checked first). Same parameters, same map, to the bit. */
export function buildSyntheticMap(parameters: LabParameters): SyntheticMap {
  const p = checkLabParameters(parameters);
  const n = p.boxSize, ts = p.voxelSize;
  const particleCentre: Vec3 = [
    boxCentre(n) + p.offsetX / ts,
    boxCentre(n) + p.offsetY / ts,
    boxCentre(n) + p.offsetZ / ts,
  ];
  const positions = moleculeAtoms({ secondDomain: p.secondDomain === 1 });
  const xs = positions.map((a) => a[0]), minX = Math.min(...xs), maxX = Math.max(...xs);
  const atoms: GaussianAtom[] = positions.map((position) => {
    // Extra blur −B = localBGradient·t (t = 0 at −x, 1 at +x) widens the Gaussian by B/(8π²) in σ².
    const t = maxX > minX ? (position[0] - minX) / (maxX - minX) : 0;
    const sigma = Math.sqrt(ATOM_SIGMA ** 2 + (p.localBGradient * t) / (8 * Math.PI * Math.PI));
    // The flip mirrors the particle as it is, its blur gradient included.
    return { position: [p.handFlip === 1 ? -position[0] : position[0], position[1], position[2]], sigma };
  });
  const rendered = new Float32Array(n * n * n);
  const massInBox = addGaussians(rendered, n, ts, atoms, particleCentre);
  const warnings: string[] = [];
  if (massInBox < atoms.length * (1 - 1e-3))
    warnings.push(`The box holds ${+((100 * massInBox) / atoms.length).toFixed(1)} % of the particle's mass; the rest is cut off by its edges.`);
  // The noise goes through the same filter as the particle, as a reconstruction's noise does: white noise would
  // put a floor under the Guinier plot and hide the B-factor. It is then scaled to an rms of noiseSigma × peak.
  const white = new Float32Array(n * n * n);
  if (p.noiseSigma > 0) fillNormal(white, seededRandom(p.seed));
  const gain = filterGain({ sigma: lowPassSigma(p.resolution), bfactor: p.bfactor, resolution: p.resolution });
  const [data, noise] = fourierFilterPair(rendered, white, n, ts, gain);
  let peak = -Infinity;
  for (let i = 0; i < data.length; i++) if (data[i] > peak) peak = data[i];
  // A particle moved (almost) out of the box can leave nothing to scale by.
  if (!(peak > 0))
    throw new AnalysisInputError("empty-synthetic-particle", "the synthetic particle has no positive density in the box; move it back inside");

  // Separate streams, so that adding dust does not change the noise.
  const dustCentres = placeDust(p, positions, particleCentre, seededRandom(p.seed ^ DUST_STREAM));
  if (dustCentres.length < p.dustCount)
    warnings.push(`Only ${dustCentres.length} of the ${p.dustCount} dust blobs fit in the box away from the particle and each other.`);
  // A dust blob of σ s and peak P has mass P·(2π)^{3/2}·s³.
  const dustMass = DUST_PEAK_FRACTION * peak * (2 * Math.PI) ** 1.5 * p.dustSize ** 3;
  for (const c of dustCentres) addGaussians(data, n, ts, [{ position: [0, 0, 0], sigma: p.dustSize }], c, dustMass);

  let squares = 0;
  for (let i = 0; i < noise.length; i++) squares += noise[i] * noise[i];
  const noiseScale = p.noiseSigma > 0 ? (p.noiseSigma * peak) / Math.sqrt(squares / noise.length) : 0;
  const offset = p.backgroundOffset * peak;
  for (let i = 0; i < data.length; i++) data[i] += offset + noiseScale * noise[i];

  if (p.maskRadius > 0) {
    const r2 = (p.maskRadius / ts) ** 2;
    for (let z = 0, i = 0; z < n; z++)
      for (let y = 0; y < n; y++)
        for (let x = 0; x < n; x++, i++) {
          const d2 = (x - particleCentre[0]) ** 2 + (y - particleCentre[1]) ** 2 + (z - particleCentre[2]) ** 2;
          if (d2 > r2) data[i] = 0;
        }
  }
  return {
    volume: { nx: n, ny: n, nz: n, data, voxelSize: [ts, ts, ts], origin: [0, 0, 0] },
    parameters: p,
    peak,
    threshold: p.thresholdFraction * peak,
    resolution: p.resolution,
    atoms: atoms.length,
    particleCentre,
    dustCentres,
    warnings,
  };
}

/**
 * Dust centres, uniform in the box but at least DUST_CLEARANCE + 3σ beyond the particle's outermost atom, 3σ inside
 * the box edges and 6σ from each other. A bounded number of tries: in a box with no room, fewer blobs are placed.
 */
function placeDust(p: LabParameters, positions: readonly Vec3[], centre: Vec3, uniform: () => number): Vec3[] {
  const n = p.boxSize, ts = p.voxelSize;
  let radius = 0;
  for (const a of positions) radius = Math.max(radius, Math.hypot(a[0], a[1], a[2]));
  const keepOut = (radius + DUST_CLEARANCE + 3 * p.dustSize) / ts, margin = (3 * p.dustSize) / ts;
  // Two blobs 6σ apart sum to 2·e^−4.5 ≈ 2 % of their peak midway: above that threshold each is its own component.
  const separation = (6 * p.dustSize) / ts;
  const placed: Vec3[] = [];
  for (let tries = 0; placed.length < p.dustCount && tries < 100 * p.dustCount; tries++) {
    const c: Vec3 = [0, 1, 2].map(() => margin + uniform() * (n - 1 - 2 * margin)) as Vec3;
    const apart = placed.every((d) => Math.hypot(c[0] - d[0], c[1] - d[1], c[2] - d[2]) >= separation);
    if (apart && Math.hypot(c[0] - centre[0], c[1] - centre[1], c[2] - centre[2]) >= keepOut) placed.push(c);
  }
  return placed;
}

export type LabPresetName =
  | "clean"
  | "off-centre"
  | "tight-box"
  | "dusty"
  | "background-offset"
  | "over-sharpened"
  | "blurred"
  | "two-domains"
  | "masked-deposit"
  | "threshold-too-low";

export interface LabPreset {
  name: LabPresetName;
  title: string;
  /** The lesson in plain words: what the defect is, how it arises in an experiment, which check catches it and why. */
  lesson: string;
  parameters: LabParameters;
}

/** The clean map every preset changes: a 120 Å box, 4 Å resolution, a little noise, threshold at a quarter of the peak. */
const cleanParameters: LabParameters = {
  preset: "clean", seed: 1, boxSize: 80, voxelSize: 1.5, offsetX: 0, offsetY: 0, offsetZ: 0, resolution: 4, bfactor: 0,
  localBGradient: 0, backgroundOffset: 0, noiseSigma: 0.02, dustCount: 0, dustSize: 2, secondDomain: 0, maskRadius: 0,
  handFlip: 0, thresholdFraction: 0.25,
};

const preset = (name: LabPresetName, title: string, lesson: string, changes: Partial<LabParameters>): LabPreset => ({
  name, title, lesson, parameters: { ...cleanParameters, ...changes, preset: name },
});

export const labPresets: Readonly<Record<LabPresetName, LabPreset>> = Object.freeze({
  clean: preset(
    "clean",
    "A clean map",
    "The particle sits in the middle of a box with room on every side, the background is faint noise around zero, the " +
      "amplitudes fall off as a 4 Å map's should, and the threshold sits well above the noise. 0.a, 0.b, 0.c and 0.d " +
      "all pass: this is the map every other lesson spoils in one way.",
    {},
  ),
  "off-centre": preset(
    "off-centre",
    "The particle is off centre",
    "The particle has been moved 30 Å along x. In an experiment this happens when particles are picked or re-centred " +
      "badly, or when a focused refinement keeps the box of the whole complex. 0.a catches it on x only: the empty " +
      "space left and right of the mask differ by more than 20 % of the box, the right side has less than 20 Å left " +
      "for the CTF correction, and the centre of mass is more than 20 % of the box from its centre. y and z stay OK.",
    { offsetX: 30 },
  ),
  "tight-box": preset(
    "tight-box",
    "The box is too small",
    "The box is 40 voxels (60 Å) for a particle about 40 Å across. In an experiment this happens when particles are " +
      "extracted in a small box to save memory or time. The CTF spreads each particle's signal beyond its edge, and a " +
      "tight box cuts that signal off. 0.a catches it: on every axis there is less than 20 Å of empty space between " +
      "the mask and the box edge.",
    { boxSize: 40 },
  ),
  dusty: preset(
    "dusty",
    "Dust around the particle",
    "Forty small blobs are scattered in the solvent around the particle, each above the threshold. In an experiment " +
      "they are noise that a low threshold lets through, or ice and carbon contamination, or a map not masked after " +
      "refinement. 0.b catches them: more than 5 connected pieces are needed to hold 95 % of the thresholded volume, " +
      "and the pieces left over are far larger than 5 Å³ on average. 0.c sees the dust too: it lies outside the " +
      "constructed mask, in what 0.c takes as background, which is then neither centred on zero nor Gaussian.",
    { dustCount: 40 },
  ),
  "background-offset": preset(
    "background-offset",
    "The background is not zero",
    "A constant of 5 % of the peak has been added to the whole box, so the solvent around the particle is not zero " +
      "on average. In an experiment this comes from a poorly normalised reconstruction or a wrong solvent-flattening " +
      "step. 0.c catches it: its t-test of the background voxels against mean 0 gives a p-value far below 0.001, " +
      "because so many voxels all sit a little above zero.",
    { backgroundOffset: 0.05 },
  ),
  "over-sharpened": preset(
    "over-sharpened",
    "The map is over-sharpened",
    "The amplitudes have been boosted with a B-factor of +250 Å², so fine detail is stronger than coarse detail. In " +
      "an experiment this happens when a sharpening B-factor is chosen too large, which makes noise look like " +
      "detail. 0.d catches it: the line fitted to the Guinier plot between 15 Å and the resolution rises, giving a " +
      "positive B, outside the interval [−300, 0] Å². The boosted noise also breaks the thresholded volume into many " +
      "small pieces, so 0.b and 0.c warn as well.",
    { bfactor: 250 },
  ),
  blurred: preset(
    "blurred",
    "The map is blurred",
    "A B-factor of −400 Å² has been applied, so the amplitudes fall off much faster than a 4 Å map's should: the map " +
      "looks like a map at a worse resolution than the one claimed. In an experiment this comes from a map that was " +
      "never sharpened, from flexible or heterogeneous particles, or from a resolution claim that is too optimistic. " +
      "0.d catches it: the Guinier fit between 15 Å and 4 Å gives B below −300 Å². The blur also spreads density " +
      "beyond the mask, so 0.c finds the background's mean above zero.",
    { bfactor: -400 },
  ),
  "two-domains": preset(
    "two-domains",
    "Two disconnected domains",
    "A second helix bundle sits 10 Å away from the particle, not touching it. In an experiment this is a flexible " +
      "domain whose linker is not resolved, or two particles reconstructed together. 0.b catches it: the constructed " +
      "mask grows from the largest piece only, so fewer than 75 % of the thresholded voxels fall inside it; the " +
      "sections that use that mask note that it leaves part of the map out, and 0.c, which takes everything outside it " +
      "as background, finds the second domain there.",
    { secondDomain: 1 },
  ),
  "masked-deposit": preset(
    "masked-deposit",
    "A masked deposition",
    "Everything more than 30 Å from the particle centre has been set to exactly 0, as when a map is deposited after " +
      "masking. The noise remains only in a shell around the particle. 0.c catches it: the background is mostly exact " +
      "zeros, so its standard deviation is small, and the noise left in the shell gives far more voxels beyond 5σ " +
      "than a Gaussian background would.",
    { maskRadius: 30, noiseSigma: 0.05 },
  ),
  "threshold-too-low": preset(
    "threshold-too-low",
    "The threshold is too low",
    "The map is the clean one, but the threshold is 3 % of the peak, barely above the noise (σ = 2 % of the peak). In " +
      "an experiment this is a contour level chosen too low when the map was deposited. Every check that uses the " +
      "mask changes: 0.b finds thousands of noise pieces, so more than 5 are needed to hold 95 % of the thresholded " +
      "volume and the constructed mask (the largest piece) holds only a small part of it; 0.a and 0.c note that " +
      "their verdicts rest on that largest piece alone.",
    { thresholdFraction: 0.03 },
  ),
});

const presetNames = Object.keys(labPresets) as LabPresetName[];

/** The parameters as a URL query (`preset=dusty&seed=3&box=80&…`), every parameter included, in a fixed order. */
export function labQuery(p: LabParameters): string {
  const pairs = [`preset=${encodeURIComponent(p.preset)}`];
  for (const spec of labParameterSpecs) pairs.push(`${spec.query}=${String(p[spec.key])}`);
  return pairs.join("&");
}

/**
 * The parameters that differ from `before` to `after`, in words and URL order ("box size 80 → 40 voxels"), the
 * preset first when it changed: the lab's "what changed" line says what was moved before what followed.
 */
export function labParameterChanges(before: LabParameters, after: LabParameters): string[] {
  const changes = before.preset === after.preset ? [] : [`preset ${before.preset} → ${after.preset}`];
  // Six digits: a threshold typed in map units becomes a fraction of the peak with float noise.
  const shown = (spec: ParameterSpec, x: number) => (spec.integer ? String(x) : String(Number(x.toPrecision(6))));
  for (const spec of labParameterSpecs)
    if (before[spec.key] !== after[spec.key])
      changes.push(`${spec.label} ${shown(spec, before[spec.key])} → ${shown(spec, after[spec.key])}${spec.unit ? ` ${spec.unit}` : ""}`);
  return changes;
}

/**
 * Parameters from a URL query (with or without its leading "?"): the named preset's (default `clean`), with every
 * parameter the query gives in its place. An unknown name, a value that is not a number or one out of range is
 * refused, so a mistyped link fails loudly instead of showing another map.
 */
export function labParametersFromQuery(query: string): LabParameters {
  const given = new Map<string, string>();
  for (const pair of query.replace(/^\?/, "").split("&")) {
    if (pair === "") continue;
    const at = pair.indexOf("=");
    const decode = (text: string) => decodeURIComponent(text.replace(/\+/g, " "));
    given.set(decode(at < 0 ? pair : pair.slice(0, at)), at < 0 ? "" : decode(pair.slice(at + 1)));
  }
  const name = given.get("preset") ?? "clean";
  if (!Object.hasOwn(labPresets, name))
    throw new AnalysisInputError("unknown-lab-preset", `unknown lab preset "${name}"; the presets are ${presetNames.join(", ")}`);
  const p: LabParameters = { ...labPresets[name as LabPresetName].parameters };
  for (const [key, text] of given) {
    if (key === "preset") continue;
    const spec = labParameterSpecs.find((s) => s.query === key);
    if (!spec)
      throw new AnalysisInputError(
        "unknown-lab-parameter",
        `unknown lab parameter "${key}" in the query; the parameters are preset, ${labParameterSpecs.map((s) => s.query).join(", ")}`,
      );
    const value = text.trim() === "" ? NaN : Number(text);
    if (!Number.isFinite(value))
      throw new AnalysisInputError("bad-lab-parameter", `lab parameter ${key} (${spec.label}) in the query is "${text}", not a number`);
    (p as unknown as Record<string, number>)[spec.key] = value;
  }
  return checkLabParameters(p);
}
