/**
 * Data for the input figures of the report: plain 2-D arrays the site draws (scaling, flips and rotations are the
 * page's business).
 *
 * Layout follows VRS's numpy array V[z, y, x]: the Z image is V[iz, :, :] (width nx, height ny), the Y image is
 * V[:, iy, :] (width nx, height nz), the X image is V[:, :, ix] (width ny, height nz); rows are stored one after the
 * other (`data[row * width + column]`). Projections are sums along the axis, in the same layouts.
 */
import type { Volume } from "../io/volume.js";

export type Axis = "x" | "y" | "z";

export interface Image2D {
  axis: Axis;
  width: number;
  height: number;
  data: Float32Array;
  /** Slice index along `axis` (absent for projections). */
  index?: number;
}

export type AxisImages = Record<Axis, Image2D>;

/** A scalar field on the volume's grid (map, 0/1 mask or soft mask). */
type Field = ArrayLike<number>;

export function slice(field: Field, nx: number, ny: number, nz: number, axis: Axis, index: number): Image2D {
  if (axis === "z") {
    const data = Float32Array.from({ length: nx * ny }, (_, i) => field[index * nx * ny + i]);
    return { axis, width: nx, height: ny, data, index };
  }
  if (axis === "y") {
    const data = new Float32Array(nx * nz);
    for (let z = 0; z < nz; z++)
      for (let x = 0; x < nx; x++) data[z * nx + x] = field[x + nx * (index + ny * z)];
    return { axis, width: nx, height: nz, data, index };
  }
  const data = new Float32Array(ny * nz);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++) data[z * ny + y] = field[index + nx * (y + ny * z)];
  return { axis, width: ny, height: nz, data, index };
}

/** VRS's central slices: index int(N/2) on each axis. */
export function centralSlices(v: Volume): AxisImages {
  const { nx, ny, nz, data } = v;
  return {
    x: slice(data, nx, ny, nz, "x", Math.floor(nx / 2)),
    y: slice(data, nx, ny, nz, "y", Math.floor(ny / 2)),
    z: slice(data, nx, ny, nz, "z", Math.floor(nz / 2)),
  };
}

/**
 * Index of the slice with the largest population variance on each axis (first index on ties), in float64.
 * A 0/1 mask is summed in one pass (its sums are exact integers); a map takes two passes (mean, then squared
 * deviations), so constant slices come out exactly 0 and ties stay ties. numpy's np.var on a float32 map works in
 * float32, so on near-ties VRS may pick another index.
 */
export function maxVarianceIndices(field: Field, nx: number, ny: number, nz: number): Record<Axis, number> {
  const { x: sx, y: sy, z: sz } = planeSums(field, nx, ny, nz);
  const qx = new Float64Array(nx), qy = new Float64Array(ny), qz = new Float64Array(nz);
  const binary = field instanceof Uint8Array;
  const cx = ny * nz, cy = nx * nz, cz = nx * ny;
  if (binary) {
    // d² = d for 0/1 values: the squared sums are the sums.
    qx.set(sx);
    qy.set(sy);
    qz.set(sz);
  } else {
    const mx = sx.map((s) => s / cx), my = sy.map((s) => s / cy), mz = sz.map((s) => s / cz);
    for (let z = 0, i = 0; z < nz; z++)
      for (let y = 0; y < ny; y++) {
        const meanY = my[y], meanZ = mz[z];
        let rowY = 0, rowZ = 0;
        for (let x = 0; x < nx; x++, i++) {
          const d = field[i];
          const dx = d - mx[x], dy = d - meanY, dz = d - meanZ;
          qx[x] += dx * dx;
          rowY += dy * dy;
          rowZ += dz * dz;
        }
        qy[y] += rowY;
        qz[z] += rowZ;
      }
  }
  const argmaxVariance = (s: Float64Array, q: Float64Array, count: number) => {
    let best = 0, bestVariance = -Infinity;
    for (let i = 0; i < s.length; i++) {
      // binary: q/n − (s/n)² with exact integer sums; map: q already holds squared deviations about the mean.
      const variance = binary ? q[i] / count - (s[i] / count) ** 2 : q[i] / count;
      if (variance > bestVariance) {
        bestVariance = variance;
        best = i;
      }
    }
    return best;
  };
  return { x: argmaxVariance(sx, qx, cx), y: argmaxVariance(sy, qy, cy), z: argmaxVariance(sz, qz, cz) };
}

