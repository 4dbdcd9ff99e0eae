/**
 * Connected-component labelling of binary 3-D masks (x fastest, like {@link Volume}).
 *
 * Two raster passes with union-find over provisional labels. Final labels are numbered in raster order of each
 * component's first voxel, which is also scipy.ndimage.label's numbering, so label k here is label k there.
 */

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
 * Time O(N·α), memory: the Int32Array labels plus a union-find table that grows with the provisional labels.
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
  return labelVoxels(voxels.subarray(0, count), nx, ny, nz, connectivity);
}

/**
 * {@link labelComponents} of the mask made of the listed voxels (indices in increasing raster order, no repeats),
 * touching only them: O(listed voxels · α), whatever the box size. `labels`, when given, is an all-zero array of
 * the box's size to label into, so that a caller labelling again and again (a moving threshold) can reuse one
 * array by zeroing the listed voxels afterwards, instead of allocating and clearing a box-sized one each time.
 */
export function labelVoxels(
  voxels: Int32Array,
  nx: number,
  ny: number,
  nz: number,
  connectivity: Connectivity,
  labels: Int32Array = new Int32Array(nx * ny * nz),
): Components {
  const n = nx * ny * nz;
  if (connectivity !== 6 && connectivity !== 18 && connectivity !== 26)
    throw new RangeError(`connectivity must be 6, 18 or 26, got ${connectivity}`);
  if (labels.length !== n) throw new RangeError(`labels has ${labels.length} voxels, expected ${n}`);
  const uf = new LabelUnionFind();
  const nxy = nx * ny;

  // Backward neighbours (visited earlier in raster order) other than x-1, as [dx, dy, dz]. x-1 is read first: when
  // it is foreground, every backward neighbour it touches is already in its set, so only `afterLeft` needs a look.
  // A backward neighbour is foreground exactly when it is labelled already.
  const all = backwardOffsets(connectivity);
  const afterLeft = all.filter(([dx, dy, dz]) => !isNeighbour(dx + 1, dy, dz, connectivity));
  const toLinear = (o: number[][]) => Int32Array.from(o, ([dx, dy, dz]) => dx + nx * dy + nxy * dz);
  const afterLeftLinear = toLinear(afterLeft);
  const allLinear = toLinear(all);

  let previous = -1;
  // The row of the previous voxel: in raster order a new row (and a division) is needed only when i leaves it.
  let rowStart = 0, rowEnd = 0, y = 0, z = 0;
  for (let v = 0; v < voxels.length; v++) {
    const i = voxels[v];
    if (!(i > previous && i < n))
      throw new RangeError(`voxel ${i} is out of raster order or outside the ${nx}×${ny}×${nz} box`);
    previous = i;
    if (i >= rowEnd) {
      const row = (i / nx) | 0;
      z = (row / ny) | 0;
      y = row - z * ny;
      rowStart = row * nx;
      rowEnd = rowStart + nx;
    }
    const x = i - rowStart;
    let label = x > 0 ? labels[i - 1] : 0;
    if (y > 0 && y < ny - 1 && z > 0 && x > 0 && x < nx - 1) {
      const linear = label !== 0 ? afterLeftLinear : allLinear;
      for (let k = 0; k < linear.length; k++) {
        const other = labels[i + linear[k]];
        if (other !== 0 && other !== label) label = label === 0 ? other : uf.union(label, other);
      }
    } else {
      const offsets = label !== 0 ? afterLeft : all;
      for (let k = 0; k < offsets.length; k++) {
        const o = offsets[k];
        const xx = x + o[0];
        const yy = y + o[1];
        const zz = z + o[2];
        if (xx < 0 || xx >= nx || yy < 0 || yy >= ny || zz < 0) continue;
        const other = labels[xx + nx * yy + nxy * zz];
        if (other !== 0 && other !== label) label = label === 0 ? other : uf.union(label, other);
      }
    }
    labels[i] = label !== 0 ? label : uf.add();
  }

  const final = uf.flatten();
  const count = uf.components;
  const sizes = new Float64Array(count + 1);
  for (let v = 0; v < voxels.length; v++) {
    const i = voxels[v];
    const l = final[labels[i]];
    labels[i] = l;
    sizes[l]++;
  }
  sizes[0] = n - voxels.length;
  return { labels, count, sizes };
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
export function largestLabel(c: Components): number {
  let best = 0;
  for (let k = 1; k <= c.count; k++) if (best === 0 || c.sizes[k] > c.sizes[best]) best = k;
  return best;
}

function isNeighbour(dx: number, dy: number, dz: number, connectivity: Connectivity): boolean {
  const ax = Math.abs(dx), ay = Math.abs(dy), az = Math.abs(dz);
  if (ax > 1 || ay > 1 || az > 1) return false;
  const nonZero = ax + ay + az;
  if (nonZero === 0) return false;
  return connectivity === 26 || (connectivity === 18 ? nonZero <= 2 : nonZero === 1);
}

function backwardOffsets(connectivity: Connectivity): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let dz = -1; dz <= 0; dz++)
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const before = dz < 0 || (dz === 0 && (dy < 0 || (dy === 0 && dx < 0)));
        if (before && !(dx === -1 && dy === 0 && dz === 0) && isNeighbour(dx, dy, dz, connectivity))
          out.push([dx, dy, dz]);
      }
  return out;
}

/**
 * Union-find over provisional labels 1..n. The root of a set is always its smallest label, i.e. the label created
 * first in raster order, so relabelling roots in increasing order numbers components by their first voxel.
 */
class LabelUnionFind {
  private parent = new Int32Array(1024);
  private next = 1;
  components = 0;

  add(): number {
    if (this.next === this.parent.length) {
      const grown = new Int32Array(this.parent.length * 2);
      grown.set(this.parent);
      this.parent = grown;
    }
    const label = this.next++;
    this.parent[label] = label;
    this.components++;
    return label;
  }

  find(a: number): number {
    const p = this.parent;
    while (p[a] !== a) {
      p[a] = p[p[a]];
      a = p[a];
    }
    return a;
  }

  union(a: number, b: number): number {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return ra;
    this.components--;
    if (ra < rb) {
      this.parent[rb] = ra;
      return ra;
    }
    this.parent[ra] = rb;
    return rb;
  }

  /** Map provisional label → final label 1..components (index 0 stays 0). */
  flatten(): Int32Array {
    const final = new Int32Array(this.next);
    let k = 0;
    for (let l = 1; l < this.next; l++) {
      const root = this.find(l);
      final[l] = root === l ? ++k : final[root];
    }
    return final;
  }
}
