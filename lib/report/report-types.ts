/**
 * Shapes shared by every Level 0 section, the report, the CLI JSON contract and the site.
 * A section whose number is NaN is `not-measured`, never `ok`.
 */
import type { SectionId } from "../section-registry.js";

/** The ids come from the section registry (lib/section-registry.ts). */
export type { Level0SectionId, SectionId } from "../section-registry.js";

/** `not-requested`: left out of this run on purpose (`--sections`); like does-not-apply, never counted. */
export type SectionStatus = "ok" | "warnings" | "does-not-apply" | "not-measured" | "not-requested";

export interface SectionResult<R extends object = Record<string, unknown>> {
  id: SectionId;
  /** VRS's row label, e.g. "0.a Mass analysis". */
  title: string;
  status: SectionStatus;
  /** Warnings in VRS wording (empty unless status is "warnings"). */
  warnings: string[];
  /** Machine-readable numbers (the JSON contract); null when the section does not apply or was not measured. */
  results: R | null;
  /** Why the section does not apply or could not be measured. */
  reason?: string;
  /** The abstract sentence VRS adds for this section, or null when it adds none. */
  summarySentence: string | null;
  /** What the section measures and why, in our words. */
  explanation?: string;
  /** The acceptance criteria in force, in our words, with the numbers used. */
  criteria?: string[];
  /** Statements users must see about how the verdict was reached (e.g. a test with nothing to test). */
  notes?: string[];
}

export type AnalysisMode = "default" | "vrs-compat";

/** A measured section's status: warnings when it has any, else ok (one rule for every section). */
export function statusFromWarnings(warnings: readonly string[]): "ok" | "warnings" {
  return warnings.length > 0 ? "warnings" : "ok";
}

/** Counted as VRS does: only sections with status ok or warnings are evaluable. */
export function scoreOf(sections: Iterable<SectionResult<object>>): { passed: number; evaluable: number } {
  let passed = 0;
  let evaluable = 0;
  for (const s of sections) {
    if (s.status === "ok" || s.status === "warnings") evaluable++;
    if (s.status === "ok") passed++;
  }
  return { passed, evaluable };
}
