/**
 * Xmipp's `xmipp_transform_filter --fourier real_gaussian σ`: multiply the 3-D spectrum by exp(-π² f² σ²), f in
 * cycles per voxel, with periodic boundaries (it is an FFT filter).
 *
 * The transfer function is a product of one factor per axis, so the 3-D filter equals three 1-D circular
 * convolutions whose kernels are the inverse DFTs of exp(-π² f² σ²) sampled on each axis length. Those kernels are
 * a Gaussian of σ/√2 voxels plus a small alternating ripple (≈1e-6 at σ = 2) that comes from cutting the
 * transfer function at Nyquist. We keep the taps out to {@link TAP_RADIUS}; the ripple beyond is dropped.
 */

/**
 * Taps kept on each side of the centre. At σ = 2 the kernel is 2.6e-6 at 7 voxels, below that only the ripple
 * remains. Dropping it (and rescaling the kept taps to sum 1) moves values by about 3e-6 at mask edges compared
 * with numpy's 3-D FFT filter on real masks (test/masks.test.ts), far below anything a picture shows.
 */
export const TAP_RADIUS = 7;

/** One axis's circular kernel: out[x] = Σ weights[k] · in[(x - shifts[k]) mod n]. */
export interface AxisKernel {
  shifts: Int32Array;
  weights: Float64Array;
}

/** Inverse DFT of exp(-π² f² σ²) on n samples, f as Xmipp/numpy digital frequency (idx/n, wrapped at n/2). */
export function realGaussianKernel(n: number, sigma: number): Float64Array {
  const transfer = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const f = (j <= n / 2 ? j : j - n) / n;
    transfer[j] = Math.exp(-Math.PI * Math.PI * f * f * sigma * sigma);
  }
  const kernel = new Float64Array(n);
  for (let m = 0; m < n; m++) {
    let sum = 0;
    // (j·m) mod n keeps the cosine argument below 2π, so long axes lose no accuracy.
    for (let j = 0; j < n; j++) sum += transfer[j] * Math.cos((2 * Math.PI * ((j * m) % n)) / n);
    kernel[m] = sum / n;
  }
  return kernel;
}

/** The taps actually applied: the whole circular kernel for short axes, ±TAP_RADIUS otherwise. */
export function axisKernel(n: number, sigma: number): AxisKernel {
  const full = realGaussianKernel(n, sigma);
  if (n <= 2 * TAP_RADIUS + 1) return { shifts: Int32Array.from(full, (_, m) => m), weights: full };
  const shifts = new Int32Array(2 * TAP_RADIUS + 1);
  const weights = new Float64Array(2 * TAP_RADIUS + 1);
  let kept = 0;
  for (let d = -TAP_RADIUS; d <= TAP_RADIUS; d++) {
    shifts[d + TAP_RADIUS] = d;
    weights[d + TAP_RADIUS] = full[(d + n) % n];
    kept += full[(d + n) % n];
  }
  // The full kernel sums to H(0) = 1; rescaling the kept taps to 1 keeps constant regions exactly constant.
  for (let t = 0; t < weights.length; t++) weights[t] /= kept;
  return { shifts, weights };
}

/**
 * Periodic real_gaussian filter of a volume (x fastest). Returns float32 values; negatives are NOT clipped here.
 * Each row keeps the x range it can be non-zero in, and only those ranges are computed, so a compact mask costs far
 * less than the whole box.
 */
export function realGaussianFilter(
  input: Uint8Array | Float32Array,
  nx: number,
  ny: number,
  nz: number,
  sigma: number,
): Float32Array {
  const n = nx * ny * nz;
  if (input.length !== n) throw new RangeError(`input has ${input.length} voxels, expected ${n}`);
  const rows = ny * nz;
  const alongX = new Float32Array(n);
  const extentX = new RowExtents(rows);
  filterRowsAlongX(input, alongX, nx, rows, axisKernel(nx, sigma), extentX);
  const alongY = new Float32Array(n);
  const extentY = new RowExtents(rows);
  // Along y a "line" is a set of rows within one z-plane; along z it is the rows at the same y in every plane.
  filterRowsAcross(alongX, alongY, nx, ny, nz, "y", axisKernel(ny, sigma), extentX, extentY);
  // Reused without clearing: the z pass writes every x range the x pass did (each row's ranges only grow, and every
  // row contributes to itself), and leaves zero only what the x pass left zero.
  const out = alongX;
  filterRowsAcross(alongY, out, nx, ny, nz, "z", axisKernel(nz, sigma), extentY, new RowExtents(rows));
  return out;
}

