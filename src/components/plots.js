/** The report page's charts, drawn with Observable Plot from the loader's and the worker's tables. */
import * as Plot from "@observablehq/plot";

export const STATUS_COLORS = {
  "ok": "#2e7d32",
  "warnings": "#e65100",
  "not-measured": "#9e9e9e",
  "does-not-apply": "#d0d0d0"
};
const statusColor = {
  type: "ordinal",
  domain: Object.keys(STATUS_COLORS),
  range: Object.values(STATUS_COLORS),
  legend: true
};

/** Vertical rules for the reference levels, with their labels. */
function referenceRules(markers) {
  const refs = markers.filter((m) => m.value !== null && Number.isFinite(m.value));
  return [
    Plot.ruleX(refs, {x: "value", stroke: (m) => m.color, strokeDasharray: "4,3", strokeWidth: 1.5}),
    Plot.text(refs, {x: "value", text: "label", frameAnchor: "top", dy: -6, fill: (m) => m.color, fontSize: 10, textAnchor: "start", dx: 3})
  ];
}

/**
 * A black vertical line for the current threshold, added to a drawn chart and moved by `chart.setCurrent(t)`, so the
 * chart is not drawn again for each slider move.
 */
function withCurrentLine(chart) {
  const svg = chart.tagName.toLowerCase() === "svg" ? chart : chart.querySelector(":scope > svg");
  const x = chart.scale("x");
  const [y1, y2] = [...chart.scale("y").range].sort((a, b) => a - b);
  const line = document.createElementNS("http://www.w3.org/2000/svg", "line");
  line.setAttribute("stroke", "black");
  line.setAttribute("stroke-width", "2");
  line.setAttribute("y1", y1);
  line.setAttribute("y2", y2);
  line.dataset.testid = "current-threshold-line";
  svg.append(line);
  chart.setCurrent = (t) => {
    const position = x.apply(t);
    line.setAttribute("x1", position);
    line.setAttribute("x2", position);
    line.dataset.threshold = t;
  };
  return chart;
}

/**
 * For each section 0.a–0.c, where along the threshold axis it is OK or warns (from the sweep), with the reference
 * levels marked and a line for the current threshold (setCurrent). Each threshold of the sweep owns the band up to the midpoints
 * with its neighbours.
 */
export function verdictChart(rows, {markers, width}) {
  const bands = [];
  rows.forEach((row, i) => {
    const x1 = i === 0 ? row.threshold : (rows[i - 1].threshold + row.threshold) / 2;
    const x2 = i === rows.length - 1 ? row.threshold : (rows[i + 1].threshold + row.threshold) / 2;
    for (const s of ["0a", "0b", "0c"])
      bands.push({section: `0.${s[1]}`, status: row[`status${s}`], warnings: row[`warnings${s}`], x1, x2, threshold: row.threshold});
  });
  return withCurrentLine(Plot.plot({
    width,
    height: 190,
    marginTop: 28,
    marginLeft: 40,
    x: {label: "threshold", grid: true},
    y: {label: null, domain: ["0.a", "0.b", "0.c"]},
    color: statusColor,
    marks: [
      Plot.rectX(bands, {x1: "x1", x2: "x2", y: "section", fill: "status", stroke: "status", strokeWidth: 0.5, inset: 0,
        title: (d) => `${d.section} at ${d.threshold.toPrecision(4)}: ${d.status}${d.warnings ? ` (${d.warnings} warnings)` : ""}`}),
      ...referenceRules(markers)
    ],
    ariaLabel: "verdict vs threshold"
  }));
}

/** 0.b's mass table: molecular mass above each threshold, log scale, with the thresholds marked. */
export function massPlot(rows, {markers, width}) {
  const positive = rows.filter((r) => r.kDa > 0);
  return withCurrentLine(Plot.plot({
    width,
    height: 240,
    marginTop: 28,
    x: {label: "threshold", grid: true},
    y: {label: "mass above threshold (kDa)", type: "log", grid: true},
    marks: [
      Plot.line(positive, {x: "threshold", y: "kDa", stroke: "steelblue"}),
      Plot.dot(positive, {x: "threshold", y: "kDa", fill: "steelblue", r: 2.5, tip: true}),
      ...referenceRules(markers)
    ],
    ariaLabel: "mass vs threshold"
  }));
}

/** 0.d's Guinier plot: ln mean |F| against 1/d², the fitted shells, the line and the corrected curve. */
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
