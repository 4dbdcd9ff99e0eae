/**
 * Browser tests run against the built site, so their project builds dist/ once before its first test file, through
 * the same script as `npm run build` (fresh loader output, offline checks included).
 */
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "..");

export default function buildSite(): void {
  const started = performance.now();
  const result = spawnSync(process.execPath, [join(projectRoot, "scripts", "build-site.mjs")], {
    cwd: projectRoot,
    encoding: "utf8",
  });
  if (result.status !== 0) {
    throw new Error(`site build failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  console.log(`site built into dist/ for the browser tests in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
