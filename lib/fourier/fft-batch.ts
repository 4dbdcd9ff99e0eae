/**
 * The DFT of many lines at once, for the y and z passes of 3-D transforms: the lines are stored side by side, sample
 * j of line b at complex element `j·stride + b` (interleaved re, im), which is how a block of a volume lies in memory
 * when the transform runs along a slow axis. No line is gathered into contiguous memory (that transposition cost more
 * than fft.js's butterflies): every butterfly runs over a contiguous run of lines at once, one twiddle for all.
 *
 * Algorithm: Stockham autosort (Govindaraju et al., "High performance discrete Fourier transforms on graphics
 * processors", SC 2008), mixed radix: the length is split into radices 4, 2, 3, 5 and 7, and each stage j = 0 … n/R − 1
 * reads samples j + r·n/R, multiplies them by ω^{r·(j mod Ns)} (ω = e^{∓2πi/(Ns·R)}, Ns the product of the earlier
 * radices), takes their DFT of length R and writes it to ⌊j/Ns⌋·Ns·R + (j mod Ns) + r·Ns of the other buffer. The
 * result comes out in natural order.
 *
 * A length n with a prime factor above 7 uses Bluestein's chirp-z algorithm on the same batches: with
 * w_j = e^{sign·iπj²/n}, X_k = w_k·Σ_j (x_j·w_j)·conj(w_{k−j}), a circular convolution of length M ≥ 2n − 1 with no
 * prime factor above 5 (`fastFftLength`), done with two batched Stockham transforms of length M (about 2.5 times the
 * work of a smooth length near n, where fft.ts line by line took 3–7 times). Exact lengths keep a spectrum's frequency
 * sampling, which zero-padding to a smooth length would change (docs/vrs-differences.md).
 *
 * Both directions are unnormalised: `inverse` uses e^{+2πi jk/n} and does not divide by n.
 */
const RADICES = [4, 2, 3, 5, 7];

/** Radices of n, largest power of 4 first; null when n has a prime factor above 7. */
function radicesOf(n: number): number[] | null {
  const out: number[] = [];
  let rest = n;
  for (const r of RADICES)
    while (rest % r === 0) {
      out.push(r);
      rest /= r;
    }
  return rest === 1 ? out : null;
}

/**
 * The fast FFT length rule of the kernel: the smallest integer ≥ n (at least 1) with no prime factor above 5, the
 * radices with dedicated butterflies in both fft.ts and this file (7 takes the generic odd-radix butterfly).
 */
export function fastFftLength(n: number): number {
  for (let m = Math.max(1, Math.ceil(n)); ; m++) {
    let rest = m;
    for (const p of [2, 3, 5]) while (rest % p === 0) rest /= p;
    if (rest === 1) return m;
  }
}

interface Stage {
  radix: number;
  /** Product of the earlier radices. */
  span: number;
  /** cos and sin of −2π·k·r/(span·radix) for k < span and r = 1 … radix − 1, at (k·(radix − 1) + r − 1). */
  cos: Float64Array;
  sin: Float64Array;
}

const cache = new Map<number, BatchFft>();

/** The cached batch plan for lines of `size` samples. */
export function batchFft(size: number): BatchFft {
  let plan = cache.get(size);
  if (!plan) {
    plan = new BatchFft(size);
    cache.set(size, plan);
  }
  return plan;
}

