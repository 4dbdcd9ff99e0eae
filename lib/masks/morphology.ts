/**
 * Binary dilation with the 18-neighbourhood (6 faces + 12 edges, not the 8 corners), the structuring element of
 * Xmipp's `dilate3D_step` that VRS uses to grow the hard mask.
 */
import { forEachBitRun, maskOfRuns, RunList, type VoxelRuns } from "./voxel-runs.js";

export interface DilateOptions {
  /**
   * true: never set a voxel of the outermost one-voxel shell of the box, as Xmipp does (its loops run from
   * STARTING+1 to < FINISHING). Shell voxels that are already 1 stay 1 and still spread inwards.
   * false (default): a plain dilation clipped to the box.
   */
  skipBorderShell: boolean;
}

/**
 * `iterations` steps of 18-neighbour dilation: in each step a 0-voxel becomes 1 when any of its 18 neighbours was 1
 * before the step. Returns a new mask (1/0); the input is not modified. Neighbours never wrap around the box.
 */
export function dilate18(
  mask: Uint8Array,
  nx: number,
  ny: number,
  nz: number,
  iterations: number,
  opts: DilateOptions = { skipBorderShell: false },
): Uint8Array {
  const n = nx * ny * nz;
  if (mask.length !== n) throw new RangeError(`mask has ${mask.length} voxels, expected ${nx}×${ny}×${nz} = ${n}`);
  const seeds = new RunList();
  for (let i = 0; i < n; i++) {
    if (mask[i] === 0) continue;
    const first = i, rowEnd = ((i / nx) | 0) * nx + nx;
    while (i + 1 < rowEnd && mask[i + 1] !== 0) i++;
    seeds.push(first, i);
  }
  return maskOfRuns(dilate18Runs(seeds.done(), nx, ny, nz, iterations, opts), n);
}

/**
 * {@link dilate18} of the mask made of the given runs (in raster order, as {@link VoxelRuns}): the runs of the voxels
 * it sets.
 *
 * No voxel farther than `iterations` steps from the seeds' bounding box is ever set, so only that box grown by the
 * steps is held, as bits: one 32-bit word per 32 voxels of an x-row, so a step works on 32 voxels at once. A voxel's
 * 18 neighbours are in the row itself, its 4 face rows (±y, ±z) and its 4 edge rows (±y±z), the first five also
 * shifted by one voxel along x. In each step only the rows with a voxel set among their 9 are visited (the others
 * stay empty). O(steps · words of the rows near the mask + runs), where the steps stop at `iterations` or at the
 * first one that sets nothing.
 */
