/**
 * The in-memory density map every kernel module works on.
 *
 * Voxels are stored x fastest, then y, then z (after the reader has applied MAPC/MAPR/MAPS), so voxel (x, y, z)
 * is `data[x + nx * (y + ny * z)]`. Values are float32 whatever the file mode was.
 */
export type Vec3 = [number, number, number];

export interface Volume {
  readonly nx: number;
  readonly ny: number;
  readonly nz: number;
  readonly data: Float32Array;
  /** Å per voxel along x, y, z; null when the file does not define it (cell or sampling zero). */
  readonly voxelSize: Vec3 | null;
  /** Position of voxel (0,0,0) in Å. */
  readonly origin: Vec3;
}

export function voxelCount(v: Pick<Volume, "nx" | "ny" | "nz">): number {
  return v.nx * v.ny * v.nz;
}

export function voxelIndex(v: Pick<Volume, "nx" | "ny">, x: number, y: number, z: number): number {
  return x + v.nx * (y + v.ny * z);
}

/** Build a volume from plain values (tests, synthetic maps). */
export function makeVolume(
  nx: number,
  ny: number,
  nz: number,
  fill: (x: number, y: number, z: number) => number,
  voxelSize: Vec3 | null = [1, 1, 1],
  origin: Vec3 = [0, 0, 0],
): Volume {
  const data = new Float32Array(nx * ny * nz);
  for (let z = 0, i = 0; z < nz; z++)
    for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++, i++) data[i] = fill(x, y, z);
  return { nx, ny, nz, data, voxelSize, origin };
}