export class BatchFft {
  private readonly stages: Stage[] | null;
  /** For lengths with a large prime factor (module comment). */
  private readonly bluestein: Bluestein | null;
  /** The two buffers the Stockham stages alternate between (grown on demand). */
  private scratch = [new Float64Array(0), new Float64Array(0)];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`FFT length must be a positive integer, got ${size}`);
    const radices = radicesOf(size);
    if (radices) {
      let span = 1;
      this.stages = radices.map((radix) => {
        const cos = new Float64Array(span * (radix - 1));
        const sin = new Float64Array(span * (radix - 1));
        for (let k = 0; k < span; k++)
          for (let r = 1; r < radix; r++) {
            const angle = (-2 * Math.PI * k * r) / (span * radix);
            cos[k * (radix - 1) + r - 1] = Math.cos(angle);
            sin[k * (radix - 1) + r - 1] = Math.sin(angle);
          }
        const stage = { radix, span, cos, sin };
        span *= radix;
        return stage;
      });
      this.bluestein = null;
    } else {
      this.stages = null;
      this.bluestein = new Bluestein(size);
    }
  }

  /**
   * In place, the DFT of lines `from` … `to` − 1 of `data`, sample j of line b at complex element
   * `offset + j·stride + b`; `sign` −1 forward (e^{−2πi jk/n}), +1 inverse, unnormalised.
   */
  transform(data: Float64Array, offset: number, stride: number, from: number, to: number, sign: -1 | 1): void {
    const n = this.size;
    const width = to - from;
    if (n === 1 || width <= 0) return;
    const stages = this.stages;
    if (!stages) return this.bluestein!.transform(data, offset, stride, from, to, sign);
    const needed = 2 * n * width;
    if (this.scratch[0].length < needed) this.scratch = [new Float64Array(needed), new Float64Array(needed)];
    // The stages alternate between two compact buffers (lines `width` apart); the first reads `data` and the last
    // writes it back.
    const base = 2 * (offset + from);
    let source = data, sourceBase = base, sourceStride = 2 * stride;
    for (let s = 0; s < stages.length; s++) {
      const last = s === stages.length - 1 && s > 0;
      const target = last ? data : this.scratch[s % 2];
      const targetBase = last ? base : 0;
      const targetStride = last ? 2 * stride : 2 * width;
      runStage(stages[s], n, width, source, sourceBase, sourceStride, target, targetBase, targetStride, sign);
      source = target;
      sourceBase = targetBase;
      sourceStride = targetStride;
    }
    if (stages.length === 1) {
      // A single stage cannot run in place: copy its result back.
      const result = this.scratch[0];
      for (let j = 0; j < n; j++) {
        const from2 = 2 * j * width, to2 = base + 2 * j * stride;
        for (let c = 0; c < 2 * width; c++) data[to2 + c] = result[from2 + c];
      }
    }
  }
}

/** Bluestein's algorithm for a batch of lines of length n (module comment), per direction. */
class Bluestein {
  private readonly convolution: BatchFft;
  /** w_j = e^{−iπj²/n}, j < n (the forward chirp; the inverse uses its conjugate). */
  private readonly chirpCos: Float64Array;
  private readonly chirpSin: Float64Array;
  /** Per sign (index 0 forward, 1 inverse), the length-M DFT of conj(w_j) at ±j, divided by M. */
  private readonly kernels: [Float64Array | null, Float64Array | null] = [null, null];
  /** x·w of the batch, M samples per line (lines side by side), then its convolution. */
  private work = new Float64Array(0);

