import { describe, expect, it } from "vitest";
import expected from "./fixtures/reader-expected.json" with { type: "json" };
import { MapFormatError } from "../lib/errors.js";
import { float16BitsToNumber } from "../lib/io/float16.js";
import { inflateChunks } from "../lib/io/gzip.js";
import { parseMap, readMap, type MapReadResult } from "../lib/io/mrc-reader.js";
import { voxelIndex } from "../lib/io/volume.js";
import { concat, EMD_3197, gzip, loadMap, toBigEndian, withBytes, withFloat32, withInt32 } from "./helpers/corrupt.js";

interface Expectation {
  error?: string;
  shape: [number, number, number];
  mode: number;
  littleEndian: boolean;
  axisOrder: [number, number, number];
  voxelSize: [number, number, number] | null;
  origin: [number, number, number];
  originSource: string;
  stats: { min: number; max: number; mean: number; std: number; nanCount: number; infCount: number };
  voxels: { xyz: [number, number, number]; value: number }[];
}

const fixtures = Object.entries(expected as unknown as Record<string, Expectation>);

function voxel(result: MapReadResult, [x, y, z]: [number, number, number]): number {
  return result.volume.data[voxelIndex(result.volume, x, y, z)];
}

describe("reader against independent mrcfile expectations", () => {
  it("covers every bundled map and corner case", () => {
    expect(fixtures.length).toBe(29);
  });

  for (const [file, want] of fixtures) {
    it(file, async () => {
      const bytes = loadMap(file, { inflate: false });
      if (want.error) {
        await expect(readMap(bytes)).rejects.toMatchObject({ name: "MapFormatError", code: want.error });
        return;
      }
      const result = await readMap(bytes);
      const { volume, header, stats } = result;
      expect([volume.nx, volume.ny, volume.nz]).toEqual(want.shape);
      expect(volume.data.length).toBe(want.shape[0] * want.shape[1] * want.shape[2]);
      expect(header.mode).toBe(want.mode);
      expect(header.littleEndian).toBe(want.littleEndian);
      expect(result.axisOrder).toEqual(want.axisOrder);
      if (want.voxelSize === null) expect(volume.voxelSize).toBeNull();
      else volume.voxelSize!.forEach((v, i) => expect(v).toBeCloseTo(want.voxelSize![i], 9));
      volume.origin.forEach((v, i) => expect(v).toBeCloseTo(want.origin[i], 6));
      expect(result.originSource).toBe(want.originSource);
      for (const { xyz, value } of want.voxels) expect(voxel(result, xyz)).toBe(value); // float32 values are exact
      const scale = Math.max(Math.abs(want.stats.min), Math.abs(want.stats.max), 1e-30);
      expect(stats.min).toBe(want.stats.min);
      expect(stats.max).toBe(want.stats.max);
      expect(Math.abs(stats.mean - want.stats.mean)).toBeLessThan(1e-9 * scale);
      expect(Math.abs(stats.std - want.stats.std)).toBeLessThan(1e-9 * scale);
      expect(stats.nanCount).toBe(want.stats.nanCount);
      expect(stats.infCount).toBe(want.stats.infCount);
      expect(stats.finiteCount).toBe(volume.data.length - stats.nanCount - stats.infCount);
    });
  }
});

