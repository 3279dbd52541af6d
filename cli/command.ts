// What a CLI subcommand looks like, and a tiny option parser shared by the commands.

export interface Io {
  out(text: string): void;
  err(text: string): void;
  isTty: boolean;
}

export interface Command {
  usage: string;
  summary: string;
  /** Returns the process exit code. */
  run(args: string[], io: Io): Promise<number>;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Splits `args` into positionals and `--name value` / `--flag` options; `flags` lists options without a value. */
export function parseArgs(
  args: string[],
  flags: string[] = [],
): { positional: string[]; options: Record<string, string | true> } {
  const positional: string[] = [];
  const options: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) positional.push(a);
    else if (flags.includes(a.slice(2))) options[a.slice(2)] = true;
    else {
      const value = args[++i];
      if (value === undefined) throw new UsageError(`option ${a} needs a value`);
      options[a.slice(2)] = value;
    }
  }
  return { positional, options };
}
