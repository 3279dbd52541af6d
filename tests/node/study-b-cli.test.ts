// The headless CLI on the Study B demo spec (examples/demo/geo-unlearning.json): the DEMO Llama and data are
// generated into a temporary static folder (scripts/demo/llama-demo.ts), the run goes through
// `node bin/stereoscope.mjs run` like a user's, and the bundle holds rates, transfer matrix and loss curves.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { writeStudyBDemo } from '../../scripts/demo/llama-demo';
import { readBundle } from '../../workers/contract/run-bundle';
import { demoSpec } from '../../workers/contract/specs/index';
import type { GeoUnlearningSpec } from '../../workers/contract/specs/geo-unlearning';

import type { GeoUnlearningResult } from '../../workers/contract/results/geo-unlearning';
import { STUDY_B_LANGUAGES } from '../../workers/contract/specs/geo-unlearning';

const run = promisify(execFile);

describe('stereoscope run examples/demo/geo-unlearning.json', () => {
  it('runs baseline, unlearning and re-evaluation on the demo Llama and writes the bundle', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'study-b-cli-'));
    await writeStudyBDemo(join(dir, 'static', 'demo'));
    const out = join(dir, 'results.json');
    const { stderr } = await run(process.execPath, ['bin/stereoscope.mjs', 'run', 'examples/demo/geo-unlearning.json', '--out', out], {
      timeout: 280_000,
      env: { ...process.env, STEREOSCOPE_STATIC: join(dir, 'static') },
    });
    expect(stderr).toMatch(/unlearning in en \(grad-diff-kl, 4 steps\)/);
    expect(stderr).toMatch(/after unlearning: generation evaluation in id/);
    expect(stderr).toMatch(/baseline: likelihood evaluation in en, fr, id \(9 items\)/);
    const bundle = readBundle(JSON.parse(await readFile(out, 'utf8')));
    expect(bundle.run.status).toBe('done');
    const r = bundle.run.result as GeoUnlearningResult;
    expect(r.modes).toEqual(['likelihood', 'generation']);
    // 12 items per language, evalFraction 0.25 → 3 evaluation rows × 3 languages × 2 modes × before/after.
    expect(r.tables.predictions.rows).toHaveLength(3 * 3 * 2 * 2);
    expect(r.rates.filter((x) => x.language === 'overall')).toHaveLength(4);
    expect(r.transfer.map((t) => t.evalLanguages)).toEqual([['en', 'fr', 'id'], ['en', 'fr', 'id']]);
    for (const name of ['loss', 'L_GA', 'L_unk', 'L_KL']) expect(r.curves.find((c) => c.name === name)?.points).toHaveLength(4);
    expect(bundle.series.find((m) => m.name === 'L_KL')?.points).toHaveLength(4);
  }, 300_000);

  it("the app's demo spec finds its demo model and data (shortened to 2 steps)", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'study-b-cli-'));
    await writeStudyBDemo(join(dir, 'static', 'demo'));
    const spec = demoSpec('geo-unlearning') as GeoUnlearningSpec;
    spec.train.steps = 2;
    await writeFile(join(dir, 'spec.json'), JSON.stringify(spec));
    const out = join(dir, 'r.json');
    await run(process.execPath, ['bin/stereoscope.mjs', 'run', join(dir, 'spec.json'), '--out', out, '--quiet'], { timeout: 200_000, env: { ...process.env, STEREOSCOPE_STATIC: join(dir, 'static') } });
    const r = readBundle(JSON.parse(await readFile(out, 'utf8'))).run.result as GeoUnlearningResult;
    // The demo spec evaluates all ten study languages (DEMO items in each).
    expect(r.languages).toEqual([...STUDY_B_LANGUAGES]);
    expect(r.rates.filter((x) => x.phase === 'after').map((x) => x.language)).toEqual([...STUDY_B_LANGUAGES, 'overall']);
    expect(r.answerMask).toBe('boundary');
  }, 220_000);
});
