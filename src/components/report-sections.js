// @ts-check
/**
 * The results of the sections both report pages recompute or compute themselves (an entry page, src/entries/[id].md,
 * and the open-a-map page, src/open.md), and the live status line next to the threshold: one implementation, so the
 * two pages show the same numbers in the same words.
 *
 *   liveStatus(state, pending, {mean, std})      → the status line (data-testid="live-status")
 *   emptyMaskAt(state)                           → the empty-mask error of the newest request, or null
 *   massResults(r)                               → 0.a's table
 *   maskResults(r, report, {components, massChart}) → 0.b's lines, components and mass table
 *   backgroundResults(r, report, outlierBox)     → 0.c's lines and its outlier figure
 *   bfactorResults(r, report, {guinier, width, correctedSlices}) → 0.d's line, Guinier plot, corrected-map slices
 */
import {html} from "htl";
import {count, pValue, volumeA3} from "../lib/report/format.js";
import {guinierPlot} from "./plots.js";
import {reportFigure, sliceRow} from "./report-figures.js";
import {fixed, number, rowsTable, voxels} from "./report-view.js";

const six = number(6);

/**
 * The newest threshold leaves no voxel in the mask: VRS refuses such a job, so there is no report to show.
 * @param {{error?: Mapval.ReportError | null}} state
 */
export function emptyMaskAt(state) {
  return state.error?.code === "empty-mask" ? state.error : null;
}

/**
 * `state`: {report, ms, error} of the newest answer; `pending`: a newer report has been asked for; mean and std of
 * the map give the threshold in σ.
 * @param {{report: Mapval.Level0Report, ms?: number | null, error?: Mapval.ReportError | null}} state
 * @param {boolean} pending
 * @param {{mean: number, std: number}} map
 */
export function liveStatus(state, pending, {mean, std}) {
  const r = state.report;
  const empty = emptyMaskAt(state);
  const threshold = empty ? empty.threshold : r.input.threshold;
  return html`<div class="live-status" data-testid="live-status" data-threshold=${threshold} data-mode=${r.mode}
      data-pending=${String(pending)} data-ms=${state.ms ?? ""}>
    ${empty ? "No report" : "Report"} at threshold <strong data-testid="live-threshold">${six(threshold)}</strong>
    (${number(3)((threshold - mean) / std)} σ),
    ${r.mode === "vrs-compat" ? "VRS-compatible mode" : "default mode"} (<a href="#criteria">change</a>):
    ${empty ? html`<strong class="error" data-testid="live-empty-mask">${empty.message}</strong>`
      : html`score <strong data-testid="live-score">${r.score.passed} of ${r.score.evaluable}</strong>`}
    ${pending ? html`<span class="pending">recomputing…</span>` : state.ms != null && !empty ? html`<span class="timing">(0.a–0.c in ${fixed(0)(state.ms)} ms)</span>` : ""}
    ${state.error && !empty ? html`<div class="error" data-testid="live-error">At threshold ${six(state.error.threshold)}: ${state.error.message}. The report shown is the last one that could be made.</div>` : ""}
  </div>`;
}

/** @param {Mapval.MassResults} r */
export function massResults(r) {
  const axes = ["X", "Y", "Z"];
  return rowsTable(axes.map((axis, i) => ({axis, i})), [
    {label: "axis", value: (d) => d.axis},
    {label: "space left (Å)", value: (d) => fixed(2)(r.spaceLeft[d.i])},
    {label: "space right (Å)", value: (d) => fixed(2)(r.spaceRight[d.i])},
    {label: "decentering (%)", value: (d) => fixed(2)(r.decentering[d.i])},
    {label: "centre of mass (voxel)", value: (d) => fixed(2)(r.centerOfMass[d.i])},
    {label: "centre-of-mass offset (%)", value: (d) => fixed(2)(r.centerOfMassOffset[d.i])}
  ], "mass-results");
}

/**
 * `components`: the component rows at this threshold; `massChart`: the mass plot, drawn once by the page.
 * @param {Mapval.MaskResults} r
 * @param {Pick<Mapval.Level0Report, "input" | "parameters">} report
 * @param {{components: Mapval.ComponentRow[], massChart: unknown}} figures
 */
