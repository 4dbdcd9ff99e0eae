import { describe, expect, it } from "vitest";
import { lookupOf } from "../src/components/slice-view.js";

describe("slice views' colour lookup", () => {
  it("tabulates a colour-map function from black to white", () => {
    const lookup = lookupOf((t: number) => `rgb(${255 * t}, ${255 * t}, ${255 * t})`);
    expect(Array.from(lookup.slice(0, 3))).toEqual([0, 0, 0]);
    expect(Array.from(lookup.slice(-3))).toEqual([255, 255, 255]);
  });

  it("names a colour-map function that gives something other than a CSS colour", () => {
    expect(() => lookupOf(() => "no such colour")).toThrow(/"no such colour", which is not a CSS colour/);
  });
});
