/**
 * Connected-component labelling of binary 3-D masks (x fastest, like {@link Volume}).
 *
 * Union-find over runs of consecutive voxels along x (componentRuns). Labels are numbered in raster order of each
 * component's first voxel, which is also scipy.ndimage.label's numbering, so label k here is label k there.
 */
import type { VoxelRuns } from "./voxel-runs.js";

/** How many components and their sizes. */
export interface ComponentSizes {
  /** Number of components. */
  count: number;
  /** sizes[k] = voxels with label k; sizes[0] = background voxels. Length count + 1. */
  sizes: Float64Array;
}

/** Result of {@link labelComponents}. */
export interface Components extends ComponentSizes {
  /** Per voxel: 0 = background, 1..count = component label. */
  labels: Int32Array;
}

export type Connectivity = 6 | 18 | 26;

/**
 * Label the connected components of `mask` (non-zero = foreground).
 *
 * Connectivity 6 = faces, 18 = faces + edges, 26 = faces + edges + corners. Neighbours never wrap around the box.
 * Time O(N), memory: the Int32Array labels plus the list of the mask's voxels.
 */
export function labelComponents(
  mask: Uint8Array,
  nx: number,
  ny: number,
  nz: number,
  connectivity: Connectivity,
): Components {
  const n = nx * ny * nz;
  if (mask.length !== n) throw new RangeError(`mask has ${mask.length} voxels, expected ${nx}×${ny}×${nz} = ${n}`);
  let count = 0;
  let voxels = new Int32Array(1024);
  // Masks are mostly background: test 4 voxels at a time where the buffer allows an aligned 32-bit view.
  const words = mask.byteOffset % 4 === 0 ? new Uint32Array(mask.buffer, mask.byteOffset, n >> 2) : null;
  for (let i = 0; i < n; i++) {
    if (words !== null && (i & 3) === 0 && i + 4 <= n && words[i >> 2] === 0) {
      i += 3;
      continue;
    }
    if (mask[i] === 0) continue;
    if (count === voxels.length) {
      const grown = new Int32Array(2 * voxels.length);
      grown.set(voxels);
      voxels = grown;
    }
    voxels[count++] = i;
  }
  const c = componentRuns(voxels.subarray(0, count), nx, ny, nz, connectivity);
  const labels = new Int32Array(n);
  for (let r = 0; r < c.runs; r++) labels.fill(c.label[r], c.first[r], c.last[r] + 1);
  return { labels, count: c.count, sizes: c.sizes };
}

/** Components as runs of consecutive voxels of an x-row, each with its component's label. */
export interface ComponentRuns extends ComponentSizes, VoxelRuns {
  /** Label of run r (1..count, numbered like labelComponents). */
  label: Int32Array;
}

/**
 * The components of the listed voxels (indices in increasing raster order, no repeats), as runs: O(listed voxels),
 * and nothing box-sized. A component's voxels are its runs, so nothing is written per voxel.
 */
export function componentRuns(
  voxels: Int32Array,
  nx: number,
  ny: number,
  nz: number,
  connectivity: Connectivity,
): ComponentRuns {
  const n = nx * ny * nz;
  // Runs in raster order. Counted first, so that only they are allocated.
  let runs = 0;
  for (let v = 0, previous = -1, rowEnd = 0; v < voxels.length; v++) {
    const i = voxels[v];
    if (!(i > previous && i < n))
      throw new RangeError(`voxel ${i} is out of raster order or outside the ${nx}×${ny}×${nz} box`);
    if (i !== previous + 1 || i >= rowEnd) {
      rowEnd = ((i / nx) | 0) * nx + nx;
      runs++;
    }
    previous = i;
  }
  const first = new Int32Array(runs), last = new Int32Array(runs);
  for (let v = 0, r = -1, rowEnd = 0; v < voxels.length; v++) {
    const i = voxels[v];
    if (r >= 0 && i === last[r] + 1 && i < rowEnd) last[r] = i;
    else {
      rowEnd = ((i / nx) | 0) * nx + nx;
      r++;
      first[r] = last[r] = i;
    }
  }
  return componentsOfRuns({ runs, first, last }, nx, ny, nz, connectivity);
}

/**
 * The components of voxels given as runs (each within one x-row, in raster order, not touching along x: O(runs)).
 *
 * Runs are merged, not voxels: two runs in neighbouring rows touch when their x-ranges overlap, widened by one
 * voxel where the connectivity allows a step along x on top of the step between the rows. Each run is compared
 * with the runs of the rows before it (−y; −z with y − 1, y, y + 1), which are sorted by x, through one cursor per
 * row that only moves forward.
 */
