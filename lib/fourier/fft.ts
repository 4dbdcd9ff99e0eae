/**
 * 1-D complex DFT of any length, in float64.
 *
 * - Powers of two go straight to fft.js (radix-4).
 * - Lengths whose smallest odd prime factor r is small (≤ 31, which covers the usual EMDB boxes: 100, 200, 210, 320,
 *   360, …) take one Cooley–Tukey step of radix r over the DFT of length n/r, recursively, ending in fft.js.
 * - A prime n above 31 whose n − 1 has no prime factor above 7 (37, 101, 257, …) uses Rader's algorithm: a cyclic
 *   convolution of length n − 1, done with Cooley–Tukey steps (measured 1.4–3.5× faster than Bluestein for 37, 41,
 *   73, 97 and 257, 1.1× for 101, as fast for 61).
 * - Anything else with a large prime factor uses Bluestein's chirp-z algorithm: a circular convolution of power-of-two
 *   length m ≥ 2n−1 done with fft.js. It costs two length-m FFTs, i.e. 4–8 times a power-of-two length near n, which
 *   is why the Cooley–Tukey step comes first. (Splitting off the large prime with a Cooley–Tukey step and Rader's
 *   algorithm for it, e.g. 134 = 2·67, was measured slower than Bluestein on the whole length.)
 *
 * Plans are cached per length, so repeated lines of a 3-D transform reuse twiddles and scratch buffers. Plans own
 * scratch buffers and are therefore not re-entrant; JavaScript is single-threaded per realm (a Web Worker has its own
 * cache), and a plan only calls plans of shorter lengths, so that is safe. Plans are class instances rather than
 * closures so that V8 optimises each algorithm once for all lengths.
 */
import FFT from "fft.js";
import { radix3, radix5 } from "./fft-batch.js";

/**
 * A DFT of one fixed length. Buffers are interleaved complex: `[re0, im0, re1, im1, …]`, length `2·size`.
 * `input` and `output` must be different arrays; `input` is left unchanged.
 */
export interface ComplexFft {
  readonly size: number;
  /** `output[k] = Σ_j input[j]·exp(−2πi·jk/n)`: unnormalised, same sign as numpy and fft.js. */
  forward(output: Float64Array, input: Float64Array): void;
  /** `output[j] = (1/n)·Σ_k input[k]·exp(+2πi·jk/n)`, so `inverse(forward(x)) = x`. */
  inverse(output: Float64Array, input: Float64Array): void;
}

/**
 * Above this radix one Cooley–Tukey step (r multiply-adds per output) costs more than Bluestein on the whole length
 * (about 2·log₂(4n) butterflies per output with m ≤ 4n).
 */
const LARGEST_CROSS_RADIX = 31;

const plans = new Map<number, ComplexFft>();

/** The cached DFT plan for `size` complex samples (any positive integer). */
export function complexFft(size: number): ComplexFft {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`FFT length must be a positive integer, got ${size}`);
  let plan = plans.get(size);
  if (!plan) {
    const radix = smallestOddPrimeFactor(size);
    if (size === 1) plan = new IdentityFft();
    else if (radix === 1) plan = new Radix4Fft(size);
    else if (radix <= LARGEST_CROSS_RADIX) plan = new CooleyTukeyStepFft(size, radix);
    else if (radix === size && largestPrimeFactor(size - 1) <= 7) plan = new RaderFft(size);
    else plan = new BluesteinFft(size);
    plans.set(size, plan);
  }
  return plan;
}

/** Smallest odd prime dividing n, or 1 when n is a power of two. */
function smallestOddPrimeFactor(n: number): number {
  let odd = n;
  while (odd % 2 === 0) odd /= 2;
  for (let p = 3; p * p <= odd; p += 2) if (odd % p === 0) return p;
  return odd;
}

