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
import { complexFft, type ComplexFft } from "./fft.js";

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
 * Forward real-to-complex 3-D DFT (like `np.fft.rfftn` on the (z, y, x) array), written into `out` (length 2·hx·ny·nz,
 * not the grid's data) when given, e.g. a buffer reused for many transforms.
 */
export function realFft3d(grid: RealGrid, out?: Float64Array): HalfSpectrum {
  const { nx, ny, nz } = checkShape(grid);
  if (grid.data.length !== nx * ny * nz) {
    throw new RangeError(`grid data has ${grid.data.length} values, expected ${nx}×${ny}×${nz}`);
  }
  const hx = halfWidth(nx);
  if (out && out.length !== 2 * hx * ny * nz) throw new RangeError(`output has ${out.length} values, expected ${2 * hx * ny * nz}`);
  const data = out ?? new Float64Array(2 * hx * ny * nz);
  realRowsToHalfSpectrum(grid.data, data, nx, ny * nz);
  transformAxis(data, hx, ny, hx, nz, hx * ny, complexFft(ny), false);
  transformAxis(data, hx, nz, hx * ny, ny, hx, complexFft(nz), false);
  return { nx, ny, nz, hx, data };
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
  transformAxis(work, hx, nz, hx * ny, ny, hx, complexFft(nz), true);
  transformAxis(work, hx, ny, hx, nz, hx * ny, complexFft(ny), true);
  // The real rows are written over the spectrum they come from (each row pair is read before it is overwritten, and
  // 2·hx ≥ nx keeps later rows ahead of the writes), which saves a volume of float64.
  halfSpectrumToRealRows(work, work, nx, ny * nz);
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
  const inverse = direction === "inverse";
  transformAxis(data, 1, nx, 1, ny * nz, nx, complexFft(nx), inverse);
  transformAxis(data, nx, ny, nx, nz, nx * ny, complexFft(ny), inverse);
  transformAxis(data, nx, nz, nx * ny, ny, nx, complexFft(nz), inverse);
}

function checkShape(shape: GridShape): GridShape {
  for (const [axis, n] of [["nx", shape.nx], ["ny", shape.ny], ["nz", shape.nz]] as const) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`${axis} must be a positive integer, got ${n}`);
  }
  return shape;
}

/**
 * Transforms every line along one axis. Lines come in groups: `groupCount` groups (`groupStride` complex elements
 * apart), each holding `rowLength` adjacent lines whose successive samples are `sampleStride` elements apart. A group
 * is gathered row by row (contiguous reads) into one buffer of rowLength lines, so long strides do not thrash the
 * cache.
 */
function transformAxis(
  data: Float64Array,
  rowLength: number,
  length: number,
  sampleStride: number,
  groupCount: number,
  groupStride: number,
  plan: ComplexFft,
  inverse: boolean,
): void {
  if (length === 1) return;
  const gathered = new Float64Array(2 * rowLength * length);
  const line = new Float64Array(2 * length);
  for (let g = 0; g < groupCount; g++) {
    const base = g * groupStride;
    for (let s = 0; s < length; s++) {
      const from = 2 * (base + s * sampleStride);
      for (let c = 0; c < rowLength; c++) {
        gathered[2 * (c * length + s)] = data[from + 2 * c];
        gathered[2 * (c * length + s) + 1] = data[from + 2 * c + 1];
      }
    }
    for (let c = 0; c < rowLength; c++) {
      const lineData = gathered.subarray(2 * c * length, 2 * (c + 1) * length);
      // The DFT of zeros is zeros: band-passed and low-passed spectra have many all-zero lines.
      if (isZero(lineData)) continue;
      if (inverse) plan.inverse(line, lineData);
      else plan.forward(line, lineData);
      lineData.set(line);
    }
    for (let s = 0; s < length; s++) {
      const to = 2 * (base + s * sampleStride);
      for (let c = 0; c < rowLength; c++) {
        data[to + 2 * c] = gathered[2 * (c * length + s)];
        data[to + 2 * c + 1] = gathered[2 * (c * length + s) + 1];
      }
    }
  }
}

function isZero(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) return false;
  return true;
}

/**
 * x pass of the forward transform: two real rows a, b go through one complex DFT of a + i·b, then are separated with
 * A(k) = (Z(k) + conj Z(−k))/2 and B(k) = (Z(k) − conj Z(−k))/(2i).
 */
function realRowsToHalfSpectrum(input: ArrayLike<number>, out: Float64Array, nx: number, rowCount: number): void {
  const hx = halfWidth(nx);
  const plan = complexFft(nx);
  const packed = new Float64Array(2 * nx);
  const z = new Float64Array(2 * nx);
  for (let row = 0; row < rowCount; row += 2) {
    const hasPair = row + 1 < rowCount;
    const a = row * nx;
    const b = a + nx;
    for (let x = 0; x < nx; x++) {
      packed[2 * x] = input[a + x];
      packed[2 * x + 1] = hasPair ? input[b + x] : 0;
    }
    plan.forward(z, packed);
    const outA = 2 * row * hx;
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
}

/** x pass of the inverse transform: two Hermitian rows A, B are rebuilt into A + i·B and inverted in one DFT. */
function halfSpectrumToRealRows(spectrum: Float64Array, out: Float64Array, nx: number, rowCount: number): void {
  const hx = halfWidth(nx);
  const plan = complexFft(nx);
  const packed = new Float64Array(2 * nx);
  const z = new Float64Array(2 * nx);
  const nyquist = nx % 2 === 0 ? nx / 2 : -1;
  for (let row = 0; row < rowCount; row += 2) {
    const hasPair = row + 1 < rowCount;
    const inA = 2 * row * hx;
    const inB = inA + 2 * hx;
    for (let k = 0; k < hx; k++) {
      const ar = spectrum[inA + 2 * k];
      const br = hasPair ? spectrum[inB + 2 * k] : 0;
      if (k === 0 || k === nyquist) {
        packed[2 * k] = ar;
        packed[2 * k + 1] = br;
        continue;
      }
      const ai = spectrum[inA + 2 * k + 1];
      const bi = hasPair ? spectrum[inB + 2 * k + 1] : 0;
      // A(k) + i·B(k), and at −k: conj A(k) + i·conj B(k).
      packed[2 * k] = ar - bi;
      packed[2 * k + 1] = ai + br;
      packed[2 * (nx - k)] = ar + bi;
      packed[2 * (nx - k) + 1] = br - ai;
    }
    plan.inverse(z, packed);
    const a = row * nx;
    for (let x = 0; x < nx; x++) out[a + x] = z[2 * x];
    if (hasPair) for (let x = 0; x < nx; x++) out[a + nx + x] = z[2 * x + 1];
  }
}
