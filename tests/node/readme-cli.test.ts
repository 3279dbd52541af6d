// The README's headless-runner commands, run as a user types them (`npx stereoscope …` from the repository root):
// every `npx stereoscope` line of the README's "The headless runner" block is run here, the share-link example with
// a real link in place of the README's shortened one, so the README cannot show a command that does not work.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readBundle } from '../../workers/contract/run-bundle';
import { CATALOG } from '../../workers/contract/specs/catalog';
import { demoSpec } from '../../workers/contract/specs/index';
import { shareLink } from '../../workers/contract/specs/share';

const exec = promisify(execFile);

/** The `npx stereoscope …` lines of the README's first code block after the "The headless runner" heading. */
async function readmeCommands(): Promise<string[]> {
  const readme = await readFile('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## The headless runner'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block.split('\n').filter((l) => l.startsWith('npx stereoscope '));
}

/** Splits a command line as a POSIX shell would for these lines (single quotes, spaces). */
function words(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

describe('README: the headless runner', () => {
  it('shows run (spec file and share link) and list, and each works as written', async () => {
    const lines = await readmeCommands();
    expect(lines.map((l) => words(l)[2])).toEqual(['run', 'run', 'list']);
    const dir = await mkdtemp(join(tmpdir(), 'stereoscope-readme-'));
    for (const line of lines) {
      const argv = words(line).slice(1); // after `npx`
      const out = argv.indexOf('--out');
      if (out >= 0) argv[out + 1] = join(dir, argv[out + 1]);
      // The README shortens its share link; the same command with a complete link of that kind.
      if (argv[1] === 'run' && argv[2].startsWith('https://')) argv[2] = shareLink(demoSpec('engine-check'), argv[2]);
      const { stdout, stderr } = await exec('npx', argv, { timeout: 120_000 });
      if (argv[1] === 'list') {
        for (const c of CATALOG) expect(stdout, stderr).toContain(c.kind);
        expect(stdout).toMatch(/engine-check\s+check\s+runnable/);
      } else {
        const { run } = readBundle(JSON.parse(await readFile(argv[out + 1], 'utf8')));
        expect(run.status, stderr).toBe('done');
        expect(run.kind).toBe('engine-check');
      }
    }
  });
});