function largestPrimeFactor(n: number): number {
  let largest = 1;
  for (let p = 2; p * p <= n; p++)
    while (n % p === 0) {
      largest = p;
      n /= p;
    }
  return n > 1 ? Math.max(largest, n) : largest;
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** fft.js refuses length 1, where the DFT is the identity. */
class IdentityFft implements ComplexFft {
  readonly size = 1;
  forward(output: Float64Array, input: Float64Array): void {
    output[0] = input[0];
    output[1] = input[1];
  }
  inverse(output: Float64Array, input: Float64Array): void {
    this.forward(output, input);
  }
}

class Radix4Fft implements ComplexFft {
  private readonly engine: FFT;
  constructor(readonly size: number) {
    this.engine = new FFT(size);
  }
  forward(output: Float64Array, input: Float64Array): void {
    this.engine.transform(output, input);
  }
  inverse(output: Float64Array, input: Float64Array): void {
    this.engine.inverseTransform(output, input);
  }
}

/** Shared inverse for plans that only implement a forward transform: IDFT(x) = conj(DFT(conj x))/n. */
function inverseByConjugation(plan: ComplexFft, scratch: Float64Array, output: Float64Array, input: Float64Array) {
  const n2 = 2 * plan.size;
  for (let i = 0; i < n2; i += 2) {
    scratch[i] = input[i];
    scratch[i + 1] = -input[i + 1];
  }
  plan.forward(output, scratch);
  const scale = 1 / plan.size;
  for (let i = 0; i < n2; i += 2) {
    output[i] *= scale;
    output[i + 1] *= -scale;
  }
}

/**
 * One decimation-in-time step of radix r, n = r·m. With j = j1 + r·j2 and k = m·k1 + k2:
 * X[m·k1 + k2] = Σ_{j1} ω_r^{j1·k1} · ω_n^{j1·k2} · Y_{j1}[k2], where Y_{j1} is the length-m DFT of x[j1 + r·j2].
 */
class CooleyTukeyStepFft implements ComplexFft {
  private readonly m: number;
  private readonly child: ComplexFft;
  /** ω_n^{j1·k2} at j1·m + k2. */
  private readonly twiddle: Float64Array;
  /** ω_r^{k1·j1} at k1·r + j1. */
  private readonly rootRe: Float64Array;
  private readonly rootIm: Float64Array;
  private readonly gathered: Float64Array;
  /** Y_{j1}[k2] at j1·m + k2, and one view per j1 for the child transforms to write into. */
  private readonly partial: Float64Array;
  private readonly partialOf: Float64Array[];
  private readonly column: Float64Array;
  private readonly conjugated: Float64Array;

  constructor(
    readonly size: number,
    private readonly radix: number,
  ) {
    const n = size;
    const m = n / radix;
    this.m = m;
    this.child = complexFft(m);
    this.twiddle = new Float64Array(2 * n);
    for (let j1 = 0; j1 < radix; j1++) {
      for (let k2 = 0; k2 < m; k2++) {
        const angle = (-2 * Math.PI * ((j1 * k2) % n)) / n;
        this.twiddle[2 * (j1 * m + k2)] = Math.cos(angle);
        this.twiddle[2 * (j1 * m + k2) + 1] = Math.sin(angle);
      }
    }
    this.rootRe = new Float64Array(radix * radix);
    this.rootIm = new Float64Array(radix * radix);
    for (let k1 = 0; k1 < radix; k1++) {
      for (let j1 = 0; j1 < radix; j1++) {
        const angle = (-2 * Math.PI * ((k1 * j1) % radix)) / radix;
        this.rootRe[k1 * radix + j1] = Math.cos(angle);
        this.rootIm[k1 * radix + j1] = Math.sin(angle);
      }
    }
    this.gathered = new Float64Array(2 * m);
    this.partial = new Float64Array(2 * n);
    this.partialOf = Array.from({ length: radix }, (_, j1) => this.partial.subarray(2 * j1 * m, 2 * (j1 + 1) * m));
    this.column = new Float64Array(2 * radix);
    this.conjugated = new Float64Array(2 * n);
  }

  forward(output: Float64Array, input: Float64Array): void {
    const { m, radix, child, twiddle, rootRe, rootIm, gathered, partial, partialOf, column } = this;
    const n2 = 2 * this.size;
    for (let j1 = 0; j1 < radix; j1++) {
      for (let j2 = 0; j2 < m; j2++) {
        gathered[2 * j2] = input[2 * (j1 + radix * j2)];
        gathered[2 * j2 + 1] = input[2 * (j1 + radix * j2) + 1];
      }
      child.forward(partialOf[j1], gathered);
    }
    for (let i = 2 * m; i < n2; i += 2) {
      const re = partial[i];
      const im = partial[i + 1];
      partial[i] = re * twiddle[i] - im * twiddle[i + 1];
      partial[i + 1] = re * twiddle[i + 1] + im * twiddle[i];
    }
    // Butterflies of the twiddled partial transforms a_j = partial[j·m + k2] into output[m·k + k2], all k2 at once.
    if (radix === 3) return radix3(partial, 0, 2 * m, output, 0, 2 * m, 2 * m, -1, 1, 0, 1, 0);
    if (radix === 5) return radix5(partial, 0, 2 * m, output, 0, 2 * m, 2 * m, -1, UNIT_COS, UNIT_SIN, 0, 1);
    for (let k2 = 0; k2 < m; k2++) {
      for (let j1 = 0; j1 < radix; j1++) {
        column[2 * j1] = partial[2 * (j1 * m + k2)];
        column[2 * j1 + 1] = partial[2 * (j1 * m + k2) + 1];
      }
      for (let k1 = 0; k1 < radix; k1++) {
        let re = 0;
        let im = 0;
        const roots = k1 * radix;
        for (let j1 = 0; j1 < radix; j1++) {
          const yr = column[2 * j1];
          const yi = column[2 * j1 + 1];
          const wr = rootRe[roots + j1];
          const wi = rootIm[roots + j1];
          re += yr * wr - yi * wi;
          im += yr * wi + yi * wr;
        }
        output[2 * (m * k1 + k2)] = re;
        output[2 * (m * k1 + k2) + 1] = im;
      }
    }
  }

  inverse(output: Float64Array, input: Float64Array): void {
    inverseByConjugation(this, this.conjugated, output, input);
  }
}

/** Unit twiddles for the batch butterflies: the partial transforms are twiddled before they combine. */
const UNIT_COS = new Float64Array([1, 1, 1, 1]);
const UNIT_SIN = new Float64Array(4);

/**
 * Bluestein: with w_k = exp(−iπk²/n), jk = (k² + j² − (k−j)²)/2 gives X_k = w_k · Σ_j (x_j w_j) · conj(w_{k−j}),
 * a convolution of (x·w) with conj(w), evaluated as a cyclic convolution of length m by power-of-two FFTs.
 */
class BluesteinFft implements ComplexFft {
  private readonly m: number;
  private readonly engine: FFT;
  private readonly chirpRe: Float64Array;
  private readonly chirpIm: Float64Array;
  /** Spectrum of the kernel conj(w) laid out cyclically (indices k and m−k), with the inverse's 1/m folded in. */
  private readonly kernelSpectrum: Float64Array;
  private readonly work: Float64Array;
  private readonly workSpectrum: Float64Array;
  private readonly conjugated: Float64Array;

  constructor(readonly size: number) {
    const n = size;
    const m = nextPowerOfTwo(2 * n - 1);
    this.m = m;
    this.engine = new FFT(m);
    // k² is reduced mod 2n before scaling so the chirp angle stays exact for large k.
    this.chirpRe = new Float64Array(n);
    this.chirpIm = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const angle = (Math.PI * ((k * k) % (2 * n))) / n;
      this.chirpRe[k] = Math.cos(angle);
      this.chirpIm[k] = -Math.sin(angle);
    }
    const kernel = new Float64Array(2 * m);
    kernel[0] = this.chirpRe[0];
    kernel[1] = -this.chirpIm[0];
    for (let k = 1; k < n; k++) {
      kernel[2 * k] = kernel[2 * (m - k)] = this.chirpRe[k];
      kernel[2 * k + 1] = kernel[2 * (m - k) + 1] = -this.chirpIm[k];
    }
    this.kernelSpectrum = new Float64Array(2 * m);
    this.engine.transform(this.kernelSpectrum, kernel);
    for (let i = 0; i < 2 * m; i++) this.kernelSpectrum[i] /= m;
    this.work = new Float64Array(2 * m);
    this.workSpectrum = new Float64Array(2 * m);
    this.conjugated = new Float64Array(2 * n);
  }

  forward(output: Float64Array, input: Float64Array): void {
    const { m, engine, chirpRe, chirpIm, kernelSpectrum, work, workSpectrum } = this;
    const n = this.size;
    for (let k = 0; k < n; k++) {
      const re = input[2 * k];
      const im = input[2 * k + 1];
      work[2 * k] = re * chirpRe[k] - im * chirpIm[k];
      work[2 * k + 1] = re * chirpIm[k] + im * chirpRe[k];
    }
    work.fill(0, 2 * n);
    engine.transform(workSpectrum, work);
    // Pointwise product, conjugated so that a second forward transform performs the inverse one.
    for (let j = 0; j < m; j++) {
      const ar = workSpectrum[2 * j];
      const ai = workSpectrum[2 * j + 1];
      const br = kernelSpectrum[2 * j];
      const bi = kernelSpectrum[2 * j + 1];
      work[2 * j] = ar * br - ai * bi;
      work[2 * j + 1] = -(ar * bi + ai * br);
    }
    engine.transform(workSpectrum, work);
    for (let k = 0; k < n; k++) {
      const re = workSpectrum[2 * k];
      const im = -workSpectrum[2 * k + 1];
      output[2 * k] = re * chirpRe[k] - im * chirpIm[k];
      output[2 * k + 1] = re * chirpIm[k] + im * chirpRe[k];
    }
  }

  inverse(output: Float64Array, input: Float64Array): void {
    inverseByConjugation(this, this.conjugated, output, input);
  }
}

