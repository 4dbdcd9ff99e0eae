/**
 * Results shown in the Jupyter kernels people use for TypeScript. `displayReport(report, info)` and its siblings wrap a
 * result in a `Display`, which answers both Deno's kernel (`[Symbol.for("Jupyter.display")]()`) and ijavascript
 * (`_toMime()`) with one MIME bundle: text/plain, self-contained text/html (inline styles, no script, no external
 * resource), application/json (the `mapval report --json` contract) and, for the mass table and the sweep, an SVG
 * plot. The results themselves stay plain data, so the JSON contract is untouched. See docs/package.md.
 */
import type { Level0Report } from "../level0/level0.js";
import { statusText } from "./format.js";
import {
  formatReport, pyFixed, reportJson, reportLevels, reportSections, sectionText, type Report, type ReportFileInfo,
} from "./report-text.js";
import { massTableRows, sweepRows } from "./report-tables.js";
import type { SectionId } from "./report-types.js";
import { AnalysisInputError } from "../errors.js";
import type { MaskResults } from "../level0/section-0b-mask.js";
import type { SweepRow } from "../level0/sweep.js";

export interface MimeBundle {
  "text/plain": string;
  "text/html": string;
  /** What JSON.stringify makes of the result (NaN and ±Infinity as null), parsed back. */
  "application/json": unknown;
  "image/svg+xml"?: string;
}

/** The key Deno's Jupyter kernel looks for on the value of a cell. */
export const jupyterDisplay: unique symbol = Symbol.for("Jupyter.display") as never;

export class Display {
  readonly #bundle: MimeBundle;
  constructor(bundle: MimeBundle) {
    this.#bundle = bundle;
  }
  /** Deno's kernel. */
  [jupyterDisplay](): MimeBundle {
    return { ...this.#bundle };
  }
  /** ijavascript. */
  _toMime(): MimeBundle {
    return { ...this.#bundle };
  }
  toString(): string {
    return this.#bundle["text/plain"];
  }
  toJSON(): unknown {
    return this.#bundle["application/json"];
  }
}

/** The whole report: VRS's text, a summary table and each section's lines, and the JSON of `mapval report --json`. */
export function displayReport(report: Report, info: ReportFileInfo): Display {
  const { input } = report;
  const facts: [string, string][] = [
    ["Input map", info.file],
    ["SHA256", info.sha256],
    ["Box", `${input.shape.join(" × ")} voxels`],
    ["Voxel size", `${pyFixed(input.voxelSize, 6)} Å`],
    ["Threshold", pyFixed(input.threshold, 6)],
    ["Resolution", input.resolution === null ? "(not reported)" : `${input.resolution} Å`],
    ["Score", `${report.score.passed} of ${report.score.evaluable} evaluable sections pass`],
  ];
  const sections = reportSections(report);
  const summary = sections.map((s) => ({ section: s.title, status: statusText(s) }));
  const html = [
    `<div style="${boxStyle}">`,
    `<div style="font-weight:bold;margin-bottom:4px">mapval ${reportLevels(report)} report (${escapeHtml(report.mode)} mode)</div>`,
    htmlTable(facts.map(([what, value]) => ({ what, value })), false),
    `<p style="margin:6px 0">${escapeHtml(report.abstract.join(" "))}</p>`,
    htmlTable(summary),
    ...sections.map((s) => `<pre style="${preStyle}">${escapeHtml(sectionText(s, report).join("\n"))}</pre>`),
    "</div>",
  ].join("");
  return new Display({
    "text/plain": formatReport(report, info),
    "text/html": html,
    "application/json": asJson(reportJson(report, info.file, info.sha256, { fileWarnings: info.fileWarnings, halfMaps: info.halfMaps })),
  });
}

/** One section: its report lines and its entry of the JSON's `sections`. */
export function displaySection(report: Report, id: SectionId, info: ReportFileInfo): Display {
  const section = reportSections(report).find((s) => s.id === id);
  if (!section) throw new AnalysisInputError("unknown-section", `the report has no section ${id}`);
  const text = sectionText(section, report).join("\n");
  return new Display({
    "text/plain": text + "\n",
    "text/html": `<pre style="${preStyle}">${escapeHtml(text)}</pre>`,
    "application/json": asJson(reportJson(report, info.file, info.sha256).sections[id]),
  });
}

/** 0.b's mass table (mass above each threshold) with a mass-vs-threshold plot. Empty when 0.b has no results. */
export function displayMassTable(report: Level0Report): Display {
  const mask = report.sections["0.b"].results as MaskResults | null;
  const rows = mask ? massTableRows(mask) : [];
  const plot = lineChartSvg(
    rows.map((r) => ({ x: r.threshold, y: r.kDa })),
    { x: "threshold", y: "mass above threshold (kDa)", marker: report.input.threshold },
  );
  return new Display({
    "text/plain": textTable(rows),
    "text/html": `<div style="${boxStyle}">${plot}${htmlTable(rows)}</div>`,
    "application/json": asJson(rows),
    "image/svg+xml": plot,
  });
}

/** A threshold sweep (lib/level0/sweep.ts): one row per threshold with the 0.a–0.c verdicts, and raw voxels vs threshold. */
export function displaySweep(sweep: SweepRow[]): Display {
  const rows = sweepRows(sweep);
  const plot = lineChartSvg(
    rows.map((r) => ({ x: r.threshold, y: r.rawVoxels })),
    { x: "threshold", y: "voxels above threshold" },
  );
  const shown = rows.map((r) => ({
    threshold: r.threshold, rawVoxels: r.rawVoxels, rawComponents: r.rawComponents, components95: r.components95,
    overlap: r.overlap, backgroundP: r.backgroundP, status0a: r.status0a, status0b: r.status0b, status0c: r.status0c,
  }));
  return new Display({
    "text/plain": textTable(shown),
    "text/html": `<div style="${boxStyle}">${plot}${htmlTable(shown)}</div>`,
    "application/json": asJson(rows),
    "image/svg+xml": plot,
  });
}

const boxStyle = "font-family:system-ui,sans-serif;font-size:13px;max-width:60em";
const preStyle = "font-family:ui-monospace,monospace;font-size:12px;white-space:pre-wrap;margin:6px 0";
const cellStyle = "border:1px solid #ccc;padding:2px 6px;text-align:left";

function asJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

/** A cell as text: whole numbers as they are, others to 6 significant digits, NaN as Python prints it. */
function cellText(value: unknown): string {
  if (typeof value !== "number") return String(value);
  if (Number.isNaN(value)) return "nan";
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}

type Row = Record<string, unknown>;

function textTable(rows: Row[]): string {
  if (rows.length === 0) return "(no rows)\n";
  const columns = Object.keys(rows[0]);
  const cells = [columns, ...rows.map((r) => columns.map((c) => cellText(r[c])))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i].length)));
  return cells.map((line) => line.map((cell, i) => cell.padStart(widths[i])).join("  ")).join("\n") + "\n";
}

