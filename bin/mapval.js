#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so the published package needs no build step.
import { register } from "tsx/esm/api";

// A reader that closes the pipe early (mapval info FILE | head) is not an error worth a stack trace.
process.stdout.on("error", (error) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

register();
const { main } = await import("../data-loaders/cli.ts");
process.exitCode = await main(process.argv.slice(2));
