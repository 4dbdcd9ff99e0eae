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
 * Only rows and x ranges that can be non-zero are computed, so a compact mask costs far less than the whole box.
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
  const kx = axisKernel(nx, sigma);
  const alongX = new Float32Array(n);
  const rowsX = new Uint8Array(rows);
  const columns = filterRowsAlongX(input, alongX, nx, rows, kx, rowsX);
  const segments = xSegments(columns, kx);
  const alongY = new Float32Array(n);
  const rowsY = new Uint8Array(rows);
  // Along y a "line" is a set of rows within one z-plane; along z it is the rows at the same y in every plane.
  filterRowsAcross(alongX, alongY, nx, ny, nz, "y", axisKernel(ny, sigma), rowsX, rowsY, segments);
  const out = alongX; // reuse: its content is no longer needed
  out.fill(0);
  filterRowsAcross(alongY, out, nx, ny, nz, "z", axisKernel(nz, sigma), rowsY, new Uint8Array(rows), segments);
  return out;
}

/** Filters every non-zero row along x; flags the rows it wrote and returns which x positions held input. */
function filterRowsAlongX(
  input: Uint8Array | Float32Array,
  out: Float32Array,
  nx: number,
  rows: number,
  k: AxisKernel,
  nonZeroOut: Uint8Array,
): Uint8Array {
  const columns = new Uint8Array(nx);
  const taps = k.shifts.length;
  // Target positions of each tap for each source x, wrapped once here instead of per voxel.
  const target = new Int32Array(nx * taps);
  for (let x = 0; x < nx; x++)
    for (let t = 0; t < taps; t++) target[x * taps + t] = (((x + k.shifts[t]) % nx) + nx) % nx;
  const weights = k.weights;
  const acc = new Float64Array(nx);
  for (let r = 0; r < rows; r++) {
    const start = r * nx;
    let any = false;
    for (let x = 0; x < nx; x++) {
      const value = input[start + x];
      if (value === 0) continue;
      if (!any) {
        acc.fill(0);
        any = true;
      }
      columns[x] = 1;
      // Scatter: mask rows are mostly 0, so spreading the non-zero values is cheaper than gathering every output.
      const base = x * taps;
      for (let t = 0; t < taps; t++) acc[target[base + t]] += weights[t] * value;
    }
    if (!any) continue;
    nonZeroOut[r] = 1;
    for (let x = 0; x < nx; x++) out[start + x] = acc[x];
  }
  return columns;
}

/** Contiguous x ranges [start, end) the x kernel can reach from the columns that held input. */
function xSegments(columns: Uint8Array, k: AxisKernel): Int32Array {
  const nx = columns.length;
  const reached = new Uint8Array(nx);
  for (let x = 0; x < nx; x++) {
    if (columns[x] === 0) continue;
    for (const s of k.shifts) reached[(((x + s) % nx) + nx) % nx] = 1;
  }
  const bounds: number[] = [];
  for (let x = 0; x < nx; x++) {
    if (reached[x] === 1 && (x === 0 || reached[x - 1] === 0)) bounds.push(x);
    if (reached[x] === 1 && (x === nx - 1 || reached[x + 1] === 0)) bounds.push(x + 1);
  }
  return Int32Array.from(bounds);
}

function filterRowsAcross(
  input: Float32Array,
  out: Float32Array,
  nx: number,
  ny: number,
  nz: number,
  axis: "y" | "z",
  k: AxisKernel,
  nonZeroIn: Uint8Array,
  nonZeroOut: Uint8Array,
  segments: Int32Array,
): void {
  const len = axis === "y" ? ny : nz;
  const taps = k.shifts.length;
  const acc = new Float64Array(nx);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++) {
      const pos = axis === "y" ? y : z;
      let any = false;
      for (let t = 0; t < taps; t++) {
        const from = (((pos - k.shifts[t]) % len) + len) % len;
        const row = axis === "y" ? from + ny * z : y + ny * from;
        if (nonZeroIn[row] === 0) continue;
        const w = k.weights[t];
        const start = row * nx;
        for (let g = 0; g < segments.length; g += 2) {
          const a = segments[g], b = segments[g + 1];
          if (any) for (let x = a; x < b; x++) acc[x] += w * input[start + x];
          else for (let x = a; x < b; x++) acc[x] = w * input[start + x];
        }
        any = true;
      }
      if (!any) continue;
      const r = y + ny * z;
      nonZeroOut[r] = 1;
      const dst = r * nx;
      for (let g = 0; g < segments.length; g += 2)
        for (let x = segments[g], b = segments[g + 1]; x < b; x++) out[dst + x] = acc[x];
    }
}
