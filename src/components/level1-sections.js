// @ts-check
/**
 * The Level 1 sections of a report page (1.a–1.h, from two half maps), drawn from the section results the kernel
 * gives (lib/level1/*, the `sections` of a combined report): one implementation for the entry pages, /open and the
 * lab. Each section is laid out as Level 0's are (sectionBody: explanation, results, criteria, status).
 *
 *   fscChart(section, {width})             1.a's FSC chart; `chart.update(section)` redraws it from a new 1.a
 *   fscResults(section, {width, chart, mask}) 1.a: sentences, resolutions, the FSC, DPR and SSNR charts
 *   fdrFscResults(section, {width})        1.b: the 1 % FDR resolution, and the FSC with its significant shells
 *   halfMapLocalResults(section, {width, map}) 1.c and 1.e: percentiles, histogram, slices of the local map
 *   fsoResults(section, {width}), fsc3dResults(section, {width}) 1.g and 1.h, with their curves
 *   level1Results(section, options)        the results of any Level 1 section (null for 1.d and 1.f: not computed)
 *   halfMapInput({figures, warnings, simulated}) the half maps' slices, the masked-half warnings, the simulated label
 *   level1SectionsView(report, options)    sections 3.1–3.8 of a page: each one's heading and body
 *   hasLevel1(report)                      whether the report holds Level 1 sections
 */
import {html} from "htl";
import {level1SectionIds} from "../lib/section-registry.js";
import {directionalFscPlot, dprPlot, fdrFscPlot, fscPlot, fsoPlot, ssnrPlot} from "./level1-plots.js";
import {localSliceImages, localStatsTable} from "./local-sections.js";
import {histogramPlot} from "./plots.js";
import {AXES, reportFigure, sliceRow} from "./report-figures.js";
import {fixed, number, rowsTable, sectionBody, voxels} from "./report-view.js";

const angstrom = (/** @type {number | null | undefined} */ x) => (x === null || x === undefined ? "none" : `${fixed(2)(x)} Å`);

/** @typedef {HTMLElement & {update(section: Mapval.SectionResult): void}} FscChart */

/**
 * 1.a's FSC chart in a box that keeps its place on the page: `update(section)` draws a new 1.a's curves in it (a
 * threshold move changes the masked and corrected FSC) without redrawing the section. The box's data attributes give
 * the three 0.143 resolutions drawn (Å, empty when none).
 * @param {Mapval.SectionResult} section
 * @param {{width: number}} options
 * @returns {FscChart}
 */
export function fscChart(section, {width}) {
  const box = /** @type {FscChart} */ (html`<div class="fsc-chart" data-testid="fsc-chart"></div>`);
  box.update = (next) => {
    const r = /** @type {Mapval.FscSectionResults | null} */ (next.results);
    box.dataset.fscResolution = String(r?.fscResolution ?? "");
    box.dataset.fscMaskedResolution = String(r?.fscMaskedResolution ?? "");
    box.dataset.fscCorrectedResolution = String(r?.fscCorrectedResolution ?? "");
    box.dataset.rows = String(r?.shells.length ?? 0);
    box.replaceChildren(r ? fscPlot(r, {width}) : html`<p class="reason">No FSC: ${next.reason ?? "the section has no results"}.</p>`);
  };
  box.update(section);
  return box;
}

/** The crossings table's rows: each FSC curve of 1.a. */
const FSC_ROWS = /** @type {const} */ ([["fsc", "FSC (unmasked halves)"], ["fscMasked", "masked FSC"], ["fscCorrected", "corrected FSC (phase-randomised)"]]);

/**
 * 1.a's results: VRS's sentences, where each FSC curve crosses each criterion, the estimates VRS compares with the
 * reported resolution, how the corrected FSC was made, and the FSC (`chart`: one made by fscChart, kept by the page
 * for live updates), DPR and SSNR charts. `mask`: which soft mask the masked curves used.
 * @param {Mapval.SectionResult} section
 * @param {{width: number, chart?: FscChart, mask?: "level0-soft" | "user"}} options
 */
