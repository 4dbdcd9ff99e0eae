/**
 * Binary dilation with the 18-neighbourhood (6 faces + 12 edges, not the 8 corners), the structuring element of
 * Xmipp's `dilate3D_step` that VRS uses to grow the hard mask.
 */

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
  const seeds: number[] = [];
  for (let i = 0; i < n; i++) if (mask[i] !== 0) seeds.push(i);
  return maskOf(dilate18Voxels(Int32Array.from(seeds), nx, ny, nz, iterations, opts), n);
}

/**
 * {@link dilate18} of the mask made of the listed voxels (indices, no repeats): the voxels it sets, in raster order.
 *
 * The mask is held as bits, one 32-bit word per 32 voxels of an x-row (each row starting at a new word), so a step
 * works on 32 voxels at once whatever the mask's shape: a voxel's 18 neighbours are in the row itself, its 4 face
 * rows (±y, ±z) and its 4 edge rows (±y±z), the first five also shifted by one voxel along x.
 * O(N/32 · steps + voxels set), where the steps stop at `iterations` or at the first one that sets nothing.
 */
export function dilate18Voxels(
  seeds: Int32Array,
  nx: number,
  ny: number,
  nz: number,
  iterations: number,
  opts: DilateOptions = { skipBorderShell: false },
): Int32Array {
  if (!Number.isInteger(iterations) || iterations < 0)
    throw new RangeError(`iterations must be a non-negative integer, got ${iterations}`);
  const n = nx * ny * nz;
  const width = (nx + 31) >>> 5; // words per row
  let bits = new Uint32Array(ny * nz * width);
  // Rows outside the seeds' y and z range grown by `iterations` stay empty: only the rows inside are visited.
  let y0 = ny, y1 = -1, z0 = nz, z1 = -1;
  let rowStart = 0, rowEnd = 0, rowBase = 0; // the last seed's row (seeds in raster order rarely change it)
  for (let s = 0; s < seeds.length; s++) {
    const i = seeds[s];
    if (!(i >= 0 && i < n)) throw new RangeError(`seed ${i} is outside the ${nx}×${ny}×${nz} box`);
    if (i < rowStart || i >= rowEnd) {
      const row = (i / nx) | 0;
      rowStart = row * nx;
      rowEnd = rowStart + nx;
      rowBase = row * width;
      const z = (row / ny) | 0, y = row - z * ny;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      if (z < z0) z0 = z;
      if (z > z1) z1 = z;
    }
    const x = i - rowStart;
    bits[rowBase + (x >>> 5)] |= 1 << (x & 31);
  }
  if (seeds.length === 0) return new Int32Array(0);
  y0 = Math.max(0, y0 - iterations);
  y1 = Math.min(ny - 1, y1 + iterations);
  z0 = Math.max(0, z0 - iterations);
  z1 = Math.min(nz - 1, z1 + iterations);
  // Bits a step may set: x < nx, and with the border rule only 0 < x < nx − 1 (shell rows are copied unchanged).
  const settable = new Uint32Array(width).fill(0xffffffff);
  if (nx & 31) settable[width - 1] = (1 << (nx & 31)) - 1;
  if (opts.skipBorderShell) {
    settable[0] &= ~1;
    settable[(nx - 1) >>> 5] &= ~(1 << ((nx - 1) & 31));
  }
  let next = new Uint32Array(bits.length);
  const around = new Uint32Array(width); // the row and its 4 face rows, OR-ed, to shift along x
  const plane = ny * width;
  // A step that sets nothing leaves the mask as it is for every later step: stop there (a tiny voxel size asks for
  // millions of steps, and no box needs more than nx + ny + nz).
  for (let step = 0, grew = true; step < iterations && grew; step++) {
    grew = false;
    for (let z = z0; z <= z1; z++)
      for (let y = y0; y <= y1; y++) {
        const base = (y + ny * z) * width;
        if (opts.skipBorderShell && (y === 0 || y === ny - 1 || z === 0 || z === nz - 1)) {
          next.set(bits.subarray(base, base + width), base);
          continue;
        }
        for (let w = 0; w < width; w++) {
          const at = base + w;
          let faces = bits[at];
          if (y > 0) faces |= bits[at - width];
          if (y < ny - 1) faces |= bits[at + width];
          if (z > 0) faces |= bits[at - plane];
          if (z < nz - 1) faces |= bits[at + plane];
          around[w] = faces;
        }
        for (let w = 0; w < width; w++) {
          const at = base + w;
          const a = around[w];
          let grown = a | (a << 1) | (a >>> 1);
          if (w > 0) grown |= around[w - 1] >>> 31;
          if (w < width - 1) grown |= around[w + 1] << 31;
          if (y > 0 && z > 0) grown |= bits[at - width - plane];
          if (y > 0 && z < nz - 1) grown |= bits[at - width + plane];
          if (y < ny - 1 && z > 0) grown |= bits[at + width - plane];
          if (y < ny - 1 && z < nz - 1) grown |= bits[at + width + plane];
          const word = bits[at] | (grown & settable[w]);
          if (word !== bits[at]) grew = true;
          next[at] = word;
        }
      }
    [bits, next] = [next, bits];
  }

  const firstRow = y0 + ny * z0, endRow = y1 + 1 + ny * z1;
  let count = 0;
  for (let k = firstRow * width; k < endRow * width; k++) for (let word = bits[k]; word !== 0; word &= word - 1) count++;
  const voxels = new Int32Array(count);
  for (let row = firstRow, c = 0; row < endRow; row++)
    for (let w = 0; w < width; w++)
      for (let word = bits[row * width + w]; word !== 0; word &= word - 1)
        voxels[c++] = row * nx + (w << 5) + 31 - Math.clz32(word & -word);
  return voxels;
}

/** A 1/0 mask of the box with the listed voxels set. */
export function maskOf(voxels: Int32Array, n: number): Uint8Array {
  const mask = new Uint8Array(n);
  for (let s = 0; s < voxels.length; s++) mask[voxels[s]] = 1;
  return mask;
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
