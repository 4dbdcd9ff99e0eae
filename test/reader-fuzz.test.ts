/**
 * Property test: whatever is done to real headers and data (word and byte mutations, truncation, appended bytes,
 * gzip wrapping and gzip damage), readMap returns a well-formed result or throws MapFormatError, quickly, and
 * never allocates more than the small maxBytes it is given.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MapFormatError } from "../lib/errors.js";
import { readMap, type MapReadResult } from "../lib/io/mrc-reader.js";
import { concat, EMD_3197, edited, gzip, loadMap } from "./helpers/corrupt.js";

const MAX_BYTES = 256 * 1024;
/** Raise for a longer hunt, e.g. MAPVAL_FUZZ_RUNS=20000 npx vitest run test/reader-fuzz. */
const RUNS = Number(process.env.MAPVAL_FUZZ_RUNS ?? 300);
const bases = [
  EMD_3197,
  "test/fixtures/mrc-corner-cases/gemmi-iota_yzx.ccp4.gz",
  "test/fixtures/mrc-corner-cases/gemmi-5i55_tiny.ccp4",
  "test/fixtures/mrc-corner-cases/sfftk-tiny1.map",
  "test/fixtures/mrc-corner-cases/mrcfile-float16.mrc",
  "test/fixtures/mrc-corner-cases/pyto-swapped_byte_order.mrc",
  "test/fixtures/mrc-corner-cases/tomoauto-test_001_mode0.mrc",
  "test/fixtures/mrc-corner-cases/tomoauto-test_002_mode6.st",
].map((path) => loadMap(path));

const interestingInts = [0, 1, 2, 3, 4, 6, 12, 101, -1, -80, 80, 1024, 65536, 2 ** 31 - 1, -(2 ** 31), 0x44410000];

type Mutation =
  | { kind: "word"; index: number; value: number; littleEndian: boolean }
  | { kind: "float"; index: number; value: number }
  | { kind: "byte"; offset: number; value: number }
  | { kind: "truncate"; fraction: number }
  | { kind: "append"; bytes: Uint8Array };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant("word" as const),
    index: fc.integer({ min: 0, max: 55 }),
    value: fc.oneof(fc.constantFrom(...interestingInts), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
    littleEndian: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant("float" as const),
    index: fc.integer({ min: 10, max: 55 }),
    value: fc.oneof(fc.constantFrom(NaN, Infinity, -Infinity, 0, -0, 1e30, -1e-30), fc.double()),
  }),
  fc.record({
    kind: fc.constant("byte" as const),
    offset: fc.integer({ min: 0, max: 60_000 }),
    value: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ kind: fc.constant("truncate" as const), fraction: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant("append" as const), bytes: fc.uint8Array({ maxLength: 64 }) }),
);

function apply(bytes: Uint8Array, m: Mutation): Uint8Array {
  switch (m.kind) {
    case "word":
      return bytes.length < 4 * m.index + 4 ? bytes : edited(bytes, (v) => v.setInt32(4 * m.index, m.value, m.littleEndian));
    case "float":
      return bytes.length < 4 * m.index + 4 ? bytes : edited(bytes, (v) => v.setFloat32(4 * m.index, m.value, true));
    case "byte":
      return edited(bytes, (_v, copy) => {
        if (copy.length > 0) copy[m.offset % copy.length] = m.value;
      });
    case "truncate":
      return bytes.subarray(0, Math.floor(bytes.length * m.fraction));
    case "append":
      return concat(bytes, m.bytes);
  }
}

const wrapping = fc.oneof(
  fc.constant({ kind: "plain" as const }),
  fc.constant({ kind: "gzip" as const }),
  fc.record({ kind: fc.constant("gzip-flip" as const), offset: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("gzip-cut" as const), fraction: fc.double({ min: 0, max: 1, noNaN: true }) }),
);

function checkResult(result: MapReadResult): void {
  const { volume, stats, warnings } = result;
  for (const n of [volume.nx, volume.ny, volume.nz]) expect(Number.isInteger(n) && n > 0).toBe(true);
  expect(volume.data).toBeInstanceOf(Float32Array);
  expect(volume.data.length).toBe(volume.nx * volume.ny * volume.nz);
  expect(volume.data.length * 4).toBeLessThanOrEqual(MAX_BYTES);
  if (volume.voxelSize !== null) for (const v of volume.voxelSize) expect(Number.isFinite(v) && v > 0).toBe(true);
  for (const o of volume.origin) expect(Number.isFinite(o)).toBe(true);
  for (const s of [stats.min, stats.max, stats.mean, stats.std]) expect(Number.isFinite(s)).toBe(true);
  expect(stats.finiteCount + stats.nanCount + stats.infCount).toBe(volume.data.length);
  for (const w of warnings) expect(typeof w).toBe("string");
}

describe("reader fuzz", () => {
  it("mutated real maps give a valid volume or a MapFormatError, each within 1 s", async () => {
    let read = 0;
    let rejected = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: bases.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        wrapping,
        fc.record({ lenientVoxelSize: fc.boolean(), signedBytes: fc.option(fc.boolean(), { nil: undefined }) }),
        async (baseIndex, mutations, wrap, options) => {
          let bytes = mutations.reduce(apply, bases[baseIndex]);
          if (wrap.kind !== "plain") bytes = gzip(bytes);
          if (wrap.kind === "gzip-flip") bytes = edited(bytes, (_v, copy) => (copy[wrap.offset % copy.length] = wrap.value));
          if (wrap.kind === "gzip-cut") bytes = bytes.subarray(0, Math.floor(bytes.length * wrap.fraction));
          const started = performance.now();
          try {
            checkResult(await readMap(bytes, { ...options, maxBytes: MAX_BYTES }));
            read++;
          } catch (error) {
            if (!(error instanceof MapFormatError)) throw error;
            expect(error.code).toMatch(/^[a-z-]+$/);
            expect(error.message.length).toBeGreaterThan(10);
            rejected++;
          }
          expect(performance.now() - started).toBeLessThan(1000);
        },
      ),
      { numRuns: RUNS },
    );
    // Both outcomes must actually be exercised, or the property says little.
    expect(read).toBeGreaterThan(30);
    expect(rejected).toBeGreaterThan(30);
  }, 120_000);

  it("random bytes of any length are rejected cleanly", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), async (bytes) => {
        await expect(readMap(bytes, { maxBytes: MAX_BYTES })).rejects.toBeInstanceOf(MapFormatError);
      }),
      { numRuns: RUNS },
    );
  });
});
