/**
 * Monogenic band energy: for the half spectrum F of a real map (layout of fft3d.ts) and a radial gain W(|f|), the sum
 *
 *   E = v0² + vx² + vy² + vz²,   v0 = IFFT(W·F),   v_c = IFFT(−i·(f_c/|f|)·W·F)  (0 at DC)
 *
 * at every voxel of the map, i.e. the squared monogenic amplitude of the band-filtered map. 0.e (lib/local/monores.ts) and
 * 0.f/0.g (lib/local/spiral-amplitude.ts) spend nearly all their time here: four inverse 3-D FFTs per band.
 *
 * Why not four calls of fft3d's inverseRealFft3d: that needs a box-sized float64 work spectrum filled with W·H_c·F
 * (an exp and a square root per bin, per component) and then three passes over the whole box. Here:
 * - W is a radial gain, so it is tabulated once per band on one octant of the spectrum (|f_c| is symmetric), with the
 *   range of x bins where it is not zero on each (y, z) row; bins outside those ranges are never touched.
 * - The z pass reads F, applies the gain and the component's factor as it gathers each block of lines, skips lines
 *   that are all zero.
 * - The y and x passes run one z plane at a time on buffers that stay in cache, and the real rows go straight into E.
 * So the only box-sized buffer is the z pass's output, which may be float32 (`precision`, which also sets the gain
 * table's): its rounding, 6e-8 relative, is that of a float32 spectrum. It may also hold only part of the planes at a
 * time (`zChunks`).
 *
 * `nyquist: "numpy"` reproduces numpy's complex result for even axes, as the Python port of LocBfactor computes it:
 * H_c is not Hermitian on the Nyquist plane of its own axis c, so IFFT(H_c·W·F) is complex there. The plane is left
 * out of the real transform and its purely imaginary contribution, (−1)^{r_c}·w(r⊥)/n_c with w the 2-D inverse DFT of
 * the plane, is added squared (lib/local/spiral-amplitude.ts explains it). `nyquist: "real"` takes the real transform of
 * whatever the plane holds, as Xmipp's MonoRes does.
 */
import { ignoreProgress, type FractionDone } from "./bands.js";
import { complexFft3d, halfWidth, packHermitianRows } from "../fourier/fft3d.js";
import { batchFft } from "../fourier/fft-batch.js";
import { complexFft } from "../fourier/fft.js";
import type { Vec3 } from "../io/volume.js";

export interface MonogenicInput {
  /** The map's box, the one the FFTs run on. */
  shape: Vec3;
  /** Per axis, the frequency of each bin (any unit), with f[n − k] = −f[k]; |f| is the radius. */
  frequencies: readonly [Float64Array, Float64Array, Float64Array];
  /** Half spectrum of the map, interleaved complex. */
  spectrum: Float32Array | Float64Array;
  /** How the Riesz components treat the Nyquist plane of their own axis (module comment). */
  nyquist: "numpy" | "real";
  /** Storage of the z pass's output, the one box-sized buffer (module comment), and of the gain table. */
  precision: "float32" | "float64";
  /**
   * Run the z pass this many times, each time keeping the next 1/chunks of the planes (default 1): the work buffer
   * shrinks to 1/chunks of the box for 1/chunks more z passes (the z pass is about a third of the work).
   */
  zChunks?: number;
}

/** The energy E of any radial gain, for one spectrum; buffers are allocated once and reused. */
export class MonogenicEnergy {
  private readonly shape: Vec3;
  private readonly hx: number;
  /** Octant sizes: bins 0 … ⌊n/2⌋ along y and z (all hx along x). */
  private readonly qy: number;
  private readonly qz: number;
  private readonly fx: Float64Array;
  private readonly fy: Float64Array;
  private readonly fz: Float64Array;
  private readonly spectrum: Float32Array | Float64Array;
  private readonly numpyNyquist: boolean;
  /** W on the octant, x fastest: entry kx + hx·(qy + this.qy·qz). */
  private readonly gain: Float32Array | Float64Array;
  /** Per octant row (qy, qz): the x bins [from, to) where W is not zero. */
  private readonly rowFrom: Int32Array;
  private readonly rowTo: Int32Array;
  /** z pass output, planes z0 ≤ z < z0 + chunkPlanes (z < nz): element kx + hx·(ky + ny·(z − z0)). */
  private readonly work: Float32Array | Float64Array;
  /** Planes z the work buffer holds at a time. */
  private readonly chunkPlanes: number;
  /** One y slab of the z pass (sample kz of line kx at kx + hx·kz) and one z plane of the y pass (ky, kx). */
  private readonly block: Float64Array;
  private readonly plane: Float64Array;
  /** The x bins [from, to) whose y lines are not all zero after the z pass. */
  private activeFrom = 0;
  private activeTo = 0;
  private readonly packed: Float64Array;
  /** The x transforms of one plane's packed row pairs (layout in `planePasses`). */
  private readonly rowBatch: Float64Array;
  /** Zeros, for rows without a Nyquist-plane term. */
  private readonly noTerm: Float64Array;

