import { describe, expect, it } from "vitest";
import {
  count, fixed, grouped, inputValue, NOT_AVAILABLE, pValue, significant, statusText, tableValue, volumeA3,
} from "../lib/report/format.js";

describe("format: the one set of number words for CLI, page and downloads", () => {
  it("significant digits without exponent or float noise; n/a for missing", () => {
    expect(significant(139912.4, 4)).toBe("139900");
    expect(significant(0.1 + 0.2, 6)).toBe("0.3");
    expect(significant(-0.5)).toBe("-0.5");
    expect(significant(-1e-9, 2)).toBe("-1e-9");
    expect(significant(-0)).toBe("0");
    expect(significant(Infinity)).toBe("inf");
    for (const x of [NaN, null, undefined]) expect(significant(x)).toBe(NOT_AVAILABLE);
  });

  it("fixed decimals as Python's %.Nf, without a -0", () => {
    expect(fixed(426924.1, 2)).toBe("426924.10");
    expect(fixed(7, 1)).toBe("7.0");
    expect(fixed(-0.001, 2)).toBe("0.00");
    expect(fixed(-0.5, 2)).toBe("-0.50");
    expect(fixed(NaN, 2)).toBe("n/a");
  });

  it("volumes in Å³ as VRS prints them (never 1.399e+5)", () => {
    expect(volumeA3(426924.1)).toBe("426924.10 Å³");
    expect(volumeA3(139912.4)).toBe("139912.40 Å³");
    expect(volumeA3(NaN)).toBe("n/a");
  });

  it("counts: thousands separators and singular for exactly one", () => {
    expect(grouped(1234567)).toBe("1,234,567");
    expect(grouped(999)).toBe("999");
    expect(count(1, "voxel")).toBe("1 voxel");
    expect(count(0, "voxel")).toBe("0 voxels");
    expect(count(2048, "connected component")).toBe("2,048 connected components");
    expect(count(NaN, "voxel")).toBe("n/a");
  });

  it("input values use an ASCII minus that <input type=number> accepts", () => {
    expect(inputValue(-0.5)).toBe("-0.5");
    expect(inputValue(-0.123456789)).toBe("-0.123457");
    expect(inputValue(1.2345678e-7)).toBe("1.23457e-7");
    expect(inputValue(NaN)).toBe("");
    for (const x of [-3.25, -1e-7, -12345.678]) expect(inputValue(x)).not.toMatch(/\u2212/);
    // The HTML "valid floating-point number" grammar.
    for (const x of [-3.25, -1e-7, 123456789, -0.000123]) expect(inputValue(x)).toMatch(/^-?\d+(\.\d+)?(e[-+]?\d+)?$/);
  });

  it("table values lose float noise but keep the measured digits; integers and non-numbers pass", () => {
    expect(tableValue(523005.51482400007)).toBe(523005.514824);
    expect(tableValue(0.1 + 0.2)).toBe(0.3);
    expect(tableValue(1 / 3)).toBe(0.333333333333);
    expect(tableValue(12345678901234)).toBe(12345678901234);
    expect(tableValue("a")).toBe("a");
    expect(tableValue(null)).toBe(null);
  });

  it("status words: one warning is singular, as on the page", () => {
    expect(statusText({ status: "warnings", warnings: ["w"] })).toBe("1 warning");
    expect(statusText({ status: "warnings", warnings: ["w", "v"] })).toBe("2 warnings");
    expect(statusText({ status: "ok", warnings: [] })).toBe("OK");
    expect(statusText({ status: "not-measured", warnings: [] })).toBe("Could not be measured");
    expect(statusText({ status: "does-not-apply", warnings: [] })).toBe("Does not apply");
  });

  it("one p-value format for the text report and the page: VRS's six decimals, log10 p once p underflows", () => {
    expect(pValue(0.0123456789, -1.908)).toBe("0.012346");
    expect(pValue(1e-9, -9)).toBe("0.000000");
    // 2·t.sf(60, 1e6) underflows to 0 in float64; its log10 (≈ -782.2) still says how small it is.
    expect(pValue(0, -782.24)).toBe("0.000000 (log10 p = -782.2)");
    expect(pValue(0, -Infinity)).toBe("0.000000");
    expect(pValue(NaN, NaN)).toBe(NOT_AVAILABLE);
  });
});
