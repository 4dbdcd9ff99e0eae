/**
 * The repository's root (or the installed package's): the nearest folder above this module that holds package.json.
 * Searched for, not counted, because a module sits at a different depth in the sources (data-loaders/<group>/) and in
 * the compiled build (build/). A module bundled elsewhere (mapval batch's child script, in its scratch folder) has no
 * package.json above it: then it is the module's own folder, and a path built on it names a file that is not there,
 * which the code reading it reports, instead of failing every import of this module.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) return start;
  }
}

export const PROJECT_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));
