/**
 * Browser tests run against the built site, so their vitest project builds dist/ once before its first test file,
 * through the same script as `npm run build` (fresh loader output, offline checks included).
 *
 * A failed build is handed to the tests (see `requireBuiltSite`) instead of thrown here: thrown, it would abort the
 * whole run and hide the unit test results along with it.
 */
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** Why `npm run build` failed for this run, or null when dist/ is fresh. */
    siteBuildError: string | null;
  }
}

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "..");

export default function buildSite(project: TestProject): void {
  const started = performance.now();
  const result = spawnSync(process.execPath, [join(projectRoot, "scripts", "build-site.mjs")], {
    cwd: projectRoot,
    encoding: "utf8",
  });
  if (result.status === 0) {
    console.log(`site built into dist/ for the browser tests in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    project.provide("siteBuildError", null);
  } else {
    // The reason is on stderr; Framework's progress log on stdout comes after it, for context.
    const output = `${result.error ?? ""}\n${result.stderr ?? ""}\n--- build log ---\n${result.stdout ?? ""}`;
    project.provide("siteBuildError", `site build failed (exit ${result.status}):\n${output.trim()}`);
  }
}
