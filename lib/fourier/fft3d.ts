/**
 * 3-D FFTs of any box size, in float64, built from the 1-D plans of fft.ts (one axis at a time).
 *
 * Real volumes use a half spectrum, the layout of `np.fft.rfftn` on a (z, y, x) array:
 *
 * - `hx = ⌊nx/2⌋ + 1` bins along x (kx = 0 … ⌊nx/2⌋), all `ny` bins along y and all `nz` along z;
 * - bin (kx, ky, kz) is complex element `e = kx + hx·(ky + ny·kz)`, stored interleaved: `data[2e]` real part,
 *   `data[2e+1]` imaginary part (x fastest, like `Volume`);
 * - ky ≤ ny/2 is frequency ky/ny, ky > ny/2 is the negative frequency (ky − ny)/ny (same along z; see
 *   `digitalFrequency` in radial.ts);
 * - the bins with negative kx are not stored: F(−k) = conj F(k) for real input.
 *
 * Forward transforms are unnormalised, `F(k) = Σ_r v(r)·exp(−2πi k·r/n)`; inverses divide by nx·ny·nz, so the round
 * trip is the identity (as numpy does).
 */
import { batchFft } from "./fft-batch.js";
import { complexFft } from "./fft.js";
import { allSteps, type Steps } from "../steps.js";

export interface GridShape {
  readonly nx: number;
  readonly ny: number;
  readonly nz: number;
}

/** A real volume on the grid: voxel (x, y, z) is `data[x + nx·(y + ny·z)]`. `Volume` satisfies it. */
export interface RealGrid extends GridShape {
  readonly data: ArrayLike<number>;
}

/** Half spectrum of a real nx × ny × nz grid; layout in the module comment. */
export interface HalfSpectrum extends GridShape {
  /** ⌊nx/2⌋ + 1, the number of stored bins along x. */
  readonly hx: number;
  /** Interleaved complex, length 2·hx·ny·nz. */
  readonly data: Float64Array;
}

export function halfWidth(nx: number): number {
  return Math.floor(nx / 2) + 1;
}

/**
 * Forward real-to-complex 3-D DFT (like `np.fft.rfftn` on the (z, y, x) array), written into `out` (length 2·hx·ny·nz)
 * when given, e.g. a buffer reused for many transforms. The grid's data may be `out`'s own first nx·ny·nz values (a
 * view of it from offset 0): the transform then runs in place, with no second buffer. Any other overlap is wrong.
 */
export function realFft3d(grid: RealGrid, out?: Float64Array): HalfSpectrum {
  const { nx, ny, nz, hx } = checkForward(grid, out);
  const data = out ?? new Float64Array(2 * hx * ny * nz);
  realRowsToHalfSpectrum(grid.data, data, nx, ny * nz);
  transformSlowAxes(data, hx, ny, nz, -1);
  return { nx, ny, nz, hx, data };
}

/**
 * `realFft3d` rounded to float32 (same layout), for spectra kept in float32: computed a z plane at a time (x and y
 * passes) and then a y slab at a time (z pass) in float64, so that no float64 copy of the whole spectrum is needed.
 * Each value is rounded twice, after the y pass and at the end.
 */
export function realFft3dFloat32(grid: RealGrid, out?: Float32Array): Float32Array {
  return allSteps(realFft3dFloat32Steps(grid, out));
}

