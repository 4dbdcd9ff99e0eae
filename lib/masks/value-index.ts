import { forEachBitRun, RunList, type VoxelRuns } from "./voxel-runs.js";

/**
 * The voxels of a map grouped by value, built once per map and asked many times as a threshold moves:
 * which voxels are ≥ t (the raw mask, without a pass over the box) and how many have |value| > limit (the
 * background's 5σ outliers).
 *
 * The bins are the top 16 bits of a sortable key of the float32 value (the bit pattern with negatives reversed, so
 * that keys order like the values): 65536 ordered bins, each 1/128 of an octave wide. A question about a limit is
 * whole bins on one side of the limit's bin plus an exact check of the voxels in that one bin. Building is a counting
 * sort of the voxel indices (two passes, no comparisons); within a bin the indices stay in raster order. NaN voxels
 * are left out: no comparison with them is ever true.
 */
export class ValueIndex {
  static readonly bins = 0x10000;
  private readonly bits: Uint32Array;
  /** Voxel indices by bin, bins in increasing value: bin b holds members[start[b] .. start[b + 1]). */
  private readonly start: Int32Array;
  private readonly members: Int32Array;
  /** Voxels per bin, made at the first countBeyond. */
  private counts: Int32Array | undefined;
  /** The voxels ≥ the last threshold asked (bitsAtLeast), one bit per voxel, and that threshold's bin. */
  private above: { bin: number; bits: Uint32Array } | undefined;

  constructor(private readonly data: Float32Array) {
    const n = data.length;
    this.bits = new Uint32Array(data.buffer, data.byteOffset, n);
    const bins = ValueIndex.bins;
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

  /** The bin of voxel i's value; -1 for NaN. */
  binOfVoxel(i: number): number {
    return binOfBits(this.bits[i]);
  }

  /** Voxels with value ≥ t, in raster order. */
  atLeast(t: number): Int32Array {
    const bits = this.bitsAtLeast(t);
    if (bits === null) return new Int32Array(0);
    const out = new Int32Array(this.countAtLeast(t));
    for (let w = 0, k = 0; w < bits.length; w++)
      for (let word = bits[w]; word !== 0; word &= word - 1) out[k++] = (w << 5) + 31 - Math.clz32(word & -word);
    return out;
  }

  /** Voxels with value ≥ t, as runs along x (split at the ends of rows of `nx` voxels). */
  runsAtLeast(t: number, nx: number): VoxelRuns {
    const bits = this.bitsAtLeast(t);
    return bits === null ? { runs: 0, first: new Int32Array(0), last: new Int32Array(0) } : runsOfBits(bits, this.data.length, nx);
  }

  /**
   * Bit i (of word i >>> 5) set for the voxels ≥ t; null for a NaN t. The bits of the last threshold asked are kept
   * and only the voxels of the bins from its bin to t's are set again: a move costs the voxels between the two
   * thresholds (or those ≥ t, when they are fewer), not a pass over the box.
   */
  private bitsAtLeast(t: number): Uint32Array | null {
    const b = binOf(t);
    if (b < 0) return null;
    const { start, members, data } = this;
    const kept = this.above;
    let bits: Uint32Array;
    if (kept && start[Math.max(b, kept.bin) + 1] - start[Math.min(b, kept.bin)] <= members.length - start[b]) {
      // Bins below both thresholds' bins hold values below both thresholds, bins above both above both: their bits
      // stand. The bins after t's up to the kept one (t lower) are wholly above t, those from the kept one up to t's
      // (t higher) wholly below it; only t's own bin is compared voxel by voxel.
      bits = kept.bits;
      const set = b < kept.bin;
      const [from, to] = set ? [start[b + 1], start[kept.bin + 1]] : [start[kept.bin], start[b]];
      for (let m = from; m < to; m++) {
        const i = members[m];
        if (set) bits[i >>> 5] |= 1 << (i & 31);
        else bits[i >>> 5] &= ~(1 << (i & 31));
      }
    } else {
      bits = kept ? kept.bits.fill(0) : new Uint32Array((data.length + 31) >>> 5);
      for (let m = start[b + 1]; m < members.length; m++) bits[members[m] >>> 5] |= 1 << (members[m] & 31);
    }
    setByValue(bits, members, start[b], start[b + 1], data, t);
    this.above = { bin: b, bits };
    return bits;
  }

  /** Voxels with value ≥ t. */
  countAtLeast(t: number): number {
    const b = binOf(t);
    if (b < 0) return 0;
    const { start, members, data } = this;
    let count = start[ValueIndex.bins] - start[b + 1];
    for (let m = start[b]; m < start[b + 1]; m++) if (data[members[m]] >= t) count++;
    return count;
  }

  /** Voxels with |value| > limit (a NaN limit counts nothing). */
  countBeyond(limit: number): number {
    this.counts ??= Int32Array.from({ length: ValueIndex.bins }, (_, b) => this.start[b + 1] - this.start[b]);
    return this.countBeyondIn(limit, this.counts, () => true);
  }

  /**
   * Voxels of a set with |value| > limit, given the set's count per bin (`perBin[b]`, from binOfVoxel of its
   * members) and its membership test (asked only about the voxels in the limit's two bins, at −limit and +limit).
   */
  countBeyondIn(limit: number, perBin: Int32Array, has: (i: number) => boolean): number {
    if (Number.isNaN(limit)) return 0;
    const bins = ValueIndex.bins;
    if (limit < 0) {
      let all = 0;
      for (let b = 0; b < bins; b++) all += perBin[b];
      return all;
    }
    const low = binOf(-limit), high = binOf(limit);
    let count = 0;
    for (let b = 0; b < low; b++) count += perBin[b];
    for (let b = high + 1; b < bins; b++) count += perBin[b];
    const { start, members, data } = this;
    for (const b of low === high ? [low] : [low, high])
      for (let m = start[b]; m < start[b + 1]; m++) {
        const i = members[m];
        if (Math.abs(data[i]) > limit && has(i)) count++;
      }
    return count;
  }
}

/**
 * Threshold questions about one map's values, answered by a pass over the map for its first threshold (a one-off
 * report does not pay for an index: at 256³ the index costs about six passes) and by its ValueIndex from the second
 * threshold on (a slider, a sweep).
 */
export class MapValues {
  private built: ValueIndex | null = null;
  private thresholdsAsked = 0;
  constructor(private readonly data: Float32Array) {}

