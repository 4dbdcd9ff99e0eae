/**
 * Level 1's input figures (VRS `reportInput` with half maps): the max-variance slices (lib/report/figures.ts) of half 1,
 * half 2 and half 1 − half 2, in which "there should not be any structure". Layout: lib/report/figures.ts.
 */
import { maxVarianceSlices, type AxisImages } from "../report/figures.js";
import { checkHalfMaps } from "./fsc.js";
import type { Volume } from "../io/volume.js";

export interface HalfMapFigures {
  half1: AxisImages;
  half2: AxisImages;
  /** half 1 − half 2 (float32, as numpy subtracts two float32 maps), at its own max-variance slices. */
  difference: AxisImages;
}

export function halfMapFigures(half1: Volume, half2: Volume): HalfMapFigures {
  checkHalfMaps(half1, half2);
  const { nx, ny, nz } = half1;
  const difference = new Float32Array(half1.data.length);
  for (let i = 0; i < difference.length; i++) difference[i] = half1.data[i] - half2.data[i];
  return {
    half1: maxVarianceSlices(half1.data, nx, ny, nz),
    half2: maxVarianceSlices(half2.data, nx, ny, nz),
    difference: maxVarianceSlices(difference, nx, ny, nz),
  };
}
