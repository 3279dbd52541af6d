// The headless runner's entry: a table of subcommands. Add a command by adding an entry to COMMANDS.
import { forwardCommand } from './commands/forward';
import { listCommand } from './commands/list';
import { runCommand } from './commands/run';
import type { Command, Io } from './command';

const COMMANDS: Record<string, Command> = {
  run: runCommand,
  forward: forwardCommand,
  list: listCommand,
};

function usage(io: Io): void {
  io.out('Usage: stereoscope <command> [options]\n\nCommands:\n');
  for (const [name, c] of Object.entries(COMMANDS)) io.out(`  ${c.usage.padEnd(58)} ${c.summary}\n`);
}

export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    usage(io);
    return name ? 0 : 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    io.err(`stereoscope: unknown command "${name}"\n`);
    usage(io);
    return 2;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    io.err(`stereoscope ${name}: ${(e as Error).message}\n`);
    return 1;
  }
}

function defaultIo(): Io {
  return {
    out: (s) => void process.stdout.write(s),
    err: (s) => void process.stderr.write(s),
    isTty: Boolean(process.stderr.isTTY),
  };
}