/** `realFft3dFloat32` in steps (lib/steps.ts): it yields after each z plane and each y slab. */
export function* realFft3dFloat32Steps(grid: RealGrid, out?: Float32Array): Steps<Float32Array> {
  const { nx, ny, nz, hx } = checkForward(grid, out);
  const data = out ?? new Float32Array(2 * hx * ny * nz);
  const plane = new Float64Array(2 * hx * ny);
  const yPlan = batchFft(ny), zPlan = batchFft(nz);
  for (let z = 0; z < nz; z++) {
    realRowsToHalfSpectrum(grid.data, plane, nx, ny, nx * ny * z);
    const [from, to] = nonZeroLines(plane, 0, hx, ny, hx);
    yPlan.transform(plane, 0, hx, from, to, -1);
    data.set(plane, 2 * hx * ny * z);
    yield;
  }
  // Slab ky: sample kz of line kx at kx + hx·kz.
  const slab = new Float64Array(2 * hx * nz);
  for (let ky = 0; ky < ny; ky++) {
    for (let kz = 0; kz < nz; kz++) {
      const at = 2 * hx * (ky + ny * kz);
      slab.set(data.subarray(at, at + 2 * hx), 2 * hx * kz);
    }
    const [from, to] = nonZeroLines(slab, 0, hx, nz, hx);
    zPlan.transform(slab, 0, hx, from, to, -1);
    for (let kz = 0; kz < nz; kz++) data.set(slab.subarray(2 * hx * kz, 2 * hx * (kz + 1)), 2 * hx * (ky + ny * kz));
    yield;
  }
  return data;
}

/**
 * The bins of `realFft3d(grid)` at x bins 0 … kx − 1, y bins `ys` and z bins `zs`, without the whole spectrum: each
 * 1-D transform of its passes reads one line, so leaving out the lines whose bins are not kept changes none of the
 * values kept (the same numbers, bit for bit). The x and y passes run a z plane at a time; the buffer before the z
 * pass holds kx·|ys|·nz bins. Bin (kx', ys[j], zs[k]) is complex element kx' + kx·(j + |ys|·k). `onProgress(fraction)`
 * follows the work, after each plane and each row of the z pass.
 */
export function realFft3dBins(
  grid: RealGrid,
  kx: number,
  ys: readonly number[],
  zs: readonly number[],
  onProgress: (fraction: number) => void = () => undefined,
): Float64Array {
  return allSteps(realFft3dBinsSteps(grid, kx, ys, zs, onProgress));
}

/** `realFft3dBins` in steps (lib/steps.ts): it yields after each plane and each row of the z pass. */
export function* realFft3dBinsSteps(
  grid: RealGrid,
  kx: number,
  ys: readonly number[],
  zs: readonly number[],
  onProgress: (fraction: number) => void = () => undefined,
): Steps<Float64Array> {
  const { nx, ny, nz, hx } = checkForward(grid, undefined);
  if (!(Number.isInteger(kx) && kx >= 1 && kx <= hx)) throw new RangeError(`kx must be a whole number from 1 to ${hx}, got ${kx}`);
  for (const [axis, bins, n] of [["y", ys, ny], ["z", zs, nz]] as const)
    if (bins.some((b) => !(Number.isInteger(b) && b >= 0 && b < n))) throw new RangeError(`${axis} bins must lie in 0 … ${n - 1}`);
  const my = ys.length, mz = zs.length;
  // The x pass transforms rows in pairs counted over the whole grid (realRowsToHalfSpectrum): for an odd ny a pair
  // spans two planes, so each plane's rows are transformed with their partners, one row more on either side.
  const rows = new Float64Array(2 * hx * (ny + 2));
  const slabs = new Float64Array(2 * kx * my * nz);
  const yPlan = batchFft(ny), zPlan = batchFft(nz);
  // Work per plane (x rows and y lines) and per row of the z pass, in butterflies, to report an even pace.
  const planeWork = ny * nx * Math.log2(nx + 1) / 2 + kx * ny * Math.log2(ny + 1);
  const rowWork = kx * nz * Math.log2(nz + 1);
  const totalWork = nz * planeWork + my * rowWork;
  for (let z = 0; z < nz; z++) {
    const firstRow = ny * z, from2 = firstRow - (firstRow % 2);
    const to2 = Math.min(ny * nz, firstRow + ny + ((firstRow + ny) % 2));
    realRowsToHalfSpectrum(grid.data, rows, nx, to2 - from2, nx * from2);
    const plane = hx * (firstRow - from2);
    const [from, to] = nonZeroLines(rows, plane, hx, ny, hx);
    yPlan.transform(rows, plane, hx, from, Math.min(to, kx), -1);
    for (let j = 0; j < my; j++) {
      const at = 2 * (plane + hx * ys[j]);
      slabs.set(rows.subarray(at, at + 2 * kx), 2 * kx * (j + my * z));
    }
    onProgress(((z + 1) * planeWork) / totalWork);
    yield;
  }
  const out = new Float64Array(2 * kx * my * mz);
  for (let j = 0; j < my; j++) {
    const [from, to] = nonZeroLines(slabs, kx * j, kx * my, nz, kx);
    zPlan.transform(slabs, kx * j, kx * my, from, to, -1);
    for (let k = 0; k < mz; k++) {
      const at = 2 * kx * (j + my * zs[k]);
      out.set(slabs.subarray(at, at + 2 * kx), 2 * kx * (j + my * k));
    }
    onProgress((nz * planeWork + (j + 1) * rowWork) / totalWork);
    yield;
  }
  return out;
}

