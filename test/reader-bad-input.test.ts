/**
 * One test (or more) per row of the bad-input catalogue (docs/reference/mrc-format.md) and further corruptions
 * (those mrcfile's and gemmi's test suites make), each built from EMD-3197 (20³ float32, 33,024 bytes, NXSTART -2) or a real corner file.
 */
import { describe, expect, it } from "vitest";
import { MapFormatError } from "../lib/errors.js";
import { parseMap, readMap, type ReadOptions } from "../lib/io/mrc-reader.js";
import {
  concat,
  EMD_3197,
  edited,
  gzip,
  loadMap,
  withAscii,
  withBytes,
  withFloat32,
  withInt32,
} from "./helpers/corrupt.js";

const emd = loadMap(EMD_3197);

/** Read (plain or gzip) and return the MapFormatError, failing if anything else happens. */
async function failure(bytes: Uint8Array, options?: ReadOptions): Promise<MapFormatError> {
  try {
    await readMap(bytes, options);
  } catch (error) {
    expect(error).toBeInstanceOf(MapFormatError);
    return error as MapFormatError;
  }
  throw new Error("expected a MapFormatError, but the map was read");
}

async function warningsOf(bytes: Uint8Array, options?: ReadOptions): Promise<string> {
  return (await readMap(bytes, options)).warnings.join("\n");
}

describe("catalog row 1: header shorter than 1024 bytes", () => {
  it("header cut at 500 bytes", async () => {
    const error = await failure(emd.subarray(0, 500));
    expect(error.code).toBe("too-short");
    expect(error.message).toBe("file too short for an MRC header (500 < 1024 bytes)");
  });
  it("empty input", async () => {
    expect((await failure(new Uint8Array(0))).code).toBe("too-short");
  });
});

describe("catalog row 2: MAP id missing or wrong", () => {
  it("MAP → XXXX", async () => {
    const error = await failure(withAscii(emd, 208, "XXXX"));
    expect(error.code).toBe("not-mrc");
    expect(error.message).toMatch(/map ID at byte 208 is "XXXX"; expected "MAP "/);
  });
  it("a PNG-like file", async () => {
    const png = new Uint8Array(2000);
    png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect((await failure(png)).code).toBe("not-mrc");
  });
  it("parseMap on gzip bytes says they are gzip-compressed", () => {
    expect(() => parseMap(gzip(emd))).toThrow(/gzip-compressed/);
  });
});

describe("catalog rows 3-4: machine stamp", () => {
  it("zero stamp: byte order guessed from the header, with a warning", async () => {
    const result = await readMap(withBytes(emd, 212, [0, 0, 0, 0]));
    expect(result.header.littleEndian).toBe(true);
    expect(result.warnings.join("\n")).toMatch(/machine stamp 00 00 00 00 is not recognised; the header reads as little-endian/);
  });
  it("garbage stamp with a header implausible in both orders is an error", async () => {
    const error = await failure(withInt32(withBytes(emd, 212, [0xab, 0xcd, 0, 0]), 12, 7));
    expect(error.code).toBe("byte-order");
    expect(error.message).toMatch(/machine stamp ab cd 00 00 is not recognised/);
  });
  it("big-endian stamp on little-endian data: the plausible order wins with a warning", async () => {
    const result = await readMap(withBytes(emd, 212, [0x11, 0x11, 0, 0]));
    expect(result.header.littleEndian).toBe(true);
    expect(result.volume.data).toEqual(parseMap(emd).volume.data);
    expect(result.warnings.join("\n")).toMatch(/says big-endian but the header only makes sense as little-endian/);
  });
});

describe("catalog row 5: allocation bomb (NX·NY·NZ huge)", () => {
  const huge = withInt32(withInt32(withInt32(emd, 0, 2 ** 31 - 1), 4, 2 ** 31 - 1), 8, 2 ** 31 - 1);
  it("NX = NY = NZ = 2³¹−1 is refused against maxBytes before allocating", async () => {
    const error = await failure(huge);
    expect(error.code).toBe("too-large");
    expect(error.message).toMatch(/2147483647×2147483647×2147483647 voxels of MODE 2 .* the limit is 2147483648 bytes/);
  });
  it("with an unlimited maxBytes it is refused against the bytes present", async () => {
    const error = await failure(huge, { maxBytes: Infinity });
    expect(error.code).toBe("data-truncated");
    expect(error.message).toMatch(/need 3\.9\d*e\+28 bytes from byte 1024, but the file has only 32000/);
  });
  it("a map larger than a small maxBytes is refused", async () => {
    expect((await failure(emd, { maxBytes: 20000 })).code).toBe("too-large");
  });
});

