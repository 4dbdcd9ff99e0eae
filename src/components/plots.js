// @ts-check
/** The report page's charts, drawn with Observable Plot from the loader's and the worker's tables. */
import * as Plot from "@observablehq/plot";
import {html, svg} from "htl";
import {count, significant, STATUS_LABELS} from "../lib/report/format.js";

export const STATUS_COLORS = {
  "ok": "#2e7d32",
  "warnings": "#e65100",
  "not-measured": "#9e9e9e",
  "does-not-apply": "#d0d0d0",
  "not-requested": "#ececec"
};
/** @typedef {keyof typeof STATUS_COLORS} Status */
/** @typedef {{key: string, label: string, value: number | null, color: string}} Marker */
/** @typedef {Marker & {value: number}} ShownMarker */
/** @typedef {HTMLElement & {setCurrent(threshold: number): void}} ChartWithCurrentLine */

/** @type {Plot.ScaleOptions} */
const statusColor = {type: "ordinal", domain: Object.keys(STATUS_COLORS), range: Object.values(STATUS_COLORS)};

/** Height of one row of line labels above a chart's frame. */
const LABEL_ROW = 13;

/**
 * Vertical rules for the reference levels, each labelled in a row of its own above the frame (levels close together
 * would otherwise write their labels over each other). Row 0 is kept for the current threshold's label.
 */
/** @param {ShownMarker[]} refs */
function referenceRules(refs) {
  return [
    Plot.ruleX(refs, {x: "value", stroke: (m) => m.color, strokeDasharray: "4,3", strokeWidth: 1.5}),
    ...refs.map((m, i) => Plot.text([m], {x: "value", text: (d) => `${d.label} ${significant(d.value, 4)}`, frameAnchor: "top",
      dy: -4 - LABEL_ROW * (i + 1), lineAnchor: "bottom", fill: m.color, fontSize: 10, textAnchor: "start", dx: 3}))
  ];
}
const shownMarkers = (/** @type {Marker[]} */ markers) =>
  /** @type {ShownMarker[]} */ (markers.filter((m) => m.value !== null && Number.isFinite(m.value)));
/** Frame top margin: one label row per reference level, one for the current threshold. */
const labelMargin = (/** @type {ShownMarker[]} */ refs) => 8 + LABEL_ROW * (refs.length + 1);

/**
 * A black vertical line for the current threshold, labelled just above the frame, added to a drawn chart and moved by
 * `chart.setCurrent(t)`, so the chart is not drawn again for each slider move. A threshold outside the axis puts the
 * line at that edge, labelled with its value.
 */
/**
 * @param {ReturnType<typeof Plot.plot>} plotted
 * @returns {ChartWithCurrentLine}
 */
function withCurrentLine(plotted) {
  const chart = /** @type {ReturnType<typeof Plot.plot> & ChartWithCurrentLine} */ (plotted);
  const svg = /** @type {Element} */ (chart.tagName.toLowerCase() === "svg" ? chart : chart.querySelector(":scope > svg"));
  const x = /** @type {Plot.Scale & {range: number[]}} */ (chart.scale("x"));
  const [left, right] = [...x.range].sort((a, b) => a - b);
  const [y1, y2] = [.../** @type {number[]} */ (chart.scale("y")?.range)].sort((a, b) => a - b);
  const line = document.createElementNS("http://www.w3.org/2000/svg", "line");
  line.setAttribute("stroke", "black");
  line.setAttribute("stroke-width", "2");
  line.setAttribute("y1", String(y1));
  line.setAttribute("y2", String(y2));
  line.dataset.testid = "current-threshold-line";
  const label = document.createElementNS("http://www.w3.org/2000/svg", "text");
  label.setAttribute("y", String(y1 - 4));
  label.setAttribute("font-size", "10");
  label.setAttribute("font-weight", "bold");
  label.dataset.testid = "current-threshold-label";
  svg.append(line, label);
  chart.setCurrent = (t) => {
    const position = Math.min(right, Math.max(left, x.apply(t)));
    line.setAttribute("x1", String(position));
    line.setAttribute("x2", String(position));
    line.dataset.threshold = String(t);
    label.textContent = `current ${significant(t, 4)}`;
    // Anchored towards the middle, so the label stays inside the chart at either edge.
    const atLeft = position < (left + right) / 2;
    label.setAttribute("x", String(position + (atLeft ? 3 : -3)));
    label.setAttribute("text-anchor", atLeft ? "start" : "end");
  };
  return chart;
}

/** Warning bands are hatched as well as orange, so the chart does not rest on colour alone. */
let hatchCount = 0;
/** @param {string} id */
function hatchPattern(id) {
  return () => svg`<defs><pattern id=${id} width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
    <line x1="0" y1="0" x2="0" y2="6" stroke="white" stroke-width="2" stroke-opacity="0.8"/></pattern></defs>`;
}

/** The verdict chart's legend, in HTML: each status with its swatch (hatched for warnings). */
/** @param {Status[]} statuses */
function statusLegend(statuses) {
  return html`<div class="status-legend" data-testid="verdict-legend">${statuses.map((status) => html`<span class="status-legend-item">
    ${svg`<svg width="22" height="12" aria-hidden="true"><rect width="22" height="12" fill=${STATUS_COLORS[status]} />${status === "warnings"
      ? svg`<path d="M0 12 L12 0 M6 12 L18 0 M12 12 L22 2" stroke="white" stroke-width="2" stroke-opacity="0.8"/>` : ""}</svg>`}
    ${STATUS_LABELS[status]}</span>`)}</div>`;
}

/**
 * For each section 0.a–0.c, where along the threshold axis it is OK or warns (from the sweep), with the reference
 * levels marked and a line for the current threshold (setCurrent). Each threshold of the sweep owns the band up to the midpoints
 * with its neighbours.
 */
