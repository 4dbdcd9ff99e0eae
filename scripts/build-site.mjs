// `npm run build`: builds the site into dist/ without touching the network, then refuses a dist/ that would.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { delimiter, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(projectRoot, "dist");

function run(command, args) {
  const result = spawnSync(command, args, {
    cwd: projectRoot,
    stdio: "inherit",
    env: {
      ...process.env,
      OBSERVABLE_TELEMETRY_DISABLE: "true",
      // Framework spawns `.ts` data loaders as `tsx`, so the local binaries must be on PATH.
      PATH: [join(projectRoot, "node_modules", ".bin"), process.env.PATH].join(delimiter),
    },
  });
  if (result.error) throw result.error;
  if (result.status !== 0) process.exit(result.status ?? 1);
}

// Framework reuses cached loader output even when the loader or a module it imports has changed ("[using stale]").
rmSync(join(projectRoot, "src", ".observablehq", "cache", "data"), { recursive: true, force: true });
run(process.execPath, [join(projectRoot, "scripts", "seed-npm-cache.mjs")]);
run("observable", ["build"]);

// The site must work with no network: any reference to a CDN or any other absolute URL is a build failure.
// XML namespace URIs (w3.org) are identifiers, never fetched.
const EXTERNAL = /jsdelivr|googleapis|gstatic|observablehq\.com|unpkg|esm\.sh|https?:\/\/(?!www\.w3\.org\/)[^\s"'`)]+/g;
const TEXT_FILE = /\.(html|js|css|json|svg|txt)$/;
const offending = [];
for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !TEXT_FILE.test(entry.name)) continue;
  const path = join(entry.parentPath, entry.name);
  for (const match of new Set(readFileSync(path, "utf8").match(EXTERNAL) ?? []))
    offending.push(`${relative(projectRoot, path)}: ${match}`);
}
if (offending.length > 0) {
  console.error(`\ndist/ references resources outside the site (${offending.length}):\n  ${offending.join("\n  ")}`);
  process.exit(1);
}
console.log("dist/ is self-contained: no external reference found");