describe("facts from the format reference", () => {
  it("iota_yzx: every voxel is (x%5)*42+(y%6)*7+(z%7) at its cell position", async () => {
    const result = await readMap(loadMap("test/fixtures/mrc-corner-cases/gemmi-iota_yzx.ccp4.gz", { inflate: false }));
    const { nx, ny, nz } = result.volume;
    const start = [1, 20, -3]; // NSTART (20,-3,1) read as columns=y, rows=z, sections=x
    const mod = (a: number, m: number) => ((a % m) + m) % m;
    for (let z = 0; z < nz; z++)
      for (let y = 0; y < ny; y++)
        for (let x = 0; x < nx; x++) {
          const [cx, cy, cz] = [x + start[0], y + start[1], z + start[2]];
          expect(voxel(result, [x, y, z])).toBe(mod(cx, 5) * 42 + mod(cy, 6) * 7 + mod(cz, 7));
        }
    // The origin is NSTART times the voxel size along each spatial axis.
    expect(result.volume.origin).toEqual([1 * 30, 20 * 22, -3 * 20]);
  });

  it("EMD-3001: permuted values, float64 sum and header extrema", () => {
    const result = parseMap(loadMap("test/fixtures/mrc-corner-cases/mrcfile-EMD-3001.map"));
    expect(voxel(result, [0, 0, 0])).toBeCloseTo(0.042834472, 8);
    expect(voxel(result, [10, 5, 30])).toBeCloseTo(0.06933938, 8);
    expect(voxel(result, [42, 24, 72])).toBeCloseTo(0.067244977, 8);
    expect(result.volume.data.reduce((s, v) => s + v, 0)).toBeCloseTo(41.82456, 4);
    expect(result.header.nsymbt).toBe(160);
    expect(result.warnings.some((w) => w.includes("94.3"))).toBe(true);
  });

  it("EMD-3197: values from mrcfile's test suite, 11.4 Å voxels and NXSTART -2", () => {
    const result = parseMap(loadMap(EMD_3197));
    expect(voxel(result, [0, 0, 0])).toBeCloseTo(-1.8013091, 6);
    expect(voxel(result, [13, 6, 9])).toBeCloseTo(4.620779, 6); // numpy [9,6,13] is [z,y,x]
    expect(voxel(result, [14, 6, 9])).toBeCloseTo(5.0373931, 6);
    expect(voxel(result, [19, 19, 19])).toBeCloseTo(1.3078574, 6);
    expect(result.volume.voxelSize).toEqual([11.4, 11.4, 11.4]);
    expect(result.volume.origin).toEqual([-22.8, 0, 0]);
    expect(result.header.labels[0]).toContain("EMD-3197");
    expect(result.warnings).toEqual([]);
  });
});

describe("warnings on real corner cases", () => {
  const read = (name: string) => readMap(loadMap(`test/fixtures/mrc-corner-cases/${name}`, { inflate: false }));

  it("big-endian data under a little-endian stamp is read big-endian with a warning", async () => {
    const result = await read("pyto-swapped_byte_order.mrc");
    expect(result.header.littleEndian).toBe(false);
    expect(result.warnings.join("\n")).toMatch(/machine stamp 44 41 00 00 .* big-endian/);
  });

  it("an image stack (ISPG 0, MZ 1, NZ 10) is read as a volume with a warning", async () => {
    const result = await read("mrcjl-emd_3197_proj.mrcs");
    expect(result.warnings.join("\n")).toMatch(/stack of 10 images/);
  });

  it("cell 0 leaves the voxel size undefined; lenient mode assumes 1 Å", async () => {
    const bytes = loadMap("test/fixtures/mrc-corner-cases/mrcfile-float16.mrc");
    const strict = parseMap(bytes);
    expect(strict.volume.voxelSize).toBeNull();
    expect(strict.warnings.join("\n")).toMatch(/voxel size undefined along z \(CELLA 0 \/ MZ 1\)/);
    const lenient = parseMap(bytes, { lenientVoxelSize: true });
    expect(lenient.volume.voxelSize![2]).toBe(1);
    expect(lenient.volume.voxelSize![0]).toBeCloseTo(230.1 / 64, 4);
    expect(lenient.warnings.join("\n")).toMatch(/1 Å assumed/);
  });

  it("header statistics that disagree with the data are reported", async () => {
    const result = await read("ngl-3pqr-mode0.ccp4");
    expect(result.warnings.join("\n")).toMatch(/DMAX 0.9091419 vs 127/);
  });

  it("trailing bytes are reported", async () => {
    const result = await read("maptools-file-v2.mrc");
    expect(result.warnings).toContain("18000 trailing bytes after the data block were ignored");
  });

  it("mode 0 follows the IMOD flags, and signedBytes overrides them", async () => {
    const imod = loadMap("test/fixtures/mrc-corner-cases/tomoauto-test_001_mode0.mrc");
    expect(parseMap(imod).stats.max).toBe(187);
    const signed = parseMap(imod, { signedBytes: true });
    expect(signed.stats.min).toBeLessThan(0);
    const ngl = loadMap("test/fixtures/mrc-corner-cases/ngl-3pqr-mode0.ccp4");
    expect(parseMap(ngl).stats.min).toBe(-128);
    expect(parseMap(ngl, { signedBytes: false }).stats.min).toBe(0);
  });

  it("the int16 tomogram matches its float32 version to within one unit", () => {
    const base = parseMap(loadMap("test/fixtures/mrc-corner-cases/tomoauto-test_001_mode2.mrc")).volume.data;
    const int16 = parseMap(loadMap("test/fixtures/mrc-corner-cases/tomoauto-test_001_mode1.mrc")).volume.data;
    // int16 holds the float values truncated towards zero, as the writer stored them.
    for (let i = 0; i < base.length; i++) expect(Math.abs(int16[i] - base[i])).toBeLessThan(1);
  });
});

