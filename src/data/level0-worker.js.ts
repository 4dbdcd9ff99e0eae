// The page's Web Worker (src/workers/level0-worker.ts and the kernel modules it imports) as one ES module, so that
// `new Worker(url, {type: "module"})` needs no import resolution in the browser.
import { build } from "esbuild";

const result = await build({
  entryPoints: [new URL("../workers/level0-worker.ts", import.meta.url).pathname],
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  write: false,
  legalComments: "none",
});
process.stdout.write(result.outputFiles[0].contents);
