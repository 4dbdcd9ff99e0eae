/**
 * `mapval` command dispatcher. A command is one entry in `commands`: it gets its arguments and an output sink, and
 * returns the exit code (0 ok, 2 bad arguments or unusable input with one line on stderr, 1 unexpected failure).
 */
import type { CliIO, Command } from "./cli-io.js";

// Loaded on demand: `mapval info` should not pay for compiling the analysis kernel it never runs.
const commands: Record<string, () => Promise<Command>> = {
  batch: async () => (await import("../batch/batch.js")).runBatch,
  fetch: async () => (await import("./cli-fetch.js")).runFetch,
  info: async () => (await import("./cli-info.js")).runInfo,
  report: async () => (await import("./cli-report.js")).runReport,
};

export const processIO: CliIO = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

function usage(): string {
  return `usage: mapval <command> [arguments]\ncommands: ${Object.keys(commands).join(", ")}\nrun "mapval <command> --help" for a command's arguments\n`;
}

export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const [name, ...args] = argv;
  if (name === "--help" || name === "-h" || name === "help") {
    io.out(usage());
    return 0;
  }
  if (name === undefined || !Object.hasOwn(commands, name)) {
    io.err((name === undefined ? "mapval: missing command\n" : `mapval: unknown command "${name}"\n`) + usage());
    return 2;
  }
  try {
    const command = await commands[name]();
    return await command(args, io);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.err(`mapval ${name}: unexpected error: ${message.replace(/\s*\n\s*/g, " ")}\n`);
    return 1;
  }
}
