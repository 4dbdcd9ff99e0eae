import { parseArgs, type ParseArgsConfig } from "node:util";

/** What every `mapval` command is given and returns, shared by the dispatcher (cli.ts) and the commands. */
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

type OptionSpecs = NonNullable<ParseArgsConfig["options"]>;
type Parsed<T extends OptionSpecs> = ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: T & typeof helpOption }>>;
const helpOption = { help: { type: "boolean", short: "h", default: false } } as const;

/**
 * The arguments of a command that takes positionals and options: parsed (with -h/--help), or the exit code when the
 * command ends here: 0 after printing `help` (default: the usage), 2 after one line on stderr for unknown options or
 * fewer positionals than `positionals.min` (`positionals.missing` names them) or more than `positionals.max`.
 */
export function commandArguments<T extends OptionSpecs>(
  spec: { command: string; usage: string; help?: string; options: T; positionals: { missing: string; max?: number } },
  args: string[],
  io: CliIO,
): Parsed<T> | number {
  const fail = (message: string) => {
    io.err(`mapval ${spec.command}: ${message} (${spec.usage})\n`);
    return 2;
  };
  let parsed: Parsed<T>;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { ...spec.options, ...helpOption } }) as Parsed<T>;
  } catch (error) {
    return fail((error as Error).message);
  }
  if ((parsed.values as { help?: boolean }).help) {
    io.out(spec.help ?? `${spec.usage}\n`);
    return 0;
  }
  const count = parsed.positionals.length;
  if (count === 0) return fail(`missing ${spec.positionals.missing}`);
  if (spec.positionals.max !== undefined && count > spec.positionals.max) return fail(`give exactly one ${spec.positionals.missing}`);
  return parsed;
}
