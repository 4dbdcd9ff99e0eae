/**
 * Deterministic large test maps for the benchmarks: a bundled real map (emd_1997, 100³ at 2.02 Å) resampled to m³ by
 * Fourier interpolation (zero-padding the spectrum), done as three separable real matrix products.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseMap } from "../lib/io/mrc-reader.js";
import type { Volume } from "../lib/io/volume.js";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * m×n matrix W with out[j] = Σ_i W[j·n + i] · in[i]: the periodic band-limited interpolant of n samples evaluated at
 * t = j·n/m. For even n the Nyquist coefficient is split evenly between ±n/2, which keeps the result real.
 */
export function fourierInterpolationMatrix(n: number, m: number): Float64Array {
  const w = new Float64Array(m * n);
  const half = Math.floor(n / 2);
  for (let j = 0; j < m; j++) {
    const t = (j * n) / m;
    for (let i = 0; i < n; i++) {
      const d = t - i;
      let s = 1;
      for (let k = 1; k < (n % 2 === 0 ? half : half + 1); k++) s += 2 * Math.cos((2 * Math.PI * k * d) / n);
      if (n % 2 === 0) s += Math.cos(Math.PI * d);
      w[j * n + i] = s / n;
    }
  }
  return w;
}

/** Fourier-upsample `v` to m×m×m voxels (voxel size scaled so the box keeps its size in Å). */
export function upsample(v: Volume, m: number): Volume {
  const { nx, ny, nz, data } = v;
  const wx = fourierInterpolationMatrix(nx, m);
  const wy = fourierInterpolationMatrix(ny, m);
  const wz = fourierInterpolationMatrix(nz, m);

  // x: each line of nx → m.
  const a = new Float32Array(m * ny * nz);
  for (let line = 0; line < ny * nz; line++) {
    const src = line * nx;
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let i = 0; i < nx; i++) s += wx[j * nx + i] * data[src + i];
      a[line * m + j] = s;
    }
  }
  // y: within each plane, output row j = Σ_i wy[j,i] · row i.
  const b = new Float32Array(m * m * nz);
  for (let z = 0; z < nz; z++) combineSlices(a, z * ny * m, m, ny, wy, m, b, z * m * m);
  // z: output plane j = Σ_i wz[j,i] · plane i.
  const out = new Float32Array(m * m * m);
  combineSlices(b, 0, m * m, nz, wz, m, out, 0);
  const scale = (n: number, k: number) => (v.voxelSize ? (v.voxelSize[k] * n) / m : 1);
  return {
    nx: m,
    ny: m,
    nz: m,
    data: out,
    voxelSize: [scale(nx, 0), scale(ny, 1), scale(nz, 2)],
    origin: v.origin,
  };
}

/** The bundled emd_1997 map (GroEL, 100³, 2.02 Å; author contour level 1.0). */
export function loadEmd1997(): Volume {
  return parseMap(new Uint8Array(readFileSync(join(repoRoot, "data/maps/emd_1997.map")))).volume;
}

/** emd_1997 upsampled to m³ (m = 256 or 160 in the benchmarks). */
export function benchMap(m: number): Volume {
  return upsample(loadEmd1997(), m);
}

/**
 * benchMap(m) as an MRC file (mrcBytes), kept in the system's temporary folder under a name that changes with this
 * file's code, so that a large map (512³ costs about a minute of CPU) is made once per machine, not per bench run.
 */
export function benchMapFile(m: number): string {
  const code = createHash("sha256").update(readFileSync(fileURLToPath(import.meta.url))).digest("hex").slice(0, 12);
  const dir = join(tmpdir(), "mapval-bench-maps");
  const path = join(dir, `emd_1997-${m}-${code}.map`);
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    const partial = `${path}.${process.pid}.partial`;
    writeFileSync(partial, mrcBytes(benchMap(m)));
    renameSync(partial, path); // whole or absent, even when two benches make it at once
  }
  return path;
}

/**
 * out slice j = Σ_i w[j·nIn + i] · in slice i, for slices of `length` contiguous values. Processed in blocks of
 * positions so the nIn input pieces stay in cache while all m outputs are accumulated.
 */
function combineSlices(
  input: Float32Array,
  inStart: number,
  length: number,
  nIn: number,
  w: Float64Array,
  m: number,
  out: Float32Array,
  outStart: number,
): void {
  const block = 1024;
  const acc = new Float64Array(block);
  for (let p0 = 0; p0 < length; p0 += block) {
    const len = Math.min(block, length - p0);
    for (let j = 0; j < m; j++) {
      acc.fill(0);
      for (let i = 0; i < nIn; i++) {
        const wgt = w[j * nIn + i];
        const src = inStart + i * length + p0;
        for (let p = 0; p < len; p++) acc[p] += wgt * input[src + p];
      }
      const dst = outStart + j * length + p0;
      for (let p = 0; p < len; p++) out[dst + p] = acc[p];
    }
  }
}

/** A benchMap written as raw float32 (children of the benches read it back, so their memory is measured alone). */
export function benchMapFromFile(path: string): Volume {
  const bytes = readFileSync(path);
  const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const m = Math.round(Math.cbrt(data.length));
  const size = (100 * 2.02) / m;
  return { nx: m, ny: m, nz: m, data, voxelSize: [size, size, size], origin: [0, 0, 0] };
}

/** A cubic map as an MRC file: emd_1997's header with the map's grid, the same 202 Å box. */
export function mrcBytes(volume: Volume): Uint8Array {
  const header = new Uint8Array(readFileSync(join(repoRoot, "data", "maps", "emd_1997.map")).subarray(0, 1024));
  const view = new DataView(header.buffer);
  for (const word of [0, 1, 2, 7, 8, 9]) view.setInt32(word * 4, volume.nx, true); // nx ny nz, mx my mz
  view.setInt32(23 * 4, 0, true); // no extended header
  const bytes = new Uint8Array(1024 + volume.data.byteLength);
  bytes.set(header);
  bytes.set(new Uint8Array(volume.data.buffer, volume.data.byteOffset, volume.data.byteLength), 1024);
  return bytes;
}

export const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