  constructor(readonly size: number) {
    const n = size;
    this.convolution = batchFft(fastFftLength(2 * n - 1));
    this.chirpCos = new Float64Array(n);
    this.chirpSin = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      // j² mod 2n keeps the angle small, hence exact, for long lines.
      const angle = (-Math.PI * ((j * j) % (2 * n))) / n;
      this.chirpCos[j] = Math.cos(angle);
      this.chirpSin[j] = Math.sin(angle);
    }
  }

  private kernel(sign: -1 | 1): Float64Array {
    const index = sign < 0 ? 0 : 1;
    const known = this.kernels[index];
    if (known) return known;
    const n = this.size, m = this.convolution.size;
    const kernel = new Float64Array(2 * m);
    for (let j = 0; j < n; j++) {
      // conj(w_j) for this direction: w = e^{sign·iπj²/n}.
      const re = this.chirpCos[j], im = sign < 0 ? -this.chirpSin[j] : this.chirpSin[j];
      kernel[2 * j] = re;
      kernel[2 * j + 1] = im;
      if (j > 0) {
        kernel[2 * (m - j)] = re;
        kernel[2 * (m - j) + 1] = im;
      }
    }
    this.convolution.transform(kernel, 0, 1, 0, 1, -1);
    for (let i = 0; i < 2 * m; i++) kernel[i] /= m;
    this.kernels[index] = kernel;
    return kernel;
  }

  transform(data: Float64Array, offset: number, stride: number, from: number, to: number, sign: -1 | 1): void {
    const n = this.size, m = this.convolution.size;
    const width = to - from;
    const kernel = this.kernel(sign);
    const { chirpCos } = this;
    const chirpSin = this.chirpSin;
    const flip = sign < 0 ? 1 : -1;
    if (this.work.length < 2 * m * width) this.work = new Float64Array(2 * m * width);
    const work = this.work;
    const slots = 2 * width;
    for (let j = 0; j < n; j++) {
      const c = chirpCos[j], s = flip * chirpSin[j];
      const source = 2 * (offset + j * stride + from), target = j * slots;
      for (let b = 0; b < slots; b += 2) {
        const re = data[source + b], im = data[source + b + 1];
        work[target + b] = re * c - im * s;
        work[target + b + 1] = re * s + im * c;
      }
    }
    work.fill(0, n * slots, m * slots);
    this.convolution.transform(work, 0, width, 0, width, -1);
    for (let k = 0; k < m; k++) {
      const c = kernel[2 * k], s = kernel[2 * k + 1], at = k * slots;
      for (let b = 0; b < slots; b += 2) {
        const re = work[at + b], im = work[at + b + 1];
        work[at + b] = re * c - im * s;
        work[at + b + 1] = re * s + im * c;
      }
    }
    this.convolution.transform(work, 0, width, 0, width, 1);
    for (let k = 0; k < n; k++) {
      const c = chirpCos[k], s = flip * chirpSin[k];
      const source = k * slots, target = 2 * (offset + k * stride + from);
      for (let b = 0; b < slots; b += 2) {
        const re = work[source + b], im = work[source + b + 1];
        data[target + b] = re * c - im * s;
        data[target + b + 1] = re * s + im * c;
      }
    }
  }
}

const SIN_60 = Math.sqrt(3) / 2;

/**
 * One Stockham stage over `width` lines: reads sample j + r·m (m = n/R) of each line from `source`, writes sample
 * (j − k)·R + k + r·Ns (k = j mod Ns) to `target`. Offsets and strides are in float64 slots (2 per complex value).
 */
function runStage(
  stage: Stage,
  n: number,
  width: number,
  source: Float64Array,
  sourceBase: number,
  sourceStride: number,
  target: Float64Array,
  targetBase: number,
  targetStride: number,
  sign: -1 | 1,
): void {
  const { radix, span, cos, sin } = stage;
  const m = n / radix;
  const slots = 2 * width;
  // The tables hold e^{−2πi…}; the inverse uses their conjugates.
  const flip = sign < 0 ? 1 : -1;
  const inputStep = m * sourceStride;
  const outputStep = span * targetStride;
  for (let j = 0; j < m; j++) {
    const k = j % span;
    const t = k * (radix - 1);
    const input = sourceBase + j * sourceStride;
    const output = targetBase + ((j - k) * radix + k) * targetStride;
    // At k = 0 every twiddle is 1 (the whole first stage, and 1/span of the others).
    if (radix === 4 && k === 0) radix4Untwiddled(source, input, inputStep, target, output, outputStep, slots, sign);
    else if (radix === 4)
      radix4(source, input, inputStep, target, output, outputStep, slots, sign,
        cos[t], flip * sin[t], cos[t + 1], flip * sin[t + 1], cos[t + 2], flip * sin[t + 2]);
    else if (radix === 2) radix2(source, input, inputStep, target, output, outputStep, slots, cos[t], flip * sin[t]);
    else if (radix === 3)
      radix3(source, input, inputStep, target, output, outputStep, slots, sign,
        cos[t], flip * sin[t], cos[t + 1], flip * sin[t + 1]);
    else if (radix === 5)
      radix5(source, input, inputStep, target, output, outputStep, slots, sign, cos, sin, t, flip);
    else radixOdd(radix, source, input, inputStep, target, output, outputStep, slots, sign, cos, sin, t, flip);
  }
}