  /** The ValueIndex, built now if it is not yet. */
  index(): ValueIndex {
    return (this.built ??= new ValueIndex(this.data));
  }

  /** Voxels with value ≥ t, in raster order. */
  atLeast(t: number): Int32Array {
    if (this.built || this.thresholdsAsked++ > 0) return this.index().atLeast(t);
    const data = this.data;
    let count = 0;
    for (let i = 0; i < data.length; i++) if (data[i] >= t) count++;
    const out = new Int32Array(count);
    for (let i = 0, k = 0; k < count; i++) if (data[i] >= t) out[k++] = i;
    return out;
  }

  /** Voxels with value ≥ t, as runs along x (split at the ends of rows of `nx` voxels). */
  runsAtLeast(t: number, nx: number): VoxelRuns {
    if (this.built || this.thresholdsAsked++ > 0) return this.index().runsAtLeast(t, nx);
    return runsAtLeastByPass(this.data, t, nx);
  }

  /** Voxels with value ≥ t. */
  countAtLeast(t: number): number {
    if (this.built) return this.built.countAtLeast(t);
    let count = 0;
    for (let i = 0; i < this.data.length; i++) if (this.data[i] >= t) count++;
    return count;
  }

  /** Voxels with |value| > limit (a NaN limit counts nothing). */
  countBeyond(limit: number): number {
    if (this.built) return this.built.countBeyond(limit);
    let count = 0;
    for (let i = 0; i < this.data.length; i++) if (Math.abs(this.data[i]) > limit) count++;
    return count;
  }
}

const mapValuesByData = new WeakMap<Float32Array, MapValues>();

/** The MapValues of a map's data, kept with it (map data is never changed in place). */
export function mapValues(data: Float32Array): MapValues {
  let values = mapValuesByData.get(data);
  if (!values) mapValuesByData.set(data, (values = new MapValues(data)));
  return values;
}

/** The bits of members[from … to − 1] set where their value is ≥ t and cleared where it is not. */
function setByValue(bits: Uint32Array, members: Int32Array, from: number, to: number, data: Float32Array, t: number): void {
  for (let m = from; m < to; m++) {
    const i = members[m];
    if (data[i] >= t) bits[i >>> 5] |= 1 << (i & 31);
    else bits[i >>> 5] &= ~(1 << (i & 31));
  }
}

/** The runs along x (rows of `nx`) of the voxels ≥ t, by a pass over the map. */
function runsAtLeastByPass(data: Float32Array, t: number, nx: number): VoxelRuns {
  const runs = new RunList();
  for (let rowStart = 0; rowStart < data.length; rowStart += nx)
    for (let i = rowStart, end = rowStart + nx; i < end; i++) {
      if (!(data[i] >= t)) continue;
      const first = i;
      while (i + 1 < end && data[i + 1] >= t) i++;
      runs.push(first, i);
    }
  return runs.done();
}

/** The runs along x (rows of `nx`) of the voxels whose bit is set (bit i of word i >>> 5, n voxels). */
function runsOfBits(bits: Uint32Array, n: number, nx: number): VoxelRuns {
  const runs = new RunList();
  forEachBitRun(bits, 0, bits.length, (first, end) => runs.pushSplit(first, Math.min(end, n) - 1, nx));
  return runs.done();
}

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/**
 * The bin where float32 values near `value` lie; -1 for NaN. Every float32 in a higher bin is > value and every one
 * in a lower bin is < value, whichever way float32 rounds it: rounded down, the next float32 up is above it; rounded
 * up, the float32 below is below it.
 */
function binOf(value: number): number {
  scratch[0] = value;
  return binOfBits(scratchBits[0]);
}

/**
 * The value bin (0 … 65535, in increasing value) of a float32 given by its bits: the top 16 bits of the sortable key,
 * non-negative values above negative ones, −0 with +0; NaN → -1.
 */
export function binOfBits(bits: number): number {
  const magnitude = bits & 0x7fffffff;
  if (magnitude > 0x7f800000) return -1;
  if (magnitude === 0) return 0x8000;
  return bits >>> 31 ? (~bits >>> 16) & 0xffff : (bits >>> 16) | 0x8000;
}
