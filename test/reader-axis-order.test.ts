/**
 * MAPC/MAPR/MAPS: a synthetic map whose value names its voxel, v(x, y, z) = x + 10·y + 100·z, written in each of the
 * six axis orders (columns along axis MAPC, rows along MAPR, sections along MAPS) and read back: every voxel must
 * land at its (x, y, z).
 */
import { describe, expect, it } from "vitest";
import { parseMap } from "../lib/io/mrc-reader.js";
import type { Vec3 } from "../lib/io/volume.js";

const shape: Vec3 = [3, 4, 5];
const value = (x: number, y: number, z: number) => x + 10 * y + 100 * z;

/** A little-endian mode-2 MRC file of the map, its data in the order (mapc, mapr, maps) (1-based axes). */
function mrcFile(order: Vec3): Uint8Array {
  const [c, r, s] = order.map((a) => a - 1);
  const [nc, nr, ns] = [shape[c], shape[r], shape[s]];
  const bytes = new Uint8Array(1024 + 4 * nc * nr * ns);
  const view = new DataView(bytes.buffer);
  [nc, nr, ns, 2].forEach((v, i) => view.setInt32(4 * i, v, true));
  shape.forEach((n, a) => {
    view.setInt32(28 + 4 * a, n, true); // MX, MY, MZ
    view.setFloat32(40 + 4 * a, n * 1.5, true); // cell edges: 1.5 Å voxels
    view.setFloat32(52 + 4 * a, 90, true);
  });
  order.forEach((a, i) => view.setInt32(64 + 4 * i, a, true));
  view.setFloat32(76, 0, true);
  view.setFloat32(80, value(shape[0] - 1, shape[1] - 1, shape[2] - 1), true);
  view.setInt32(88, 1, true);
  bytes.set([0x4d, 0x41, 0x50, 0x20, 0x44, 0x44, 0, 0], 208); // "MAP ", little-endian stamp
  let offset = 1024;
  const at: Vec3 = [0, 0, 0];
  for (let k = 0; k < ns; k++)
    for (let j = 0; j < nr; j++)
      for (let i = 0; i < nc; i++, offset += 4) {
        at[c] = i;
        at[r] = j;
        at[s] = k;
        view.setFloat32(offset, value(at[0], at[1], at[2]), true);
      }
  return bytes;
}

describe("every voxel of a map in each of the six axis orders", () => {
  it.each([[1, 2, 3], [1, 3, 2], [2, 1, 3], [2, 3, 1], [3, 1, 2], [3, 2, 1]] as Vec3[])("MAPC/MAPR/MAPS %i,%i,%i", (...order) => {
    const { volume } = parseMap(mrcFile(order as Vec3));
    expect([volume.nx, volume.ny, volume.nz]).toEqual(shape);
    expect(volume.voxelSize).toEqual([1.5, 1.5, 1.5]);
    for (let z = 0, i = 0; z < shape[2]; z++)
      for (let y = 0; y < shape[1]; y++)
        for (let x = 0; x < shape[0]; x++, i++) expect(volume.data[i], `(${x}, ${y}, ${z})`).toBe(value(x, y, z));
  });
});
