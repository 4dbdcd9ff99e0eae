// The page's Web Worker (src/workers/level0-worker.ts) as one ES module.
import { writeWorkerBundle } from "../../data-loaders/site/worker-bundle.js";

await writeWorkerBundle(new URL("../workers/level0-worker.ts", import.meta.url));