export function fscResults(section, {width, chart, mask}) {
  const r = /** @type {Mapval.FscSectionResults | null} */ (section.results);
  if (!r) return null;
  const randomised = r.randomisation;
  const fromShell = randomised?.fromShell ?? null;
  return html`
    ${r.sentences.map((sentence) => html`<p>${sentence}</p>`)}
    ${rowsTable(FSC_ROWS.filter(([key]) => r.crossings[key] !== null), [
      {label: "curve", value: ([, name]) => name},
      {label: "0.143", value: ([key]) => angstrom(r.crossings[key]?.["0.143"])},
      {label: "0.5", value: ([key]) => angstrom(r.crossings[key]?.["0.5"])},
      {label: "half-bit", value: ([key]) => angstrom(r.crossings[key]?.halfBit)},
      {label: "3σ", value: ([key]) => angstrom(r.crossings[key]?.threeSigma)}
    ], "fsc-crossings")}
    ${rowsTable([
      {estimate: "FSC = 0.143 (unmasked)", value: r.fscResolution},
      {estimate: "masked FSC = 0.143", value: r.fscMaskedResolution},
      {estimate: "corrected FSC = 0.143", value: r.fscCorrectedResolution},
      {estimate: `DPR = ${r.dprThreshold}°`, value: r.dprResolution},
      {estimate: "SSNR = 1", value: r.ssnrResolution},
      {estimate: "well preserved (FSC > 0.9, logistic fit) up to", value: r.preservedFSC90resolution},
      {estimate: "mean of the FSC, DPR and SSNR estimates", value: r.meanResolution}
    ], [
      {label: "estimate", value: (d) => d.estimate},
      {label: "resolution", value: (d) => angstrom(d.value)}
    ], "fsc-resolutions")}
    <p data-testid="fsc-mask">${randomised === null
      ? "No mask was given, so only the unmasked FSC is computed."
      : html`The masked FSC multiplies both halves by ${mask === "user" ? "the given mask" : "Level 0's soft mask at the current threshold"}.
        ${fromShell === null
          ? "The unmasked FSC never falls below 0.8, so no phase was randomised and the corrected FSC is the masked one."
          : html`The corrected FSC (Chen et al. 2013) randomises the phases from shell ${fromShell} on
            (${angstrom(r.shells[fromShell - 1]?.resolution)}, where the unmasked FSC first falls below 0.8), with seed ${randomised.seed}.`}`}</p>
    ${reportFigure("fsc-chart", chart ?? fscChart(section, {width}))}
    ${reportFigure("dpr-chart", dprPlot(r, {width}))}
    ${reportFigure("ssnr-chart", ssnrPlot(r, {width}))}`;
}

/**
 * 1.b's results: the resolution at 1 % FDR and how many shells are significant, which mask and seed were used, and
 * the FSC with its significant shells.
 * @param {Mapval.SectionResult} section
 * @param {{width: number}} options
 */
export function fdrFscResults(section, {width}) {
  const r = /** @type {Mapval.FdrFscSectionResults | null} */ (section.results);
  if (!r) return null;
  const mask = r.mask.kind === "given"
    ? "the halves multiplied by the soft mask"
    : `the halves multiplied by SPOC's spherical mask (radius ${fixed(1)(r.mask.radius)} voxels, edge σ ${fixed(1)(r.mask.sigma)})`;
  return html`<p data-testid="fdr-resolution">Resolution at 1 % false discovery rate: <strong>${angstrom(r.FDRResolution)}</strong>;
    ${voxels(r.significantShells)} significant shell${r.significantShells === 1 ? "" : "s"} beyond the origin.</p>
    <p>Permutation test of ${mask}, seed ${r.seed} (the same seed gives the same shells).</p>
    ${reportFigure("fdr-fsc-chart", fdrFscPlot(r, {width}))}`;
}

/** 1.c's and 1.e's figures. */
const LOCAL_FIGURES = {"1.c": "local-fsc", "1.e": "halves-local-resolution"};

/**
 * 1.c's and 1.e's results: percentiles (0.e's table), where the reported resolution lies, each one's own numbers,
 * the histogram, and the local map's slices when the page has them (`map`, as the site loader writes 0.e's).
 * @param {Mapval.SectionResult} section
 * @param {{width: number, map?: Mapval.LocalMapSlices | null}} options
 */
