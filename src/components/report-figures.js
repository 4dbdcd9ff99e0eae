// @ts-check
/**
 * The report's numbered figures: their order on the page (which gives their numbers), captions and what a reader
 * should look for in each, and the rows of X, Y and Z images they are made of.
 *
 *   figureNumber(id)                                → 1, 2, … in page order
 *   reportFigure(id, content, {caption})            → <figure data-testid="report-figure" data-figure=id data-number=N>
 *   sliceRow(images, {kind, ...sliceView options})  → the X, Y and Z images side by side (data-testid="slice-row")
 *
 * The "what to look for" texts say in mapval's words what VRS's explanations point at (docs/vrs-differences.md lists
 * where mapval's report differs from VRS's).
 */
import {html} from "htl";
import {sliceView} from "./slice-view.js";

const FIGURES = [
  ["verdict-chart", "Verdicts of 0.a–0.c along the threshold",
    "A verdict that flips just beside the current threshold rests on that choice; one that holds over a wide range " +
    "does not."],
  ["central-slices", "Central slices of the input map",
    "The noise around the molecule should look like featureless speckle: streaks running outwards, small blobs or " +
    "patches of very high or very low density there are artefacts of the processing."],
  ["max-variance-slices", "Slices of largest variance of the input map",
    "These are the planes where the map changes most; they cross the molecule even when it is off-centre. The same " +
    "as for the central slices: no structure in the noise."],
  ["projections", "Projections of the input map along X, Y and Z",
    "Stripes in a projection point to a preferred direction in the data (too many particles in some views, or " +
    "angular attraction); a dark ring around or inside the molecule points to a wrong CTF correction or a biased map."],
  ["mask-slices", "Slices of largest variance of the raw, constructed (hard) and soft masks at the current threshold",
    "The constructed mask should cover the molecule and little else: parts of the molecule left out of it are " +
    "counted as background in 0.c, and a mask that spreads into the noise means the threshold is too low."],
  ["isosurface", "Isosurface of the input map at the current threshold",
    "At a sensible threshold the surface is one connected molecule with few or no loose blobs around it; many small " +
    "fragments mean the threshold sits in the noise, holes or missing parts that it is too high."],
  ["mass-plot", "Mass enclosed above each threshold",
    "The mass should fall steeply where the threshold leaves the noise and then slowly; the molecule's expected mass " +
    "read off the curve gives a threshold to compare with the author's."],
  ["outlier-slices", "Slices of largest variance of the background voxels beyond 5σ",
    "Background outliers should be few and scattered. A pattern (a shell, a copy of the molecule, streaks) means the " +
    "background holds signal or artefacts; a symmetric pattern can come from the imposed symmetry."],
  ["guinier", "Guinier plot: ln of the mean Fourier amplitude against 1/d², with the fitted line and the corrected curve",
    "Between 15 Å and the resolution the points should follow a straight line; the corrected curve should then be " +
    "flat. A curve that rises at high resolution was sharpened already."],
  ["bfactor-corrected", "Slices of largest variance of the B-factor corrected map",
    "Correcting by B restores the high-resolution detail; it should sharpen features, not turn the map into noise. " +
    "Grainy slices mean B is too negative or the resolution too optimistic."],
  ["local-resolution-histogram", "Histogram of the local resolution inside the mask",
    "A narrow peak near the reported resolution is expected; a long tail towards poor values marks flexible or " +
    "poorly aligned regions."],
  ["local-resolution-slices", "Local resolution on slices through the mask",
    "The best resolution is usually in the core of the molecule and the worst at its surface and its flexible parts."],
  ["local-resolution-surface", "Isosurface coloured by the local resolution, at VRS's three view angles",
    "Colours should change smoothly over the surface, finest in the core; a patchwork of colours points to noise " +
    "in the local estimate rather than to the map."],
  ["local-bfactor-histogram", "Histogram of the local B-factor inside the mask",
    "Local B-factors between −300 and 0 Å² are the usual range; most of them far below −300 Å² mean the map is soft " +
    "(blurred), above 0 Å² that it is oversharpened."],
  ["local-bfactor-slices", "Local B-factor on slices through the mask (white at 0 Å²)",
    "Blue is a negative B (detail that fades with resolution), red a positive one (oversharpened); flexible parts " +
    "and the surface of the molecule are usually bluer than its core."],
  ["local-bfactor-surface", "Isosurface coloured by the local B-factor (white at 0 Å²), at VRS's three view angles",
    "Protruding, flexible parts are usually the bluest; red patches are oversharpened."],
  ["local-occupancy-histogram", "Histogram of the local occupancy inside the mask",
    "Most of the molecule should have an occupancy close to 1; a broad spread towards 0 marks parts present in only " +
    "some of the particles, or a mask wider than the molecule."],
  ["local-occupancy-slices", "Local occupancy on slices through the mask",
    "Low occupancy at the edge of the mask is normal; inside the molecule it marks flexible or partly occupied parts."],
  ["local-occupancy-surface", "Isosurface coloured by the local occupancy, at VRS's three view angles",
    "Most of the surface should be at full occupancy; whole domains at low occupancy are present in only part of " +
    "the particles."],
  ["half-map-slices", "Slices of largest variance of half map 1, half map 2 and their difference",
    "The two halves should look alike, and their difference should be featureless noise: a copy of the molecule in " +
    "the difference means the halves were not refined independently or differ in scale; a sharp zero background " +
    "outside a sphere means a half was masked."],
  ["fsc-chart", "Fourier shell correlation of the half maps: unmasked, masked and corrected, with the 0.143, 0.5, " +
    "half-bit and 3σ criteria and VRS's logistic fit",
    "The curves should fall smoothly from 1 to 0 and stay near 0 beyond; a masked FSC far above the corrected one at " +
    "high frequency means the mask's edge itself correlates (too sharp or too tight a mask). A curve that rises again " +
    "after falling points to an artefact such as a repeated pattern or a masked half."],
  ["dpr-chart", "Differential phase residual of the half maps",
    "The phase residual rises from near 0° towards that of random phases; where it crosses the line the halves' " +
    "phases no longer agree better than chance."],
  ["ssnr-chart", "Spectral signal-to-noise ratio of the half maps (VRS's log10(ratio − 1))",
    "The curve should fall steadily and cross 0 near the FSC's resolution; a crossing far from it points to a scale " +
    "difference between the halves."],
  ["fdr-fsc-chart", "FSC of the masked half maps per shell, the shells significant at 1 % FDR filled",
    "The significant shells should run without a gap from the lowest frequency to the FDR resolution; isolated " +
    "significant shells beyond it are chance or an artefact, not resolution."],
  ["local-fsc-histogram", "Histogram of the local resolution from the local FSC (1.c) inside the mask",
    "A narrow peak near the global FSC resolution is expected; a broad spread towards poor values marks flexible or " +
    "poorly aligned regions."],
  ["local-fsc-slices", "Local resolution from the local FSC (1.c) on slices through the mask",
    "The finest resolution is usually in the core of the molecule and the worst at its surface and its flexible parts."],
  ["halves-local-resolution-histogram", "Histogram of the local resolution from MonoRes on the half maps (1.e) inside the mask",
    "A narrow peak near the reported resolution is expected; it should agree with 1.c and 0.e within a few tenths of " +
    "an ångström in the core."],
  ["halves-local-resolution-slices", "Local resolution from MonoRes on the half maps (1.e) on slices through the mask",
    "As for 1.c: finest in the core, coarser at the surface; patches much finer than the global resolution point " +
    "to noise in the estimate."],
  ["fso-chart", "Fourier shell occupancy and Bingham's test of the passing directions, per shell",
    "For an isotropic map the occupancy drops from 1 to 0 over a narrow band of frequencies; a wide band, or " +
    "p-values under 0.05 while the occupancy is between 0.9 and 0.1, mean some directions lose their signal first " +
    "(preferred orientation)."],
  ["directional-fsc-chart", "FSC within cones along x, y and z and over all directions",
    "The four curves should fall together; one axis falling well before the others points to missing views " +
    "around it."]
];

