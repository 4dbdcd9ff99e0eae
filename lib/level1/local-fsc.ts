/**
 * 1.c: a BlocRes-style local FSC (Cardone et al. 2013; VRS runs `bsoft blocres -box 20 -cutoff 0.5`). Around each
 * centre of a grid with a stride, a box of the two halves is windowed, Fourier transformed, and its FSC (shells
 * round(R·box), as 1.a) crossed at 0.5; each voxel of the mask takes the resolution of its nearest centre. All sizes
 * are bounded (box, stride, number of boxes). Rules and choices: docs/reference/level1.md "1.c".
 */
import { AnalysisInputError } from "../errors.js";
import { realFft3d, type GridShape } from "../fourier/fft3d.js";
import { digitalFrequencies, shellIndex } from "../fourier/radial.js";
import type { Volume } from "../io/volume.js";

/** Bsoft's box edge (voxels) and FSC cutoff as VRS runs blocres. */
export const LOCAL_FSC_DEFAULTS = { box: 20, cutoff: 0.5 } as const;
/** Box edges accepted (voxels): below 8 a box has too few shells to cross; above 64 one box is a 1.a of its own. */
export const LOCAL_FSC_BOX_RANGE: readonly [number, number] = [8, 64];
/** At most this many boxes are computed: the stride is raised until the centres in the mask fit. */
export const MAX_LOCAL_FSC_BOXES = 20_000;

export interface LocalFscOptions {
  /** Ts, Å per voxel. */
  voxelSize: number;
  /** Box edge (even, voxels). Default 20. */
  box?: number;
  /** Centre spacing (voxels); default (and at least) the smallest that keeps the boxes within MAX_LOCAL_FSC_BOXES. */
  stride?: number;
  /** FSC level crossed. Default 0.5. */
  cutoff?: number;
  /** Voxels to give a local resolution (1); default all. */
  mask?: Uint8Array;
}

export interface BoxFsc {
  /** 1/Å of shells 1 … box/2. */
  frequency: number[];
  fsc: number[];
}

export interface LocalFscResult {
  /** Å per voxel of the mask (0 elsewhere, and where the box could not be measured). */
  map: Float32Array;
  box: number;
  stride: number;
  cutoff: number;
  /** Boxes computed; those whose FSC never fell below the cutoff (resolution = the box's Nyquist, 2·Ts). */
  boxes: number;
  atNyquist: number;
  /** Boxes below the cutoff at their first shell (resolution box·Ts). */
  atBoxEdge: number;
  /** Boxes with a shell of no power before any crossing (an empty box): left at 0 and out of the statistics. */
  unmeasured: number;
}

/** Separable Hann window of a box edge: ½(1 − cos(2π(i + ½)/b)), so that the box's faces do not add detail. */
function hannWindow(box: number): Float64Array {
  return Float64Array.from({ length: box }, (_, i) => 0.5 * (1 - Math.cos((2 * Math.PI * (i + 0.5)) / box)));
}

/** Reusable per-box state: the window, the shell of every stored bin (−1 beyond R = 0.5), the box buffers. */
class BoxFscComputer {
  readonly shells: Int32Array;
  private readonly window: Float64Array;
  private readonly a: Float64Array;
  private readonly b: Float64Array;
  private readonly spectrumA: Float64Array;
  private readonly spectrumB: Float64Array;
  readonly frequency: number[];

  constructor(readonly box: number, voxelSize: number) {
    const hx = (box >> 1) + 1;
    this.window = hannWindow(box);
    this.a = new Float64Array(box ** 3);
    this.b = new Float64Array(box ** 3);
    this.spectrumA = new Float64Array(2 * hx * box * box);
    this.spectrumB = new Float64Array(2 * hx * box * box);
    const f = digitalFrequencies(box);
    this.shells = new Int32Array(hx * box * box);
    for (let kz = 0, e = 0; kz < box; kz++)
      for (let ky = 0; ky < box; ky++)
        for (let kx = 0; kx < hx; kx++, e++) {
          const r2 = f[kz] * f[kz] + f[ky] * f[ky] + f[kx] * f[kx];
          this.shells[e] = r2 <= 0.25 ? shellIndex(Math.sqrt(r2), box) : -1;
        }
    this.frequency = Array.from({ length: box >> 1 }, (_, i) => (i + 1) / (box * voxelSize));
  }

