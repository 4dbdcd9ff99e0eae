// @ts-check
/**
 * The Level 1 charts, drawn with Observable Plot from the sections' results (lib/level1/*): 1.a's FSC, DPR and SSNR,
 * and the curves of 1.b, 1.g and 1.h their results carry. Every chart runs along the spatial frequency
 * (1/Å, bottom axis) with the resolution (Å) on a top axis, as the FSC charts of other programs do.
 *
 *   fscPlot(results, {width})    → FSC unmasked / masked / corrected, logistic fit, 0.143 and 0.5, half-bit and 3σ, crossings
 *   dprPlot(results, {width})    → DPR with its threshold and crossing
 *   ssnrPlot(results, {width})   → VRS's log10(SSNR − 1) with its 0 line and crossing
 *   fdrFscPlot(results, {width})  → 1.b's FSC with the shells significant at 1 % FDR and the FDR resolution
 *   fsoPlot(results, {width})     → 1.g's FSO with its 0.5 crossing, and Bingham's p-value per shell
 *   directionalFscPlot(results, {width}) → 1.h's FSC along x, y, z and over all directions, with their crossings
 *   curvesPlot(rows, {...})      → the chart all of them are: curves, levels, marked points
 */
import * as Plot from "@observablehq/plot";
import {significant} from "../lib/report/format.js";

/** One colour per curve, the same on every Level 1 chart. */
export const CURVE_COLORS = {
  "FSC": "#1565c0",
  "masked FSC": "#2e7d32",
  "corrected FSC": "#c62828",
  "logistic fit": "#8e24aa",
  "half-bit": "#757575",
  "3σ": "#bdbdbd",
  "DPR": "#1565c0",
  "log10(SSNR − 1)": "#1565c0",
  "FSC of the masked halves": "#1565c0",
  "FSO": "#1565c0",
  "Bingham p-value": "#e65100",
  "x": "#c62828",
  "y": "#2e7d32",
  "z": "#1565c0",
  "global": "#212121"
};

/** The fixed FSC levels drawn as lines: RELION's 0.143 and the traditional 0.5. */
const FSC_LINES = [0.143, 0.5];

/** @typedef {{frequency: number, value: number, curve: string}} CurvePoint */
/** @typedef {{frequency: number, value: number, label: string}} MarkedPoint */

/** The top axis: each frequency tick written as its resolution in Å. */
const resolutionAxis = () => Plot.axisX({anchor: "top", label: "resolution (Å)", labelAnchor: "center",
  tickFormat: (/** @type {number} */ f) => (f > 0 ? significant(1 / f, 3) : "∞")});

/**
 * Curves (long rows {frequency, value, curve}) with horizontal levels and marked points; the colour legend lists the
 * curves in `order`. Points whose value is not finite are left out (a line breaks there). `filled`: points drawn filled in the curve's colour (1.b's significant shells), beside the hollow `points`.
 * @param {CurvePoint[]} rows
 * @param {{width: number, height?: number, label: string, order: string[], levels?: {value: number, label: string}[],
 *   points?: MarkedPoint[], filled?: MarkedPoint[], dashed?: string[], yDomain?: [number, number], ariaLabel: string}} options
 */
export function curvesPlot(rows, {width, height = 300, label, order, levels = [], points = [], filled = [], dashed = [], yDomain, ariaLabel}) {
  const finite = rows.filter((r) => Number.isFinite(r.value) && Number.isFinite(r.frequency));
  const present = order.filter((curve) => finite.some((r) => r.curve === curve));
  const colors = /** @type {Record<string, string>} */ (CURVE_COLORS);
  const solid = finite.filter((r) => !dashed.includes(r.curve));
  const broken = finite.filter((r) => dashed.includes(r.curve));
  return Plot.plot({
    width,
    height,
    marginTop: 44,
    marginRight: 20,
    x: {label: "spatial frequency (1/Å)", grid: true, domain: [0, Math.max(...finite.map((r) => r.frequency))]},
    y: {label, grid: true, ...(yDomain && {domain: yDomain})},
    color: {legend: true, domain: present, range: present.map((curve) => colors[curve] ?? "#333")},
    marks: [
      resolutionAxis(),
      Plot.axisX({anchor: "bottom", label: "spatial frequency (1/Å)", labelAnchor: "center"}),
      Plot.ruleY(levels, {y: "value", stroke: "#555", strokeDasharray: "4,3"}),
      Plot.text(levels, {y: "value", text: "label", frameAnchor: "right", textAnchor: "end", dy: -5, fontSize: 10, fill: "#555"}),
      Plot.line(solid, {x: "frequency", y: "value", z: "curve", stroke: "curve", strokeWidth: 1.6}),
      Plot.line(broken, {x: "frequency", y: "value", z: "curve", stroke: "curve", strokeWidth: 1.2, strokeDasharray: "5,3"}),
      Plot.dot(filled, {x: "frequency", y: "value", r: 2.5, fill: colors[order[0]], title: (/** @type {MarkedPoint} */ d) => d.label}),
      Plot.dot(points, {x: "frequency", y: "value", r: 3.5, fill: "white", stroke: "black", strokeWidth: 1.5,
        title: (/** @type {MarkedPoint} */ d) => d.label})
    ],
    ariaLabel
  });
}