describe("byte handling", () => {
  const emd = loadMap(EMD_3197);
  const reference = parseMap(emd);

  it("reads from a Uint8Array at an odd byteOffset (pooled Node buffers)", () => {
    const padded = concat(new Uint8Array(3), emd);
    const result = parseMap(padded.subarray(3));
    expect(result.volume.data).toEqual(reference.volume.data);
  });

  it("reads a big-endian copy identically", () => {
    const result = parseMap(toBigEndian(emd, 4));
    expect(result.header.littleEndian).toBe(false);
    expect(result.volume.data).toEqual(reference.volume.data);
    expect(result.warnings).toEqual([]);
  });

  for (const [name, wordBytes] of [
    ["tomoauto-test_001_mode0.mrc", 1],
    ["tomoauto-test_001_mode1.mrc", 2],
    ["tomoauto-test_002_mode6.st", 2],
    ["mrcjl-emd_3197_f16.mrc", 2],
    ["gemmi-5i55_tiny.ccp4", 4],
  ] as const) {
    it(`reads a big-endian copy of ${name} identically`, () => {
      const little = loadMap(`test/fixtures/mrc-corner-cases/${name}`);
      const nsymbt = new DataView(little.buffer, little.byteOffset).getInt32(92, true);
      const big = parseMap(toBigEndian(little, wordBytes, 1024 + nsymbt));
      expect(big.header.littleEndian).toBe(false);
      expect(big.volume.data).toEqual(parseMap(little).volume.data);
    });
  }

  it("gzip and plain give the same result", async () => {
    const result = await readMap(gzip(emd));
    expect(result.volume.data).toEqual(reference.volume.data);
    expect(result.warnings).toEqual([]);
  });

  it("a map named like gzip but not compressed is read plain (detection by magic bytes)", async () => {
    // NX = 35615 makes the file start with 1f 8b; the MAP id at byte 208 shows it is not gzip.
    const tricky = withInt32(withInt32(withInt32(emd, 0, 0x8b1f), 28, 0x8b1f), 4, 1);
    await expect(readMap(tricky)).rejects.toMatchObject({ code: "data-truncated" });
  });

  it("stops inflating a gzip bomb at the size the header declares", async () => {
    const bomb = gzip(concat(emd, new Uint8Array(64 * 1024 * 1024)));
    const result = await readMap(bomb);
    expect(result.volume.data).toEqual(reference.volume.data);
    expect(result.warnings.join("\n")).toMatch(/gzip stream continues past the 33024 bytes/);
  });

  it("counts NaN and Inf, warns, and keeps statistics finite", () => {
    const broken = withFloat32(withFloat32(emd, 1024, NaN), 1028, -Infinity);
    const result = parseMap(broken);
    expect(result.stats.nanCount).toBe(1);
    expect(result.stats.infCount).toBe(1);
    expect(result.stats.finiteCount).toBe(7998);
    expect(Number.isFinite(result.stats.mean)).toBe(true);
    expect(result.warnings.join("\n")).toMatch(/1 NaN and 1 infinite voxels/);
  });

  it("accepts MAP\\0 with a warning", () => {
    const result = parseMap(withBytes(emd, 211, [0]));
    expect(result.warnings.join("\n")).toMatch(/MAP\\0/);
  });

  it("uses ORIGIN when set, and warns when NSTART is set too", () => {
    const shifted = withFloat32(withFloat32(withFloat32(emd, 196, 10), 200, 20), 204, 30);
    const result = parseMap(shifted);
    expect(result.volume.origin).toEqual([10, 20, 30]);
    expect(result.originSource).toBe("ORIGIN");
    expect(result.warnings.join("\n")).toMatch(/both ORIGIN .* and NSTART/);
  });
});

