// Observable Framework configuration for the mapval site. Every setting here keeps the build and the built pages offline:
// the defaults pull Google Fonts, a dated footer and a /favicon.ico request that 404s.
import { listEntries } from "./data-loaders/resolve-entry.js";

// Exactly the entries of mapval.entries.json get a report page.
const entries = listEntries();

export default {
  title: "mapval",
  root: "src",
  output: "dist",
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
    { name: "Entries", open: true, pages: entries.map((entry) => ({ name: entry.emdb?.toLowerCase() === entry.id ? entry.emdb : entry.id, path: `/entries/${entry.id}` })) },
  ],
  dynamicPaths: entries.map((entry) => `/entries/${entry.id}`),
};