function radix2(
  x: Float64Array, input: number, inputStep: number, y: Float64Array, output: number, outputStep: number, slots: number,
  c1: number, s1: number,
): void {
  const i1 = input + inputStep, o1 = output + outputStep;
  for (let c = 0; c < slots; c += 2) {
    const ar = x[input + c], ai = x[input + c + 1];
    const xr = x[i1 + c], xi = x[i1 + c + 1];
    const br = xr * c1 - xi * s1, bi = xr * s1 + xi * c1;
    y[output + c] = ar + br;
    y[output + c + 1] = ai + bi;
    y[o1 + c] = ar - br;
    y[o1 + c + 1] = ai - bi;
  }
}

/** y_k = Σ_r a_r·ω^{rk}, ω = e^{sign·iπ/2} = sign·i, with a_r = x_r·(twiddle r). */
function radix4(
  x: Float64Array, input: number, inputStep: number, y: Float64Array, output: number, outputStep: number, slots: number,
  sign: number, c1: number, s1: number, c2: number, s2: number, c3: number, s3: number,
): void {
  const i1 = input + inputStep, i2 = i1 + inputStep, i3 = i2 + inputStep;
  const o1 = output + outputStep, o2 = o1 + outputStep, o3 = o2 + outputStep;
  for (let c = 0; c < slots; c += 2) {
    const a0r = x[input + c], a0i = x[input + c + 1];
    let xr = x[i1 + c], xi = x[i1 + c + 1];
    const a1r = xr * c1 - xi * s1, a1i = xr * s1 + xi * c1;
    xr = x[i2 + c];
    xi = x[i2 + c + 1];
    const a2r = xr * c2 - xi * s2, a2i = xr * s2 + xi * c2;
    xr = x[i3 + c];
    xi = x[i3 + c + 1];
    const a3r = xr * c3 - xi * s3, a3i = xr * s3 + xi * c3;
    const t0r = a0r + a2r, t0i = a0i + a2i, t1r = a0r - a2r, t1i = a0i - a2i;
    const t2r = a1r + a3r, t2i = a1i + a3i;
    // ω·(a1 − a3) = sign·i·(a1 − a3)
    const ur = -sign * (a1i - a3i), ui = sign * (a1r - a3r);
    y[output + c] = t0r + t2r;
    y[output + c + 1] = t0i + t2i;
    y[o1 + c] = t1r + ur;
    y[o1 + c + 1] = t1i + ui;
    y[o2 + c] = t0r - t2r;
    y[o2 + c + 1] = t0i - t2i;
    y[o3 + c] = t1r - ur;
    y[o3 + c + 1] = t1i - ui;
  }
}

/** `radix4` with every twiddle 1. */
function radix4Untwiddled(
  x: Float64Array, input: number, inputStep: number, y: Float64Array, output: number, outputStep: number, slots: number,
  sign: number,
): void {
  const i1 = input + inputStep, i2 = i1 + inputStep, i3 = i2 + inputStep;
  const o1 = output + outputStep, o2 = o1 + outputStep, o3 = o2 + outputStep;
  for (let c = 0; c < slots; c += 2) {
    const a0r = x[input + c], a0i = x[input + c + 1];
    const a1r = x[i1 + c], a1i = x[i1 + c + 1];
    const a2r = x[i2 + c], a2i = x[i2 + c + 1];
    const a3r = x[i3 + c], a3i = x[i3 + c + 1];
    const t0r = a0r + a2r, t0i = a0i + a2i, t1r = a0r - a2r, t1i = a0i - a2i;
    const t2r = a1r + a3r, t2i = a1i + a3i;
    const ur = -sign * (a1i - a3i), ui = sign * (a1r - a3r);
    y[output + c] = t0r + t2r;
    y[output + c + 1] = t0i + t2i;
    y[o1 + c] = t1r + ur;
    y[o1 + c + 1] = t1i + ui;
    y[o2 + c] = t0r - t2r;
    y[o2 + c + 1] = t0i - t2i;
    y[o3 + c] = t1r - ur;
    y[o3 + c + 1] = t1i - ui;
  }
}