describe("float16", () => {
  it("decodes normals, subnormals, zeros, infinities and NaN", () => {
    expect(float16BitsToNumber(0x3c00)).toBe(1);
    expect(float16BitsToNumber(0xc000)).toBe(-2);
    expect(float16BitsToNumber(0x7bff)).toBe(65504);
    expect(float16BitsToNumber(0x0400)).toBe(2 ** -14);
    expect(float16BitsToNumber(0x0001)).toBe(2 ** -24);
    expect(float16BitsToNumber(0x03ff)).toBe(1023 * 2 ** -24);
    expect(Object.is(float16BitsToNumber(0x8000), -0)).toBe(true);
    expect(float16BitsToNumber(0x7c00)).toBe(Infinity);
    expect(float16BitsToNumber(0xfc00)).toBe(-Infinity);
    expect(float16BitsToNumber(0x7e00)).toBeNaN();
    expect(float16BitsToNumber(0x3555)).toBeCloseTo(0.33325, 5);
  });
});

describe("errors", () => {
  it("are MapFormatError instances", () => {
    expect(() => parseMap(new Uint8Array(10))).toThrow(MapFormatError);
  });
});

describe("inflateChunks", () => {
  const payload = new Uint8Array(200_000).map((_, i) => i % 251);
  const gz = gzip(payload);

  it("hands every inflated byte to the consumer, in order, and says the stream ended", async () => {
    const parts: Uint8Array[] = [];
    const result = await inflateChunks(gz, (chunk) => (parts.push(chunk.slice()), chunk.length));
    expect(concat(...parts)).toEqual(payload);
    expect(result.streamContinues).toBe(false);
  });

  it("stops when the consumer takes less than a chunk, and says the stream continues", async () => {
    let taken = 0;
    const result = await inflateChunks(gz, (chunk) => {
      const take = Math.min(chunk.length, 2000 - taken);
      taken += take;
      return take;
    });
    expect(taken).toBe(2000);
    expect(result.streamContinues).toBe(true);
  });

  it("a consumer that needed exactly the whole stream does not see it as continuing", async () => {
    let taken = 0;
    const result = await inflateChunks(gz, (chunk) => {
      const take = Math.min(chunk.length, payload.length - taken);
      taken += take;
      return take;
    });
    expect(taken).toBe(payload.length);
    expect(result.streamContinues).toBe(false);
  });

  it("propagates the consumer's error", async () => {
    const refuse = (): number => {
      throw new MapFormatError("too-large", "refused");
    };
    await expect(inflateChunks(gz, refuse)).rejects.toMatchObject({ code: "too-large" });
  });
});