describe("catalog rows 6-7: dimensions ≤ 0", () => {
  it("NX = -20", async () => {
    const error = await failure(withInt32(emd, 0, -20));
    expect(error.code).toBe("bad-dimensions");
    expect(error.message).toBe("NX (NC) is -20; expected a positive voxel count");
  });
  it("NX = 0 (empty map)", async () => {
    const error = await failure(withInt32(emd, 0, 0));
    expect(error.code).toBe("bad-dimensions");
    expect(error.message).toMatch(/NX \(NC\) is 0 \(empty map\)/);
  });
  it("NZ = -1", async () => {
    expect((await failure(withInt32(emd, 8, -1))).message).toMatch(/^NZ \(NS\) is -1/);
  });
});

describe("catalog row 8: unsupported MODE", () => {
  for (const [mode, text] of [
    [3, "MODE is 3 (complex transform data); supported: 0, 1, 2, 6, 12"],
    [4, "MODE is 4 (complex transform data); supported: 0, 1, 2, 6, 12"],
    [7, "MODE is 7 (unknown); supported: 0, 1, 2, 6, 12"],
    [101, "MODE is 101 (4-bit packed); supported: 0, 1, 2, 6, 12"],
  ] as const) {
    it(`MODE ${mode}`, async () => {
      const error = await failure(withInt32(emd, 12, mode));
      expect(error.code).toBe("unsupported-mode");
      expect(error.message).toBe(text);
    });
  }
});

describe("catalog rows 9-10, 26: NSYMBT", () => {
  it("NSYMBT = 10⁶ (past the end of the file)", async () => {
    const error = await failure(concat(withInt32(emd, 92, 1e6), new Uint8Array(100)));
    expect(error.code).toBe("bad-nsymbt");
    expect(error.message).toMatch(/^NSYMBT is 1000000 but only 32100 bytes follow the 1024-byte header/);
  });
  it("bogus NSYMBT is ignored with a warning when the file holds exactly header + data", async () => {
    const result = await readMap(withInt32(emd, 92, 1e6));
    expect(result.volume.data).toEqual(parseMap(emd).volume.data);
    expect(result.warnings.join("\n")).toMatch(/NSYMBT is 1000000 but the file holds exactly the 1024-byte header and the data/);
  });
  it("NSYMBT that fits but pushes the data past the end is a truncation", async () => {
    const error = await failure(concat(withInt32(emd, 92, 80), new Uint8Array(40)));
    expect(error.code).toBe("data-truncated");
  });
  it("NSYMBT = -80", async () => {
    const error = await failure(withInt32(emd, 92, -80));
    expect(error.code).toBe("bad-nsymbt");
    expect(error.message).toBe("NSYMBT is -80; expected an extended-header size ≥ 0");
  });
  it("NSYMBT = 3 (data not 4-byte aligned) reads the same voxels", async () => {
    const shifted = concat(withInt32(emd, 92, 3).subarray(0, 1024), new Uint8Array([1, 2, 3]), emd.subarray(1024));
    const result = await readMap(shifted);
    expect(result.volume.data).toEqual(parseMap(emd).volume.data);
    expect(result.header.nsymbt).toBe(3);
  });
});

describe("catalog row 11: MAPC/MAPR/MAPS not a permutation", () => {
  it("1,1,3", async () => {
    const error = await failure(withInt32(emd, 68, 1));
    expect(error.code).toBe("bad-axis-order");
    expect(error.message).toBe("MAPC/MAPR/MAPS are 1,1,3; expected a permutation of 1,2,3");
  });
  it("0,2,3", async () => {
    expect((await failure(withInt32(emd, 64, 0))).code).toBe("bad-axis-order");
  });
});