  /** FSC of shells 1 … box/2 of the windowed box whose corner is `start` (periodic), in half1 and half2. */
  fsc(half1: Volume, half2: Volume, start: readonly [number, number, number]): number[] {
    const { box, window, a, b } = this;
    const { nx, ny, nz } = half1;
    for (let z = 0, i = 0; z < box; z++) {
      const gz = (((start[2] + z) % nz) + nz) % nz;
      for (let y = 0; y < box; y++) {
        const gy = (((start[1] + y) % ny) + ny) % ny;
        const wyz = window[z] * window[y];
        for (let x = 0; x < box; x++, i++) {
          const gx = (((start[0] + x) % nx) + nx) % nx;
          const g = gx + nx * (gy + ny * gz);
          const w = wyz * window[x];
          a[i] = w * half1.data[g];
          b[i] = w * half2.data[g];
        }
      }
    }
    const shape = { nx: box, ny: box, nz: box };
    const s1 = realFft3d({ ...shape, data: a }, this.spectrumA).data, s2 = realFft3d({ ...shape, data: b }, this.spectrumB).data;
    const shellCount = (box >> 1) + 1;
    const cross = new Float64Array(shellCount), p1 = new Float64Array(shellCount), p2 = new Float64Array(shellCount);
    for (let e = 0; e < this.shells.length; e++) {
      const s = this.shells[e];
      if (s < 0) continue;
      const r1 = s1[2 * e], i1 = s1[2 * e + 1], r2 = s2[2 * e], i2 = s2[2 * e + 1];
      cross[s] += r1 * r2 + i1 * i2;
      p1[s] += r1 * r1 + i1 * i1;
      p2[s] += r2 * r2 + i2 * i2;
    }
    return Array.from({ length: box >> 1 }, (_, i) => cross[i + 1] / Math.sqrt(p1[i + 1] * p2[i + 1]));
  }
}

/** The FSC of one box (corner `start`, periodic) of the two halves, shells 1 … box/2. */
export function boxFsc(half1: Volume, half2: Volume, start: readonly [number, number, number], box: number, voxelSize: number): BoxFsc {
  const computer = new BoxFscComputer(checkBox(box, half1), voxelSize);
  return { frequency: computer.frequency, fsc: computer.fsc(half1, half2, start) };
}

function checkBox(box: number, grid: GridShape): number {
  const [low, high] = LOCAL_FSC_BOX_RANGE;
  if (!(Number.isInteger(box) && box % 2 === 0 && box >= low && box <= high))
    throw new AnalysisInputError("bad-box", `the local FSC box must be an even number of voxels from ${low} to ${high}, got ${box}`);
  if (box > Math.min(grid.nx, grid.ny, grid.nz))
    throw new AnalysisInputError("box-too-large", `the local FSC box (${box} voxels) is larger than the map (${grid.nx}×${grid.ny}×${grid.nz})`);
  return box;
}

/**
 * The resolution (Å) where a box's FSC first falls below `cutoff`, interpolated linearly in frequency between the
 * shells around it, as blocres scans from the first shell: the box's Nyquist 2·Ts when it never does, its coarsest
 * shell (box·Ts) when the first shell is already below, and 0 (not measured) when a shell before the crossing has no
 * power (NaN: an empty box).
 */
export function boxResolution(curve: BoxFsc, cutoff: number, voxelSize: number): number {
  const { frequency, fsc } = curve;
  for (let i = 0; i < fsc.length; i++) {
    if (Number.isNaN(fsc[i])) return 0;
    if (!(fsc[i] < cutoff)) continue;
    if (i === 0) return 1 / frequency[0];
    const f = frequency[i - 1] + ((cutoff - fsc[i - 1]) * (frequency[i] - frequency[i - 1])) / (fsc[i] - fsc[i - 1]);
    return 1 / f;
  }
  return 2 * voxelSize;
}