/**
 * Inverse of `realFft3d` (like `np.fft.irfftn(F, s=(nz, ny, nx))`): divides by nx·ny·nz. The imaginary parts that a
 * real result cannot carry (kx = 0 and, for even nx, kx = nx/2 after the y and z passes) are dropped, as numpy does.
 * The spectrum is left unchanged unless `consumeSpectrum` is true, which saves a copy of 16·hx·ny·nz bytes by using
 * the spectrum's data as scratch space (for spectra built only to be inverted, e.g. filtered bands); the result is then
 * a view of that data.
 */
export function inverseRealFft3d(spectrum: HalfSpectrum, consumeSpectrum = false): Float64Array {
  const { nx, ny, nz, hx } = spectrum;
  if (hx !== halfWidth(nx) || spectrum.data.length !== 2 * hx * ny * nz) {
    throw new RangeError(`half spectrum of ${hx}×${ny}×${nz} bins does not fit a ${nx}×${ny}×${nz} grid`);
  }
  const work = consumeSpectrum ? spectrum.data : spectrum.data.slice();
  transformSlowAxes(work, hx, ny, nz, 1);
  // The real rows are written over the spectrum they come from (each row pair is read before it is overwritten, and
  // 2·hx ≥ nx keeps later rows ahead of the writes), which saves a volume of float64. The y and z passes are
  // unnormalised: their 1/(ny·nz) is applied here.
  halfSpectrumToRealRows(work, work, nx, ny * nz, 1 / (ny * nz));
  return work.subarray(0, nx * ny * nz);
}

/**
 * In-place full complex 3-D DFT of interleaved data (length 2·nx·ny·nz, x fastest). Forward is unnormalised; inverse
 * divides by nx·ny·nz. For spectra that are not Hermitian (e.g. Riesz filters on an even-size Nyquist plane), or to
 * get two real inverse transforms at once as real and imaginary parts.
 */
export function complexFft3d(data: Float64Array, shape: GridShape, direction: "forward" | "inverse"): void {
  const { nx, ny, nz } = checkShape(shape);
  if (data.length !== 2 * nx * ny * nz) {
    throw new RangeError(`complex data has ${data.length / 2} values, expected ${nx}×${ny}×${nz}`);
  }
  const sign = direction === "inverse" ? 1 : -1;
  const plan = complexFft(nx);
  const line = new Float64Array(2 * nx);
  for (let row = 0; row < ny * nz; row++) {
    const lineData = data.subarray(2 * nx * row, 2 * nx * (row + 1));
    if (isZero(lineData)) continue;
    if (sign < 0) plan.forward(line, lineData);
    else plan.inverse(line, lineData);
    lineData.set(line);
  }
  transformSlowAxes(data, nx, ny, nz, sign);
  if (sign > 0 && ny * nz > 1) {
    const scale = 1 / (ny * nz);
    for (let i = 0; i < data.length; i++) data[i] *= scale;
  }
}

