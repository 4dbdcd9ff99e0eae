// Observable Framework configuration for the mapval site. Every setting here keeps the build and the built pages offline:
// the defaults pull Google Fonts, a dated footer and a /favicon.ico request that 404s.
import { rmSync, symlinkSync } from "node:fs";
import { join, resolve } from "node:path";
import { batchDirFromEnv, readBatchSummary, type BatchRow } from "./data-loaders/batch/batch-output.js";
import { listEntries } from "./data-loaders/emdb/resolve-entry.js";
import { siteEntriesPath } from "./data-loaders/site/site-entries.js";

// MAPVAL_BATCH_DIR=DIR publishes the output of `mapval batch` (docs/batch.md) instead of the bundled entries.
const batchDir = batchDirFromEnv();
const batch = batchDir ? readBatchSummary(batchDir) : null;
// Exactly the entries of mapval.entries.json (or of MAPVAL_SITE_ENTRIES) get a report page (none when a batch is published).
const entries = batch ? [] : listEntries(siteEntriesPath());
// A batch entry's page reads its report.json or error.json as a static file through this link to the batch
// directory (src/batch/[id].md): copying 10,000 files is quick where 10,000 data loader processes are not.
const batchLink = join(import.meta.dirname, "src", "data", "batch-entries");
rmSync(batchLink, { force: true });
if (batchDir) symlinkSync(resolve(batchDir), batchLink, "dir");
const batchPath = (row: BatchRow) => (row.status === "done" ? `/batch/${row.id}` : `/batch/failed/${row.id}`);
/** Sidebar links for a batch: the index and its first few entries (not 10,000 links on every page). */
const BATCH_SIDEBAR_ENTRIES = 5;

export default {
  title: "mapval",
  root: "src",
  output: process.env.MAPVAL_SITE_OUTPUT ?? "dist",
  style: "style.css",
  globalStylesheets: [],
  footer: "",
  head: `<link rel="icon" href="data:,">`,
  search: false,
  // Only the open-a-map page, the teaching lab and the entries are published in the sidebar. The developer pages (src/kernel-check.md, src/components-check.md,
  // which the browser tests open) are still built at their paths, linked from nowhere.
  pages: [
    { name: "Open a map", path: "/open" },
    { name: "Teaching lab", path: "/lab" },
    batch
      ? { name: "Batch", open: true, pages: [{ name: "All entries", path: "/batch/" }, ...batch.slice(0, BATCH_SIDEBAR_ENTRIES).map((row) => ({ name: row.id, path: batchPath(row) }))] }
      : { name: "Entries", open: true, pages: entries.map((entry) => ({ name: entry.emdb?.toLowerCase() === entry.id ? entry.emdb : entry.id, path: `/entries/${entry.id}` })) },
  ],
  dynamicPaths: batch ? batch.map(batchPath) : entries.map((entry) => `/entries/${entry.id}`),
};