  constructor(input: MonogenicInput) {
    const [nx, ny, nz] = input.shape;
    this.shape = [nx, ny, nz];
    this.hx = halfWidth(nx);
    if (input.spectrum.length !== 2 * this.hx * ny * nz)
      throw new RangeError(`spectrum has ${input.spectrum.length / 2} bins, expected ${this.hx}×${ny}×${nz}`);
    [this.fx, this.fy, this.fz] = input.frequencies;
    if (this.fx.length !== nx || this.fy.length !== ny || this.fz.length !== nz)
      throw new RangeError("one frequency per bin of the map is needed on each axis");
    this.qy = (ny >> 1) + 1;
    this.qz = (nz >> 1) + 1;
    this.spectrum = input.spectrum;
    this.numpyNyquist = input.nyquist === "numpy";
    const octant = this.hx * this.qy * this.qz;
    this.gain = input.precision === "float32" ? new Float32Array(octant) : new Float64Array(octant);
    this.rowFrom = new Int32Array(this.qy * this.qz);
    this.rowTo = new Int32Array(this.qy * this.qz);
    const chunks = input.zChunks ?? 1;
    if (!(Number.isInteger(chunks) && chunks >= 1)) throw new RangeError(`zChunks must be a positive integer, got ${chunks}`);
    this.chunkPlanes = Math.ceil(nz / chunks);
    const workLength = 2 * this.hx * ny * this.chunkPlanes;
    this.work = input.precision === "float32" ? new Float32Array(workLength) : new Float64Array(workLength);
    this.block = new Float64Array(2 * this.hx * nz);
    this.plane = new Float64Array(2 * this.hx * ny);
    this.packed = new Float64Array(2 * nx);
    this.rowBatch = new Float64Array(2 * nx * Math.ceil(ny / 2));
    this.noTerm = new Float64Array(nx);
  }

  /** Voxels of the map. */
  get voxels(): number {
    return this.shape[0] * this.shape[1] * this.shape[2];
  }

  /**
   * Tabulates the gain W(r) of the next `energy` calls, r = √(fz² + fy² + fx²); returns ΣW over the full spectrum
   * (every bin, the unstored half included).
   */
  setGain(profile: (radius: number) => number): number {
    const { hx, qy, qz, fx, fy, fz, gain, rowFrom, rowTo } = this;
    const [nx, ny, nz] = this.shape;
    let sum = 0;
    for (let z = 0, e = 0, row = 0; z < qz; z++) {
      const z2 = fz[z] * fz[z];
      const zCount = z === 0 || 2 * z === nz ? 1 : 2;
      for (let y = 0; y < qy; y++, row++) {
        const yz2 = z2 + fy[y] * fy[y];
        const count = zCount * (y === 0 || 2 * y === ny ? 1 : 2);
        let from = hx, to = 0;
        for (let x = 0; x < hx; x++, e++) {
          const radius = Math.sqrt(yz2 + fx[x] * fx[x]);
          const w = profile(radius);
          gain[e] = w;
          if (w === 0) continue;
          if (x < from) from = x;
          to = x + 1;
          sum += (x === 0 || 2 * x === nx ? count : 2 * count) * w;
        }
        rowFrom[row] = from < to ? from : 0;
        rowTo[row] = to;
      }
    }
    return sum;
  }

  /** Multiplies the gain by `factor`. */
  scaleGain(factor: number): void {
    for (let e = 0; e < this.gain.length; e++) {
      this.gain[e] *= factor;
    }
  }

  /** Writes E at every voxel of the map (x fastest) into `out`; `onProgress` is told after each of the four components. */
  energy(out: Float32Array | Float64Array, onProgress: FractionDone = ignoreProgress): void {
    const [nx, ny, nz] = this.shape;
    if (out.length !== nx * ny * nz) throw new RangeError(`output has ${out.length} values, expected ${nx * ny * nz}`);
    out.fill(0);
    for (let component = 0; component < 4; component++) {
      const term = this.numpyNyquist && component > 0 ? this.nyquistPlaneTerm(component - 1) : null;
      for (let z0 = 0; z0 < nz; z0 += this.chunkPlanes) {
        const z1 = Math.min(nz, z0 + this.chunkPlanes);
        if (!this.zPass(component, z0, z1) && !term) break;
        for (let z = z0; z < z1; z++) this.planePasses(z, z0, out, component - 1, term);
      }
      onProgress((component + 1) / 4);
    }
  }

