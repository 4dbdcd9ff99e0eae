/**
 * Deep comparison of two JSON values in which numbers may differ in their last bits. Deno's V8 and Node 20's round
 * Math.log differently in the last digit (measured: a sum of 1e5 logs differs by 1 ulp), so the kernel run in Deno
 * gives 0.d's ln|F| a few ulps off Node's. Everything else (keys, strings, null, array lengths) must match exactly.
 */
import { expect } from "vitest";

export function expectJsonClose(actual: unknown, expected: unknown, relative = 1e-13, path = "$"): void {
  if (typeof actual === "number" && typeof expected === "number") {
    const scale = Math.max(Math.abs(actual), Math.abs(expected));
    expect(Math.abs(actual - expected) <= relative * scale, `${path}: ${actual} vs ${expected}`).toBe(true);
    return;
  }
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), `${path} is an array`).toBe(true);
    const list = actual as unknown[];
    expect(list.length, `${path}.length`).toBe(expected.length);
    expected.forEach((e, i) => expectJsonClose(list[i], e, relative, `${path}[${i}]`));
    return;
  }
  if (expected !== null && typeof expected === "object") {
    expect(actual !== null && typeof actual === "object" && !Array.isArray(actual), `${path} is an object`).toBe(true);
    const object = actual as Record<string, unknown>;
    expect(Object.keys(object).sort(), `${path} keys`).toEqual(Object.keys(expected).sort());
    for (const [key, e] of Object.entries(expected)) expectJsonClose(object[key], e, relative, `${path}.${key}`);
    return;
  }
  expect(actual, path).toEqual(expected);
}

/** A report JSON with `generator.generatedAt` set to null: two reports of the same input differ only there. */
export function withoutGenerationTime<T>(json: T): T {
  const report = json as { generator?: Record<string, unknown> };
  return (report.generator ? { ...report, generator: { ...report.generator, generatedAt: null } } : json) as T;
}

/**
 * The page's JSON with Level 1 against the CLI's. Chromium's V8 and Node's round Math.cos, Math.sin and Math.exp
 * differently in the last bit, so 1.a's curves (FFTs, the phase randomisation) differ by ~1e-19 where they cancel
 * near 0 (measured: the corrected FSC at shell 45, −2.2867949915e-6 in both, 1e-19 apart; on a 176³ pair the SSNR's
 * log10 at shell 30, 0.0506707030981 in both, 1.2e-14 apart), and VRS's logistic fit, which stops at a relative
 * improvement of 1e-12, settles its parameters only to ~1e-7 (measured: a 1.18701275 vs 1.18701266). 1.a's curves
 * (its rows and its SSNR) are compared to 1e-12 absolute (relative above 1), its fit and "well preserved" resolution
 * to 1e-6 relative; everything else as expectJsonClose compares.
 */
export function expectLevel1JsonClose(actual: any, expected: any): void {
  const split = (json: any) => {
    const copy = structuredClone(withoutGenerationTime(json));
    const r = copy.sections["1.a"].results;
    const curves = { shells: r.shells, ssnr: r.ssnr };
    const fitted = { fit: r.fit, preserved: r.preservedFSC90resolution };
    r.shells = r.ssnr = r.fit = r.preservedFSC90resolution = null;
    return { copy, curves, fitted };
  };
  const a = split(actual), e = split(expected);
  expectJsonClose(a.copy, e.copy);
  expectCurvesClose(a.curves, e.curves, "1.a");
  expectJsonClose(a.fitted.fit, e.fitted.fit, 1e-6);
  expectJsonClose(a.fitted.preserved, e.fitted.preserved, 1e-6);
}

/** Numbers within 1e-12·max(1, |expected|) of each other; everything else (keys, lengths, null) exactly equal. */
function expectCurvesClose(actual: unknown, expected: unknown, path: string): void {
  if (typeof actual === "number" && typeof expected === "number") {
    expect(Math.abs(actual - expected), `${path}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected)));
  } else if (expected !== null && typeof expected === "object") {
    expect(actual !== null && typeof actual === "object", `${path} is an object`).toBe(true);
    const object = actual as Record<string, unknown>;
    expect(Object.keys(object), `${path} keys`).toEqual(Object.keys(expected));
    for (const [key, value] of Object.entries(expected)) expectCurvesClose(object[key], value, `${path}.${key}`);
  } else expect(actual, path).toEqual(expected);
}
