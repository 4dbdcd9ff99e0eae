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
