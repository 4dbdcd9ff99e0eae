/**
 * Node side of the site's access to the bundled maps in data/maps/: the `src/data/maps/[name].<ext>.ts` loaders copy
 * one map to stdout byte for byte (pages then read it as a FileAttachment, with no second copy in the repository).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { PROJECT_ROOT } from "../project-root.js";

export const BUNDLED_MAPS_DIR = join(PROJECT_ROOT, "data", "maps");

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