/**
 * Rader, for a prime n: the indices 1 … n−1 are the powers of a generator g modulo n, and with j = g^q, k = g^−m,
 * X[g^−m] = x[0] + Σ_q x[g^q]·ω^(g^(q−m)), a cyclic convolution of a_q = x[g^q] with b_r = ω^(g^−r) (ω = e^(−2πi/n)),
 * of length n − 1, done with two DFTs of that length and the kernel's spectrum, computed once. X[0] = x[0] + Σ a.
 */
class RaderFft implements ComplexFft {
  private readonly child: ComplexFft;
  /** g^q mod n: the input sample of convolution slot q. */
  private readonly inputIndex: Int32Array;
  /** g^−m mod n: the output bin of convolution slot m. */
  private readonly outputIndex: Int32Array;
  private readonly kernelSpectrum: Float64Array;
  private readonly permuted: Float64Array;
  private readonly spectrum: Float64Array;
  private readonly convolved: Float64Array;
  private readonly conjugated: Float64Array;

  constructor(readonly size: number) {
    const n = size;
    const length = n - 1;
    this.child = complexFft(length);
    const g = primitiveRoot(n);
    const gInverse = powerModulo(g, n - 2, n);
    this.inputIndex = new Int32Array(length);
    this.outputIndex = new Int32Array(length);
    const kernel = new Float64Array(2 * length);
    for (let q = 0, forward = 1, backward = 1; q < length; q++) {
      this.inputIndex[q] = forward;
      this.outputIndex[q] = backward;
      const angle = (-2 * Math.PI * backward) / n;
      kernel[2 * q] = Math.cos(angle);
      kernel[2 * q + 1] = Math.sin(angle);
      forward = (forward * g) % n;
      backward = (backward * gInverse) % n;
    }
    this.kernelSpectrum = new Float64Array(2 * length);
    this.child.forward(this.kernelSpectrum, kernel);
    this.permuted = new Float64Array(2 * length);
    this.spectrum = new Float64Array(2 * length);
    this.convolved = new Float64Array(2 * length);
    this.conjugated = new Float64Array(2 * n);
  }

