/**
 * Seeded uniform numbers for the kernel's random draws (phase randomisation in 1.a, the synthetic map's noise and
 * dust), so that a rerun with the same seed gives the same numbers in every runtime.
 */

/**
 * Uniform numbers in [0, 1) from a 32-bit seed (mulberry32: small, fast, good enough for simulation). `skip` starts
 * the sequence after that many draws (an integer below 2³¹), at no cost: the state only counts the draws, so two
 * threads can take consecutive stretches of one sequence.
 */
export function seededRandom(seed: number, skip = 0): () => number {
  let state = ((seed >>> 0) + (Math.imul(skip, 0x6d2b79f5) >>> 0)) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