/** y_{1,2} = a0 − (a1 + a2)/2 ± sign·i·(√3/2)·(a1 − a2). */
export function radix3(
  x: Float64Array, input: number, inputStep: number, y: Float64Array, output: number, outputStep: number, slots: number,
  sign: number, c1: number, s1: number, c2: number, s2: number,
): void {
  const i1 = input + inputStep, i2 = i1 + inputStep;
  const o1 = output + outputStep, o2 = o1 + outputStep;
  const h = sign * SIN_60;
  for (let c = 0; c < slots; c += 2) {
    const a0r = x[input + c], a0i = x[input + c + 1];
    let xr = x[i1 + c], xi = x[i1 + c + 1];
    const a1r = xr * c1 - xi * s1, a1i = xr * s1 + xi * c1;
    xr = x[i2 + c];
    xi = x[i2 + c + 1];
    const a2r = xr * c2 - xi * s2, a2i = xr * s2 + xi * c2;
    const sumR = a1r + a2r, sumI = a1i + a2i;
    const midR = a0r - 0.5 * sumR, midI = a0i - 0.5 * sumI;
    // h·i·(a1 − a2)
    const ur = -h * (a1i - a2i), ui = h * (a1r - a2r);
    y[output + c] = a0r + sumR;
    y[output + c + 1] = a0i + sumI;
    y[o1 + c] = midR + ur;
    y[o1 + c + 1] = midI + ui;
    y[o2 + c] = midR - ur;
    y[o2 + c + 1] = midI - ui;
  }
}

const COS_72 = Math.cos((2 * Math.PI) / 5);
const COS_144 = Math.cos((4 * Math.PI) / 5);
const SIN_72 = Math.sin((2 * Math.PI) / 5);
const SIN_144 = Math.sin((4 * Math.PI) / 5);

/**
 * With b1 = a1 + a4, b2 = a2 + a3, d1 = a1 − a4, d2 = a2 − a3 (the roots of a1 and a4, a2 and a3 are conjugate):
 * y_{1,4} = a0 + c72·b1 + c144·b2 ± sign·i·(s72·d1 + s144·d2), y_{2,3} = a0 + c144·b1 + c72·b2 ± sign·i·(s144·d1 − s72·d2).
 */
export function radix5(
  x: Float64Array, input: number, inputStep: number, y: Float64Array, output: number, outputStep: number, slots: number,
  sign: number, cos: Float64Array, sin: Float64Array, t: number, flip: number,
): void {
  const i1 = input + inputStep, i2 = i1 + inputStep, i3 = i2 + inputStep, i4 = i3 + inputStep;
  const o1 = output + outputStep, o2 = o1 + outputStep, o3 = o2 + outputStep, o4 = o3 + outputStep;
  const c1 = cos[t], s1 = flip * sin[t], c2 = cos[t + 1], s2 = flip * sin[t + 1];
  const c3 = cos[t + 2], s3 = flip * sin[t + 2], c4 = cos[t + 3], s4 = flip * sin[t + 3];
  const s72 = sign * SIN_72, s144 = sign * SIN_144;
  for (let c = 0; c < slots; c += 2) {
    const a0r = x[input + c], a0i = x[input + c + 1];
    let xr = x[i1 + c], xi = x[i1 + c + 1];
    const a1r = xr * c1 - xi * s1, a1i = xr * s1 + xi * c1;
    xr = x[i2 + c];
    xi = x[i2 + c + 1];
    const a2r = xr * c2 - xi * s2, a2i = xr * s2 + xi * c2;
    xr = x[i3 + c];
    xi = x[i3 + c + 1];
    const a3r = xr * c3 - xi * s3, a3i = xr * s3 + xi * c3;
    xr = x[i4 + c];
    xi = x[i4 + c + 1];
    const a4r = xr * c4 - xi * s4, a4i = xr * s4 + xi * c4;
    const b1r = a1r + a4r, b1i = a1i + a4i, b2r = a2r + a3r, b2i = a2i + a3i;
    const d1r = a1r - a4r, d1i = a1i - a4i, d2r = a2r - a3r, d2i = a2i - a3i;
    const e1r = a0r + COS_72 * b1r + COS_144 * b2r, e1i = a0i + COS_72 * b1i + COS_144 * b2i;
    const e2r = a0r + COS_144 * b1r + COS_72 * b2r, e2i = a0i + COS_144 * b1i + COS_72 * b2i;
    // i·(s72·d1 + s144·d2) and i·(s144·d1 − s72·d2), with the sign folded into s72 and s144
    const f1r = -(s72 * d1i + s144 * d2i), f1i = s72 * d1r + s144 * d2r;
    const f2r = -(s144 * d1i - s72 * d2i), f2i = s144 * d1r - s72 * d2r;
    y[output + c] = a0r + b1r + b2r;
    y[output + c + 1] = a0i + b1i + b2i;
    y[o1 + c] = e1r + f1r;
    y[o1 + c + 1] = e1i + f1i;
    y[o4 + c] = e1r - f1r;
    y[o4 + c + 1] = e1i - f1i;
    y[o2 + c] = e2r + f2r;
    y[o2 + c + 1] = e2i + f2i;
    y[o3 + c] = e2r - f2r;
    y[o3 + c + 1] = e2i - f2i;
  }
}