export function componentsOfRuns(
  given: VoxelRuns,
  nx: number,
  ny: number,
  nz: number,
  connectivity: Connectivity,
): ComponentRuns {
  if (connectivity !== 6 && connectivity !== 18 && connectivity !== 26)
    throw new RangeError(`connectivity must be 6, 18 or 26, got ${connectivity}`);
  const n = nx * ny * nz;
  const { runs, first, last } = given;
  const runRow = new Int32Array(runs);
  let voxels = 0;
  for (let r = 0; r < runs; r++) {
    const row = (first[r] / nx) | 0;
    const ordered = r === 0 || first[r] > last[r - 1] + (runRow[r - 1] === row ? 1 : 0);
    if (!(ordered && first[r] >= 0 && last[r] >= first[r] && last[r] < (row + 1) * nx && last[r] < n))
      throw new RangeError(`run ${first[r]}..${last[r]} is out of raster order, crosses a row or leaves the ${nx}×${ny}×${nz} box`);
    runRow[r] = row;
    voxels += last[r] - first[r] + 1;
  }
  // The runs of every row: runs rowRuns[2q] .. rowRuns[2q + 1] − 1 (none when equal).
  const rowRuns = new Int32Array(2 * ny * nz);
  for (let r = runs - 1; r >= 0; r--) {
    if (r === runs - 1 || runRow[r + 1] !== runRow[r]) rowRuns[2 * runRow[r] + 1] = r + 1;
    rowRuns[2 * runRow[r]] = r;
  }

  // Rows before a row that can touch it (dy, dz), and their widening: 1 where a step along x is allowed too.
  const before = { dy: [] as number[], dz: [] as number[], widening: [] as number[] };
  for (const [dy, dz] of [[-1, 0], [0, -1], [-1, -1], [1, -1]]) {
    const faceRow = dy === 0 || dz === 0;
    if (!faceRow && connectivity === 6) continue;
    before.dy.push(dy);
    before.dz.push(dz);
    before.widening.push(connectivity === 26 || (connectivity === 18 && faceRow) ? 1 : 0);
  }
  const rowsBefore = before.dy.length;
  const widening = Int32Array.from(before.widening);
  const cursor = new Int32Array(rowsBefore), cursorEnd = new Int32Array(rowsBefore);
  const otherStart = new Float64Array(rowsBefore); // first voxel of each row before the current run's row

  // Union-find over runs; the root of a set is its first run in raster order.
  const parent = new Int32Array(runs);
  for (let r = 0; r < runs; r++) {
    parent[r] = r;
    const row = runRow[r];
    const rowStart = row * nx;
    if (r === 0 || runRow[r - 1] !== row) {
      // A new row: each cursor starts at the first run of its row.
      const z = (row / ny) | 0, y = row - z * ny;
      for (let k = 0; k < rowsBefore; k++) {
        const yy = y + before.dy[k], zz = z + before.dz[k];
        const other = yy + ny * zz;
        const inBox = yy >= 0 && yy < ny && zz >= 0;
        cursor[k] = inBox ? rowRuns[2 * other] : 0;
        cursorEnd[k] = inBox ? rowRuns[2 * other + 1] : 0;
        otherStart[k] = other * nx;
      }
    }
    const a = first[r] - rowStart, b = last[r] - rowStart;
    for (let k = 0; k < rowsBefore; k++) {
      const start = otherStart[k], wide = widening[k];
      let c = cursor[k];
      const end = cursorEnd[k];
      while (c < end && last[c] - start < a - wide) c++;
      cursor[k] = c;
      for (; c < end && first[c] - start <= b + wide; c++) {
        const ra = find(parent, r), rc = find(parent, c);
        if (ra < rc) parent[rc] = ra;
        else if (rc < ra) parent[ra] = rc;
      }
    }
  }

  // Number the sets by their first run and size them.
  const label = new Int32Array(runs);
  let count = 0;
  const sizeList: number[] = [0];
  for (let r = 0; r < runs; r++) {
    const root = find(parent, r);
    if (root === r) sizeList.push(0);
    label[r] = root === r ? ++count : label[root];
    sizeList[label[r]] += last[r] - first[r] + 1;
  }
  const sizes = Float64Array.from(sizeList);
  sizes[0] = n - voxels;
  return { count, sizes, runs, first, last, label };
}

/** The root of run a's set, halving the path on the way. */
function find(parent: Int32Array, a: number): number {
  while (parent[a] !== a) a = parent[a] = parent[parent[a]];
  return a;
}

/**
 * Mask (1/0) of the largest component; on equal sizes the lowest label (first in raster order) wins.
 * All zeros when there is no component.
 */
export function largestComponentMask(c: Components): Uint8Array {
  const out = new Uint8Array(c.labels.length);
  const best = largestLabel(c);
  if (best === 0) return out;
  const labels = c.labels;
  for (let i = 0; i < labels.length; i++) if (labels[i] === best) out[i] = 1;
  return out;
}

/** Label of the largest component (lowest label on ties), 0 when there is none. */
export function largestLabel(c: ComponentSizes): number {
  let best = 0;
  for (let k = 1; k <= c.count; k++) if (best === 0 || c.sizes[k] > c.sizes[best]) best = k;
  return best;
}
