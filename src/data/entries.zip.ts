// The site's data for every configured entry (mapval.entries.json), one directory per entry plus index.json. Each
// entry is computed in its own process (data-loaders/site/site-entry.ts), two at a time: the slow sections (0.e) then use
// both cores, and one entry's memory is freed before the next. Each process therefore computes its bands on one worker
// thread (MAPVAL_WORKERS=1 unless set), not one per core.
//
// Computed entries are kept in node_modules/.cache/mapval-site/<key>/, where the key hashes everything they are
// computed from (the entries configuration, the kernel, the loaders, the lockfile): any change to those computes
// every entry again, an unchanged tree rebuilds the site without recomputing 0.e–0.g.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import JSZip from "jszip";
import { batchDirFromEnv } from "../../data-loaders/batch/batch-output.js";
import { listEntries } from "../../data-loaders/emdb/resolve-entry.js";
import { siteEntriesPath } from "../../data-loaders/site/site-entries.js";

const projectRoot = join(import.meta.dirname, "..", "..");
const childScript = join(projectRoot, "data-loaders", "site", "site-entry.ts");
// A site publishing a batch (MAPVAL_BATCH_DIR, observablehq.config.ts) computes no bundled entry; the entry processes
// read the same configuration (MAPVAL_SITE_ENTRIES, passed on in their environment).
const entriesPath = siteEntriesPath();
const entries = batchDirFromEnv() ? [] : listEntries(entriesPath);
const ids = entries.map((entry) => entry.id);

function sourcesKey(): string {
  const hash = createHash("sha256");
  const files = [relative(projectRoot, entriesPath), "package-lock.json", "src/data/entries.zip.ts"];
  for (const dir of ["lib", "data-loaders"])
    for (const name of readdirSync(join(projectRoot, dir), { recursive: true }) as string[])
      if (name.endsWith(".ts")) files.push(join(dir, name));
  // Map and half-map files are checked against their configured SHA-256 when read; hashing them too covers entries
  // without one.
  const configured = (file: string) => relative(projectRoot, join(dirname(entriesPath), file));
  for (const entry of entries) {
    if (entry.file) files.push(configured(entry.file));
    for (const half of [entry.half1, entry.half2]) if (half?.kind === "file") files.push(configured(half.file));
  }
  for (const file of files.sort()) hash.update(file).update(readFileSync(join(projectRoot, file)));
  return hash.digest("hex").slice(0, 16);
}

const cacheRoot = join(projectRoot, "node_modules", ".cache", "mapval-site");
const workDir = join(cacheRoot, sourcesKey());

/** Computes one entry into <workDir>/<id>, written under a temporary name and renamed when complete. */
function computeEntry(id: string): Promise<void> {
  if (existsSync(join(workDir, id))) return Promise.resolve();
  const partial = join(workDir, `${id}.partial`);
  rmSync(partial, { recursive: true, force: true });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", childScript, `--id=${id}`, `--out=${partial}`], {
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, MAPVAL_WORKERS: process.env.MAPVAL_WORKERS ?? "1" },
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`${id}: entry loader exited with ${code}`));
      renameSync(partial, join(workDir, id));
      resolve();
    });
  });
}

// Entries of other source trees are dropped once unused for an hour (another checkout may share node_modules).
for (const old of existsSync(cacheRoot) ? readdirSync(cacheRoot) : []) {
  const dir = join(cacheRoot, old);
  if (dir !== workDir && Date.now() - statSync(dir).mtimeMs > 3600_000) rmSync(dir, { recursive: true, force: true });
}
mkdirSync(workDir, { recursive: true });

const queue = [...ids];
await Promise.all(
  [0, 1].map(async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) await computeEntry(id);
  }),
);
const zip = new JSZip();
// A fixed date keeps the archive identical between builds of the same sources.
const date = new Date("2000-01-01T00:00:00Z");
const index = [];
for (const id of ids) {
  const dir = join(workDir, id);
  for (const name of readdirSync(dir)) {
    if (name === "index-row.json") index.push(JSON.parse(readFileSync(join(dir, name), "utf8")));
    else zip.file(`${id}/${name}`, readFileSync(join(dir, name)), { date, createFolders: false });
  }
}
zip.file("index.json", JSON.stringify(index), { date });
process.stdout.write(await zip.generateAsync({ type: "nodebuffer", compression: "DEFLATE", compressionOptions: { level: 3 } }));