/** Per row, the x range [lo, hi) outside which the row is zero; empty (lo = hi = 0) for an all-zero row. */
class RowExtents {
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  constructor(rows: number) {
    this.lo = new Int32Array(rows);
    this.hi = new Int32Array(rows);
  }
}

/** Filters every non-zero row along x and records the x range each result row can be non-zero in. */
function filterRowsAlongX(
  input: Uint8Array | Float32Array,
  out: Float32Array,
  nx: number,
  rows: number,
  k: AxisKernel,
  extent: RowExtents,
): void {
  const taps = k.shifts.length;
  let minShift = 0, maxShift = 0;
  for (const s of k.shifts) {
    minShift = Math.min(minShift, s);
    maxShift = Math.max(maxShift, s);
  }
  // Target positions of each tap for each source x, wrapped once here instead of per voxel.
  const target = new Int32Array(nx * taps);
  for (let x = 0; x < nx; x++)
    for (let t = 0; t < taps; t++) target[x * taps + t] = (((x + k.shifts[t]) % nx) + nx) % nx;
  const weights = k.weights;
  const acc = new Float64Array(nx);
  // Masks are mostly zero: skip 4 voxels at a time where an aligned 32-bit view of a byte mask is possible.
  const words =
    input instanceof Uint8Array && input.byteOffset % 4 === 0 && nx % 4 === 0
      ? new Uint32Array(input.buffer, input.byteOffset, input.length >> 2)
      : null;
  for (let r = 0; r < rows; r++) {
    const start = r * nx;
    let first = -1, last = -1;
    for (let x = 0; x < nx; x++) {
      if (words !== null && (x & 3) === 0 && words[(start + x) >> 2] === 0) {
        x += 3;
        continue;
      }
      const value = input[start + x];
      if (value === 0) continue;
      if (first < 0) {
        acc.fill(0);
        first = x;
      }
      last = x;
      // Scatter: mask rows are mostly 0, so spreading the non-zero values is cheaper than gathering every output.
      const base = x * taps;
      for (let t = 0; t < taps; t++) acc[target[base + t]] += weights[t] * value;
    }
    if (first < 0) continue;
    const wraps = first + minShift < 0 || last + maxShift >= nx;
    const lo = wraps ? 0 : first + minShift;
    const hi = wraps ? nx : last + maxShift + 1;
    extent.lo[r] = lo;
    extent.hi[r] = hi;
    for (let x = lo; x < hi; x++) out[start + x] = acc[x];
  }
}

function filterRowsAcross(
  input: Float32Array,
  out: Float32Array,
  nx: number,
  ny: number,
  nz: number,
  axis: "y" | "z",
  k: AxisKernel,
  extentIn: RowExtents,
  extentOut: RowExtents,
): void {
  const len = axis === "y" ? ny : nz;
  const taps = k.shifts.length;
  const acc = new Float64Array(nx);
  const from = new Int32Array(taps);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++) {
      const pos = axis === "y" ? y : z;
      // Contributing rows and the union of their x ranges.
      let lo = nx, hi = 0;
      for (let t = 0; t < taps; t++) {
        const p = (((pos - k.shifts[t]) % len) + len) % len;
        const row = axis === "y" ? p + ny * z : y + ny * p;
        from[t] = row;
        if (extentIn.hi[row] === 0) continue;
        if (extentIn.lo[row] < lo) lo = extentIn.lo[row];
        if (extentIn.hi[row] > hi) hi = extentIn.hi[row];
      }
      if (hi === 0) continue;
      acc.fill(0, lo, hi);
      for (let t = 0; t < taps; t++) {
        const row = from[t];
        const a = extentIn.lo[row], b = extentIn.hi[row];
        if (b === 0) continue;
        const w = k.weights[t];
        const start = row * nx;
        for (let x = a; x < b; x++) acc[x] += w * input[start + x];
      }
      const r = y + ny * z;
      extentOut.lo[r] = lo;
      extentOut.hi[r] = hi;
      const dst = r * nx;
      for (let x = lo; x < hi; x++) out[dst + x] = acc[x];
    }
}
