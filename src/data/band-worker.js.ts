// The band Web Worker (src/workers/band-worker.ts and the kernel modules it imports) as one ES module, started by the
// page's worker for 0.e–0.g (src/workers/web-band-executor.ts).
import { build } from "esbuild";

const result = await build({
  entryPoints: [new URL("../workers/band-worker.ts", import.meta.url).pathname],
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  write: false,
  legalComments: "none",
});
process.stdout.write(result.outputFiles[0].contents);
