/**
 * What changed between two Level 0 reports of the same kind of map (the teaching lab's "what changed" line, docs/lab.md):
 * which sections' verdicts flipped, and which measured number crossed which criterion's limit.
 *
 * The verdicts are the sections' own statuses. The crossings describe them: each number a criterion of
 * lib/level0/criteria.ts (or 0.d's BFACTOR_RANGE) tests, compared with the limit in force on each side of the change. A
 * number that is not finite on either side crosses nothing (the status says "not measured"). A flip that no crossing
 * explains (e.g. the partial-mask caution) lists the warnings that came and went, in the kernel's words.
 */
import type { CriteriaParameters } from "../level0/criteria.js";
import { significant } from "./format.js";
import type { SectionId, SectionResult, SectionStatus } from "./report-types.js";
import { BFACTOR_RANGE } from "../level0/section-0d-bfactor.js";

/** The parts of a Level0Report (or of its worker copy) that the comparison reads. */
export interface ComparedReport {
  parameters: CriteriaParameters;
  sections: Partial<Record<SectionId, Pick<SectionResult<object>, "status" | "warnings" | "results">>>;
}

export interface VerdictFlip {
  section: SectionId;
  from: SectionStatus;
  to: SectionStatus;
  /** Warnings present after and not before, and the other way round. */
  warningsAdded: string[];
  warningsRemoved: string[];
}

export interface CriterionCrossing {
  section: SectionId;
  /** The criterion's id in lib/level0/criteria.ts ("0.a.centerOfMass"), or "0.d.bfactor". */
  criterion: string;
  /** What was measured, with its axis: "centre-of-mass offset x". */
  quantity: string;
  from: number;
  to: number;
  unit: string;
  /** The number now fails its criterion (true) or meets it again (false). */
  fails: boolean;
  /** "0.a: centre-of-mass offset x 0.1 → 25 %, beyond the 20 % limit". */
  text: string;
}

export interface ReportChanges {
  flips: VerdictFlip[];
  crossings: CriterionCrossing[];
  /** One sentence per flip and crossing, in section order; "No verdict changed." when there is neither. */
  lines: string[];
}

type Limit =
  | { kind: "at-most"; key: keyof CriteriaParameters }
  | { kind: "at-least"; key: keyof CriteriaParameters }
  | { kind: "within"; range: readonly [number, number] };

interface Measure {
  section: SectionId;
  criterion: string;
  quantity: string;
  /** Field of the section's results; `axis` picks an element of a per-axis triple. */
  field: string;
  axis?: 0 | 1 | 2;
  unit: string;
  limit: Limit;
}

const AXES = ["x", "y", "z"] as const;
const perAxis = (m: Omit<Measure, "axis" | "quantity">, quantity: string): Measure[] =>
  ([0, 1, 2] as const).map((axis) => ({ ...m, axis, quantity: `${quantity} ${AXES[axis]}` }));

/** Every number a Level 0 criterion tests, with the side of its limit that passes (as the sections test them). */
const measures: readonly Measure[] = [
  ...perAxis({ section: "0.a", criterion: "0.a.decentering", field: "decentering", unit: "%", limit: { kind: "at-most", key: "maxDecenteringPercent" } }, "decentering"),
  ...perAxis({ section: "0.a", criterion: "0.a.space", field: "spaceLeft", unit: "Å", limit: { kind: "at-least", key: "minSpaceAngstrom" } }, "space left of"),
  ...perAxis({ section: "0.a", criterion: "0.a.space", field: "spaceRight", unit: "Å", limit: { kind: "at-least", key: "minSpaceAngstrom" } }, "space right of"),
  ...perAxis({ section: "0.a", criterion: "0.a.centerOfMass", field: "centerOfMassOffset", unit: "%", limit: { kind: "at-most", key: "maxCenterOfMassOffsetPercent" } }, "centre-of-mass offset"),
  { section: "0.b", criterion: "0.b.components", quantity: "components holding the mass fraction", field: "components95", unit: "", limit: { kind: "at-most", key: "maxComponentsForMass" } },
  { section: "0.b", criterion: "0.b.blobs", quantity: "average left-over blob", field: "remainingAverageVolume", unit: "Å³", limit: { kind: "at-most", key: "maxAverageBlobVolume" } },
  { section: "0.b", criterion: "0.b.overlap", quantity: "overlap of raw and constructed mask", field: "overlap", unit: "", limit: { kind: "at-least", key: "minOverlap" } },
  { section: "0.c", criterion: "0.c.mean", quantity: "t-test p-value", field: "p", unit: "", limit: { kind: "at-least", key: "maxBackgroundP" } },
  { section: "0.c", criterion: "0.c.outliers", quantity: "outlier ratio", field: "outlierRatio", unit: "", limit: { kind: "at-most", key: "maxOutlierRatio" } },
  { section: "0.d", criterion: "0.d.bfactor", quantity: "B-factor", field: "B", unit: "Å²", limit: { kind: "within", range: BFACTOR_RANGE } },
];

