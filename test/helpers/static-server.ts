import { join } from "node:path";
import { inject } from "vitest";
import { serveDirectory, type StaticServer } from "../../data-loaders/site/static-server.js";

export type { StaticServer };

/** Serves dist/ as built by test/global-setup.ts for this run; fails the calling test when that build failed. */
export async function serveBuiltSite(projectRoot: string): Promise<StaticServer> {
  const buildError = inject("siteBuildError");
  if (buildError !== null) throw new Error(buildError);
  return serveDirectory(join(projectRoot, "dist"));
}
