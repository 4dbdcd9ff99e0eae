/**
 * The repository's root (or the installed package's): the nearest folder above this module that holds package.json.
 * Searched for, not counted, because a module sits at a different depth in the sources (data-loaders/<group>/) and in
 * the compiled build (build/).
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}

export const PROJECT_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));
