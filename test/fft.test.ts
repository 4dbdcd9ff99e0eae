import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { complexFft } from "../lib/fourier/fft.js";
import { centeredUniform } from "./helpers/random.js";

/** O(n²) reference DFT with exact-ish twiddles (angle reduced mod n). */
function directDft(input: Float64Array, inverse = false): Float64Array {
  const n = input.length / 2;
  const out = new Float64Array(2 * n);
  const sign = inverse ? 1 : -1;
  for (let k = 0; k < n; k++) {
    let re = 0;
    let im = 0;
    for (let j = 0; j < n; j++) {
      const angle = (sign * 2 * Math.PI * ((j * k) % n)) / n;
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      re += input[2 * j] * c - input[2 * j + 1] * s;
      im += input[2 * j] * s + input[2 * j + 1] * c;
    }
    out[2 * k] = inverse ? re / n : re;
    out[2 * k + 1] = inverse ? im / n : im;
  }
  return out;
}

function randomComplex(n: number, seed: number): Float64Array {
  const rand = centeredUniform(seed);
  return Float64Array.from({ length: 2 * n }, rand);
}

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

// Powers of two (fft.js), small-prime composites (Cooley–Tukey steps), large primes with a smooth n − 1 (Rader: 37, 97,
// 257), other large prime factors (Bluestein: 83, 134 = 2·67) and mixtures (111 = 3·37).
const sizes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 16, 17, 30, 31, 37, 62, 64, 83, 97, 100, 111, 128, 134, 210, 257, 320, 360];

describe("complexFft", () => {
  for (const n of sizes) {
    it(`matches a direct DFT for n = ${n}`, () => {
      const x = randomComplex(n, n);
      const forward = new Float64Array(2 * n);
      const inverse = new Float64Array(2 * n);
      complexFft(n).forward(forward, x);
      complexFft(n).inverse(inverse, x);
      // Inputs are in [−0.5, 0.5]; outputs grow like √n, so an absolute bound scaled by n is generous but meaningful.
      expect(maxAbsDiff(forward, directDft(x))).toBeLessThan(1e-13 * n);
      expect(maxAbsDiff(inverse, directDft(x, true))).toBeLessThan(1e-15 * n + 1e-15);
    });
  }

  it("leaves the input untouched", () => {
    const x = randomComplex(12, 1);
    const copy = x.slice();
    complexFft(12).forward(new Float64Array(24), x);
    expect(x).toEqual(copy);
  });

  it("returns the same cached plan per length", () => {
    expect(complexFft(45)).toBe(complexFft(45));
  });

  it("rejects lengths that are not positive integers", () => {
    expect(() => complexFft(0)).toThrow(RangeError);
    expect(() => complexFft(2.5)).toThrow(RangeError);
  });

  it("matches a direct DFT for any length up to 130", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 130 }), fc.integer(), (n, seed) => {
        const x = randomComplex(n, seed);
        const forward = new Float64Array(2 * n);
        complexFft(n).forward(forward, x);
        return maxAbsDiff(forward, directDft(x)) < 1e-13 * n;
      }),
      { numRuns: 60 },
    );
  });

  it("round-trips any length to float64 precision", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer(), (n, seed) => {
        const x = randomComplex(n, seed);
        const spectrum = new Float64Array(2 * n);
        const back = new Float64Array(2 * n);
        complexFft(n).forward(spectrum, x);
        complexFft(n).inverse(back, spectrum);
        return maxAbsDiff(back, x) < 1e-14;
      }),
      { numRuns: 60 },
    );
  });
});
