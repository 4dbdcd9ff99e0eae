/**
 * How numbers and counts become words, in one place for the CLI text (lib/report/report-text.ts), the report page and its
 * downloads. Pure string functions, no kernel imports, so the page can use them without bundling the kernel.
 *
 * Rules: a missing number (null, undefined, NaN) is "n/a"; minus signs are ASCII "-" (text copied from the page is
 * accepted back by the CLI and by `<input type=number>`); results never show binary floating-point noise
 * (0.1 + 0.2 prints as 0.3).
 */

export const NOT_AVAILABLE = "n/a";

import type { SectionStatus } from "./report-types.js";

type Maybe = number | null | undefined;

const missing = (x: Maybe): x is null | undefined => x === null || x === undefined || Number.isNaN(x);

/** -0 prints as 0 ("-0.00" is noise from a tiny negative value, not a sign the reader needs). */
const withoutNegativeZero = (s: string): string => (/^-0(\.0*)?$/.test(s) ? s.slice(1) : s);

/**
 * `x` to `digits` significant digits, trailing zeros dropped, without an exponent between 1e-6 and 1e21 (where
 * JavaScript itself writes none): 139912.4 → "139900" at 4 digits, never "1.399e+5".
 */
export function significant(x: Maybe, digits = 4): string {
  if (missing(x)) return NOT_AVAILABLE;
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  return withoutNegativeZero(String(Number(x.toPrecision(digits))));
}

/** `x` with exactly `decimals` decimals, as Python's "%.Nf" (VRS's result lines): 426924.1 → "426924.10". */
export function fixed(x: Maybe, decimals: number): string {
  if (missing(x)) return NOT_AVAILABLE;
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  return withoutNegativeZero(x.toFixed(decimals));
}

/** A volume in Å³ as VRS prints it ("%.2f"): "426924.10 Å³". */
export function volumeA3(x: Maybe): string {
  return missing(x) ? NOT_AVAILABLE : `${fixed(x, 2)} Å³`;
}

/** An integer count with thousands separators: 1234567 → "1,234,567". */
export function grouped(n: Maybe): string {
  if (missing(n)) return NOT_AVAILABLE;
  if (!Number.isFinite(n)) return significant(n);
  return withoutNegativeZero(Math.round(n).toString()).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** "1 voxel", "2 voxels", "1,024 voxels"; `pluralNoun` for irregular plurals. A missing count is "n/a" alone. */
export function count(n: Maybe, noun: string, pluralNoun = `${noun}s`): string {
  if (missing(n)) return NOT_AVAILABLE;
  return `${grouped(n)} ${n === 1 ? noun : pluralNoun}`;
}

/**
 * A number written into `<input type=number>`: ASCII digits, "-" and "e" only (a Unicode minus, as d3-format writes,
 * makes the box read as empty), rounded to `digits` significant digits. Empty for a missing number.
 */
export function inputValue(x: Maybe, digits = 6): string {
  if (missing(x) || !Number.isFinite(x)) return "";
  return withoutNegativeZero(String(Number(x.toPrecision(digits))));
}

/**
 * A computed value as it goes into a downloaded table: 12 significant digits, which removes the noise of float
 * arithmetic (523005.51482400007 → 523005.514824) and keeps every digit the measurement carries. Non-numbers pass.
 */
export function tableValue<T>(x: T): T {
  return (typeof x === "number" && Number.isFinite(x) && !Number.isInteger(x) ? Number(x.toPrecision(12)) : x) as T;
}

/**
 * A p-value as the report prints it: six decimals, VRS's "%.6f"; when p underflowed to 0, its log10 (which still says
 * how small it is) follows: "0.000000 (log10 p = -412.3)".
 */
export function pValue(p: Maybe, log10P: Maybe): string {
  const text = fixed(p, 6);
  return p === 0 && !missing(log10P) && Number.isFinite(log10P) ? `${text} (log10 p = ${fixed(log10P, 1)})` : text;
}

/** A status in a chip or a chart legend: "OK", "warnings", "does not apply"… */
export const STATUS_LABELS: Record<SectionStatus, string> = {
  "ok": "OK",
  "warnings": "warnings",
  "does-not-apply": "does not apply",
  "not-measured": "not measured",
  "not-requested": "not requested",
};

/** A section's status as the summary table prints it: "OK", "1 warning", "2 warnings", "Does not apply"… */
export function statusText(section: { status: SectionStatus; warnings: readonly unknown[] }): string {
  switch (section.status) {
    case "ok":
      return "OK";
    case "warnings":
      return count(section.warnings.length, "warning");
    case "does-not-apply":
      return "Does not apply";
    case "not-measured":
      return "Could not be measured";
    case "not-requested":
      return "Not requested";
  }
}