/** Nearest centre index of voxel coordinate v on an axis of n voxels with centres 0, s, 2s, … (< n). */
function nearestCentre(v: number, s: number, centres: number): number {
  return Math.min(Math.round(v / s), centres - 1);
}

export function localFsc(half1: Volume, half2: Volume, options: LocalFscOptions): LocalFscResult {
  const { nx, ny, nz } = half1;
  if (half2.nx !== nx || half2.ny !== ny || half2.nz !== nz)
    throw new AnalysisInputError("half-map-shape-mismatch", `half map 2 is ${half2.nx}×${half2.ny}×${half2.nz} voxels, half map 1 is ${nx}×${ny}×${nz}`);
  const { voxelSize } = options;
  if (!(Number.isFinite(voxelSize) && voxelSize > 0))
    throw new AnalysisInputError("bad-voxel-size", `voxelSize must be a positive number of Å, got ${voxelSize}`);
  const box = checkBox(options.box ?? LOCAL_FSC_DEFAULTS.box, half1);
  const cutoff = options.cutoff ?? LOCAL_FSC_DEFAULTS.cutoff;
  if (!(cutoff > 0 && cutoff < 1)) throw new AnalysisInputError("bad-cutoff", `the FSC cutoff must lie in (0, 1), got ${cutoff}`);
  const n = nx * ny * nz;
  const mask = options.mask;
  if (mask && mask.length !== n) throw new AnalysisInputError("mask-shape-mismatch", `the mask has ${mask.length} voxels, the half maps ${n}`);
  const requested = options.stride ?? 1;
  if (!(Number.isInteger(requested) && requested >= 1 && requested <= Math.max(nx, ny, nz)))
    throw new AnalysisInputError("bad-stride", `the stride must be a whole number of voxels from 1 to ${Math.max(nx, ny, nz)}, got ${requested}`);

  // The centres needed at stride s: those nearest to some mask voxel. Raise s until they fit the budget.
  let stride = requested;
  let needed: Uint8Array, counts: [number, number, number], boxes: number;
  for (;;) {
    counts = [Math.ceil(nx / stride), Math.ceil(ny / stride), Math.ceil(nz / stride)];
    needed = new Uint8Array(counts[0] * counts[1] * counts[2]);
    for (let z = 0, i = 0; z < nz; z++)
      for (let y = 0; y < ny; y++)
        for (let x = 0; x < nx; x++, i++)
          if (!mask || mask[i]) needed[centreOf(x, y, z, stride, counts)] = 1;
    boxes = needed.reduce((s, v) => s + v, 0);
    if (boxes <= MAX_LOCAL_FSC_BOXES) break;
    stride++;
  }

  const computer = new BoxFscComputer(box, voxelSize);
  const resolution = new Float32Array(needed.length);
  let atNyquist = 0, atBoxEdge = 0, unmeasured = 0;
  for (let cz = 0, c = 0; cz < counts[2]; cz++)
    for (let cy = 0; cy < counts[1]; cy++)
      for (let cx = 0; cx < counts[0]; cx++, c++) {
        if (!needed[c]) continue;
        const start = [cx * stride - box / 2, cy * stride - box / 2, cz * stride - box / 2] as const;
        const r = boxResolution({ frequency: computer.frequency, fsc: computer.fsc(half1, half2, start) }, cutoff, voxelSize);
        if (r === 2 * voxelSize) atNyquist++;
        if (r === box * voxelSize) atBoxEdge++;
        if (r === 0) unmeasured++;
        resolution[c] = r;
      }
  const map = new Float32Array(n);
  for (let z = 0, i = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, i++) if (!mask || mask[i]) map[i] = resolution[centreOf(x, y, z, stride, counts)];
  return { map, box, stride, cutoff, boxes, atNyquist, atBoxEdge, unmeasured };
}

function centreOf(x: number, y: number, z: number, stride: number, counts: [number, number, number]): number {
  return nearestCentre(x, stride, counts[0]) + counts[0] * (nearestCentre(y, stride, counts[1]) + counts[1] * nearestCentre(z, stride, counts[2]));
}
