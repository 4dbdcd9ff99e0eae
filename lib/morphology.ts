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
 * {@link dilate18} of the voxels listed in `seeds` (indices, any order, no repeats), e.g. one component from
 * componentSweep's `largestComponent()`. Also returns the number of voxels set.
 */
export function dilate18Seeds(
  seeds: Int32Array,
  nx: number,
  ny: number,
  nz: number,
  iterations: number,
  opts: DilateOptions = { skipBorderShell: false },
): { mask: Uint8Array; voxels: number } {
  const n = nx * ny * nz;
  const work = new Uint8Array(n);
  for (let s = 0; s < seeds.length; s++) {
    const i = seeds[s];
    if (!(i >= 0 && i < n)) throw new RangeError(`seed ${i} is outside the ${nx}×${ny}×${nz} box`);
    work[i] = 1;
  }
  const frontier = new Int32Array(Math.max(64, seeds.length));
  frontier.set(seeds);
  const added = dilateInPlace(work, frontier, seeds.length, nx, ny, nz, iterations, opts.skipBorderShell);
  return { mask: work, voxels: seeds.length + added };
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

  const neighbours: [number, number, number][] = [];
  for (let dz = -1; dz <= 1; dz++)
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const nonZero = Math.abs(dx) + Math.abs(dy) + Math.abs(dz);
        if (nonZero === 1 || nonZero === 2) neighbours.push([dx, dy, dz]);
      }
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
