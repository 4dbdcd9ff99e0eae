/**
 * Masks as runs of consecutive voxels along x: the form the masks of a threshold move are kept in (components,
 * dilation, the hard mask's sums), so that a move costs O(runs) and O(voxels), not O(box).
 */

/**
 * Voxels as runs of consecutive voxels of an x-row, in raster order: run r is voxels first[r] .. last[r] (linear
 * indices, both in the run's row).
 */
export interface VoxelRuns {
  runs: number;
  first: Int32Array;
  last: Int32Array;
}

/** Voxels in the runs. */
export function runVoxels(r: VoxelRuns): number {
  let voxels = 0;
  for (let k = 0; k < r.runs; k++) voxels += r.last[k] - r.first[k] + 1;
  return voxels;
}

/** The voxel indices of the runs, in raster order. */
export function voxelsOfRuns(r: VoxelRuns): Int32Array {
  const out = new Int32Array(runVoxels(r));
  for (let k = 0, v = 0; k < r.runs; k++) for (let i = r.first[k]; i <= r.last[k]; i++) out[v++] = i;
  return out;
}

/** A 1/0 mask of the box (n voxels) with the runs' voxels set. */
export function maskOfRuns(r: VoxelRuns, n: number): Uint8Array {
  const mask = new Uint8Array(n);
  for (let k = 0; k < r.runs; k++) mask.fill(1, r.first[k], r.last[k] + 1);
  return mask;
}

/**
 * Calls `visit(first, end)` for each run of set bits in words from … to − 1 (bit j of word w is bit 32·w + j, counted
 * from `from`'s first bit): bits first … end − 1, a run across words given once.
 */
export function forEachBitRun(bits: Uint32Array, from: number, to: number, visit: (first: number, end: number) => void): void {
  let open = -1, end = -1; // the run being read, still growing when it reaches a word's end
  for (let w = from; w < to; w++) {
    let word = bits[w];
    const base = (w - from) << 5;
    while (word !== 0) {
      const low = 31 - Math.clz32(word & -word); // lowest set bit
      const clear = ~word & -(1 << low); // the clear bits from it up
      const high = clear === 0 ? 32 : 31 - Math.clz32(clear & -clear); // lowest clear bit above it
      if (base + low === end) end = base + high;
      else {
        if (open >= 0) visit(open, end);
        [open, end] = [base + low, base + high];
      }
      word = high === 32 ? 0 : word & -(1 << high);
    }
  }
  if (open >= 0) visit(open, end);
}

/** Runs appended in raster order, into arrays that grow. */
export class RunList {
  private first = new Int32Array(256);
  private last = new Int32Array(256);
  private runs = 0;

  push(first: number, last: number): void {
    if (this.runs === this.first.length) {
      this.first = doubled(this.first);
      this.last = doubled(this.last);
    }
    this.first[this.runs] = first;
    this.last[this.runs++] = last;
  }

  /** Voxels first … last as runs, cut at the ends of rows of nx voxels. */
  pushSplit(first: number, last: number, nx: number): void {
    for (let rowEnd = ((first / nx) | 0) * nx + nx; rowEnd <= last; rowEnd += nx) {
      this.push(first, rowEnd - 1);
      first = rowEnd;
    }
    this.push(first, last);
  }

  done(): VoxelRuns {
    return { runs: this.runs, first: this.first.subarray(0, this.runs), last: this.last.subarray(0, this.runs) };
  }
}

function doubled(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const b = new Int32Array(2 * a.length);
  b.set(a);
  return b;
}
