// @ts-check
/**
 * sliceView: a 2-D image of map values (a slice, a projection, a local-resolution section…) with a colour bar.
 *
 *   sliceView({ values, width, height, colormap = "grey", domain, title, caption, flipY = true, colorbar = true,
 *               legend, mask, maskColor, size = 260 }) → HTMLElement (a <figure>)
 *
 * - values: Float32Array | Uint8Array | number[] of width × height, row-major (row = y), as lib/report/figures.ts's Image2D.
 * - colormap: "grey" (black → white, linear), "viridis", "magma", "rdbu" (diverging blue → white → red, for
 *   B-factors) or a function t ∈ [0, 1] → CSS colour.
 * - domain: [lo, hi] mapped to the two ends of the colour map; defaults to [min, max] of the finite values, as VRS
 *   scales min → 0 and max → 255. Values outside are clamped; NaN/±Inf are drawn transparent.
 * - flipY: row 0 at the bottom (VRS draws its images flipped vertically, y up).
 * - mask: width × height array; nonzero pixels are tinted with maskColor = [r, g, b, opacity] (default red, 0.35).
 * - legend: [{value, label}, …] draws a swatch of each value's colour with its label instead of the colour bar, for
 *   images that take a few values only (a 0/1 mask: [{value: 0, label: "outside"}, {value: 1, label: "inside"}]).
 * - size: the longer side of the picture on screen, in CSS pixels; voxels stay square and sharp (pixelated).
 *
 * Test hooks: the figure has data-testid="slice-view" and data-width, data-height, data-domain (JSON [lo, hi]) and
 * data-colormap; the canvas is "slice-canvas" (its pixels are the image's, one per value); the colour bar is
 * "slice-colorbar" with data-ticks (JSON of the tick values), or the legend "slice-legend" with one "slice-legend-entry"
 * per value (data-value, data-color as rgb(…)); the caption is "slice-caption".
 * Everything is a canvas or SVG, so the figure prints.
 */
import {
  axisRight,
  color,
  format,
  interpolateMagma,
  interpolateRdBu,
  interpolateRgb,
  interpolateViridis,
  scaleLinear,
  select
} from "d3";
import {colorLookup, finiteExtent, level, rgbaPixels} from "../lib/report/colormap.js";

const COLORMAPS = {
  grey: interpolateRgb("black", "white"),
  viridis: interpolateViridis,
  magma: interpolateMagma,
  // d3's RdBu runs red → blue; reversed, low values are blue and high ones red.
  rdbu: (/** @type {number} */ t) => interpolateRdBu(1 - t)
};

/** @typedef {keyof typeof COLORMAPS | ((t: number) => string)} Colormap */

const COLORBAR_WIDTH = 14;
const COLORBAR_AXIS_WIDTH = 52;
let gradientCount = 0;

/**
 * The 256-level lookup table (lib/report/colormap.ts) of a colour map the slice views know, or of a function.
 * @param {Colormap | string} colormap
 */
export function lookupOf(colormap) {
  const interpolator = interpolatorOf(colormap);
  return colorLookup((t) => rgbOf(interpolator(t)));
}

/**
 * @param {Colormap | string} colormap
 * @returns {(t: number) => string}
 */
function interpolatorOf(colormap) {
  if (typeof colormap === "function") return colormap;
  const interpolator = COLORMAPS[/** @type {keyof typeof COLORMAPS} */ (colormap)];
  if (!interpolator) {
    throw new Error(`unknown colormap "${colormap}" (use ${Object.keys(COLORMAPS).join(", ")} or a function)`);
  }
  return interpolator;
}

/**
 * @param {string} cssColor
 * @returns {[number, number, number]}
 */
function rgbOf(cssColor) {
  const parsed = color(cssColor);
  if (!parsed) throw new Error(`the colour map gave "${cssColor}", which is not a CSS colour`);
  const {r, g, b} = parsed.rgb();
  return [r, g, b];
}

/**
 * @typedef {{
 *   values: ArrayLike<number>, width: number, height: number, colormap?: Colormap | string,
 *   domain?: readonly [number, number], title?: string, caption?: string, flipY?: boolean, colorbar?: boolean,
 *   legend?: {value: number, label: string}[], mask?: ArrayLike<number>,
 *   maskColor?: readonly [number, number, number, number], size?: number,
 * }} SliceViewOptions
 */

