import { bundledMapsIndex } from "../../data-loaders/site-bundled-maps.js";

process.stdout.write(JSON.stringify(await bundledMapsIndex()));
