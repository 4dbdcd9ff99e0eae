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
 *
 * After one O(N) scan for the set voxels it works on a frontier (the voxels added by the previous step), so a step
 * costs O(frontier · 18), not O(N).
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
  const work = new Uint8Array(n);
  let seeds = new Int32Array(64);
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (mask[i] === 0) continue;
    work[i] = 1;
    if (count === seeds.length) seeds = grow(seeds);
    seeds[count++] = i;
  }
  dilateInPlace(work, seeds, count, nx, ny, nz, iterations, opts.skipBorderShell);
  return work;
}

/**
 * {@link dilate18} of the voxels whose label is `label` (one component of a labelling), without building the
 * component's mask first. Also returns the number of voxels set. `foreground`, when given, is the labelled mask
 * (non-zero wherever a label is): it lets the scan skip background 4 voxels at a time.
 */
export function dilate18Label(
  labels: Int32Array,
  label: number,
  nx: number,
  ny: number,
  nz: number,
  iterations: number,
  opts: DilateOptions = { skipBorderShell: false },
  foreground?: Uint8Array,
): { mask: Uint8Array; voxels: number } {
  const n = nx * ny * nz;
  if (labels.length !== n) throw new RangeError(`labels has ${labels.length} voxels, expected ${n}`);
  if (foreground && foreground.length !== n)
    throw new RangeError(`foreground has ${foreground.length} voxels, expected ${n}`);
  const work = new Uint8Array(n);
  let seeds = new Int32Array(64);
  let count = 0;
  const words =
    foreground && foreground.byteOffset % 4 === 0
      ? new Uint32Array(foreground.buffer, foreground.byteOffset, n >> 2)
      : null;
  if (label !== 0)
    for (let i = 0; i < n; i++) {
      if (words !== null && (i & 3) === 0 && i + 4 <= n && words[i >> 2] === 0) {
        i += 3;
        continue;
      }
      if (labels[i] !== label) continue;
      work[i] = 1;
      if (count === seeds.length) seeds = grow(seeds);
      seeds[count++] = i;
    }
  const added = dilateInPlace(work, seeds, count, nx, ny, nz, iterations, opts.skipBorderShell);
  return { mask: work, voxels: count + added };
}

/**
 * Grow `work` (1 = set) by `iterations` synchronous 18-neighbour steps, starting from the set voxels listed in
 * `seeds` (all of them). Returns the number of voxels added.
 */
function dilateInPlace(
  work: Uint8Array,
  seeds: Int32Array<ArrayBuffer>,
  seedCount: number,
  nx: number,
  ny: number,
  nz: number,
  iterations: number,
  skipBorderShell: boolean,
): number {
  if (!Number.isInteger(iterations) || iterations < 0)
    throw new RangeError(`iterations must be a non-negative integer, got ${iterations}`);
  const nxy = nx * ny;
  // BLOCKED marks free shell voxels that may not be set; they are turned back into 0 at the end.
  // ADDED marks voxels set during the current step, so that the step only spreads what was set before it.
  const BLOCKED = 2;
  const ADDED = 3;
  if (skipBorderShell) forEachShellVoxel(nx, ny, nz, (i) => work[i] === 0 && (work[i] = BLOCKED));

  const neighbours = neighbours18();
  const linear = Int32Array.from(neighbours, ([dx, dy, dz]) => dx + nx * dy + nxy * dz);

  let frontier = seeds;
  let frontierLength = seedCount;
  let next = new Int32Array(Math.max(64, frontierLength));
  let added = 0;
  for (let step = 0; step < iterations && frontierLength > 0; step++) {
    let nextLength = 0;
    for (let f = 0; f < frontierLength; f++) {
      const i = frontier[f];
      const z = (i / nxy) | 0;
      const rest = i - z * nxy;
      const y = (rest / nx) | 0;
      const x = rest - y * nx;
      if (x > 0 && x < nx - 1 && y > 0 && y < ny - 1 && z > 0 && z < nz - 1) {
        // With all 6 faces set before this step, i can be skipped: a free neighbour of i is then an edge
        // neighbour i+a+b, a face neighbour of the face i+a, which is in the frontier too (set at the step before,
        // or it would have spread already) and not skipped (its face i+a+b is free).
        if (
          work[i - 1] === 1 && work[i + 1] === 1 && work[i - nx] === 1 &&
          work[i + nx] === 1 && work[i - nxy] === 1 && work[i + nxy] === 1
        )
          continue;
        for (let k = 0; k < 18; k++) {
          const j = i + linear[k];
          if (work[j] !== 0) continue;
          work[j] = ADDED;
          if (nextLength === next.length) next = grow(next);
          next[nextLength++] = j;
        }
      } else {
        for (let k = 0; k < 18; k++) {
          const o = neighbours[k];
          const xx = x + o[0], yy = y + o[1], zz = z + o[2];
          if (xx < 0 || xx >= nx || yy < 0 || yy >= ny || zz < 0 || zz >= nz) continue;
          const j = i + linear[k];
          if (work[j] !== 0) continue;
          work[j] = ADDED;
          if (nextLength === next.length) next = grow(next);
          next[nextLength++] = j;
        }
      }
    }
    // The voxels set in this step only spread in the next one, which keeps the step synchronous.
    for (let f = 0; f < nextLength; f++) work[next[f]] = 1;
    [frontier, next] = [next, frontier];
    frontierLength = nextLength;
    added += nextLength;
  }
  if (skipBorderShell) forEachShellVoxel(nx, ny, nz, (i) => work[i] === BLOCKED && (work[i] = 0));
  return added;
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
        // As in dilateInPlace, i can be skipped when its 6 faces are nearer than `step`: a neighbour j of i still
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

function grow(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
