// `npm run build`: builds the site into dist/ without touching the network, then rejects a dist/ that is broken or
// that would reach outside itself.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
// MAPVAL_SITE_OUTPUT builds elsewhere (observablehq.config.ts reads it too), e.g. a batch's site beside the default one.
const dist = resolve(projectRoot, process.env.MAPVAL_SITE_OUTPUT ?? "dist");

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

function fail(title, problems) {
  console.error(`\n${title} (${problems.length}):\n  ${problems.join("\n  ")}`);
  process.exit(1);
}

// Every build of this project shares Framework's cache (src/.observablehq/cache), which each clears first, and tests build
// extra sites (a batch's, generated entries) while others run: one build at a time, the others wait for it.
const lock = join(projectRoot, "src", ".observablehq", "build.lock");
const STALE_LOCK_MS = 60 * 60 * 1000;
mkdirSync(dirname(lock), { recursive: true });
for (;;) {
  try {
    mkdirSync(lock);
    break;
  } catch (error) {
    if (error.code !== "EEXIST") throw error;
    // A build killed before it could remove its lock leaves it behind.
    const since = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (since > STALE_LOCK_MS) rmSync(lock, { recursive: true, force: true });
    else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
  }
}
process.on("exit", () => rmSync(lock, { recursive: true, force: true }));

// Framework reuses cached loader output even when the loader or a module it imports has changed ("[using stale]").
rmSync(join(projectRoot, "src", ".observablehq", "cache", "data"), { recursive: true, force: true });
// Framework clears an output directory only inside the project; elsewhere it refuses to overwrite a previous build.
// Only an empty directory or an earlier site (it has _observablehq/) is cleared here, never another directory.
if (existsSync(dist) && readdirSync(dist).length > 0) {
  if (!existsSync(join(dist, "_observablehq"))) fail("Output directory is not empty and holds no earlier site", [dist]);
  rmSync(dist, { recursive: true, force: true });
}
run(process.execPath, [join(projectRoot, "scripts", "seed-npm-cache.mjs")]);
run("observable", ["build"]);

// Framework 1.13 writes a bare `<html>` and has no setting for the language; screen readers and hyphenation need it.
for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith(".html")) continue;
  const path = join(entry.parentPath, entry.name);
  writeFileSync(path, readFileSync(path, "utf8").replace(/<html>/, '<html lang="en">'));
}

const textFiles = readdirSync(dist, { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile() && /\.(html|js|css|json|svg|txt)$/.test(entry.name))
  .map((entry) => {
    const path = join(entry.parentPath, entry.name);
    return { name: relative(projectRoot, path), text: readFileSync(path, "utf8") };
  });

// Framework exits 0 even when a cell fails to compile (a non-local import, a syntax error): it bakes the error into
// the page, which is then broken.
const compileErrors = textFiles
  .filter((file) => file.name.endsWith(".html"))
  .flatMap((file) =>
    [...file.text.matchAll(/class="observablehq--inspect observablehq--error">([^<]*)</g)].map(
      ([, message]) => `${file.name}: ${message}`,
    ),
  );
if (compileErrors.length > 0) fail("Pages with cells that failed to compile", compileErrors);

const withoutLanguage = textFiles.filter((file) => file.name.endsWith(".html") && !file.text.includes('<html lang="en">'));
if (withoutLanguage.length > 0) fail('Pages without <html lang="en">', withoutLanguage.map((file) => file.name));

// Framework also leaves an import it could not resolve as written: a `.ts` specifier (`./lib/x.ts` instead of
// `./lib/x.js`) or a package it failed to bundle (one whose `exports` has only an `import` condition). Either builds
// cleanly and breaks in the browser, so every import in the pages and in the transpiled kernel must name a file of dist/.
const unresolvedImports = textFiles
  .filter((file) => file.name.endsWith(".html") || /^_import[\\/].*\.js$/.test(relative(dist, join(projectRoot, file.name))))
  .flatMap((file) =>
    [...file.text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)"([^"]+)"/g)]
      .map(([, specifier]) => specifier)
      .filter((specifier) => !/^\.\.?\//.test(specifier) || !existsSync(join(projectRoot, dirname(file.name), specifier)))
      .map((specifier) => `${file.name}: ${specifier}`),
  );
if (unresolvedImports.length > 0) fail("Imports that name no file of dist/", unresolvedImports);

// The site must work with no network: a CDN name or any absolute URL is a failure. XML namespace URIs (w3.org) are
// identifiers that are never fetched; EMDB entry pages are links a reader may follow, never loaded by the page.
const EXTERNAL = /jsdelivr|googleapis|gstatic|observablehq\.com|unpkg|esm\.sh|https?:\/\/(?!www\.w3\.org\/|www\.ebi\.ac\.uk\/emdb\/EMD-\d+\b)[^\s"'`)]+/g;
const externalReferences = textFiles.flatMap((file) =>
  [...new Set(file.text.match(EXTERNAL) ?? [])].map((match) => `${file.name}: ${match}`),
);
if (externalReferences.length > 0) fail("dist/ references resources outside the site", externalReferences);
console.log("dist/ is self-contained: every import resolves, no external reference, no cell that failed to compile");