export function dilate18Runs(
  seeds: VoxelRuns,
  nx: number,
  ny: number,
  nz: number,
  iterations: number,
  opts: DilateOptions = { skipBorderShell: false },
): VoxelRuns {
  if (!Number.isInteger(iterations) || iterations < 0)
    throw new RangeError(`iterations must be a non-negative integer, got ${iterations}`);
  const n = nx * ny * nz;
  let x0 = nx, x1 = -1, y0 = ny, y1 = -1;
  for (let r = 0, previous = -1; r < seeds.runs; r++) {
    const first = seeds.first[r], last = seeds.last[r];
    const row = (first / nx) | 0;
    if (!(first > previous && last >= first && last < n && last < (row + 1) * nx))
      throw new RangeError(`seed run ${first}..${last} is out of raster order, crosses a row or leaves the ${nx}×${ny}×${nz} box`);
    previous = last;
    const y = row % ny;
    if (first - row * nx < x0) x0 = first - row * nx;
    if (last - row * nx > x1) x1 = last - row * nx;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  if (seeds.runs === 0) return { runs: 0, first: new Int32Array(0), last: new Int32Array(0) };
  // The box held: whole words along x, rows y0 … y1 of planes z0 … z1, the seeds' box grown by the steps.
  const reach = Math.min(iterations, nx + ny + nz); // no 18-neighbour path in the box is longer
  const w0 = Math.max(0, x0 - reach) >>> 5, w1 = Math.min(nx - 1, x1 + reach) >>> 5;
  const z0 = Math.max(0, Math.floor(seeds.first[0] / (nx * ny)) - reach);
  const z1 = Math.min(nz - 1, Math.floor(seeds.last[seeds.runs - 1] / (nx * ny)) + reach);
  y0 = Math.max(0, y0 - reach);
  y1 = Math.min(ny - 1, y1 + reach);
  const width = w1 - w0 + 1, height = y1 - y0 + 1, rows = height * (z1 - z0 + 1);
  const plane = height * width;
  const zeroRow = rows * width; // one more row, always empty: the neighbour row of the rows at the held box's faces
  let bits = new Uint32Array(zeroRow + width);
  const occupied = new Uint8Array(rows); // rows with a voxel set (never cleared: the mask only grows)
  for (let r = 0; r < seeds.runs; r++) {
    const row = (seeds.first[r] / nx) | 0;
    const z = (row / ny) | 0, y = row - z * ny;
    const held = y - y0 + height * (z - z0);
    const xStart = row * nx + (w0 << 5);
    setBits(bits, held * width, seeds.first[r] - xStart, seeds.last[r] - xStart);
    occupied[held] = 1;
  }
  // Bits a step may set: x < nx, and with the border rule only 0 < x < nx − 1 (shell rows are copied unchanged).
  const settable = new Uint32Array(width).fill(0xffffffff);
  if (w1 === (nx - 1) >>> 5 && nx & 31) settable[width - 1] = (1 << (nx & 31)) - 1;
  if (opts.skipBorderShell) {
    if (w0 === 0) settable[0] &= ~1;
    if (w1 === (nx - 1) >>> 5) settable[width - 1] &= ~(1 << ((nx - 1) & 31));
  }
  let next = new Uint32Array(bits.length);
  // A step that sets nothing leaves the mask as it is for every later step: stop there (a tiny voxel size asks for
  // millions of steps).
  for (let step = 0, grew = true; step < iterations && grew; step++) {
    grew = false;
    for (let z = z0; z <= z1; z++)
      for (let y = y0; y <= y1; y++) {
        const row = y - y0 + height * (z - z0);
        if (!nearOccupied(occupied, row, y > y0, y < y1, z > z0, z < z1, height)) continue; // it stays empty
        const c = row * width;
        if (opts.skipBorderShell && (y === 0 || y === ny - 1 || z === 0 || z === nz - 1)) {
          next.set(bits.subarray(c, c + width), c);
          continue;
        }
        // The 4 face rows and 4 edge rows; one outside the held box is the empty row.
        const yLow = y > y0, yHigh = y < y1, zLow = z > z0, zHigh = z < z1;
        const fy0 = yLow ? c - width : zeroRow, fy1 = yHigh ? c + width : zeroRow;
        const fz0 = zLow ? c - plane : zeroRow, fz1 = zHigh ? c + plane : zeroRow;
        const e00 = yLow && zLow ? c - width - plane : zeroRow, e01 = yLow && zHigh ? c - width + plane : zeroRow;
        const e10 = yHigh && zLow ? c + width - plane : zeroRow, e11 = yHigh && zHigh ? c + width + plane : zeroRow;
        let before = 0, nonZero = 0;
        let faces = bits[c] | bits[fy0] | bits[fy1] | bits[fz0] | bits[fz1];
        for (let w = 0; w < width; w++) {
          const v = w + 1;
          const after = v < width ? bits[c + v] | bits[fy0 + v] | bits[fy1 + v] | bits[fz0 + v] | bits[fz1 + v] : 0;
          const grown =
            faces | (faces << 1) | (faces >>> 1) | (before >>> 31) | (after << 31) |
            bits[e00 + w] | bits[e01 + w] | bits[e10 + w] | bits[e11 + w];
          const old = bits[c + w];
          const word = old | (grown & settable[w]);
          if (word !== old) grew = true;
          next[c + w] = word;
          nonZero |= word;
          before = faces;
          faces = after;
        }
        if (nonZero !== 0) occupied[row] = 1;
      }
    [bits, next] = [next, bits];
  }

  const out = new RunList();
  for (let z = z0; z <= z1; z++)
    for (let y = y0; y <= y1; y++) {
      const row = y - y0 + height * (z - z0);
      if (!occupied[row]) continue;
      const xStart = (y + ny * z) * nx + (w0 << 5);
      forEachBitRun(bits, row * width, row * width + width, (first, end) => out.push(xStart + first, xStart + end - 1));
    }
  return out.done();
}

/** Whether a held row or one of its 8 neighbour rows in the y–z plane (those inside the held box) has a voxel set. */
function nearOccupied(
  occupied: Uint8Array, row: number, yLow: boolean, yHigh: boolean, zLow: boolean, zHigh: boolean, height: number,
): boolean {
  for (let dz = zLow ? -1 : 0; dz <= (zHigh ? 1 : 0); dz++)
    for (let dy = yLow ? -1 : 0; dy <= (yHigh ? 1 : 0); dy++) if (occupied[row + dy + height * dz]) return true;
  return false;
}

/** Sets bits a … b of the row whose first word is `base`. */
function setBits(bits: Uint32Array, base: number, a: number, b: number): void {
  for (let w = a >>> 5; w <= b >>> 5; w++) {
    const low = w === a >>> 5 ? a & 31 : 0, high = w === b >>> 5 ? b & 31 : 31;
    bits[base + w] |= (high === 31 ? -1 : (1 << (high + 1)) - 1) & -(1 << low);
  }
}

/**
 * {@link dilate18} of a seed set that only grows, kept up to date as seeds are added in batches (the hard mask
 * of a threshold sweep, whose largest component grows as the threshold falls). Dilation distributes over union, so
 * only the new seeds need spreading; but their spread cannot stop at voxels already set, because a voxel one step
 * from a new seed may be `reach` steps from the old ones and still pass the new seed's reach on. So every voxel keeps
 * its step distance to the nearest seed, and a new seed's breadth-first spread goes on wherever it shortens a
 * distance. A voxel's distance only decreases, so adding N seeds in any number of batches costs O(reach · set
 * voxels · 18) at most, and usually one visit per voxel set.
 */
export class GrowingDilation {
  /** The voxels set, in the order they were set: `voxels[0 .. size)`. */
  voxels = new Int32Array(64);
  size = 0;
  private readonly reach: number;
  /** Steps to the nearest seed; FAR when more than `reach`, BLOCKED for a free shell voxel that may not be set. */
  private readonly distance: Uint16Array;
  private readonly offsets: [number, number, number][];
  private readonly linear: Int32Array;
  private layer = new Int32Array(64);
  private nextLayer = new Int32Array(64);

  constructor(
    private readonly nx: number,
    private readonly ny: number,
    private readonly nz: number,
    iterations: number,
    private readonly skipBorderShell: boolean,
  ) {
    if (!Number.isInteger(iterations) || iterations < 0)
      throw new RangeError(`iterations must be a non-negative integer, got ${iterations}`);
    // No 18-neighbour path inside the box is longer than nx + ny + nz steps, so more iterations change nothing.
    this.reach = Math.min(iterations, nx + ny + nz);
    if (this.reach >= BLOCKED) throw new RangeError(`a ${nx}×${ny}×${nz} box is too long for a 16-bit step distance`);
    this.distance = new Uint16Array(nx * ny * nz).fill(FAR);
    if (skipBorderShell) forEachShellVoxel(nx, ny, nz, (i) => (this.distance[i] = BLOCKED));
    this.offsets = neighbours18();
    this.linear = Int32Array.from(this.offsets, ([dx, dy, dz]) => dx + nx * dy + nx * ny * dz);
  }

  /** Whether voxel i is set. */
  has(i: number): boolean {
    return this.distance[i] <= this.reach;
  }

  /** Add seeds (indices, no repeats within the call) and spread them; the voxels this sets are appended. */
  add(seeds: ArrayLike<number>): void {
    const { nx, ny, nz, distance, reach, offsets, linear } = this;
    const n = distance.length;
    const nxy = nx * ny;
    let layerLength = 0;
    for (let s = 0; s < seeds.length; s++) {
      const i = seeds[s];
      if (!(i >= 0 && i < n)) throw new RangeError(`seed ${i} is outside the ${nx}×${ny}×${nz} box`);
      if (distance[i] === 0) continue;
      if (distance[i] > reach) this.append(i);
      distance[i] = 0;
      this.layer = pushed(this.layer, layerLength++, i);
    }
    // Seeds arrive in the order they joined (scattered over the box); in raster order the neighbour look-ups walk
    // through memory instead of missing the cache on every seed, and each layer comes out nearly in order too.
    this.layer.subarray(0, layerLength).sort();
    for (let step = 1; step <= reach && layerLength > 0; step++) {
      let nextLength = 0;
      const spreads = step < reach;
      for (let f = 0; f < layerLength; f++) {
        const i = this.layer[f];
        const z = (i / nxy) | 0;
        const rest = i - z * nxy;
        const y = (rest / nx) | 0;
        const x = rest - y * nx;
        const inside = x > 0 && x < nx - 1 && y > 0 && y < ny - 1 && z > 0 && z < nz - 1;
        // i can be skipped when its 6 faces are nearer than `step`: a neighbour j of i still
        // farther than `step` is an edge neighbour, a face neighbour of one of those faces f; f is not skipped (its
        // face j is far), so f reaches j in this step if it got its distance in this call, and already did if not.
        if (
          inside &&
          distance[i - 1] < step && distance[i + 1] < step && distance[i - nx] < step &&
          distance[i + nx] < step && distance[i - nxy] < step && distance[i + nxy] < step
        )
          continue;
        for (let k = 0; k < 18; k++) {
          if (!inside) {
            const o = offsets[k];
            const xx = x + o[0], yy = y + o[1], zz = z + o[2];
            if (xx < 0 || xx >= nx || yy < 0 || yy >= ny || zz < 0 || zz >= nz) continue;
          }
          const j = i + linear[k];
          const d = distance[j];
          if (d <= step || d === BLOCKED) continue;
          if (d > reach) this.append(j);
          distance[j] = step;
          if (spreads) this.nextLayer = pushed(this.nextLayer, nextLength++, j);
        }
      }
      [this.layer, this.nextLayer] = [this.nextLayer, this.layer];
      layerLength = nextLength;
    }
  }

  /** Unset every voxel (O(voxels set)). */
  clear(): void {
    const { nx, ny, nz, distance } = this;
    const nxy = nx * ny;
    for (let s = 0; s < this.size; s++) {
      const i = this.voxels[s];
      const z = (i / nxy) | 0;
      const rest = i - z * nxy;
      const y = (rest / nx) | 0;
      const x = rest - y * nx;
      const shell = x === 0 || x === nx - 1 || y === 0 || y === ny - 1 || z === 0 || z === nz - 1;
      distance[i] = this.skipBorderShell && shell ? BLOCKED : FAR;
    }
    this.size = 0;
  }

  private append(i: number): void {
    this.voxels = pushed(this.voxels, this.size++, i);
  }
}

const FAR = 0xffff;
const BLOCKED = 0xfffe;

/** `a` with `a[at] = value`, doubled first when full. */
function pushed(a: Int32Array<ArrayBuffer>, at: number, value: number): Int32Array<ArrayBuffer> {
  if (at === a.length) {
    const b = new Int32Array(2 * a.length);
    b.set(a);
    a = b;
  }
  a[at] = value;
  return a;
}

/** The 18-neighbourhood: offsets with one or two non-zero coordinates. */
function neighbours18(): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let dz = -1; dz <= 1; dz++)
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const nonZero = Math.abs(dx) + Math.abs(dy) + Math.abs(dz);
        if (nonZero === 1 || nonZero === 2) out.push([dx, dy, dz]);
      }
  return out;
}

/** Calls `visit` with the index of every voxel of the outermost one-voxel shell, each once. */
function forEachShellVoxel(nx: number, ny: number, nz: number, visit: (i: number) => void): void {
  const nxy = nx * ny;
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++) {
      const row = nx * y + nxy * z;
      if (z === 0 || z === nz - 1 || y === 0 || y === ny - 1) for (let x = 0; x < nx; x++) visit(row + x);
      else {
        visit(row);
        if (nx > 1) visit(row + nx - 1);
      }
    }
}