const show = (x: number) => significant(x, 3);
const withUnit = (text: string, unit: string) => (unit ? `${text} ${unit}` : text);

function valueOf(section: Pick<SectionResult<object>, "results">, m: Measure): number {
  const field = (section.results as Record<string, unknown> | null)?.[m.field];
  const value = m.axis === undefined ? field : Array.isArray(field) ? field[m.axis] : undefined;
  return typeof value === "number" ? value : Number.NaN;
}

/** Whether `value` meets the limit, and the words for where it now stands. */
function judge(value: number, limit: Limit, p: CriteriaParameters, unit: string): { passes: boolean; words: string } {
  if (limit.kind === "within") {
    const [low, high] = limit.range, passes = value >= low && value <= high;
    return { passes, words: `${passes ? "inside" : "outside"} ${withUnit(`[${low}, ${high}]`, unit)}` };
  }
  const bound = p[limit.key];
  if (limit.kind === "at-most") {
    const passes = value <= bound;
    return { passes, words: `${passes ? "within" : "beyond"} the ${withUnit(String(bound), unit)} limit` };
  }
  const passes = value >= bound;
  return { passes, words: `${passes ? "at or above" : "below"} the ${withUnit(String(bound), unit)} minimum` };
}

/** The flips and crossings from `before` to `after` (both reports of 0.a–0.h, each with its own criteria). */
export function reportChanges(before: ComparedReport, after: ComparedReport): ReportChanges {
  const flips: VerdictFlip[] = [];
  const crossings: CriterionCrossing[] = [];
  const lines: string[] = [];
  for (const id of Object.keys(after.sections) as SectionId[]) {
    const was = before.sections[id], now = after.sections[id]!;
    if (!was) continue;
    const sectionCrossings: CriterionCrossing[] = [];
    for (const m of measures.filter((m) => m.section === id)) {
      const from = valueOf(was, m), to = valueOf(now, m);
      if (!Number.isFinite(from) || !Number.isFinite(to)) continue;
      const old = judge(from, m.limit, before.parameters, m.unit), current = judge(to, m.limit, after.parameters, m.unit);
      if (old.passes === current.passes) continue;
      const text = `${id}: ${m.quantity} ${show(from)} → ${withUnit(show(to), m.unit)}, ${current.words}`;
      sectionCrossings.push({ section: id, criterion: m.criterion, quantity: m.quantity, from, to, unit: m.unit, fails: !current.passes, text });
    }
    if (was.status !== now.status) {
      const flip = {
        section: id, from: was.status, to: now.status,
        warningsAdded: now.warnings.filter((w) => !was.warnings.includes(w)),
        warningsRemoved: was.warnings.filter((w) => !now.warnings.includes(w)),
      };
      flips.push(flip);
      // With no crossing to explain it, the warnings that came or went say why.
      const why = sectionCrossings.length > 0 ? "" : [...flip.warningsAdded, ...flip.warningsRemoved.map((w) => `no longer: ${w}`)].join(" ");
      lines.push(`${id} ${was.status} → ${now.status}${why ? `: ${why}` : ""}`);
    }
    crossings.push(...sectionCrossings);
    lines.push(...sectionCrossings.map((c) => c.text));
  }
  if (lines.length === 0) lines.push("No verdict changed.");
  return { flips, crossings, lines };
}