/**
 * `curve`'s value at frequency `f`, linearly interpolated between the rows around it (NaN outside them).
 * @param {{frequency: number}[]} rows
 * @param {(row: any) => number} value
 * @param {number} f
 */
export function valueAt(rows, value, f) {
  for (let i = 1; i < rows.length; i++) {
    const [a, b] = [rows[i - 1], rows[i]];
    if (f >= a.frequency && f <= b.frequency) {
      const t = b.frequency === a.frequency ? 0 : (f - a.frequency) / (b.frequency - a.frequency);
      return value(a) + t * (value(b) - value(a));
    }
  }
  return NaN;
}

/** The FSC curves of 1.a's rows and the name each has on the charts. */
const FSC_CURVES = /** @type {const} */ ([["fsc", "FSC"], ["fscMasked", "masked FSC"], ["fscCorrected", "corrected FSC"]]);
/** Each criterion of 1.a's crossings: its name and its value along the rows. */
const CRITERIA = /** @type {const} */ ([
  ["0.143", "0.143", () => 0.143],
  ["0.5", "0.5", () => 0.5],
  ["halfBit", "half-bit", (/** @type {Mapval.FscSectionShell} */ r) => r.halfBit],
  ["threeSigma", "3σ", (/** @type {Mapval.FscSectionShell} */ r) => r.threeSigma]
]);

/**
 * Where each FSC curve of 1.a crosses each criterion (from the section's crossings, in Å), as points on the chart.
 * @param {Mapval.FscSectionResults} r
 * @returns {MarkedPoint[]}
 */
export function fscCrossingPoints(r) {
  return FSC_CURVES.flatMap(([key, name]) => {
    const crossings = r.crossings[key];
    if (!crossings) return [];
    return CRITERIA.flatMap(([criterion, criterionName, level]) => {
      const resolution = crossings[criterion];
      if (resolution === null || !(resolution > 0)) return [];
      const frequency = 1 / resolution;
      return [{frequency, value: valueAt(r.shells, level, frequency), label: `${name} crosses ${criterionName} at ${significant(resolution, 4)} Å`}];
    });
  });
}

/**
 * 1.a's FSC chart: the unmasked, masked and corrected FSC (the last two when a mask was given), VRS's logistic fit of
 * the unmasked FSC, the 0.143 and 0.5 lines, the half-bit and 3σ curves, and every crossing marked.
 * @param {Mapval.FscSectionResults} r
 * @param {{width: number}} options
 */
export function fscPlot(r, {width}) {
  /** @type {CurvePoint[]} */
  const rows = [];
  for (const [key, curve] of FSC_CURVES)
    for (const s of r.shells) if (s[key] !== null) rows.push({frequency: s.frequency, value: /** @type {number} */ (s[key]), curve});
  r.fit?.fitted.forEach((value, i) => rows.push({frequency: r.shells[i].frequency, value, curve: "logistic fit"}));
  for (const s of r.shells) rows.push({frequency: s.frequency, value: s.halfBit, curve: "half-bit"}, {frequency: s.frequency, value: s.threeSigma, curve: "3σ"});
  return curvesPlot(rows, {
    width, label: "FSC", order: [...FSC_CURVES.map(([, name]) => name), "logistic fit", "half-bit", "3σ"],
    dashed: ["logistic fit", "half-bit", "3σ"],
    levels: FSC_LINES.map((value) => ({value, label: `FSC = ${value}`})),
    points: fscCrossingPoints(r), yDomain: [-0.1, 1.05], ariaLabel: "Fourier shell correlation"
  });
}

/**
 * 1.a's differential phase residual (degrees) with the level it is crossed at and the crossing.
 * @param {Mapval.FscSectionResults} r
 * @param {{width: number}} options
 */
export function dprPlot(r, {width}) {
  const rows = r.shells.map((s) => ({frequency: s.frequency, value: s.dpr, curve: "DPR"}));
  const points = r.dprResolution === null ? [] : [{frequency: 1 / r.dprResolution, value: r.dprThreshold,
    label: `DPR crosses ${r.dprThreshold}° at ${significant(r.dprResolution, 4)} Å`}];
  return curvesPlot(rows, {
    width, height: 240, label: "DPR (°)", order: ["DPR"], levels: [{value: r.dprThreshold, label: `${r.dprThreshold}°`}],
    points, ariaLabel: "differential phase residual"
  });
}