/** Sum of the field over each plane x = i, y = i and z = i (float64). */
function planeSums(field: Field, nx: number, ny: number, nz: number): Record<Axis, Float64Array> {
  const sx = new Float64Array(nx), sy = new Float64Array(ny), sz = new Float64Array(nz);
  for (let z = 0, i = 0; z < nz; z++)
    for (let y = 0; y < ny; y++) {
      let rowSum = 0;
      for (let x = 0; x < nx; x++, i++) {
        const d = field[i];
        rowSum += d;
        sx[x] += d;
      }
      sy[y] += rowSum;
      sz[z] += rowSum;
    }
  return { x: sx, y: sy, z: sz };
}

/**
 * On each axis, the plane holding the most voxels of a 0/1 mask (first index on ties), so that a slice there cuts
 * the mask where it is widest: the slices of a local map, which has values only inside its mask (0.e–0.g). A central
 * slice can miss an off-centre mask, and its centre of mass can fall in a hole (a ring's channel, the gap between
 * two rings). An empty mask gives the central planes.
 */
export function fullestMaskPlanes(mask: Uint8Array, nx: number, ny: number, nz: number): Record<Axis, number> {
  const sums = planeSums(mask, nx, ny, nz);
  const fullest = (s: Float64Array) => {
    let best = 0;
    for (let i = 1; i < s.length; i++) if (s[i] > s[best]) best = i;
    return s[best] > 0 ? best : Math.floor(s.length / 2);
  };
  return { x: fullest(sums.x), y: fullest(sums.y), z: fullest(sums.z) };
}

export function maxVarianceSlices(field: Field, nx: number, ny: number, nz: number): AxisImages {
  const at = maxVarianceIndices(field, nx, ny, nz);
  return {
    x: slice(field, nx, ny, nz, "x", at.x),
    y: slice(field, nx, ny, nz, "y", at.y),
    z: slice(field, nx, ny, nz, "z", at.z),
  };
}

/** Sums along each axis (float64 accumulation). */
export function projections(v: Volume): AxisImages {
  const { nx, ny, nz, data } = v;
  const px = new Float64Array(ny * nz), py = new Float64Array(nx * nz), pz = new Float64Array(nx * ny);
  for (let z = 0, i = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, i++) {
        const d = data[i];
        px[z * ny + y] += d;
        py[z * nx + x] += d;
        pz[y * nx + x] += d;
      }
  return {
    x: { axis: "x", width: ny, height: nz, data: Float32Array.from(px) },
    y: { axis: "y", width: nx, height: nz, data: Float32Array.from(py) },
    z: { axis: "z", width: nx, height: ny, data: Float32Array.from(pz) },
  };
}

/** VRS's 0.c figure field: the value where the voxel is background and |value| > limit, else 0. */
export function backgroundBeyond(v: Volume, hardMask: Uint8Array, limit: number): Float32Array {
  const out = new Float32Array(v.data.length);
  for (let i = 0; i < out.length; i++) {
    const d = v.data[i];
    if (hardMask[i] === 0 && Math.abs(d) > limit) out[i] = d;
  }
  return out;
}

export interface InputFigures {
  centralSlices: AxisImages;
  maxVarianceSlices: AxisImages;
  projections: AxisImages;
  /** 0.b's figure: max-variance slices of the raw mask (v ≥ threshold). */
  rawMaskSlices: AxisImages;
  hardMaskSlices: AxisImages;
  softMaskSlices?: AxisImages;
  /** 0.c's figure: max-variance slices of the background beyond the outlier limit. */
  backgroundOutlierSlices: AxisImages;
}

export interface FigureInputs {
  volume: Volume;
  /** Threshold compared with the voxels for the raw mask. */
  rawThreshold: number;
  hardMask: Uint8Array;
  /** Soft mask, when the caller computed it (it costs an FFT). */
  softMask?: Float32Array;
  /** |value| beyond which a background voxel is an outlier (5σ of the background). */
  outlierLimit: number;
}

export function inputFigures(f: FigureInputs): InputFigures {
  const { volume: v, hardMask } = f;
  const { nx, ny, nz } = v;
  const raw = new Uint8Array(v.data.length);
  for (let i = 0; i < raw.length; i++) raw[i] = v.data[i] >= f.rawThreshold ? 1 : 0;
  return {
    centralSlices: centralSlices(v),
    maxVarianceSlices: maxVarianceSlices(v.data, nx, ny, nz),
    projections: projections(v),
    rawMaskSlices: maxVarianceSlices(raw, nx, ny, nz),
    hardMaskSlices: maxVarianceSlices(hardMask, nx, ny, nz),
    softMaskSlices: f.softMask ? maxVarianceSlices(f.softMask, nx, ny, nz) : undefined,
    backgroundOutlierSlices: maxVarianceSlices(backgroundBeyond(v, hardMask, f.outlierLimit), nx, ny, nz),
  };
}