export function halfMapLocalResults(section, {width, map}) {
  const r = /** @type {Mapval.LocalFscSectionResults | Mapval.HalfMapLocalResolutionResults | null} */ (section.results);
  if (!r) return null;
  const figure = LOCAL_FIGURES[/** @type {"1.c" | "1.e"} */ (section.id)];
  const slices = map ? localSliceImages(map) : null;
  return html`
    ${localStatsTable(section)}
    ${r.resolutionPercentile === null ? "" : html`<p data-testid=${`resolution-percentile-${section.id}`}>${fixed(2)(r.resolutionPercentile)} % of the voxels have a local resolution finer than the reported resolution.</p>`}
    ${r.method === "local-fsc"
      ? html`<p data-testid="local-fsc-boxes">Boxes of ${r.box} voxels every ${r.stride} voxel${r.stride === 1 ? "" : "s"}, FSC cut-off ${r.cutoff}: ${voxels(r.boxes)} boxes,
        ${voxels(r.atNyquist)} whose FSC never fell below the cut-off (given 2·Ts), ${voxels(r.atBoxEdge)} below it at the first shell, ${voxels(r.unmeasured)} with an empty shell.</p>`
      : html`<p data-testid="monores-grid">MonoRes on ${r.workingGrid.resampled ? `a resampled grid of ${r.workingGrid.shape.join(" × ")} voxels of ${number(4)(r.workingGrid.voxelSize)} Å` : "the halves' own grid"},
        over ${voxels(r.maskVoxels)} mask voxels.</p>`}
    ${reportFigure(`${figure}-histogram`, histogramPlot(r.histogram, {label: "local resolution (Å)", width: Math.min(width, 640)}))}
    ${map && slices ? reportFigure(`${figure}-slices`, sliceRow(slices.images, {domain: slices.domain, colormap: "viridis"}),
      {caption: `${section.title}: the local resolution (Å) on slices through its mask (${map.shape.join(" × ")} voxels; empty outside the mask)`}) : ""}`;
}

/**
 * 1.g's results: the FSO resolution, where the shells are 90 to 10 % occupied, the sphericity (Bingham's test is in
 * the section's notes), and the FSO curve with Bingham's p-values.
 * @param {Mapval.SectionResult} section
 * @param {{width: number}} options
 */
export function fsoResults(section, {width}) {
  const r = /** @type {Mapval.FsoSectionResults | null} */ (section.results);
  if (!r) return null;
  return html`${r.sentences.map((sentence) => html`<p>${sentence}</p>`)}
    ${rowsTable([
      {quantity: "FSO = 0.5", value: angstrom(r.FSOresolution)},
      {quantity: "occupancy 90 % → 10 %", value: r.occupancyRange ? `${fixed(2)(r.occupancyRange[0])} → ${fixed(2)(r.occupancyRange[1])} Å` : "none"},
      {quantity: "anisotropic (Bingham's test)", value: r.anisotropic === null ? "not tested" : r.anisotropic ? "yes" : "no"},
      {quantity: "sphericity", value: number(4)(r.sphericity)}
    ], [{label: "quantity", value: (d) => d.quantity}, {label: "value", value: (d) => d.value}], "fso-results")}
    ${reportFigure("fso-chart", fsoPlot(r, {width}))}`;
}

/**
 * 1.h's results: the directional FSC = 0.143 resolutions along x, y, z and over all directions, the sphericity, and
 * and the four curves.
 * @param {Mapval.SectionResult} section
 * @param {{width: number}} options
 */
export function fsc3dResults(section, {width}) {
  const r = /** @type {Mapval.Fsc3dSectionResults | null} */ (section.results);
  if (!r) return null;
  return html`${r.sentences.map((sentence) => html`<p>${sentence}</p>`)}
    ${rowsTable([
      {direction: "x", value: r.FSC3DresolutionX},
      {direction: "y", value: r.FSC3DresolutionY},
      {direction: "z", value: r.FSC3DresolutionZ},
      {direction: "global", value: r.FSC3DresolutionGlobal}
    ], [{label: "direction", value: (d) => d.direction}, {label: "FSC = 0.143", value: (d) => angstrom(d.value)}], "fsc3d-resolutions")}
    <p>Sphericity of the directional resolutions: <strong data-testid="fsc3d-sphericity">${number(4)(r.sphericity)}</strong> (1 for an isotropic map).</p>
    ${reportFigure("directional-fsc-chart", directionalFscPlot(r, {width}))}`;
}

