/**
 * Which entries configuration the site publishes: the file MAPVAL_SITE_ENTRIES names (e.g. a test's generated entries,
 * docs/entries.md "Publishing other entries"), else the repository's mapval.entries.json. The configuration, the
 * entry loader and the page list all read it here, so that they publish the same entries.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { DEFAULT_ENTRIES_PATH } from "../emdb/resolve-entry.js";

export function siteEntriesPath(env: NodeJS.ProcessEnv = process.env): string {
  const path = env.MAPVAL_SITE_ENTRIES;
  if (path === undefined || path === "") return DEFAULT_ENTRIES_PATH;
  if (!existsSync(path)) throw new Error(`MAPVAL_SITE_ENTRIES=${path}: no such file`);
  return resolve(path);
}