export function maskResults(r, report, {components, massChart}) {
  const ts3 = report.input.voxelSize ** 3;
  return html`
    <p data-testid="raw-mask-line">Raw mask: at threshold ${six(r.threshold)}, there ${r.rawComponents === 1 ? "is" : "are"} <strong>${count(r.rawComponents, "connected component")}</strong>
      with a total of ${count(r.rawVoxels, "voxel")} (${volumeA3(r.rawVolume)}).</p>
    <p><strong>${count(r.components95, "component")}</strong> ${r.components95 === 1 ? "holds" : "hold"} ${100 * report.parameters.massFraction} % of the mass.
      ${r.remainingComponents === 0 ? "No other components remain." : html`The average size of the remaining ${count(r.remainingComponents, "component")} is
      ${fixed(2)(r.remainingAverageVoxels)} voxels (${volumeA3(r.remainingAverageVolume)}); their sizes go from ${count(r.remainingFromVoxels, "voxel")}
      (${volumeA3(r.remainingFromVoxels * ts3)}) to ${count(r.remainingToVoxels, "voxel")} (${volumeA3(r.remainingToVoxels * ts3)}).`}</p>
    <p>Constructed mask: after keeping the largest component and dilating it by 2 Å, ${count(r.constructedVoxels, "voxel")}
      (${volumeA3(r.constructedVolume)}). Overlap between the raw and the constructed mask: <strong data-testid="overlap">${fixed(4)(r.overlap)}</strong>.</p>
    <details open><summary>Components (largest first, ${components.length} of ${voxels(r.rawComponents)} listed)</summary>
      ${rowsTable(components.slice(0, 12), [
        {label: "#", value: (d) => d.rank},
        {label: "voxels", value: (d) => voxels(d.voxels)},
        {label: "volume (Å³)", value: (d) => fixed(2)(d.volume)},
        {label: "% of the raw mask", value: (d) => fixed(2)(d.percent)},
        {label: "cumulated %", value: (d) => fixed(2)(d.cumulativePercent)},
        {label: "in the mass set", value: (d) => (d.inMassSet ? "yes" : "")}
      ], "components-table")}
      ${components.length > 12 ? html`<p class="small">… ${components.length - 12} more in the download.</p>` : ""}
    </details>
    <h4>Mass above each threshold</h4>
    ${reportFigure("mass-plot", massChart)}
    <details><summary>Mass table</summary>${rowsTable(r.massTable, [
      {label: "threshold", value: (d) => fixed(4)(d.threshold)},
      {label: "voxels", value: (d) => voxels(d.voxels)},
      {label: "molecular mass (kDa)", value: (d) => fixed(2)(d.kDa)},
      {label: "# amino acids", value: (d) => fixed(2)(d.aminoAcids)}
    ], "mass-table")}</details>`;
}

/**
 * `outlierBox`: the element the page fills with the outlier slices as the worker's mask figures arrive.
 * @param {Mapval.BackgroundResults} r
 * @param {Pick<Mapval.Level0Report, "parameters">} report
 * @param {unknown} outlierBox
 */
export function backgroundResults(r, report, outlierBox) {
  return html`
    <p>The null hypothesis that the background mean is 0 was tested with a one-sample Student's t-test:
      t = <strong>${fixed(2)(r.t)}</strong>, p = <strong data-testid="background-p">${pValue(r.p, r.log10P)}</strong>
      over ${count(r.voxels, "background voxel")}.</p>
    <p>Background mean ${number(6)(r.mean)}, standard deviation (σ) ${number(6)(r.std)}. Voxels with |value| above
      ${report.parameters.outlierSigmas}σ: ${fixed(4)(r.outlierPercent)} % (a Gaussian: ${number(6)(r.gaussianPercent)} %;
      ratio ${number(6)(r.outlierRatio)}).</p>
    <h4>Background voxels beyond ${report.parameters.outlierSigmas}σ</h4>${reportFigure("outlier-slices", outlierBox)}`;
}

/**
 * `guinier`: the Guinier plot's rows; `correctedSlices`: max-variance slices of the B-corrected map (plain arrays),
 * or null when the page has none.
 * @param {Mapval.BFactorResults} r
 * @param {Pick<Mapval.Level0Report, "input">} report
 * @param {{guinier: Mapval.GuinierRow[], width: number, correctedSlices: Mapval.BfactorCorrectedSlices | null}} figures
 */
export function bfactorResults(r, report, {guinier, width, correctedSlices}) {
  return html`
    <p>B-factor: <strong>${number(5)(r.B)}</strong> Å² from ${r.points} shells; fitted line
      ln|F| = ${number(5)(r.slope)}·(1/d²) + (${number(5)(r.intercept)}).</p>
    ${reportFigure("guinier", guinierPlot(guinier, {width}))}
    ${correctedSlices ? reportFigure("bfactor-corrected", sliceRow(
      /** @type {Mapval.AxisImages} */ (Object.fromEntries(Object.entries(correctedSlices).map(([axis, image]) => [axis, {...image, data: Float32Array.from(image.data)}])))
    ), {caption: `Slices of largest variance of the map corrected by B = ${number(5)(r.B)} Å² (up to ${report.input.resolution} Å)`}) : ""}`;
}