/** The grid's shape and half width, once the grid's data and the output (if any) are checked to fit. */
function checkForward(grid: RealGrid, out: ArrayLike<number> | undefined) {
  const { nx, ny, nz } = checkShape(grid);
  if (grid.data.length !== nx * ny * nz) {
    throw new RangeError(`grid data has ${grid.data.length} values, expected ${nx}×${ny}×${nz}`);
  }
  const hx = halfWidth(nx);
  if (out && out.length !== 2 * hx * ny * nz) throw new RangeError(`output has ${out.length} values, expected ${2 * hx * ny * nz}`);
  return { nx, ny, nz, hx };
}

function checkShape(shape: GridShape): GridShape {
  for (const [axis, n] of [["nx", shape.nx], ["ny", shape.ny], ["nz", shape.nz]] as const) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`${axis} must be a positive integer, got ${n}`);
  }
  return shape;
}

/**
 * The unnormalised DFT along y, then z (forward, sign −1) or z, then y (inverse, +1) of interleaved complex data whose
 * x rows hold `rowLength` values: per z plane the y lines, and per y row the z lines, lie side by side, which is the
 * batch layout of fft-batch.ts. Only the run of lines that are not all zero is transformed (band-passed and low-passed
 * spectra have many zero lines).
 */
function transformSlowAxes(data: Float64Array, rowLength: number, ny: number, nz: number, sign: -1 | 1): void {
  const yPlan = batchFft(ny), zPlan = batchFft(nz);
  const yPass = () => {
    for (let z = 0; z < nz; z++) {
      const [from, to] = nonZeroLines(data, rowLength * ny * z, rowLength, ny, rowLength);
      yPlan.transform(data, rowLength * ny * z, rowLength, from, to, sign);
    }
  };
  const zPass = () => {
    for (let y = 0; y < ny; y++) {
      const [from, to] = nonZeroLines(data, rowLength * y, rowLength * ny, nz, rowLength);
      zPlan.transform(data, rowLength * y, rowLength * ny, from, to, sign);
    }
  };
  if (sign < 0) {
    yPass();
    zPass();
  } else {
    zPass();
    yPass();
  }
}

/**
 * The lines [from, to) of a batch of `count` lines (sample j of line b at offset + j·stride + b) outside which all are
 * zero.
 */
function nonZeroLines(data: Float64Array, offset: number, stride: number, length: number, count: number): [number, number] {
  let from = count, to = 0;
  for (let j = 0; j < length; j++) {
    const row = 2 * (offset + j * stride);
    for (let b = 0; b < from; b++)
      if (data[row + 2 * b] !== 0 || data[row + 2 * b + 1] !== 0) {
        from = b;
        break;
      }
    for (let b = count - 1; b >= to; b--)
      if (data[row + 2 * b] !== 0 || data[row + 2 * b + 1] !== 0) {
        to = b + 1;
        break;
      }
  }
  return from < to ? [from, to] : [0, 0];
}

/** Whether values[from … from + count − 1] (all of them by default) are all zero. */
function isZero(values: ArrayLike<number>, from = 0, count = values.length): boolean {
  for (let i = from; i < from + count; i++) if (values[i] !== 0) return false;
  return true;
}

/**
 * x pass of the forward transform: two real rows a, b go through one complex DFT of a + i·b, then are separated with
 * A(k) = (Z(k) + conj Z(−k))/2 and B(k) = (Z(k) − conj Z(−k))/(2i). The pairs are taken last first: the half spectrum
 * of rows r, r + 1 lands at 2·hx·r ≥ nx·r, past every row not read yet, so `input` may be `out`'s start (in place).
 * A pair of zero rows (most rows of a masked volume) is not transformed: its half spectrum is copied from that of a
 * pair of +0 rows, made once, with the same bits (the separation leaves −0 in places). For rows holding −0 the dense
 * transform could differ in the sign of some zero bins only.
 */
