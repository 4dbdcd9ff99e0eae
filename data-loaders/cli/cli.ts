/**
 * `mapval` command dispatcher. A command is one entry in `commands`: it gets its arguments and an output sink, and
 * returns the exit code (0 ok, 2 bad arguments or unusable input with one line on stderr, 1 unexpected failure).
 */
export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
}

export type Command = (args: string[], io: CliIO) => Promise<number>;

/**
 * node:util parseArgs takes the "-100" of `--threshold -100` for an option ("argument is ambiguous"): join a negative
 * number that follows one of `valueOptions` to it (`--threshold=-100`) before parsing.
 */
export function joinNegativeNumbers(args: readonly string[], valueOptions: readonly string[]): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const next = args[i + 1];
    if (valueOptions.includes(args[i]) && next !== undefined && /^-(\d|\.\d|Infinity$)/.test(next)) {
      joined.push(`${args[i]}=${next}`);
      i++;
    } else joined.push(args[i]);
  }
  return joined;
}

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