  /**
   * Fills the work buffer with the z-inverse transform of H·W·F for `component` (0: v0, 1–3: x, y, z), keeping planes
   * z0 ≤ z < z1, and sets the x range of the lines the y pass must transform. Returns false when the whole filtered
   * spectrum is zero.
   */
  private zPass(component: number, z0: number, z1: number): boolean {
    const { hx, qy, qz, fx, fy, fz, gain, rowFrom, rowTo, spectrum, work, block } = this;
    const [nx, ny, nz] = this.shape;
    const plan = batchFft(nz);
    // The Riesz component of axis c leaves out its Nyquist plane in numpy mode.
    const skipX = this.numpyNyquist && component === 1 && nx % 2 === 0 ? nx / 2 : hx;
    const skipY = this.numpyNyquist && component === 2 && ny % 2 === 0 ? ny / 2 : -1;
    const skipZ = this.numpyNyquist && component === 3 && nz % 2 === 0 ? nz / 2 : -1;
    let activeFrom = hx, activeTo = 0;
    for (let ky = 0; ky < ny; ky++) {
      const foldY = ky < qy ? ky : ny - ky;
      // The x bins any row of this y holds: the block's lines lo … hi − 1 (sample kz of line kx at kx + hx·kz).
      let lo = hx, hi = 0;
      if (ky !== skipY)
        for (let kz = 0; kz < nz; kz++) {
          const row = foldY + qy * (kz < qz ? kz : nz - kz);
          const to = Math.min(rowTo[row], skipX);
          if (kz === skipZ || rowFrom[row] >= to) continue;
          if (rowFrom[row] < lo) lo = rowFrom[row];
          if (to > hi) hi = to;
        }
      if (lo < hi) {
        for (let kz = 0; kz < nz; kz++) {
          const row = foldY + qy * (kz < qz ? kz : nz - kz);
          const from = kz === skipZ ? hi : Math.max(rowFrom[row], lo);
          const to = kz === skipZ ? hi : Math.min(rowTo[row], skipX);
          const line = 2 * hx * kz;
          block.fill(0, line + 2 * lo, line + 2 * Math.max(from, lo));
          block.fill(0, line + 2 * Math.max(to, from, lo), line + 2 * hi);
          const table = hx * row;
          const source = 2 * hx * (ky + ny * kz);
          if (component === 0) {
            for (let kx = from; kx < to; kx++) {
              const w = gain[table + kx];
              block[line + 2 * kx] = w * spectrum[source + 2 * kx];
              block[line + 2 * kx + 1] = w * spectrum[source + 2 * kx + 1];
            }
          } else {
            const factorYZ = component === 2 ? fy[ky] : fz[kz];
            const yz2 = fz[kz] * fz[kz] + fy[ky] * fy[ky];
            for (let kx = from; kx < to; kx++) {
              // −i·g·(re + i·im) = g·im − i·g·re, g = W·f_c/|f| (0 at DC)
              const radius = Math.sqrt(yz2 + fx[kx] * fx[kx]);
              const g = radius === 0 ? 0 : (gain[table + kx] * (component === 1 ? fx[kx] : factorYZ)) / radius;
              block[line + 2 * kx] = g * spectrum[source + 2 * kx + 1];
              block[line + 2 * kx + 1] = -g * spectrum[source + 2 * kx];
            }
          }
        }
        plan.transform(block, 0, hx, lo, hi, 1);
        if (lo < activeFrom) activeFrom = lo;
        if (hi > activeTo) activeTo = hi;
      }
      for (let z = z0; z < z1; z++) {
        const to = 2 * hx * (ky + ny * (z - z0));
        if (lo >= hi) {
          work.fill(0, to, to + 2 * hx);
          continue;
        }
        work.fill(0, to, to + 2 * lo);
        const line = 2 * hx * z;
        for (let c = 2 * lo; c < 2 * hi; c++) work[to + c] = block[line + c];
        work.fill(0, to + 2 * hi, to + 2 * hx);
      }
    }
    this.activeFrom = activeFrom;
    this.activeTo = activeTo;
    return activeFrom < activeTo;
  }

