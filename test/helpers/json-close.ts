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