const oddRoots = new Map<number, { cos: Float64Array; sin: Float64Array }>();

/** Twiddled inputs of one butterfly of `radixOdd`. */
const oddRe = new Float64Array(8), oddIm = new Float64Array(8);

/**
 * An odd prime radix R (7): y_k = a0 + Σ_{r ≤ (R−1)/2} [cos(2πrk/R)·(a_r + a_{R−r}) + sign·i·sin(2πrk/R)·(a_r − a_{R−r})].
 */
function radixOdd(
  radix: number, x: Float64Array, input: number, inputStep: number, y: Float64Array, output: number, outputStep: number,
  slots: number, sign: number, cos: Float64Array, sin: Float64Array, t: number, flip: number,
): void {
  let roots = oddRoots.get(radix);
  if (!roots) {
    roots = { cos: new Float64Array(radix * radix), sin: new Float64Array(radix * radix) };
    for (let r = 0; r < radix; r++)
      for (let k = 0; k < radix; k++) {
        roots.cos[r * radix + k] = Math.cos((2 * Math.PI * ((r * k) % radix)) / radix);
        roots.sin[r * radix + k] = Math.sin((2 * Math.PI * ((r * k) % radix)) / radix);
      }
    oddRoots.set(radix, roots);
  }
  const half = (radix - 1) / 2;
  const ar = oddRe, ai = oddIm;
  for (let c = 0; c < slots; c += 2) {
    ar[0] = x[input + c];
    ai[0] = x[input + c + 1];
    for (let r = 1; r < radix; r++) {
      const xr = x[input + r * inputStep + c], xi = x[input + r * inputStep + c + 1];
      const wc = cos[t + r - 1], ws = flip * sin[t + r - 1];
      ar[r] = xr * wc - xi * ws;
      ai[r] = xr * ws + xi * wc;
    }
    let sumR = ar[0], sumI = ai[0];
    for (let r = 1; r < radix; r++) {
      sumR += ar[r];
      sumI += ai[r];
    }
    y[output + c] = sumR;
    y[output + c + 1] = sumI;
    for (let k = 1; k < radix; k++) {
      let re = ar[0], im = ai[0];
      for (let r = 1; r <= half; r++) {
        const rc = roots.cos[r * radix + k], rs = sign * roots.sin[r * radix + k];
        const pr = ar[r] + ar[radix - r], pi = ai[r] + ai[radix - r];
        const dr = ar[r] - ar[radix - r], di = ai[r] - ai[radix - r];
        // rc·p + rs·i·d
        re += rc * pr - rs * di;
        im += rc * pi + rs * dr;
      }
      y[output + k * outputStep + c] = re;
      y[output + k * outputStep + c + 1] = im;
    }
  }
}
