// @ts-check
/**
 * localSurfaceViews: the map's isosurface coloured by a local map (0.e resolution, 0.f B-factor, 0.g occupancy), as
 * three stills at VRS's view angles (isosurface-views.js), the way VRS shows "representative views" of each.
 *
 *   localSurfaceViews({map, threshold, local, colormap, domain}) → HTMLElement (data-testid="local-surface-views")
 *
 * - map: {data, nx, ny, nz, voxelSize: [Å, Å, Å]}, the page's live map; threshold: the level the local map was made at.
 * - local: {values, shape, voxelSize}, the loader's copy of the local map (data-loaders/site/site-entry.ts
 *   localSurfaceGrid; NaN outside its mask). Both grids span the same box from voxel 0, so map voxel i takes the local
 *   value of the nearest local voxel, round(i·Ts / Ts_local). Where there is none (outside the mask) the surface is grey.
 * - colormap and domain: as the slices of the same section (slice-view.js), so that a colour means the same value.
 *
 * The stills are made in an idle moment after the element is returned (three polygonizations of the map on this
 * thread would hold up the page's first report); the WebGL view behind them is freed once they are taken.
 */
import {level} from "../lib/report/colormap.js";
import {isosurfaceView} from "./isosurface.js";
import {isosurfaceViews} from "./isosurface-views.js";
import {lookupOf} from "./slice-view.js";

const NO_VALUE = [0.75, 0.75, 0.75];

/**
 * @typedef {{
 *   map: {data: Float32Array, nx: number, ny: number, nz: number, voxelSize: number[]},
 *   threshold: number,
 *   local: {values: Float32Array, shape: number[], voxelSize: number},
 *   colormap: string,
 *   domain: [number, number],
 * }} LocalSurfaceOptions
 */

/** @param {LocalSurfaceOptions} options */
export function localSurfaceViews(options) {
  const element = document.createElement("div");
  element.dataset.testid = "local-surface-views";
  element.textContent = "Drawing the surface views…";
  // An idle moment, or 2 s at the latest: a page kept busy (slider, worker replies) must still get its views.
  /** @type {(callback: () => void) => void} */
  const later = window.requestIdleCallback ? (callback) => window.requestIdleCallback(callback, {timeout: 2000})
    : (callback) => setTimeout(callback, 200);
  later(() => element.replaceChildren(stillsOf(options)));
  return element;
}

/** @param {LocalSurfaceOptions} options */
function stillsOf({map, threshold, local, colormap, domain}) {
  const {nx, ny, nz} = map;
  const [lx, ly, lz] = local.shape;
  const lookup = lookupOf(colormap);
  const nearest = (/** @type {number} */ i, /** @type {number} */ n, /** @type {number} */ ratio) => Math.min(n - 1, Math.round(i * ratio));
  const ratio = map.voxelSize[0] / local.voxelSize;
  const colors = new Float32Array(3 * nx * ny * nz);
  for (let z = 0, i = 0; z < nz; z++)
    for (let y = 0; y < ny; y++) {
      const row = lx * (nearest(y, ly, ratio) + ly * nearest(z, lz, ratio));
      for (let x = 0; x < nx; x++, i++) {
        const value = local.values[row + nearest(x, lx, ratio)];
        if (Number.isFinite(value)) {
          const at = 3 * level(value, domain);
          colors.set([lookup[at] / 255, lookup[at + 1] / 255, lookup[at + 2] / 255], 3 * i);
        } else colors.set(NO_VALUE, 3 * i);
      }
    }
  const view = isosurfaceView({...map, threshold, colors, width: 480, height: 360});
  const stills = isosurfaceViews(view, {width: 200});
  view.dispose();
  return stills;
}
