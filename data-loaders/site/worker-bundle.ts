/**
 * A page worker (a src/workers/ module and the kernel modules it imports) as one minified ES module on stdout, so that
 * `new Worker(url, {type: "module"})` needs no import resolution in the browser. The src/data/*-worker.js.ts loaders
 * call it.
 */
import { build } from "esbuild";

export async function writeWorkerBundle(entry: URL): Promise<void> {
  const result = await build({
    entryPoints: [entry.pathname],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    write: false,
    legalComments: "none",
  });
  process.stdout.write(result.outputFiles[0].contents);
}