describe("catalog rows 12-13: data length", () => {
  it("data cut by 100 bytes", async () => {
    const error = await failure(emd.subarray(0, emd.length - 100));
    expect(error.code).toBe("data-truncated");
    expect(error.message).toBe(
      "data block truncated: 20×20×20 voxels of MODE 2 need 32000 bytes from byte 1024, but the file has only 31900",
    );
  });
  it("the truncated corner file from sfftk", async () => {
    const file = loadMap("test/fixtures/mrc-corner-cases/sfftk-test_data_corrupt_header.map");
    expect((await failure(file)).code).toBe("data-truncated");
  });
  it("16 trailing bytes give a warning", async () => {
    expect(await warningsOf(concat(emd, new Uint8Array(16)))).toMatch(/^16 trailing bytes after the data block were ignored$/m);
  });
});

describe("catalog row 14: NaN or Inf voxels", () => {
  it("first voxel NaN: counted and warned", async () => {
    const result = await readMap(withFloat32(emd, 1024, NaN));
    expect(result.stats.nanCount).toBe(1);
    expect(result.warnings.join("\n")).toMatch(/1 NaN and 0 infinite voxels/);
  });
  it("no finite voxel at all is an error", async () => {
    const allNaN = edited(emd, (view) => {
      for (let i = 0; i < 8000; i++) view.setFloat32(1024 + 4 * i, i % 2 ? NaN : Infinity, true);
    });
    const error = await failure(allNaN);
    expect(error.code).toBe("no-finite-voxels");
    expect(error.message).toMatch(/all 8000 voxels are NaN or infinite/);
  });
});

describe("catalog row 15: zero, negative or NaN voxel size", () => {
  for (const [name, bytes, text] of [
    ["MX = 0", withInt32(emd, 28, 0), /x \(CELLA 228 \/ MX 0\)/],
    ["cell x = 0", withFloat32(emd, 40, 0), /x \(CELLA 0 \/ MX 20\)/],
    ["cell y negative", withFloat32(emd, 44, -228), /y \(CELLA -228 \/ MY 20\)/],
    ["cell z NaN", withFloat32(emd, 48, NaN), /z \(CELLA NaN \/ MZ 20\)/],
  ] as const) {
    it(`${name}: voxel size null with a warning naming the field`, async () => {
      const result = await readMap(bytes);
      expect(result.volume.voxelSize).toBeNull();
      expect(result.warnings.join("\n")).toMatch(text);
    });
  }
  it("lenientVoxelSize: 1 Å on the bad axis", async () => {
    const result = await readMap(withInt32(emd, 28, 0), { lenientVoxelSize: true });
    expect(result.volume.voxelSize).toEqual([1, 11.4, 11.4]);
  });
});

describe("catalog rows 16-18: gzip", () => {
  const gz = gzip(emd);
  const flipped = (index: number) => edited(gz, (_view, copy) => (copy[index] ^= 0xff));
  it("truncated to half", async () => {
    const error = await failure(gz.subarray(0, gz.length >> 1));
    expect(error.code).toBe("gzip-corrupt");
    expect(error.message).toMatch(/^corrupt gzip: /);
  });
  it("flipped middle byte", async () => {
    expect((await failure(flipped(gz.length >> 1))).code).toBe("gzip-corrupt");
  });
  it("flipped CRC", async () => {
    const error = await failure(flipped(gz.length - 6));
    expect(error.code).toBe("gzip-corrupt");
    expect(error.message).toMatch(/corrupt gzip: .*(check|crc)/i);
  });
  it("1f 8b followed by garbage", async () => {
    const garbage = concat(new Uint8Array([0x1f, 0x8b]), new TextEncoder().encode("this is not deflate data at all"));
    expect((await failure(garbage)).code).toBe("gzip-corrupt");
  });
  it("a gzip header claiming a huge map is refused before inflating further", async () => {
    const bomb = gzip(concat(withInt32(emd.subarray(0, 1024), 0, 100_000), new Uint8Array(1 << 20)));
    const error = await failure(bomb, { maxBytes: 1 << 20 });
    expect(error.code).toBe("too-large");
  });
  it("a gzip bomb (1 KB header + 100 MB of zeros) inflates only what the header declares", async () => {
    const zeros = new Uint8Array(100 * 1024 * 1024);
    const bomb = gzip(concat(emd.subarray(0, 1024), zeros));
    expect(bomb.length).toBeLessThan(200_000);
    const started = performance.now();
    const result = await readMap(bomb);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(result.stats.max).toBe(0);
    expect(result.warnings.join("\n")).toMatch(/gzip stream continues past the 33024 bytes/);
  });
  it("two concatenated members: the first holds the map, the rest is not read", async () => {
    const result = await readMap(concat(gz, gz));
    expect(result.volume.data).toEqual(parseMap(emd).volume.data);
  });
  it("a gzip stream shorter than the header", async () => {
    expect((await failure(gzip(emd.subarray(0, 100)))).code).toBe("too-short");
  });
});

