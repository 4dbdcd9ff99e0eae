// Observable Framework configuration for the mapval site. Every setting here keeps the build and the built pages offline:
// the defaults pull Google Fonts, a dated footer and a /favicon.ico request that 404s.
export default {
  title: "mapval",
  root: "src",
  output: "dist",
  style: "style.css",
  globalStylesheets: [],
  footer: "",
  head: `<link rel="icon" href="data:,">`,
  search: false,
  pages: [{ name: "Kernel check", path: "/kernel-check" }],
};