  forward(output: Float64Array, input: Float64Array): void {
    const { child, inputIndex, outputIndex, kernelSpectrum, permuted, spectrum, convolved } = this;
    const length = this.size - 1;
    for (let q = 0; q < length; q++) {
      permuted[2 * q] = input[2 * inputIndex[q]];
      permuted[2 * q + 1] = input[2 * inputIndex[q] + 1];
    }
    child.forward(spectrum, permuted);
    for (let i = 0; i < 2 * length; i += 2) {
      const ar = spectrum[i], ai = spectrum[i + 1];
      const br = kernelSpectrum[i], bi = kernelSpectrum[i + 1];
      permuted[i] = ar * br - ai * bi;
      permuted[i + 1] = ar * bi + ai * br;
    }
    child.inverse(convolved, permuted);
    const x0r = input[0], x0i = input[1];
    output[0] = x0r + spectrum[0];
    output[1] = x0i + spectrum[1];
    for (let m = 0; m < length; m++) {
      output[2 * outputIndex[m]] = x0r + convolved[2 * m];
      output[2 * outputIndex[m] + 1] = x0i + convolved[2 * m + 1];
    }
  }

  inverse(output: Float64Array, input: Float64Array): void {
    inverseByConjugation(this, this.conjugated, output, input);
  }
}

/** base^exponent mod n (n below 2^26, so products stay exact in float64). */
function powerModulo(base: number, exponent: number, n: number): number {
  let result = 1;
  for (let b = base % n, e = exponent; e > 0; e = Math.floor(e / 2), b = (b * b) % n) if (e % 2 === 1) result = (result * b) % n;
  return result;
}

/** Smallest generator of the multiplicative group modulo the prime n: g^((n−1)/f) ≠ 1 for every prime f of n − 1. */
function primitiveRoot(n: number): number {
  const factors: number[] = [];
  let rest = n - 1;
  for (let f = 2; f * f <= rest; f++) {
    if (rest % f !== 0) continue;
    factors.push(f);
    while (rest % f === 0) rest /= f;
  }
  if (rest > 1) factors.push(rest);
  for (let g = 2; ; g++) if (factors.every((f) => powerModulo(g, (n - 1) / f, n) !== 1)) return g;
}
