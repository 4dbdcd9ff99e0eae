/**
 * Deterministic random numbers for tests and benches: one 32-bit LCG (Numerical Recipes constants) that the Python
 * fixture scripts reproduce exactly (scripts/make-fft-fixtures.py), so fixtures need not store their inputs.
 */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0);
}

/** Uniform in [-0.5, 0.5): the inputs of the FFT fixtures. */
export function centeredUniform(seed: number): () => number {
  const next = lcg(seed);
  return () => next() / 2 ** 32 - 0.5;
}

/** Uniform in (0, 1), never 0, so it can feed a logarithm. */
export function openUniform(seed: number): () => number {
  const next = lcg(seed);
  return () => (next() + 0.5) / 2 ** 32;
}

/** Standard normal by Box–Muller (one draw per pair of uniforms). */
export function seededNormal(seed: number): () => number {
  const uniform = openUniform(seed);
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

/**
 * xorshift32 (Marsaglia) from any integer seed (0 is replaced by 1): unsigned 32-bit integers whose low bits are as
 * good as the high ones, for the `next() % k` and `next() / 2 ** 32` of property tests (the LCG's low bits cycle).
 */
export function xorshift32(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>>= 0);
  };
}
