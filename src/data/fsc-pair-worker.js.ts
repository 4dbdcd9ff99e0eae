// The page worker's second worker for Level 1 threshold moves (src/workers/fsc-pair-worker.ts) as one ES module.
import { writeWorkerBundle } from "../../data-loaders/site/worker-bundle.js";

await writeWorkerBundle(new URL("../workers/fsc-pair-worker.ts", import.meta.url));