function htmlTable(rows: Row[], header = true): string {
  if (rows.length === 0) return "<p>(no rows)</p>";
  const columns = Object.keys(rows[0]);
  const head = header ? `<tr>${columns.map((c) => `<th style="${cellStyle}">${escapeHtml(c)}</th>`).join("")}</tr>` : "";
  const body = rows
    .map((r) => `<tr>${columns.map((c) => `<td style="${cellStyle}">${escapeHtml(cellText(r[c]))}</td>`).join("")}</tr>`)
    .join("");
  return `<table style="border-collapse:collapse;margin:6px 0">${head}${body}</table>`;
}

interface ChartLabels {
  x: string;
  y: string;
  /** A vertical rule at this x (the report's threshold). */
  marker?: number;
}

/**
 * A line with dots, y on a log scale (masses and voxel counts span decades), as standalone SVG. Points whose y is not
 * positive cannot be placed on that scale and are left out; the caption says how many.
 */
export function lineChartSvg(points: { x: number; y: number }[], labels: ChartLabels): string {
  const width = 480, height = 240, left = 64, right = 12, top = 12, bottom = 40;
  const shown = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && p.y > 0);
  const omitted = points.length - shown.length;
  const caption = omitted > 0 ? ` (${omitted} point${omitted > 1 ? "s" : ""} with no positive value left out)` : "";
  const svg = (body: string) =>
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="sans-serif" font-size="10" role="img" aria-label="${escapeHtml(`${labels.y} vs ${labels.x}`)}">${body}</svg>`;
  if (shown.length === 0) return svg(`<text x="${width / 2}" y="${height / 2}" text-anchor="middle">no points to plot${escapeHtml(caption)}</text>`);

  const xs = shown.map((p) => p.x), logs = shown.map((p) => Math.log10(p.y));
  const [x0, x1] = spread(Math.min(...xs), Math.max(...xs));
  const [l0, l1] = spread(Math.floor(Math.min(...logs)), Math.ceil(Math.max(...logs)));
  const px = (x: number) => left + ((x - x0) / (x1 - x0)) * (width - left - right);
  const py = (log: number) => top + ((l1 - log) / (l1 - l0)) * (height - top - bottom);
  const f = (v: number) => v.toFixed(1);

  const parts: string[] = [];
  for (let decade = l0; decade <= l1; decade++)
    parts.push(
      `<line x1="${left}" x2="${width - right}" y1="${f(py(decade))}" y2="${f(py(decade))}" stroke="#ddd"/>`,
      `<text x="${left - 4}" y="${f(py(decade) + 3)}" text-anchor="end">1e${decade}</text>`,
    );
  for (let i = 0; i <= 4; i++) {
    const x = x0 + ((x1 - x0) * i) / 4;
    parts.push(`<text x="${f(px(x))}" y="${height - bottom + 14}" text-anchor="middle">${cellText(x)}</text>`);
  }
  if (labels.marker !== undefined && labels.marker >= x0 && labels.marker <= x1)
    parts.push(`<line x1="${f(px(labels.marker))}" x2="${f(px(labels.marker))}" y1="${top}" y2="${height - bottom}" stroke="#c62828" stroke-dasharray="4 3"/>`);
  const path = shown.map((p, i) => `${i === 0 ? "M" : "L"}${f(px(p.x))},${f(py(Math.log10(p.y)))}`).join("");
  parts.push(`<path d="${path}" fill="none" stroke="steelblue" stroke-width="1.5"/>`);
  for (const p of shown) parts.push(`<circle cx="${f(px(p.x))}" cy="${f(py(Math.log10(p.y)))}" r="2.5" fill="steelblue"/>`);
  parts.push(
    `<text x="${(left + width - right) / 2}" y="${height - 6}" text-anchor="middle">${escapeHtml(labels.x + caption)}</text>`,
    `<text transform="translate(12 ${(top + height - bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(labels.y)}</text>`,
    `<rect x="${left}" y="${top}" width="${width - left - right}" height="${height - top - bottom}" fill="none" stroke="#888"/>`,
  );
  return svg(parts.join(""));
}

/** An interval of positive width around [lo, hi] (a single point or a flat line still gets axes). */
function spread(lo: number, hi: number): [number, number] {
  return hi > lo ? [lo, hi] : [lo - 1, hi + 1];
}
