import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { selectNth } from "../lib/local/quickselect.js";

describe("selectNth", () => {
  it("leaves the k-th smallest at k with smaller values before and larger after", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 100 }), fc.nat(), (ints, k0) => {
        const a = Float64Array.from(ints);
        const k = k0 % a.length;
        selectNth(a, k);
        const sorted = Float64Array.from(ints).sort();
        expect(a[k]).toBe(sorted[k]);
        for (let i = 0; i < k; i++) expect(a[i]).toBeLessThanOrEqual(a[k]);
        for (let i = k + 1; i < a.length; i++) expect(a[i]).toBeGreaterThanOrEqual(a[k]);
        expect(Float64Array.from(a).sort()).toEqual(sorted);
      }),
    );
  });

  it("finds the middle of sorted and reversed runs of 200 000 values (a median-of-three pivot keeps them linear)", () => {
    const n = 200_000;
    const ascending = Float64Array.from({ length: n }, (_, i) => i);
    const descending = Float64Array.from({ length: n }, (_, i) => n - i);
    selectNth(ascending, n >> 1);
    selectNth(descending, n >> 1);
    expect(ascending[n >> 1]).toBe(n >> 1);
    expect(descending[n >> 1]).toBe((n >> 1) + 1);
  });
});
