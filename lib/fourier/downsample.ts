/**
 * A smaller copy of a map for the browser: block averages over f×f×f voxels. The site's live threshold works on
 * this copy when the map has more voxels than a browser handles at slider speed; the page shows the factor, since the
 * numbers are then those of the coarser map, not the deposited one.
 */
import type { Vec3, Volume } from "../io/volume.js";

/** Voxels above which the site works on a downsampled copy (160³). */
export const LIVE_VOXEL_LIMIT = 160 ** 3;

/** Smallest integer factor f ≥ 1 that brings the map to at most `limit` voxels (edges rounded up). */
export function downsampleFactor(shape: Vec3, limit: number = LIVE_VOXEL_LIMIT): number {
  for (let f = 1; ; f++) {
    const voxels = shape.reduce((product, n) => product * Math.ceil(n / f), 1);
    if (voxels <= limit) return f;
  }
}

/**
 * Means over f-voxel blocks (the last block on an axis may be shorter and averages the voxels it has). Voxel size
 * grows by f; the origin moves to the centre of the first block. Non-finite voxels are left out of their block's
 * mean (a block with none finite is NaN). f = 1 returns the volume itself.
 */
export function downsample(volume: Volume, factor: number): Volume {
  if (!(Number.isInteger(factor) && factor >= 1)) throw new RangeError(`factor must be a positive integer, got ${factor}`);
  if (factor === 1) return volume;
  const { nx, ny, nz, data } = volume;
  const mx = Math.ceil(nx / factor), my = Math.ceil(ny / factor), mz = Math.ceil(nz / factor);
  const sums = new Float64Array(mx * my * mz);
  const counts = new Uint32Array(mx * my * mz);
  for (let z = 0, i = 0; z < nz; z++) {
    const bz = Math.floor(z / factor) * my;
    for (let y = 0; y < ny; y++) {
      const byz = (Math.floor(y / factor) + bz) * mx;
      for (let x = 0; x < nx; x++, i++) {
        const d = data[i];
        if (!Number.isFinite(d)) continue;
        const b = byz + Math.floor(x / factor);
        sums[b] += d;
        counts[b]++;
      }
    }
  }
  const out = new Float32Array(sums.length);
  for (let b = 0; b < out.length; b++) out[b] = counts[b] === 0 ? NaN : sums[b] / counts[b];
  const size = volume.voxelSize;
  const shift = (axis: number) => (size ? ((factor - 1) / 2) * size[axis] : 0);
  return {
    nx: mx,
    ny: my,
    nz: mz,
    data: out,
    voxelSize: size ? [size[0] * factor, size[1] * factor, size[2] * factor] : null,
    origin: [volume.origin[0] + shift(0), volume.origin[1] + shift(1), volume.origin[2] + shift(2)],
  };
}
