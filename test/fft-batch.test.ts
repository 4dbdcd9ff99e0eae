import { describe, expect, it } from "vitest";
import { BatchFft, fastFftLength } from "../lib/fourier/fft-batch.js";
import { centeredUniform } from "./helpers/random.js";

/** O(n²) DFT of one line, unnormalised, e^{sign·2πi jk/n} with the angle reduced mod n. */
function directDft(re: number[], im: number[], sign: number): [number[], number[]] {
  const n = re.length;
  const outRe: number[] = [], outIm: number[] = [];
  for (let k = 0; k < n; k++) {
    let a = 0, b = 0;
    for (let j = 0; j < n; j++) {
      const angle = (sign * 2 * Math.PI * ((j * k) % n)) / n;
      a += re[j] * Math.cos(angle) - im[j] * Math.sin(angle);
      b += re[j] * Math.sin(angle) + im[j] * Math.cos(angle);
    }
    outRe.push(a);
    outIm.push(b);
  }
  return [outRe, outIm];
}

// Radices 4 and 2 alone and mixed with 3, 5 and 7 (one stage, odd and even stage counts), and lengths with a prime
// factor above 7 (batched Bluestein: 11, 31, 62 = 2·31, 67, 134 = 2·67, 262 = 2·131).
const sizes = [1, 2, 3, 4, 5, 7, 8, 12, 14, 15, 16, 20, 21, 25, 32, 35, 49, 56, 60, 64, 96, 105, 135, 160, 11, 31, 62, 67, 134, 262];

describe("BatchFft against a direct DFT", () => {
  for (const n of sizes)
    for (const sign of [-1, 1] as const)
      it(`transforms lines 2…5 of 7 side by side, length ${n}, ${sign < 0 ? "forward" : "inverse"}, and leaves the others`, () => {
        const stride = 7, offset = 3, from = 2, to = 6;
        const data = Float64Array.from({ length: 2 * (offset + n * stride) }, centeredUniform(n * 10 + sign + 2));
        const before = data.slice();
        new BatchFft(n).transform(data, offset, stride, from, to, sign);
        for (let b = 0; b < stride; b++) {
          const at = (j: number) => 2 * (offset + j * stride + b);
          const re = Array.from({ length: n }, (_, j) => before[at(j)]);
          const im = Array.from({ length: n }, (_, j) => before[at(j) + 1]);
          const [expectedRe, expectedIm] = b >= from && b < to ? directDft(re, im, sign) : [re, im];
          for (let j = 0; j < n; j++) {
            expect(Math.abs(data[at(j)] - expectedRe[j])).toBeLessThan(1e-12 * n);
            expect(Math.abs(data[at(j) + 1] - expectedIm[j])).toBeLessThan(1e-12 * n);
          }
        }
        // Nothing before the first line's first sample is touched.
        for (let i = 0; i < 2 * offset; i++) expect(data[i]).toBe(before[i]);
      });

  it("returns an inverse times n: inverse(forward(x)) = n·x", () => {
    const n = 60, width = 5;
    const data = Float64Array.from({ length: 2 * n * width }, centeredUniform(7));
    const original = data.slice();
    const plan = new BatchFft(n);
    plan.transform(data, 0, width, 0, width, -1);
    plan.transform(data, 0, width, 0, width, 1);
    data.forEach((v, i) => expect(v / n).toBeCloseTo(original[i], 12));
  });
});

describe("fastFftLength", () => {
  it("is the smallest integer at or above n with no prime factor above 5", () => {
    // 7 = 7, 11 = 11, 13 = 13, 14 = 2·7, 97 prime, 98 = 2·7², 99 = 3²·11, 103 = the Bluestein length of 52.
    expect([0, 1, 2, 6.5, 7, 11, 13, 14, 97, 103, 125, 199].map(fastFftLength)).toEqual([1, 1, 2, 8, 8, 12, 15, 15, 100, 108, 125, 200]);
  });
});
