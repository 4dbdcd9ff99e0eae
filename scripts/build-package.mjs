// `npm run build:package` (also run by `npm run build` and `prepack`): the published package's JavaScript in build/.
// esbuild bundles the public API (lib/index.ts), the CLI and the band worker as ES modules that share chunks, all
// directly in build/, so that paths the code takes from import.meta.url (the worker beside the pool, the repository
// root one level up) hold as they do in data-loaders/. npm packages stay imports. tsc writes the API's declarations.
// The new build is made beside the old one and swapped in, so a `node bin/mapval.js` started meanwhile (the tests run
// side by side) finds a whole build or none.
import { spawnSync } from "node:child_process";
import { existsSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(projectRoot, "build");
// Per process: two builds at once (two test files) must not write into one another's.
const staging = join(projectRoot, `build-staging-${process.pid}`);
const old = join(projectRoot, `build-old-${process.pid}`); // numbered by attempt

rmSync(staging, { recursive: true, force: true });
await build({
  absWorkingDir: projectRoot,
  entryPoints: { index: "lib/index.ts", cli: "data-loaders/cli/cli.ts", "band-worker": "data-loaders/workers/band-worker.ts", "batch-entry": "data-loaders/batch/batch-entry.ts" },
  outdir: staging,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  logLevel: "warning",
});
const tsc = spawnSync(process.execPath, [join(projectRoot, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json", "--outDir", join(staging, "types")], {
  cwd: projectRoot,
  stdio: "inherit",
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

// Another build may swap its own in between our two renames: then move that one aside too and try again.
for (let attempt = 1; ; attempt++) {
  try {
    if (existsSync(out)) renameSync(out, `${old}-${attempt}`);
    renameSync(staging, out);
    break;
  } catch (error) {
    if (attempt === 3) throw error;
  }
}
for (let attempt = 1; attempt <= 3; attempt++) rmSync(`${old}-${attempt}`, { recursive: true, force: true });
