/**
 * The batch index page's weight at 10,000 entries (issue: under 1 MB transferred). A 10,000-entry batch directory is
 * generated (test/helpers/batch-fixture.ts) and read by the index's loader (data-loaders/batch/batch-output.ts); a small
 * batch site is built (`npm run build` with MAPVAL_BATCH_DIR) for the page's other files, which do not grow with the
 * batch (the sidebar lists five entries). The figure is the sum of the built files batch/index.html names (its
 * stylesheets, modules and the Arrow table) with the 10,000-row table in place of the small one.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { batchIndexTable, checkBatchEntries, readBatchSummary } from "../data-loaders/batch/batch-output.js";
import { makeBatchDir } from "../test/helpers/batch-fixture.js";

const projectRoot = join(import.meta.dirname, "..");
const ENTRIES = 10_000;
const LIMIT = 1_000_000;

/** The files a built page loads: its stylesheets and module preloads, and the files it registers. */
function pageFiles(site: string, page: string): string[] {
  const html = readFileSync(join(site, page), "utf8");
  const links = [...html.matchAll(/<link rel="(?:stylesheet|modulepreload)"[^>]* href="([^"]+)"/g)].map((m) => m[1]);
  const registered = [...html.matchAll(/registerFile\([^,]+, \{[^}]*"path":"([^"]+)"/g)].map((m) => m[1]);
  return [...new Set([...links, ...registered])].map((href) => join(site, dirname(page), href));
}

export async function run(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), "mapval-batch-index-"));
  try {
    let started = performance.now();
    makeBatchDir(join(scratch, "large"), ENTRIES);
    console.log(`generated ${ENTRIES} entries in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    started = performance.now();
    const rows = readBatchSummary(join(scratch, "large"));
    checkBatchEntries(join(scratch, "large"), rows);
    const table = batchIndexTable(rows);
    console.log(`index loader (read, check every entry file, write): ${((performance.now() - started) / 1000).toFixed(1)} s, ` +
      `table ${table.length} bytes (${(table.length / ENTRIES).toFixed(1)} bytes per entry)`);

    makeBatchDir(join(scratch, "small"), 20);
    const site = join(scratch, "site");
    started = performance.now();
    const build = spawnSync(process.execPath, [join(projectRoot, "scripts", "build-site.mjs")], {
      cwd: projectRoot, encoding: "utf8", maxBuffer: 256 << 20,
      env: { ...process.env, MAPVAL_BATCH_DIR: join(scratch, "small"), MAPVAL_SITE_OUTPUT: site },
    });
    if (build.status !== 0) throw new Error(`batch site build failed:\n${build.stderr}`);
    console.log(`20-entry batch site built in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const files = pageFiles(site, join("batch", "index.html"));
    const arrows = files.filter((f) => f.endsWith(".arrow"));
    if (arrows.length !== 1) throw new Error(`expected one Arrow table on the index page, found ${arrows.length}`);
    const fixed = [join(site, "batch", "index.html"), ...files.filter((f) => !f.endsWith(".arrow"))]
      .reduce((sum, f) => sum + statSync(f).size, 0);
    const total = fixed + table.length;
    console.log(`index page files other than the table: ${files.length} files + the page, ${fixed} bytes`);
    console.log(`batch index page at ${ENTRIES} entries: ${total} bytes (${(total / 1e6).toFixed(3)} MB; limit ${LIMIT / 1e6} MB) — ${total < LIMIT ? "under" : "OVER"} the limit`);
  } finally {
    rmSync(join(projectRoot, "src", "data", "batch-entries"), { force: true });
    rmSync(scratch, { recursive: true, force: true });
  }
}
