/**
 * Peak memory of the gzip path, measured as the peak RSS of a child process that reads one file (the allocations
 * under test are outside the JS heap, so only the process's RSS sees them). The bombs are scaled-down versions of
 * the hostile-inputs issue's: a 2×2×2 map behind a 256 MiB extended header, and 128 MiB of float32 zeros; both are
 * valid maps, written here by streaming zeros through gzip.
 */
import { execFileSync } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileCache } from "../data-loaders/emdb/cache.js";
import { gzip, loadMap } from "./helpers/corrupt.js";

const root = join(import.meta.dirname, "..");
const MiB = 2 ** 20;
let work: string;

/** A 1024-byte float32 header for nx×ny×nz voxels (sampling = size) with an NSYMBT-byte extended header. */
function header(nx: number, ny: number, nz: number, nsymbt: number): Uint8Array {
  const head = loadMap("data/maps/emd_3197.map").slice(0, 1024);
  const view = new DataView(head.buffer);
  [nx, ny, nz, 2].forEach((v, i) => view.setInt32(4 * i, v, true));
  [nx, ny, nz].forEach((v, i) => view.setInt32(28 + 4 * i, v, true));
  view.setInt32(92, nsymbt, true);
  return head;
}

async function writeGzip(path: string, head: Uint8Array, zeros: number, tail: Uint8Array): Promise<void> {
  function* parts() {
    yield head;
    const block = Buffer.alloc(4 * MiB);
    for (let left = zeros; left > 0; left -= block.length) yield block.subarray(0, Math.min(left, block.length));
    yield tail;
  }
  await pipeline(Readable.from(parts()), createGzip({ level: 1 }), createWriteStream(path));
}

/** Peak RSS in MiB of a child that runs `what` on `file`: "read" (readMap) or "cached" (fetchEmdbEntry offline). */
function peakMiB(what: "read" | "cached", file: string): number {
  const script = join(work, "child.mjs");
  writeFileSync(
    script,
    `import { readFileSync } from "node:fs";
const [what, file] = process.argv.slice(2);
if (what === "read") {
  const { readMap } = await import(${JSON.stringify(join(root, "lib/io/mrc-reader.ts"))});
  const map = await readMap(new Uint8Array(readFileSync(file)));
  if (map.volume.data.length === 0) throw new Error("no voxels");
} else {
  const { FileCache } = await import(${JSON.stringify(join(root, "data-loaders/emdb/cache.ts"))});
  const { fetchEmdbEntry } = await import(${JSON.stringify(join(root, "data-loaders/emdb/resolve-entry.ts"))});
  const entry = await fetchEmdbEntry("EMD-3197", { cache: new FileCache(file), offline: true });
  if (entry.origin !== "cache") throw new Error("not from the cache");
}
console.log(process.resourceUsage().maxRSS);`,
  );
  const out = execFileSync("node", ["--import", "tsx", script, what, file], { cwd: root, timeout: 60_000 });
  return Number(out.toString().trim()) / 1024;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "mapval-memory-"));
  writeFileSync(join(work, "small.map.gz"), gzip(loadMap("data/maps/emd_3197.map")));
  const eight = new Uint8Array(new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]).buffer);
  await writeGzip(join(work, "exthdr.map.gz"), header(2, 2, 2, 256 * MiB), 256 * MiB, eight);
  await writeGzip(join(work, "zeros.map.gz"), header(512, 512, 128, 0), 128 * MiB, new Uint8Array(0));
  const cache = new FileCache(join(work, "cache"));
  await cache.write("emdb/EMD-3197/emd_3197.map.gz", new Uint8Array(readFileSync(join(work, "zeros.map.gz"))), null);
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("gzip maps: peak memory", () => {
  it("stays near the map itself: the extended header is skipped, the data held once", { timeout: 180_000 }, () => {
    const baseline = peakMiB("read", join(work, "small.map.gz"));
    const extended = peakMiB("read", join(work, "exthdr.map.gz")) - baseline;
    const zeros = peakMiB("read", join(work, "zeros.map.gz")) - baseline;
    const cached = peakMiB("cached", join(work, "cache")) - baseline;
    console.log(`peak RSS above a small map: extended header ${extended.toFixed(0)} MiB, 128 MiB map ${zeros.toFixed(0)} MiB, cached read ${cached.toFixed(0)} MiB`);
    expect(extended).toBeLessThan(48); // was the whole 256 MiB extended header, inflated and kept
    expect(zeros).toBeLessThan(128 * 1.5); // was inflated bytes + growth copies + the float32 copy (~2.5×)
    expect(cached).toBeLessThan(48); // the cache trusts its record's SHA-256 instead of inflating again
  });
});
