// The headless runner as a user runs it: `node bin/stereoscope.mjs run …` in a child process (tsx + the `?raw`
// WGSL loader hook), on the engine check, from a spec file and from a share link; bad input exits non-zero.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readBundle } from '../../workers/contract/run-bundle';
import { demoSpec } from '../../workers/contract/specs/index';
import { shareLink } from '../../workers/contract/specs/share';
import type { EngineCheckResult } from '../../workers/contract/results/engine-check';

const run = promisify(execFile);
const BIN = join(process.cwd(), 'bin/stereoscope.mjs');

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { timeout: 90_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('stereoscope CLI', () => {
  it('runs the engine check from a spec file and writes an importable bundle', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stereoscope-cli-'));
    const out = join(dir, 'results.json');
    const { code, stderr } = await cli(['run', 'examples/engine-check.json', '--out', out]);
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/step 4\/4/);
    const { run: rec } = readBundle(JSON.parse(await readFile(out, 'utf8')));
    expect(rec.status).toBe('done');
    expect(rec.host).toBe('node');
    const result = rec.result as EngineCheckResult;
    expect(result.cases.map((c) => [c.M, c.N, c.K])).toEqual([
      [64, 64, 64],
      [33, 70, 17],
      [1, 128, 96],
      [100, 1, 50],
    ]);
    for (const c of result.cases) {
      expect(c.pass).toBe(true);
      expect(c.maxAbsError).toBeLessThanOrEqual(c.tolerance);
      expect(c.gflops).toBeGreaterThan(0);
    }
    expect(result.tables.cases.rows).toHaveLength(4);
  });

  it('runs a share link and refuses a spec from a newer version', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stereoscope-cli-'));
    const spec = { ...demoSpec('engine-check'), shapes: [[5, 3, 7]] as [number, number, number][], repeats: 1 };
    const ok = await cli(['run', shareLink(spec, 'https://lab.example.org/'), '--out', join(dir, 'r.json'), '--quiet']);
    expect(ok.code, ok.stderr).toBe(0);
    const { run: rec } = readBundle(JSON.parse(await readFile(join(dir, 'r.json'), 'utf8')));
    expect((rec.result as EngineCheckResult).cases[0]).toMatchObject({ M: 5, N: 3, K: 7, pass: true });

    await writeFile(join(dir, 'future.json'), JSON.stringify({ ...spec, version: 99 }));
    const bad = await cli(['run', join(dir, 'future.json'), '--out', join(dir, 'x.json')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/newer version of Stereoscope/);
    const unknown = await cli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command/);
  });
});