/**
 * The results of any Level 1 section; null for 1.d and 1.f (never computed: their reason says why) and for a
 * section without results.
 * @param {Mapval.SectionResult} section
 * @param {Level1Options} options
 */
export function level1Results(section, {width, fscChart: chart, mask, localMaps = {}}) {
  switch (section.id) {
    case "1.a": return fscResults(section, {width, chart, mask});
    case "1.b": return fdrFscResults(section, {width});
    case "1.c":
    case "1.e": return halfMapLocalResults(section, {width, map: localMaps[section.id]});
    case "1.g": return fsoResults(section, {width});
    case "1.h": return fsc3dResults(section, {width});
    default: return null;
  }
}

/**
 * @typedef {{width: number, fscChart?: FscChart, mask?: "level0-soft" | "user",
 *   localMaps?: Partial<Record<string, Mapval.LocalMapSlices>>}} Level1Options
 */

/**
 * The half maps as VRS's input section shows them: max-variance slices of each half and of half 1 − half 2 (in which
 * no structure should remain), the warnings about the halves (a masked half), and a label when they are simulated.
 * @param {{figures?: Mapval.HalfMapFigures | null, warnings: string[], simulated?: boolean}} input
 */
export function halfMapInput({figures, warnings, simulated}) {
  return html`<div class="half-map-input" data-testid="half-map-input">
    ${simulated ? html`<p class="note-box" data-testid="halves-simulated"><strong>Simulated half maps.</strong> These halves were made from a map
      by projection, noise and reconstruction; they are not deposited half maps, so their numbers test the software, not the entry.</p>` : ""}
    ${warnings.length ? html`<ul class="warnings" data-testid="half-map-warnings">${warnings.map((w) => html`<li>${w}</li>`)}</ul>` : ""}
    ${figures ? reportFigure("half-map-slices", html`
      ${sliceRow(asImages(figures.half1), {label: "half 1"})}
      ${sliceRow(asImages(figures.half2), {label: "half 2"})}
      ${sliceRow(asImages(figures.difference), {label: "half 1 − half 2"})}`) : ""}
  </div>`;
}

/**
 * Slices whose values may have come through JSON as plain arrays, as float32 images.
 * @param {Mapval.AxisImages} images
 */
const asImages = (images) => /** @type {Mapval.AxisImages} */ (Object.fromEntries(AXES.map((axis) => [axis, {...images[axis], data: Float32Array.from(images[axis].data)}])));

/**
 * Sections 3.1–3.8 of a report page: each Level 1 section of the report, its heading and body. The report must
 * hold them (a combined report, lib/level1/level1.ts).
 * @param {{sections: Partial<Record<string, Mapval.SectionResult>>}} report
 * `notes`: a line for the top of a section (e.g. the threshold it was computed at); `live`: the sections recomputed
 * as the threshold moves.
 * @param {Level1Options & {live?: string[], notes?: Partial<Record<string, unknown>>}} options
 */
export function level1SectionsView(report, {live = [], notes = {}, ...options}) {
  return level1SectionIds.map((id, i) => {
    const section = /** @type {Mapval.SectionResult} */ (report.sections[id]);
    return html`<h2 id=${`section-${id.replace(".", "")}`}>3.${i + 1} Level ${section.title}</h2>
    ${sectionBody(section, level1Results(section, options), {live: live.includes(id), note: notes[id]})}`;
  });
}

/**
 * Whether a report holds Level 1 sections (it was made with two half maps).
 * @param {{sections: Partial<Record<string, unknown>>}} report
 */
export function hasLevel1(report) {
  return level1SectionIds.some((id) => report.sections[id] !== undefined);
}
