// Entry of a band worker thread. A worker does not inherit the TypeScript loader that bin/mapval.js registers in the
// main thread (nor vitest's), so it registers tsx itself before loading band-worker.ts; where tsx is already active
// (`tsx`, `node --import tsx`), registering it again is harmless.
import { register } from "tsx/esm/api";

register();
await import("./band-worker.ts");
