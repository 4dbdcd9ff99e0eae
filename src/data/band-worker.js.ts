// The band Web Worker (src/workers/band-worker.ts) as one ES module, started by the page's worker for 0.e–0.g
// (src/workers/web-band-executor.ts).
import { writeWorkerBundle } from "../../data-loaders/site/worker-bundle.js";

await writeWorkerBundle(new URL("../workers/band-worker.ts", import.meta.url));
