import { describe, expect, it } from "vitest";
import { finiteMap } from "../lib/analysis-inputs.js";
import { mapSums } from "../lib/level0/level0.js";
import { parseMap, readerStats } from "../lib/io/mrc-reader.js";
import { mapMaximum } from "../lib/level0/section-0b-mask.js";
import { loadMap, withFloat32 } from "./helpers/corrupt.js";
import { readMapFile } from "../data-loaders/cli/read-map-file.js";

// The analysis takes from the reader's statistics what a pass over the box would give: the same numbers, bit for bit,
// as the same data in an array the reader did not make.
describe("the reader's statistics, reused by the analysis", () => {
  const { volume } = parseMap(loadMap("data/maps/emd_1997.map"));
  const copy = { ...volume, data: volume.data.slice() };

  it("are kept for the data the reader returned only", () => {
    expect(readerStats(volume.data)?.finiteCount).toBe(volume.data.length);
    expect(readerStats(copy.data)).toBeUndefined();
  });

  it("give the same maximum, sums and finite map as a pass over the data", () => {
    expect(mapMaximum(volume)).toBe(mapMaximum(copy));
    expect(mapMaximum(volume)).toBe(readerStats(volume.data)!.max);
    const fromReader = mapSums(volume.data), fromPass = mapSums(copy.data);
    expect(fromReader.shift).toBe(fromPass.shift);
    expect(fromReader.sum.value).toBe(fromPass.sum.value);
    expect(fromReader.squares.value).toBe(fromPass.squares.value);
    expect(finiteMap(volume)).toEqual({ volume, nonFiniteVoxels: 0, fill: null });
  });

  it("are not taken for a map with a NaN voxel", () => {
    const dirty = parseMap(withFloat32(loadMap("data/maps/emd_1997.map"), 1024 + 4 * 5, NaN)).volume;
    const clean = finiteMap(dirty);
    expect(clean.nonFiniteVoxels).toBe(1);
    expect(clean.volume.data[5]).toBe(clean.fill);
    expect(mapMaximum(dirty)).toBe(mapMaximum(copy));
  });
});

/** The same float32 values, compared as bytes (a deep equality of a million elements is slow). */
const sameBytes = (a: Float32Array, b: Float32Array) =>
  Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;

describe("reading a float32 file", () => {
  it("makes the voxels a view of the bytes only when they are handed over (the CLI's file reader does)", async () => {
    const bytes = loadMap("data/maps/emd_1997.map");
    const copied = parseMap(bytes).volume.data;
    const viewed = parseMap(bytes, { handOverBytes: true }).volume.data;
    expect(copied.buffer).not.toBe(bytes.buffer);
    expect(viewed.buffer).toBe(bytes.buffer);
    expect(sameBytes(viewed, copied)).toBe(true);
    const file = await readMapFile(new URL("../data/maps/emd_1997.map", import.meta.url).pathname);
    expect(sameBytes(file.result.volume.data, copied)).toBe(true);
    expect(file.result.volume.data.byteOffset).toBe(1024);
  });
});
