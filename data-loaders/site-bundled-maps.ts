/**
 * Node side of the site's access to the bundled maps in data/maps/: the `src/data/maps/[name].<ext>.ts` loaders copy
 * one map to stdout byte for byte (pages then read it as a FileAttachment, with no second copy in the repository), and
 * `src/data/bundled-maps.json.ts` lists them with their grid read by the kernel.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { readMap } from "../lib/mrc-reader.js";
import type { Vec3 } from "../lib/volume.js";

export const BUNDLED_MAPS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "data", "maps");

/** File names of the bundled maps, sorted. */
export function bundledMapFiles(): string[] {
  return readdirSync(BUNDLED_MAPS_DIR)
    .filter((file) => /\.(map|mrc)$/.test(file))
    .sort();
}

/** Loader body: the map named by `--name=<stem>` with the given extension, unchanged, on stdout. */
export function writeBundledMap(extension: "map" | "mrc"): void {
  const { name } = parseArgs({ options: { name: { type: "string" } } }).values;
  const file = `${name}.${extension}`;
  // Only a listed file: the parameter comes from a page and must not reach any other path.
  if (!bundledMapFiles().includes(file)) throw new Error(`no bundled map ${file} in ${BUNDLED_MAPS_DIR}`);
  process.stdout.write(readFileSync(join(BUNDLED_MAPS_DIR, file)));
}

export interface BundledMapEntry {
  file: string;
  /** EMDB accession such as "EMD-3197", from the file name. */
  emdbId: string;
  bytes: number;
  /** From the kernel reader, as the pages would see them. */
  shape: Vec3;
  voxelSize: Vec3 | null;
}

export async function bundledMapsIndex(): Promise<BundledMapEntry[]> {
  const entries: BundledMapEntry[] = [];
  for (const file of bundledMapFiles()) {
    const bytes = readFileSync(join(BUNDLED_MAPS_DIR, file));
    const { volume } = await readMap(new Uint8Array(bytes));
    entries.push({
      file,
      emdbId: `EMD-${/^emd_(\d+)/.exec(file)?.[1] ?? "?"}`,
      bytes: bytes.length,
      shape: [volume.nx, volume.ny, volume.nz],
      voxelSize: volume.voxelSize,
    });
  }
  return entries;
}