  /**
   * The y and x inverse passes of plane z (held from plane z0 on) of the work buffer, adding the squares of the real
   * result into `out`, and the Nyquist-plane term of the Riesz component of `axis` when there is one
   * (`nyquistPlaneTerm`).
   */
  private planePasses(
    z: number,
    z0: number,
    out: Float32Array | Float64Array,
    axis: number,
    term: Float64Array | null,
  ): void {
    const { hx, work, plane, packed, activeFrom, activeTo, noTerm } = this;
    const [nx, ny, nz] = this.shape;
    const start = 2 * hx * ny * (z - z0);
    plane.set(work.subarray(start, start + plane.length));
    batchFft(ny).transform(plane, 0, hx, activeFrom, activeTo, 1);
    // x: two Hermitian rows make one complex row whose inverse DFT is both real rows (packHermitianRows). The inverse
    // DFT is read off a forward one, IDFT(P)[x] = DFT(P)[−x]/nx, and every pass's 1/n is applied here.
    // The plane's row pairs go through one batched transform (fft-batch.ts; for lengths with a large prime factor
    // fft.ts's line-by-line Bluestein costs twice as much), except for powers of two, where fft.js's radix-4 on each
    // pair is 5 % faster. Sample x of pair p lands at x·xStep + p·pairStep.
    const { rowBatch } = this;
    const pairs = Math.ceil(ny / 2);
    const byLine = (nx & (nx - 1)) === 0;
    const [xStep, pairStep] = byLine ? [1, nx] : [pairs, 1];
    for (let p = 0; p < pairs; p++) {
      packHermitianRows(plane, 4 * hx * p, 2 * p + 1 < ny, nx, packed);
      if (byLine) complexFft(nx).forward(rowBatch.subarray(2 * nx * p, 2 * nx * (p + 1)), packed);
      else
        for (let x = 0; x < nx; x++) {
          rowBatch[2 * (x * pairs + p)] = packed[2 * x];
          rowBatch[2 * (x * pairs + p) + 1] = packed[2 * x + 1];
        }
    }
    if (!byLine) batchFft(nx).transform(rowBatch, 0, pairs, 0, pairs, -1);
    const norm = 1 / (nx * ny * nz);
    for (let y = 0; y < ny; y++) {
      const at = 2 * (y >> 1) * pairStep + (y & 1);
      const voxel = nx * (y + ny * z);
      // The Nyquist-plane term: one value per row (x plane), or one per x (y and z planes).
      const constant = axis === 0 && term ? term[y + ny * z] : 0;
      const terms = axis > 0 && term ? term : noTerm;
      const termStart = axis === 1 && term ? nx * z : axis === 2 && term ? nx * y : 0;
      let v = rowBatch[at] * norm;
      out[voxel] += v * v + constant + terms[termStart];
      for (let x = 1; x < nx; x++) {
        v = rowBatch[2 * (nx - x) * xStep + at] * norm;
        out[voxel + x] += v * v + constant + terms[termStart + x];
      }
    }
  }

  /**
   * numpy mode: the square of the Nyquist-plane term of the Riesz component of `axis` (0, 1, 2 = x, y, z) on the plane
   * of the other two axes (x fastest), or null for an odd FFT axis: the plane's filtered values on the full 2-D grid
   * (bins kx > nx/2 from Hermitian symmetry), a 2-D inverse DFT divided by n_axis. It is the same along the axis.
   */
  private nyquistPlaneTerm(axis: number): Float64Array | null {
    const { hx, qy, qz, fx, fy, fz, gain, spectrum } = this;
    const [nx, ny, nz] = this.shape;
    const n = this.shape[axis];
    if (n % 2 !== 0) return null;
    // Plane axes (a, b): x-plane → (y, z); y-plane → (x, z); z-plane → (x, y).
    const [na, nb] = axis === 0 ? [ny, nz] : axis === 1 ? [nx, nz] : [nx, ny];
    const plane = new Float64Array(2 * na * nb);
    const fc = axis === 0 ? fx[nx / 2] : axis === 1 ? fy[ny / 2] : fz[nz / 2];
    const octantRow = hx * qy;
    for (let b = 0; b < nb; b++)
      for (let a = 0; a < na; a++) {
        const kx = axis === 0 ? nx / 2 : a;
        const ky = axis === 0 ? a : axis === 1 ? ny / 2 : b;
        const kz = axis === 2 ? nz / 2 : b;
        // F at a bin with kx > nx/2 is the conjugate of F at the opposite bin.
        const mirrored = kx >= hx;
        const e = mirrored ? nx - kx + hx * ((ny - ky) % ny + ny * ((nz - kz) % nz)) : kx + hx * (ky + ny * kz);
        const w = gain[(mirrored ? nx - kx : kx) + hx * (ky < qy ? ky : ny - ky) + octantRow * (kz < qz ? kz : nz - kz)];
        const g = (w * fc) / Math.sqrt(fx[kx] * fx[kx] + fy[ky] * fy[ky] + fz[kz] * fz[kz]);
        if (g === 0) continue;
        const re = spectrum[2 * e];
        const im = mirrored ? -spectrum[2 * e + 1] : spectrum[2 * e + 1];
        plane[2 * (a + na * b)] = g * im;
        plane[2 * (a + na * b) + 1] = -g * re;
      }
    complexFft3d(plane, { nx: na, ny: nb, nz: 1 }, "inverse");
    const term = new Float64Array(na * nb);
    for (let p = 0; p < na * nb; p++) {
      const re = plane[2 * p] / n;
      const im = plane[2 * p + 1] / n;
      term[p] = re * re + im * im;
    }
    return term;
  }
}