const byId = new Map(FIGURES.map(([id, caption, lookFor], i) => [id, {number: i + 1, caption, lookFor}]));

/** @param {string} id */
function figureOf(id) {
  const figure = byId.get(id);
  if (!figure) throw new Error(`unknown report figure "${id}"`);
  return figure;
}

/** @param {string} id */
export function figureNumber(id) {
  return figureOf(id).number;
}

/**
 * `content` with its number, caption (default: the figure's own) and the "what to look for" text.
 * @param {string} id
 * @param {unknown} content
 * @param {{caption?: string}} [options]
 */
export function reportFigure(id, content, {caption} = {}) {
  const figure = figureOf(id);
  return html`<figure class="report-figure" data-testid="report-figure" data-figure=${id} data-number=${figure.number}
      style="margin: 0 0 1.5em; max-width: none; break-inside: avoid;">
    ${content}
    <figcaption data-testid="figure-caption" style="max-width: 640px;"><strong>Figure ${figure.number}:</strong> ${caption ?? figure.caption}.</figcaption>
    <p class="look-for" data-testid="look-for" style="margin-top: 0.3em; font-size: 0.92em;"><em>What to look for:</em> ${figure.lookFor}</p>
  </figure>`;
}

/** VRS's order of the sub-figures: (a) X, (b) Y, (c) Z. */
export const AXES = /** @type {const} */ (["x", "y", "z"]);
const LETTERS = {x: "a", y: "b", z: "c"};
/** Width of a slice view beyond its picture: the gap and the colour bar with its tick labels (slice-view.js). */
const PANEL_EXTRA = 72;

/**
 * The X, Y and Z images of an AxisImages (lib/report/figures.ts) side by side, lettered as VRS's sub-figures ("(a) X slice
 * 59", "(b) Y projection"); `label` prefixes a row ("raw mask"). At 150 px per picture the three fit the report's
 * column on a 1280-px screen (704 px beside the table of contents); a narrower screen gets fewer per row.
 */
/**
 * @param {Mapval.AxisImages} images
 * @param {{kind?: string, label?: string} & Omit<Mapval.SliceViewOptions, "values" | "width" | "height" | "title">} [options]
 */
export function sliceRow(images, {kind = "slice", label, size = 150, ...options} = {}) {
  return html`<div class="slice-row" data-testid="slice-row" data-kind=${kind}
      style=${`display: grid; grid-template-columns: repeat(auto-fill, minmax(${size + PANEL_EXTRA}px, 1fr)); gap: 0.4em 10px; max-width: 760px;`}>${AXES.map((axis) => {
    const image = images[axis];
    const view = sliceView({
      values: image.data, width: image.width, height: image.height, size, ...options,
      title: `(${LETTERS[axis]}) ${label ? `${label}, ` : ""}${axis.toUpperCase()} ${kind}${image.index !== undefined ? ` ${image.index}` : ""}`
    });
    view.dataset.axis = axis;
    view.style.marginRight = "0";
    return view;
  })}</div>`;
}

/** The legend of a 0/1 mask drawn in grey levels [0, 1]. */
export const MASK_LEGEND = [{value: 0, label: "outside"}, {value: 1, label: "inside"}];
