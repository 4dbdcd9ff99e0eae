/**
 * Test oracles of 0.a and 0.b's mask measurements, from a dense hard mask in plain loops: lib/level0/level0.ts gets the same
 * numbers from one pass over the mask's runs along x (measureHardMask).
 */
import type { CriteriaParameters } from "../../lib/level0/criteria.js";
import type { AnalysisMode, SectionResult } from "../../lib/report/report-types.js";
import { centerOfMass, massFromExtent, type MassResults } from "../../lib/level0/section-0a-mass.js";
import type { Vec3, Volume } from "../../lib/io/volume.js";

/** First and last index touched by the mask on each axis, or null when the mask is empty. */
export function maskExtent(mask: Uint8Array, nx: number, ny: number, nz: number): { first: Vec3; last: Vec3 } | null {
  let x0 = nx, y0 = ny, z0 = nz, x1 = -1, y1 = -1, z1 = -1;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const row = nx * (y + ny * z);
      let left = 0;
      while (left < nx && mask[row + left] === 0) left++;
      if (left === nx) continue;
      let right = nx - 1;
      while (mask[row + right] === 0) right--;
      if (left < x0) x0 = left;
      if (right > x1) x1 = right;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      if (z < z0) z0 = z;
      z1 = z;
    }
  }
  return x1 < 0 ? null : { first: [x0, y0, z0], last: [x1, y1, z1] };
}

/** 0.a from a dense hard mask. */
export function massSection(
  volume: Volume,
  hardMask: Uint8Array,
  ts: number,
  mode: AnalysisMode,
  p: CriteriaParameters,
): SectionResult<MassResults> {
  const extent = maskExtent(hardMask, volume.nx, volume.ny, volume.nz);
  return massFromExtent([volume.nx, volume.ny, volume.nz], extent, centerOfMass(volume), ts, mode, p);
}

/** Voxels of the constructed mask, and the fraction of the raw mask (v ≥ rawThreshold) inside it. */
export function constructedOverlap(v: Volume, hardMask: Uint8Array, rawThreshold: number) {
  let constructed = 0, raw = 0, both = 0;
  const data = v.data;
  for (let i = 0; i < data.length; i++) {
    const inRaw = data[i] >= rawThreshold;
    if (inRaw) raw++;
    if (hardMask[i] !== 0) {
      constructed++;
      if (inRaw) both++;
    }
  }
  return { constructedVoxels: constructed, overlap: both / raw };
}

