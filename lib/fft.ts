/**
 * 1-D complex DFT of any length, in float64.
 *
 * Powers of two go straight to fft.js (radix-4). Every other length uses Bluestein's chirp-z algorithm, which turns a
 * length-n DFT into a circular convolution of power-of-two length m ≥ 2n−1 done with fft.js. Plans are cached per
 * length, so repeated lines of a 3-D transform reuse twiddles and scratch buffers. Plans own scratch buffers and are
 * therefore not re-entrant; JavaScript is single-threaded per realm (a Web Worker has its own cache), so that is safe.
 */
import FFT from "fft.js";

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

const plans = new Map<number, ComplexFft>();

/** The cached DFT plan for `size` complex samples (any positive integer). */
export function complexFft(size: number): ComplexFft {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`FFT length must be a positive integer, got ${size}`);
  let plan = plans.get(size);
  if (!plan) {
    plan = size === 1 ? identityPlan : isPowerOfTwo(size) ? radix4Plan(size) : bluesteinPlan(size);
    plans.set(size, plan);
  }
  return plan;
}

export function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** fft.js refuses length 1, where the DFT is the identity. */
const identityPlan: ComplexFft = {
  size: 1,
  forward(output, input) {
    output[0] = input[0];
    output[1] = input[1];
  },
  inverse(output, input) {
    output[0] = input[0];
    output[1] = input[1];
  },
};

function radix4Plan(size: number): ComplexFft {
  const engine = new FFT(size);
  return {
    size,
    forward: (output, input) => engine.transform(output, input),
    inverse: (output, input) => engine.inverseTransform(output, input),
  };
}

/**
 * Bluestein: with w_k = exp(−iπk²/n), jk = (k² + j² − (k−j)²)/2 gives X_k = w_k · Σ_j (x_j w_j) · conj(w_{k−j}),
 * a convolution of (x·w) with conj(w), evaluated as a cyclic convolution of length m by power-of-two FFTs.
 */
function bluesteinPlan(n: number): ComplexFft {
  const m = nextPowerOfTwo(2 * n - 1);
  const engine = new FFT(m);

  // k² is reduced mod 2n before scaling so the chirp angle stays exact for large k.
  const chirpRe = new Float64Array(n);
  const chirpIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const angle = (Math.PI * ((k * k) % (2 * n))) / n;
    chirpRe[k] = Math.cos(angle);
    chirpIm[k] = -Math.sin(angle);
  }

  // Spectrum of the convolution kernel conj(w) laid out cyclically (indices k and m−k), with the 1/m of the inverse
  // transform folded in.
  const kernel = new Float64Array(2 * m);
  kernel[0] = chirpRe[0];
  kernel[1] = -chirpIm[0];
  for (let k = 1; k < n; k++) {
    kernel[2 * k] = kernel[2 * (m - k)] = chirpRe[k];
    kernel[2 * k + 1] = kernel[2 * (m - k) + 1] = -chirpIm[k];
  }
  const kernelSpectrum = new Float64Array(2 * m);
  engine.transform(kernelSpectrum, kernel);
  for (let i = 0; i < 2 * m; i++) kernelSpectrum[i] /= m;

  const work = new Float64Array(2 * m);
  const workSpectrum = new Float64Array(2 * m);

  // The inverse DFT is conj(DFT(conj(x)))/n, so both directions share one routine.
  function run(output: Float64Array, input: Float64Array, inverse: boolean): void {
    const sign = inverse ? -1 : 1;
    for (let k = 0; k < n; k++) {
      const re = input[2 * k];
      const im = sign * input[2 * k + 1];
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
    const scale = inverse ? 1 / n : 1;
    for (let k = 0; k < n; k++) {
      const re = workSpectrum[2 * k];
      const im = -workSpectrum[2 * k + 1];
      output[2 * k] = scale * (re * chirpRe[k] - im * chirpIm[k]);
      output[2 * k + 1] = sign * scale * (re * chirpIm[k] + im * chirpRe[k]);
    }
  }

  return {
    size: n,
    forward: (output, input) => run(output, input, false),
    inverse: (output, input) => run(output, input, true),
  };
}