/**
 * 1.a's spectral SNR as VRS plots it: log10(ratio − 1) of the mean ratio |F(h1+h2)| / |F(h1−h2)| per shell, crossed at
 * 0 (where the SNR, ratio − 1, falls below 1).
 * @param {Mapval.FscSectionResults} r
 * @param {{width: number}} options
 */
export function ssnrPlot(r, {width}) {
  const curve = "log10(SSNR − 1)";
  const rows = r.ssnr.frequency.map((frequency, i) => ({frequency, value: r.ssnr.log10[i], curve}));
  const points = r.ssnrResolution === null ? [] : [{frequency: 1 / r.ssnrResolution, value: 0,
    label: `SSNR crosses 1 at ${significant(r.ssnrResolution, 4)} Å`}];
  return curvesPlot(rows, {width, height: 240, label: curve, order: [curve], levels: [{value: 0, label: "0"}], points, ariaLabel: "spectral SNR"});
}

/**
 * 1.b's FSC of the masked halves per shell (SPOC's shells), the shells significant at 1 % FDR filled, and the point
 * whose shell gives the FDR resolution (the last before the first shell that is not significant).
 * @param {Mapval.FdrFscSectionResults} r
 * @param {{width: number}} options
 */
export function fdrFscPlot(r, {width}) {
  const name = "FSC of the masked halves";
  const shells = r.shells.filter((s) => s.index > 0);
  const rows = shells.map((s) => ({frequency: s.frequency, value: s.fsc, curve: name}));
  const at = (/** @type {Mapval.FdrFscSectionResults["shells"][number]} */ s) => ({frequency: s.frequency, value: s.fsc,
    label: `shell ${s.index} (${significant(1 / s.frequency, 4)} Å): q = ${significant(s.qValue, 3)}${s.significant ? ", significant" : ""}`});
  const last = r.FDRResolution === null ? undefined : shells.find((s) => Math.abs(1 / s.frequency - /** @type {number} */ (r.FDRResolution)) < 1e-9);
  return curvesPlot(rows, {
    width, label: "FSC", order: [name], yDomain: [-0.1, 1.05],
    filled: shells.filter((s) => s.significant).map(at), points: last ? [at(last)] : [], ariaLabel: "FSC with the shells significant at 1 % FDR"
  });
}

/**
 * 1.g's Fourier shell occupancy and Bingham's p-value of the passing directions per shell, with the FSO = 0.5 level
 * and its crossing (the FSO resolution), and the significance level of the test.
 * @param {Mapval.FsoSectionResults} r
 * @param {{width: number}} options
 */
export function fsoPlot(r, {width}) {
  const curves = r.curve;
  const rows = curves.frequency.flatMap((frequency, i) => [
    {frequency, value: curves.fso[i], curve: "FSO"},
    {frequency, value: curves.bingham.pValue[i], curve: "Bingham p-value"}
  ]);
  return curvesPlot(rows, {
    width, label: "FSO, p-value", order: ["FSO", "Bingham p-value"], dashed: ["Bingham p-value"], yDomain: [0, 1.05],
    levels: [{value: 0.5, label: "FSO = 0.5"}, {value: 0.05, label: "p = 0.05"}], ariaLabel: "Fourier shell occupancy",
    points: r.FSOresolution === null ? [] : [{frequency: 1 / r.FSOresolution, value: 0.5, label: `FSO crosses 0.5 at ${significant(r.FSOresolution, 4)} Å`}]
  });
}

const DIRECTIONS = /** @type {const} */ ([["x", "FSC3DresolutionX"], ["y", "FSC3DresolutionY"], ["z", "FSC3DresolutionZ"], ["global", "FSC3DresolutionGlobal"]]);

/**
 * 1.h's cone FSCs along x, y and z and the global FSC, with the threshold they are crossed at and each crossing.
 * @param {Mapval.Fsc3dSectionResults} r
 * @param {{width: number}} options
 */
export function directionalFscPlot(r, {width}) {
  const curves = r.curves;
  const rows = DIRECTIONS.flatMap(([axis]) => curves.frequency.map((frequency, i) => ({frequency, value: curves.axes[axis][i], curve: axis})));
  const points = DIRECTIONS.flatMap(([axis, key]) => {
    const resolution = r[key];
    return resolution === null ? [] : [{frequency: 1 / resolution, value: curves.threshold, label: `${axis} crosses ${curves.threshold} at ${significant(resolution, 4)} Å`}];
  });
  return curvesPlot(rows, {
    width, label: "directional FSC", order: DIRECTIONS.map(([axis]) => axis), yDomain: [-0.05, 1.05],
    levels: [{value: curves.threshold, label: `FSC = ${curves.threshold}`}], points, ariaLabel: "directional FSC"
  });
}
