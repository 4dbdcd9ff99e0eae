#!/usr/bin/env node
// Runs the compiled CLI (build/cli.js, made by `npm run build:package`) when it is there and not older than the
// sources; in a development checkout without a fresh build it runs the TypeScript through tsx instead, so `npx mapval`
// works from a plain clone (start-up then costs ≈0.3 s more). The published package holds build/ and no sources.
import { existsSync, readdirSync, statSync } from "node:fs";

// A reader that closes the pipe early (mapval info FILE | head) is not an error worth a stack trace.
process.stdout.on("error", (error) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

const root = new URL("../", import.meta.url);
const compiled = new URL("build/cli.js", root);

/** The newest modification time of the TypeScript the build is made of (0 when there are no sources: a package). */
function newestSource() {
  let newest = 0;
  for (const folder of ["lib/", "data-loaders/"]) {
    const dir = new URL(folder, root);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir, { recursive: true }))
      if (name.endsWith(".ts")) newest = Math.max(newest, statSync(new URL(name, dir)).mtimeMs);
  }
  return newest;
}

let cli;
if (existsSync(compiled) && statSync(compiled).mtimeMs >= newestSource()) {
  cli = await import(compiled.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  cli = await import("../data-loaders/cli/cli.ts");
}
process.exitCode = await cli.main(process.argv.slice(2));