describe("catalog rows 19-21: accepted header oddities", () => {
  it("NVERSION 0 and blank EXTTYP are accepted silently", async () => {
    const result = await readMap(emd);
    expect(result.header.nversion).toBe(0);
    expect(result.header.extType).toBe("");
    expect(result.warnings).toEqual([]);
  });
  it("wrong header statistics are reported and recomputed", async () => {
    const result = await readMap(withFloat32(emd, 80, 100));
    expect(result.stats.max).toBeCloseTo(5.576737, 5);
    expect(result.warnings.join("\n")).toMatch(/header statistics disagree with the data .*DMAX 100 vs 5.576737/);
  });
  it("NLABL = 50 is clamped to 10 with a warning", async () => {
    const result = await readMap(withInt32(emd, 220, 50));
    expect(result.header.labels).toHaveLength(10);
    expect(result.warnings.join("\n")).toMatch(/NLABL is 50; expected 0\.\.10/);
  });
  it("NLABL = -1 reads no labels with a warning", async () => {
    const result = await readMap(withInt32(emd, 220, -1));
    expect(result.header.labels).toEqual([]);
    expect(result.warnings.join("\n")).toMatch(/NLABL is -1/);
  });
});

describe("catalog row 22: volume stacks", () => {
  it("ISPG 401 with NZ not a multiple of MZ", async () => {
    const error = await failure(withInt32(withInt32(emd, 88, 401), 36, 7));
    expect(error.code).toBe("bad-volume-stack");
    expect(error.message).toMatch(/ISPG 401 .* NZ 20 is not a multiple of MZ 7/);
  });
  it("ISPG 401 with MZ 0", async () => {
    expect((await failure(withInt32(withInt32(emd, 88, 401), 36, 0))).code).toBe("bad-volume-stack");
  });
  it("a valid stack of two volumes is read whole with a warning", async () => {
    const result = await readMap(withInt32(withInt32(emd, 88, 401), 36, 10));
    expect(result.warnings.join("\n")).toMatch(/a stack of 2 volumes of 10 sections/);
  });
});

describe("catalog rows 23-25: angles, ORIGIN, START", () => {
  it("invalid cell angles (0, 0, 0) fall back to 90° with a warning", async () => {
    const bytes = withFloat32(withFloat32(withFloat32(emd, 52, 0), 56, 0), 60, 0);
    expect(await warningsOf(bytes)).toMatch(/CELLB angles \(0, 0, 0\) do not form a valid cell; 90° assumed/);
  });
  it("non-90° angles: positions assume 90°", async () => {
    expect(await warningsOf(withFloat32(emd, 60, 120))).toMatch(/CELLB angles are 90, 90, 120, not 90°/);
  });
  for (const value of [NaN, Infinity, 1e30]) {
    it(`ORIGIN x = ${value} is ignored for NSTART`, async () => {
      const result = await readMap(withFloat32(emd, 196, value));
      expect(result.originSource).toBe("NSTART");
      expect(result.volume.origin).toEqual([-22.8, 0, 0]);
      expect(result.warnings.join("\n")).toMatch(/ORIGIN .* is not finite or implausibly large; ignored/);
    });
  }
  it("implausible NSTART (10⁶) is ignored: origin 0", async () => {
    const result = await readMap(withInt32(emd, 16, 1e6));
    expect(result.volume.origin).toEqual([0, 0, 0]);
    expect(result.originSource).toBe("none");
    expect(result.warnings.join("\n")).toMatch(/NSTART \(1000000, 0, 0\) is implausible/);
  });
});
