// @ts-check
/**
 * Pieces of the report page drawn from kernel results: status chips, the summary table, the warnings summary, the
 * entry header and small result tables. Every text from an entry or a report goes through htl interpolation, which
 * inserts it as text: a title holding markup shows the markup, it does not become elements.
 */
import {html} from "htl";
import {fixed as fixedDecimals, grouped, significant, STATUS_LABELS, statusText} from "../lib/report/format.js";
import {sectionIdsIn} from "../lib/section-registry.js";

/** Page shorthands for lib/report/format.ts: `number(digits)(x)` significant digits, `fixed(decimals)(x)`; "n/a" when missing. */
export const number = (digits = 4) => (/** @type {number | null | undefined} */ x) => significant(x, digits);
export const fixed = (/** @type {number} */ decimals) => (/** @type {number | null | undefined} */ x) => fixedDecimals(x, decimals);

/**
 * A coloured chip for a section status; `text` replaces the label (e.g. VRS's "2 warnings").
 * @param {Mapval.SectionStatus} status
 * @param {string} [text]
 */
export function statusChip(status, text) {
  return html`<span class="chip chip-${status}" data-status=${status}>${text ?? STATUS_LABELS[status] ?? status}</span>`;
}

/**
 * The section table of the summary: title (linked to its section) and status, for every section of the report in
 * registry order (Level 1's too when it has them). `other`: {threshold, sections} of sections computed at another
 * threshold (src/components/local-sections.js), shown with their status and marked so.
 * @param {{sections: Partial<Record<string, Mapval.SectionResult>>, input: {threshold: number}}} report
 * @param {{other?: {threshold: number, sections: Partial<Record<string, Mapval.SectionResult>>}}} [options]
 */
export function sectionTable(report, {other} = {}) {
  return html`<table class="section-table" data-testid="section-table">
    <thead><tr><th>Section</th><th>Status</th></tr></thead>
    <tbody>${sectionIdsIn(report.sections).map((id) => {
      const elsewhere = other?.sections[id];
      const s = /** @type {Mapval.SectionResult} */ (elsewhere ?? report.sections[id]);
      return html`<tr data-section=${id}>
        <td><a href=${`#section-${id.replace(".", "")}`}>${s.title}</a></td>
        <td data-testid=${`status-${id}`} data-status=${s.status} data-threshold=${elsewhere ? other.threshold : report.input.threshold}>${statusChip(s.status, statusText(s))}${
          elsewhere ? html` <span class="other-threshold" data-testid=${`other-threshold-${id}`}>at threshold ${number(6)(other.threshold)}, not counted</span>` : ""}</td>
      </tr>`;
    })}</tbody>
  </table>`;
}

/** @param {Pick<Mapval.Level0Report, "warningsSummary">} report */
export function warningsSummary(report) {
  if (report.warningsSummary.length === 0) return html`<p data-testid="warnings-summary">No warnings.</p>`;
  return html`<div data-testid="warnings-summary">${report.warningsSummary.map((s) => html`<div class="warning-group">
    <strong>${s.title}</strong>
    <ol>${s.warnings.map((w) => html`<li>${w}</li>`)}</ol>
  </div>`)}</div>`;
}

/**
 * Header table of an entry: identity, map, analysis inputs and provenance.
 * @param {{entry: Pick<Mapval.EntryConfig, "emdb" | "title" | "resolution" | "attribution" | "notes"> & {file: string, sha256: string},
 *   map: {shape: number[], voxelSize: number, min: number, max: number, mean: number, std: number},
 *   threshold: Mapval.ChosenThreshold, live: {factor: number, shape: number[], voxelSize: number}}} page
 */