/** @param {SliceViewOptions} options */
export function sliceView({
  values,
  width,
  height,
  colormap = "grey",
  domain,
  title,
  caption,
  flipY = true,
  colorbar = true,
  legend,
  mask,
  maskColor,
  size = 260
}) {
  const interpolator = interpolatorOf(colormap);
  const range = domain ?? finiteExtent(values) ?? [0, 1];
  const lookup = lookupOf(colormap);

  const figure = document.createElement("figure");
  figure.className = "mapval-slice-view";
  figure.dataset.testid = "slice-view";
  figure.dataset.width = String(width);
  figure.dataset.height = String(height);
  figure.dataset.domain = JSON.stringify(range);
  figure.dataset.colormap = typeof colormap === "function" ? "custom" : colormap;
  figure.style.cssText =
    "margin: 0 1.5em 1em 0; display: inline-block; vertical-align: top; max-width: none; break-inside: avoid;";

  if (title) {
    const heading = figure.appendChild(document.createElement("div"));
    heading.textContent = title;
    heading.style.cssText = "font-weight: 600; margin-bottom: 0.3em;";
  }

  const scale = size / Math.max(width, height);
  const displayWidth = Math.round(width * scale);
  const displayHeight = Math.round(height * scale);

  const row = figure.appendChild(document.createElement("div"));
  row.style.cssText = "display: flex; align-items: flex-start; gap: 6px;";

  const canvas = row.appendChild(document.createElement("canvas"));
  canvas.dataset.testid = "slice-canvas";
  canvas.width = width;
  canvas.height = height;
  canvas.style.cssText = `width: ${displayWidth}px; height: ${displayHeight}px; image-rendering: pixelated; ` +
    "background: repeating-conic-gradient(#ddd 0 25%, #fff 0 50%) 0 0 / 8px 8px; border: 1px solid #888;";
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", caption ?? title ?? "slice");
  const pixels = rgbaPixels({values, width, height, domain: range, lookup, flipY, mask, maskColor});
  /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d")).putImageData(
    new ImageData(/** @type {Uint8ClampedArray<ArrayBuffer>} */ (pixels), width, height), 0, 0);

  if (legend) row.appendChild(legendList(legend, range, lookup));
  else if (colorbar) row.appendChild(/** @type {SVGSVGElement} */ (colorbarSvg(range, interpolator, displayHeight)));

  if (caption) {
    const figcaption = figure.appendChild(document.createElement("figcaption"));
    figcaption.dataset.testid = "slice-caption";
    figcaption.textContent = caption;
    figcaption.style.cssText = "margin-top: 0.3em; color: var(--theme-foreground-muted, #555); font-size: 0.9em;";
  }
  return figure;
}

/**
 * One swatch per value, in the colour its pixels get (the same lookup as the canvas).
 * @param {{value: number, label: string}[]} entries
 * @param {readonly [number, number]} range
 * @param {Mapval.ColorLookup} lookup
 */
function legendList(entries, range, lookup) {
  const list = document.createElement("div");
  list.dataset.testid = "slice-legend";
  list.style.cssText = "display: flex; flex-direction: column; gap: 4px; font-size: 10px; white-space: nowrap;";
  for (const {value, label} of entries) {
    const at = level(value, range) * 3;
    const rgb = `rgb(${lookup[at]}, ${lookup[at + 1]}, ${lookup[at + 2]})`;
    const entry = list.appendChild(document.createElement("div"));
    entry.dataset.testid = "slice-legend-entry";
    entry.dataset.value = String(value);
    entry.dataset.color = rgb;
    const swatch = entry.appendChild(document.createElement("span"));
    swatch.style.cssText = `display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: -2px; ` +
      `background: ${rgb}; border: 1px solid #888; print-color-adjust: exact; -webkit-print-color-adjust: exact;`;
    entry.append(label);
  }
  return list;
}

/**
 * A vertical bar, lowest value at the bottom, with an axis of about five ticks.
 * @param {readonly [number, number]} range
 * @param {(t: number) => string} interpolator
 * @param {number} barHeight
 */
function colorbarSvg(range, interpolator, barHeight) {
  const y = scaleLinear().domain(range).range([barHeight, 0]);
  const ticks = range[1] > range[0] ? y.ticks(5) : [range[0]];
  const gradientId = `mapval-colorbar-${++gradientCount}`;
  const svg = select(document.createElementNS("http://www.w3.org/2000/svg", "svg"))
    .attr("data-testid", "slice-colorbar")
    .attr("data-ticks", JSON.stringify(ticks))
    .attr("width", COLORBAR_WIDTH + COLORBAR_AXIS_WIDTH)
    .attr("height", barHeight + 12)
    .style("overflow", "visible");
  // 33 stops follow each colour map closely; the gradient's t runs along y, from the bottom (lo) to the top (hi).
  svg.append("linearGradient")
    .attr("id", gradientId)
    .attr("x1", 0).attr("y1", 1).attr("x2", 0).attr("y2", 0)
    .selectAll("stop")
    .data(Array.from({length: 33}, (_, i) => i / 32))
    .join("stop")
    .attr("offset", (t) => t)
    .attr("stop-color", (t) => interpolator(t));
  svg.append("rect")
    .attr("y", 0.5)
    .attr("width", COLORBAR_WIDTH)
    .attr("height", barHeight)
    .attr("fill", `url(#${gradientId})`)
    .attr("stroke", "#888");
  svg.append("g")
    .attr("transform", `translate(${COLORBAR_WIDTH},0.5)`)
    .call(axisRight(y).tickValues(ticks).tickFormat(format("~g")).tickSizeOuter(0))
    .call((axis) => axis.select(".domain").remove())
    .selectAll("text")
    .style("font-size", "10px");
  return svg.node();
}