/**
 * @param {Mapval.SweepTableRow[]} rows
 * @param {{markers: Marker[], width: number}} options
 * @returns {ChartWithCurrentLine}
 */
export function verdictChart(rows, {markers, width}) {
  /** @type {{section: string, status: Status, warnings: number, x1: number, x2: number, threshold: number}[]} */
  const bands = [];
  rows.forEach((row, i) => {
    const x1 = i === 0 ? row.threshold : (rows[i - 1].threshold + row.threshold) / 2;
    const x2 = i === rows.length - 1 ? row.threshold : (rows[i + 1].threshold + row.threshold) / 2;
    for (const s of /** @type {const} */ (["0a", "0b", "0c"]))
      bands.push({section: `0.${s[1]}`, status: row[`status${s}`], warnings: row[`warnings${s}`], x1, x2, threshold: row.threshold});
  });
  const refs = shownMarkers(markers);
  const hatch = `verdict-hatch-${++hatchCount}`;
  const chart = withCurrentLine(Plot.plot({
    width,
    height: 160 + LABEL_ROW * refs.length,
    marginTop: labelMargin(refs),
    marginLeft: 40,
    x: {label: "threshold", grid: true, tickFormat: (t) => significant(t, 4)},
    y: {label: null, domain: ["0.a", "0.b", "0.c"]},
    color: statusColor,
    marks: [
      hatchPattern(hatch),
      Plot.rectX(bands, {x1: "x1", x2: "x2", y: "section", fill: "status", stroke: "status", strokeWidth: 0.5, inset: 0,
        title: (/** @type {typeof bands[number]} */ d) => `${d.section} at ${significant(d.threshold, 4)}: ${STATUS_LABELS[d.status] ?? d.status}${d.warnings ? ` (${count(d.warnings, "warning")})` : ""}`}),
      Plot.rectX(bands.filter((d) => d.status === "warnings"), {x1: "x1", x2: "x2", y: "section", fill: `url(#${hatch})`, inset: 0, pointerEvents: "none"}),
      ...referenceRules(refs)
    ],
    ariaLabel: "verdict vs threshold"
  }));
  const present = /** @type {Status[]} */ (Object.keys(STATUS_COLORS)).filter((status) => bands.some((b) => b.status === status));
  const figure = /** @type {ChartWithCurrentLine} */ (html`<div class="verdict-figure">${statusLegend(present)}${chart}</div>`);
  figure.setCurrent = chart.setCurrent;
  return figure;
}

/**
 * 0.b's mass table: molecular mass above each threshold, log scale, with the thresholds marked. The kDa ticks are
 * plain numbers (Plot's default SI ticks write "100m" and "1k" on a kDa axis).
 */
/**
 * @param {Mapval.MassTableRow[]} rows
 * @param {{markers: Marker[], width: number}} options
 */
export function massPlot(rows, {markers, width}) {
  const positive = rows.filter((r) => r.kDa > 0);
  const refs = shownMarkers(markers);
  return withCurrentLine(Plot.plot({
    width,
    height: 220 + LABEL_ROW * refs.length,
    marginTop: labelMargin(refs),
    marginLeft: 56,
    x: {label: "threshold", grid: true, tickFormat: (t) => significant(t, 4)},
    y: {label: "mass above threshold (kDa)", type: "log", grid: true, tickFormat: (t) => significant(t, 3)},
    marks: [
      Plot.line(positive, {x: "threshold", y: "kDa", stroke: "steelblue"}),
      Plot.dot(positive, {x: "threshold", y: "kDa", fill: "steelblue", r: 2.5, tip: true}),
      ...referenceRules(refs)
    ],
    ariaLabel: "mass vs threshold"
  }));
}

/** 0.d's Guinier plot: ln mean |F| against 1/d², the fitted shells, the line and the corrected curve. */
/**
 * @param {Mapval.GuinierRow[]} rows
 * @param {{width: number}} options
 */
export function guinierPlot(rows, {width}) {
  const hasFit = rows.some((r) => r.fit !== null);
  return Plot.plot({
    width,
    height: 260,
    x: {label: "1/d² (Å⁻²)", grid: true},
    y: {label: "ln mean |F|", grid: true},
    color: {legend: true, domain: ["ln|F|", "shells in the fit", "fitted line", "corrected"], range: ["#888", "#1565c0", "#c62828", "#2e7d32"]},
    marks: [
      Plot.line(rows, {x: "inverseResolutionSquared", y: "lnF", stroke: () => "ln|F|"}),
      Plot.dot(rows.filter((r) => r.fitted), {x: "inverseResolutionSquared", y: "lnF", fill: () => "shells in the fit", r: 2.5}),
      ...(hasFit ? [
        Plot.line(rows.filter((r) => r.fitted), {x: "inverseResolutionSquared", y: "fit", stroke: () => "fitted line", strokeWidth: 2}),
        Plot.line(rows, {x: "inverseResolutionSquared", y: "corrected", stroke: () => "corrected", strokeDasharray: "3,2"})
      ] : [])
    ],
    ariaLabel: "Guinier plot"
  });
}

/** A local section's histogram over its mask (25 bins, as VRS). */
/**
 * @param {Mapval.HistogramBin[]} rows
 * @param {{label: string, width: number, color?: string}} options
 */
export function histogramPlot(rows, {label, width, color = "steelblue"}) {
  return Plot.plot({
    width,
    height: 220,
    x: {label, grid: true},
    y: {label: "voxels", grid: true},
    marks: [Plot.rectY(rows, {x1: "x0", x2: "x1", y: "count", fill: color, insetLeft: 0.5, insetRight: 0.5}), Plot.ruleY([0])],
    ariaLabel: `histogram of ${label}`
  });
}
