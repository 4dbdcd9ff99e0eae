import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  histogramOfSorted, isTooHomogeneous, percentilesOfSorted, quantileOfSelected, quantileOfSorted,
} from "../lib/local/local-stats.js";

describe("numpy percentiles (linear)", () => {
  it("matches np.percentile([1, 2, 3, 4], [2.5, 25, 50, 75, 97.5]) = [1.075, 1.75, 2.5, 3.25, 3.925]", () => {
    const p = percentilesOfSorted([1, 2, 3, 4]);
    expect(p.p2_5).toBeCloseTo(1.075, 14);
    expect(p.p25).toBe(1.75);
    expect(p.p50).toBe(2.5);
    expect(p.p75).toBe(3.25);
    expect(p.p97_5).toBeCloseTo(3.925, 14);
  });

  it("gives the only value for one value and NaN for none", () => {
    expect(quantileOfSorted([7], 0.9)).toBe(7);
    expect(quantileOfSorted([], 0.5)).toBeNaN();
  });
});

describe("quantileOfSelected (value bins and quickselect) against sorting", () => {
  it("equals the quantile of the sorted selection for any values, selection and q", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), fc.boolean()), { minLength: 1, maxLength: 200 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (pairs, q) => {
          const values = Float32Array.from(pairs, ([v]) => v);
          const select = Uint8Array.from(pairs, ([, s]) => (s ? 1 : 0));
          const chosen = Float32Array.from(values.filter((_, i) => select[i])).sort();
          const got = quantileOfSelected(values, select, q);
          if (chosen.length === 0) expect(got).toBeNaN();
          else expect(got).toBe(quantileOfSorted(chosen, q));
        },
      ),
    );
  });
});

describe("histogramOfSorted", () => {
  it("splits [min, max] into equal bins, the last closed, counting every value once", () => {
    const bins = histogramOfSorted([0, 0.5, 1, 1.5, 2, 4], 4);
    expect(bins.map((b) => [b.x0, b.x1, b.count])).toEqual([[0, 1, 2], [1, 2, 2], [2, 3, 1], [3, 4, 1]]);
  });

  it("gives one zero-width bin for a constant sample", () => {
    expect(histogramOfSorted([3, 3, 3], 25)).toEqual([{ x0: 3, x1: 3, count: 3 }]);
  });
});

describe("isTooHomogeneous", () => {
  it("is |p2.5 − p97.5| < limit", () => {
    const p = { p2_5: 1, p25: 1, p50: 1, p75: 1, p97_5: 1.009 };
    expect(isTooHomogeneous(p, 0.01)).toBe(true);
    expect(isTooHomogeneous({ ...p, p97_5: 1.01 }, 0.01)).toBe(false);
  });
});
