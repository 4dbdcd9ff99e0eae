/**
 * The voxels of a map grouped by |value|, to count voxels beyond a limit many times (the background's 5σ outliers
 * at every threshold of a slider or a sweep) without a pass over the map each time.
 *
 * The bins are the top 16 bits of |value|'s float32 bit pattern (exponent and 7 mantissa bits): for values ≥ 0 the
 * bit patterns order like the values, so bins are ordered, each 1/128 of an octave wide. A count above a limit is
 * whole bins above the limit's bin plus an exact check of the voxels in that one bin. Building is a counting sort
 * of the voxel indices (two passes, no comparisons). NaN voxels are left out: |NaN| > limit is never true.
 */
export class MagnitudeIndex {
  /** Number of bins: every non-negative float32 bit pattern up to +Infinity, top 16 bits. */
  static readonly bins = 0x7f81;
  private readonly bits: Uint32Array;
  /** Voxel indices by bin: bin b holds members[start[b] .. start[b + 1]). */
  private readonly start: Int32Array;
  private readonly members: Int32Array;

  constructor(private readonly data: Float32Array) {
    const n = data.length;
    this.bits = new Uint32Array(data.buffer, data.byteOffset, n);
    const bins = MagnitudeIndex.bins;
    const start = new Int32Array(bins + 1);
    for (let i = 0; i < n; i++) {
      const b = this.binOfVoxel(i);
      if (b >= 0) start[b + 1]++;
    }
    for (let b = 0; b < bins; b++) start[b + 1] += start[b];
    const members = new Int32Array(start[bins]);
    const fill = start.slice(0, bins);
    for (let i = 0; i < n; i++) {
      const b = this.binOfVoxel(i);
      if (b >= 0) members[fill[b]++] = i;
    }
    this.start = start;
    this.members = members;
  }

  /** The bin of voxel i's |value|; -1 for NaN. */
  binOfVoxel(i: number): number {
    const magnitude = this.bits[i] & 0x7fffffff;
    return magnitude > 0x7f800000 ? -1 : magnitude >>> 16;
  }

  /** Voxels with |value| > limit (NaN voxels and a NaN limit count nothing). */
  countAbove(limit: number): number {
    const b = binOfLimit(limit);
    if (b < 0) return 0;
    let count = this.start[MagnitudeIndex.bins] - this.start[b + 1];
    for (let m = this.start[b]; m < this.start[b + 1]; m++) if (Math.abs(this.data[this.members[m]]) > limit) count++;
    return count;
  }

  /**
   * Voxels of a set with |value| > limit, given the set's count per bin (`perBin[b]`, from binOfVoxel of its
   * members) and its membership test (asked only about the voxels in the limit's bin).
   */
  countAboveIn(limit: number, perBin: Int32Array, has: (i: number) => boolean): number {
    const b = binOfLimit(limit);
    if (b < 0) return 0;
    let count = 0;
    for (let c = b + 1; c < MagnitudeIndex.bins; c++) count += perBin[c];
    for (let m = this.start[b]; m < this.start[b + 1]; m++) {
      const i = this.members[m];
      if (Math.abs(this.data[i]) > limit && has(i)) count++;
    }
    return count;
  }
}

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/**
 * The bin where |values| near `limit` lie; -1 for a NaN limit. Every value in a higher bin is > limit and every
 * value in a lower bin is ≤ limit, whichever way float32 rounds the limit: rounded down, the next float32 up is
 * above it; rounded up, the float32 below is below it.
 */
function binOfLimit(limit: number): number {
  if (Number.isNaN(limit)) return -1;
  scratch[0] = Math.max(0, limit);
  return (scratchBits[0] & 0x7fffffff) >>> 16;
}