export function entryHeader(page) {
  const {entry, map, threshold, live} = page;
  const rows = [
    ["EMDB entry", entry.emdb ?? "not an EMDB entry"],
    ...(entry.title ? [["Title", entry.title]] : []),
    ["Map file", html`<code>${entry.file}</code>`],
    ["SHA-256", html`<code class="hash">${entry.sha256}</code>`],
    ["Box", `${map.shape.join(" × ")} voxels`],
    ["Voxel size (Ts)", `${map.voxelSize} Å`],
    ["Resolution", entry.resolution ? `${entry.resolution.angstrom} Å (${entry.resolution.source})` : "not reported"],
    ["Threshold", html`${number(6)(threshold.level)} — ${threshold.fromAuthors
      ? threshold.explanation
      : html`<strong class="not-authors" data-testid="threshold-not-authors">${threshold.explanation}</strong>`}`],
    ["Map values", `min ${number()(map.min)}, max ${number()(map.max)}, mean ${number()(map.mean)}, σ ${number()(map.std)}`],
    ["Live analysis on", live.factor === 1
      ? "the deposited map itself (every voxel)"
      : html`the deposited map itself (every voxel), fetched when live numbers are first needed; the figures are drawn from
        <strong>a copy downsampled ${live.factor}× per axis</strong> (${live.shape.join(" × ")} voxels of ${number()(live.voxelSize)} Å)`],
    ["Source", entry.attribution],
    ...(entry.notes ? [["Notes", entry.notes]] : [])
  ];
  return html`<table class="entry-header" data-testid="entry-header">${rows.map(([label, value]) =>
    html`<tr><th scope="row">${label}</th><td>${value}</td></tr>`)}</table>`;
}

/**
 * A small table from row objects and column specs [{label, value: row → text|Node}].
 * @template Row
 * @param {Row[]} rows
 * @param {{label: string, value: (row: Row) => unknown}[]} columns
 * @param {string} testId
 */
export function rowsTable(rows, columns, testId) {
  return html`<table class="results" data-testid=${testId}>
    <thead><tr>${columns.map((c) => html`<th>${c.label}</th>`)}</tr></thead>
    <tbody>${rows.map((row) => html`<tr>${columns.map((c) => html`<td>${c.value(row)}</td>`)}</tr>`)}</tbody>
  </table>`;
}

/**
 * Explanation / Results / Automatic criteria / Status, the layout of every VRS section.
 * @param {Mapval.SectionResult} section
 * @param {unknown} results
 * @param {{live?: boolean, note?: unknown}} [options]
 */
export function sectionBody(section, results, {live, note} = {}) {
  return html`<div class="section-body" data-testid=${`section-${section.id}`} data-status=${section.status}>
    ${note ? html`<p class="section-note">${note}</p>` : ""}
    <h3>Explanation</h3>
    <p>${section.explanation ?? "VRS gives no explanation for this section."}</p>
    <h3>Results</h3>
    ${section.reason ? html`<p class="reason">${section.reason}</p>` : ""}
    ${results ?? ""}
    ${(section.notes ?? []).filter((n) => n !== section.reason).map((n) => html`<p class="remark">Note: ${n}</p>`)}
    <h3>Automatic criteria</h3>
    ${section.criteria?.length ? html`<ul>${section.criteria.map((c) => html`<li>${c}</li>`)}</ul>` : html`<p>None.</p>`}
    <h3>Status</h3>
    <p data-testid=${`section-status-${section.id}`}>${statusChip(section.status, statusText(section))}${live ? html` <span class="live-badge">recomputed live</span>` : ""}</p>
    ${section.warnings.length ? html`<ol class="warnings">${section.warnings.map((w) => html`<li>${w}</li>`)}</ol>` : ""}
  </div>`;
}

/** Voxel counts with thousands separators. */
export const voxels = grouped;

/** The key each box was last drawn for (redrawWhen). */
const drawnFor = new WeakMap();

/**
 * Fills `box` with `draw()` unless it was last drawn for the same `key` (a string of everything it shows): a threshold
 * move then redraws the parts that depend on the threshold and leaves the others, their figures included, as they are.
 * @param {Element} box
 * @param {string} key
 * @param {() => unknown} draw what htl interpolates: a node, text or an array of them
 */
export function redrawWhen(box, key, draw) {
  if (drawnFor.get(box) === key) return;
  drawnFor.set(box, key);
  box.replaceChildren(html`${draw()}`);
}
