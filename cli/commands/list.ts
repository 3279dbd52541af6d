// `stereoscope list`: the experiment kinds, what they reproduce, and whether this build can run them.
import { runnableKinds } from '../../workers/experiments/registry';
import { CATALOG } from '../../workers/contract/specs/catalog';
import type { Command } from '../command';

export const listCommand: Command = {
  usage: 'list',
  summary: 'list experiment kinds and which ones this build can run',
  async run(_args, io) {
    const runnable = new Set(runnableKinds());
    for (const c of CATALOG)
      io.out(
        `${c.kind.padEnd(18)} ${(c.study ? `Study ${c.study}` : 'check').padEnd(8)} ${runnable.has(c.kind) ? 'runnable' : 'not yet '}  ${c.title}\n`,
      );
    return 0;
  },
};
