/**
 * Pixel numerics for drawing a 2-D image through a colour map, kept free of the DOM so that Node tests can check them.
 * The site's slice view (src/components/slice-view.js) builds the lookup table from a d3 interpolator and puts the
 * pixels these functions return on a canvas.
 */

/** 256 RGB triplets, entry i for the level i/255 of the colour map. */
export type ColorLookup = Uint8Array;

export const LEVELS = 256;

/** [min, max] of the finite values, or null when there is none. */
export function finiteExtent(values: ArrayLike<number>): [number, number] | null {
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  // NaN fails both comparisons; ±Infinity would win one of them, so an infinite extent is searched again without it.
  if (Number.isFinite(min) && Number.isFinite(max)) return [min, max];
  min = Infinity;
  max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? [min, max] : null;
}

/**
 * A domain centred on `centre` that holds every finite value of the images: [centre − m, centre + m] with m the
 * largest |value − centre|, so that a diverging colour map puts its middle colour (RdBu's white) at `centre` (0 Å²
 * for local B-factors, 0 for 0.c's background). Images without a finite value other than the centre get
 * [centre − 1, centre + 1].
 */
export function centredDomain(images: readonly ArrayLike<number>[], centre = 0): [number, number] {
  let m = 0;
  for (const values of images)
    for (let i = 0; i < values.length; i++) {
      const d = Math.abs(values[i] - centre);
      if (d > m && Number.isFinite(d)) m = d;
    }
  if (m === 0) m = 1;
  return [centre - m, centre + m];
}

/**
 * Level 0..255 of a value: domain[0] → 0, domain[1] → 255, linear in between and truncated like a uint8 cast of
 * 255·(v − lo)/(hi − lo); values outside the domain are clamped. A domain of zero width puts every value at level 0.
 */
export function level(value: number, domain: readonly [number, number]): number {
  const [lo, hi] = domain;
  if (!(hi > lo)) return 0;
  const scaled = Math.floor(((value - lo) / (hi - lo)) * (LEVELS - 1));
  return scaled < 0 ? 0 : scaled > LEVELS - 1 ? LEVELS - 1 : scaled;
}

/** Lookup table from a colour map given as t ∈ [0, 1] → [r, g, b] (0..255 each). */
export function colorLookup(rgbAt: (t: number) => readonly [number, number, number]): ColorLookup {
  const lookup = new Uint8Array(LEVELS * 3);
  for (let i = 0; i < LEVELS; i++) lookup.set(rgbAt(i / (LEVELS - 1)).map(Math.round), i * 3);
  return lookup;
}

export interface PixelOptions {
  values: ArrayLike<number>;
  width: number;
  height: number;
  domain: readonly [number, number];
  lookup: ColorLookup;
  /** Row y of `values` goes to the bottom of the picture (y up, as VRS and the maps' axes draw it). */
  flipY: boolean;
  /** Nonzero entries (same layout as `values`) are tinted with `maskColor`. */
  mask?: ArrayLike<number>;
  /** [r, g, b] 0..255 and opacity 0..1. */
  maskColor?: readonly [number, number, number, number];
}

/**
 * RGBA pixels of the picture, row 0 at the top, ready for `new ImageData(pixels, width, height)`. Non-finite values
 * are left transparent so that they never pass for a real density.
 */
export function rgbaPixels(options: PixelOptions): Uint8ClampedArray {
  const { values, width, height, domain, lookup, flipY, mask, maskColor = [255, 0, 0, 0.35] } = options;
  if (values.length !== width * height) throw new RangeError(`${values.length} values for a ${width}×${height} image`);
  if (mask && mask.length !== values.length) throw new RangeError(`mask of ${mask.length} for ${values.length} values`);
  const pixels = new Uint8ClampedArray(width * height * 4);
  const [mr, mg, mb, opacity] = maskColor;
  for (let y = 0; y < height; y++) {
    const row = flipY ? height - 1 - y : y;
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const v = values[i];
      if (!Number.isFinite(v)) continue;
      const entry = level(v, domain) * 3;
      let r = lookup[entry], g = lookup[entry + 1], b = lookup[entry + 2];
      if (mask && mask[i] !== 0) {
        r += (mr - r) * opacity;
        g += (mg - g) * opacity;
        b += (mb - b) * opacity;
      }
      const p = (row * width + x) * 4;
      pixels[p] = r;
      pixels[p + 1] = g;
      pixels[p + 2] = b;
      pixels[p + 3] = 255;
    }
  }
  return pixels;
}