export function realRowsToHalfSpectrum(
  input: ArrayLike<number>,
  out: Float64Array,
  nx: number,
  rowCount: number,
  inputOffset = 0,
): void {
  const hx = halfWidth(nx);
  const plan = complexFft(nx);
  const packed = new Float64Array(2 * nx);
  const z = new Float64Array(2 * nx);
  let zeroPair: Float64Array | null = null;
  for (let row = 2 * Math.floor((rowCount - 1) / 2); row >= 0; row -= 2) {
    const hasPair = row + 1 < rowCount;
    const a = inputOffset + row * nx;
    const outA = 2 * row * hx;
    if (isZero(input, a, hasPair ? 2 * nx : nx)) {
      if (zeroPair === null) {
        zeroPair = new Float64Array(4 * hx);
        plan.forward(z, packed.fill(0));
        separatePair(z, zeroPair, 0, nx, true);
      }
      out.set(hasPair ? zeroPair : zeroPair.subarray(0, 2 * hx), outA);
      continue;
    }
    const b = a + nx;
    for (let x = 0; x < nx; x++) {
      packed[2 * x] = input[a + x];
      packed[2 * x + 1] = hasPair ? input[b + x] : 0;
    }
    plan.forward(z, packed);
    separatePair(z, out, outA, nx, hasPair);
  }
}

/** The half spectra A (at `outA`) and, with `hasPair`, B (right after it) of two real rows from Z, the DFT of a + i·b. */
function separatePair(z: Float64Array, out: Float64Array, outA: number, nx: number, hasPair: boolean): void {
  const hx = halfWidth(nx);
  const outB = outA + 2 * hx;
  for (let k = 0; k < hx; k++) {
    const mirror = k === 0 ? 0 : nx - k;
    const zr = z[2 * k];
    const zi = z[2 * k + 1];
    const mr = z[2 * mirror];
    const mi = z[2 * mirror + 1];
    out[outA + 2 * k] = 0.5 * (zr + mr);
    out[outA + 2 * k + 1] = 0.5 * (zi - mi);
    if (hasPair) {
      out[outB + 2 * k] = 0.5 * (zi + mi);
      out[outB + 2 * k + 1] = -0.5 * (zr - mr);
    }
  }
}

/**
 * x pass of the inverse transform: two Hermitian rows A, B are rebuilt into A + i·B and inverted in one DFT, times
 * `scale`.
 */
function halfSpectrumToRealRows(spectrum: Float64Array, out: Float64Array, nx: number, rowCount: number, scale: number): void {
  const hx = halfWidth(nx);
  const plan = complexFft(nx);
  const packed = new Float64Array(2 * nx);
  const z = new Float64Array(2 * nx);
  for (let row = 0; row < rowCount; row += 2) {
    const hasPair = row + 1 < rowCount;
    packHermitianRows(spectrum, 2 * row * hx, hasPair, nx, packed);
    plan.inverse(z, packed);
    const a = row * nx;
    for (let x = 0; x < nx; x++) out[a + x] = z[2 * x] * scale;
    if (hasPair) for (let x = 0; x < nx; x++) out[a + nx + x] = z[2 * x + 1] * scale;
  }
}

/**
 * The full row A + i·B of two half-spectrum rows A (at `at`) and B (right after it; zero without `pair`) of a real
 * length-n transform, into `packed` (2·n values): its inverse DFT is a + i·b. The imaginary parts at k = 0 and at the
 * even Nyquist cannot belong to a real row and are dropped, as numpy's irfftn does.
 */
export function packHermitianRows(rows: Float64Array, at: number, pair: boolean, n: number, packed: Float64Array): void {
  const hx = halfWidth(n);
  const nyquist = n % 2 === 0 ? n / 2 : -1;
  const b = at + 2 * hx;
  for (let k = 0; k < hx; k++) {
    const ar = rows[at + 2 * k];
    const br = pair ? rows[b + 2 * k] : 0;
    if (k === 0 || k === nyquist) {
      packed[2 * k] = ar;
      packed[2 * k + 1] = br;
      continue;
    }
    const ai = rows[at + 2 * k + 1];
    const bi = pair ? rows[b + 2 * k + 1] : 0;
    // A(k) + i·B(k), and at −k: conj A(k) + i·conj B(k).
    packed[2 * k] = ar - bi;
    packed[2 * k + 1] = ai + br;
    packed[2 * (n - k)] = ar + bi;
    packed[2 * (n - k) + 1] = br - ai;
  }
}
