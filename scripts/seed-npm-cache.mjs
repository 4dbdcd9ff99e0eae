// Framework's client bundle lazily references ~15 `npm:` packages (react-dom, echarts, …) that no mapval page uses.
// To write their /_npm/ paths it asks registry.npmjs.org for a version unless one is already in its npm cache, where an
// empty `<name>@<version>/` directory counts. Seeding those directories keeps `observable build` and `observable preview`
// free of any network request. Nothing is ever downloaded into them: a page that used an implicit import anyway would
// still fail loudly when Framework tried to fetch the package from jsDelivr.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const npmCache = join(projectRoot, "src", ".observablehq", "cache", "_npm");

// Measured on Framework 1.13.4 by answering its registry requests with a stub (see the site foundation report).
const LAZY_CLIENT_PACKAGES = [
  "@observablehq/plot",
  "@observablehq/sample-datasets",
  "apache-arrow",
  "arquero",
  "d3",
  "d3-dsv",
  "echarts",
  "htl",
  "leaflet",
  "lodash",
  "mapbox-gl",
  "parquet-wasm",
  "react",
  "react-dom",
  "topojson-client",
];

// The installed version when there is one, so that the dangling paths name what node_modules holds; otherwise a
// placeholder, since the path is never requested.
function versionOf(name) {
  const manifest = join(projectRoot, "node_modules", name, "package.json");
  return existsSync(manifest) ? JSON.parse(readFileSync(manifest, "utf8")).version : "0.0.0";
}

for (const name of LAZY_CLIENT_PACKAGES) mkdirSync(join(npmCache, `${name}@${versionOf(name)}`), { recursive: true });
