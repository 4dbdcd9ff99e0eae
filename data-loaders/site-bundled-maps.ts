/**
 * Body of the `src/data/maps/[name].<ext>.ts` loaders: writes one bundled map from data/maps/ to stdout, byte for byte,
 * so that pages read it as a FileAttachment without a second copy of the file in the repository.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

export const BUNDLED_MAPS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "data", "maps");

export function writeBundledMap(extension: string): void {
  const { name } = parseArgs({ options: { name: { type: "string" } } }).values;
  const file = `${name}.${extension}`;
  // Only names that exist in data/maps: the parameter comes from a page and must not reach other paths.
  if (!readdirSync(BUNDLED_MAPS_DIR).includes(file)) {
    throw new Error(`no bundled map ${file} in ${BUNDLED_MAPS_DIR}`);
  }
  process.stdout.write(readFileSync(join(BUNDLED_MAPS_DIR, file)));
}
