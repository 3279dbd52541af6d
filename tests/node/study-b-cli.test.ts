// The headless CLI on the Study B demo spec (examples/demo/geo-unlearning.json): the DEMO Llama and data are
// generated into a temporary static folder (scripts/demo/llama-demo.ts), the run goes through
// `node bin/stereoscope.mjs run` like a user's, and the bundle holds rates, transfer matrix and loss curves; the rates
// are recounted from the per-item table. A second run reads one MCQ file per language and evaluates in-sample.
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

import { writePerLanguageMcq } from '../helpers/study-b-files';
import type { GeoUnlearningResult } from '../../workers/contract/results/geo-unlearning';
import { STUDY_B_LANGUAGES } from '../../workers/contract/specs/geo-unlearning';

const run = promisify(execFile);

/**
 * Recounts the rates of a result from its per-item table alone: each likelihood row's class from its chosen,
 * target and unknown letters, then per phase × mode × language (and pooled) the share of each class, which must
 * equal the reported rates and counts.
 */
function expectRatesRecount(r: GeoUnlearningResult) {
  const t = r.tables.predictions;
  const at = (row: (string | number | null)[], name: string) => row[t.columns.indexOf(name)];
  for (const row of t.rows) {
    if (at(row, 'mode') !== 'likelihood') continue;
    const chosen = at(row, 'chosen');
    expect(at(row, 'class')).toBe(
      chosen === at(row, 'target') ? 'stereotype' : chosen === at(row, 'unknown_option') ? 'unknown' : 'other',
    );
  }
  const rt = r.tables.rates;
  const cell = (row: (string | number | null)[], name: string) => row[rt.columns.indexOf(name)];
  expect(rt.rows.length).toBe(r.modes.length * 2 * (r.languages.length + 1));
  for (const rate of rt.rows) {
    const mine = t.rows.filter(
      (x) =>
        at(x, 'phase') === cell(rate, 'phase') &&
        at(x, 'mode') === cell(rate, 'mode') &&
        (cell(rate, 'language') === 'overall' || at(x, 'language') === cell(rate, 'language')),
    );
    expect(mine.length).toBeGreaterThan(0);
    expect(cell(rate, 'n')).toBe(mine.length);
    for (const k of ['stereotype', 'unknown', 'other'])
      expect(cell(rate, `${k}_rate`), `${rate.slice(0, 3).join(' ')} ${k}`).toBeCloseTo(
        mine.filter((x) => at(x, 'class') === k).length / mine.length,
        12,
      );
  }
}

describe('stereoscope run examples/demo/geo-unlearning.json', () => {
  it('runs baseline, unlearning and re-evaluation on the demo Llama and writes the bundle', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'study-b-cli-'));
    await writeStudyBDemo(join(dir, 'static', 'demo'));
    const out = join(dir, 'results.json');
    const { stderr } = await run(
      process.execPath,
      ['bin/stereoscope.mjs', 'run', 'examples/demo/geo-unlearning.json', '--out', out],
      {
        timeout: 280_000,
        env: { ...process.env, STEREOSCOPE_STATIC: join(dir, 'static') },
      },
    );
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
    expect(r.transfer.map((t) => t.evalLanguages)).toEqual([
      ['en', 'fr', 'id'],
      ['en', 'fr', 'id'],
    ]);
    for (const name of ['loss', 'L_GA', 'L_unk', 'L_KL'])
      expect(r.curves.find((c) => c.name === name)?.points).toHaveLength(4);
    expect(bundle.series.find((m) => m.name === 'L_KL')?.points).toHaveLength(4);
    expectRatesRecount(r);
  }, 300_000);

  it('runs one MCQ file per language ({lang} file name, sha256 per language) in-sample: trains and evaluates on every row', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'study-b-cli-'));
    await writeStudyBDemo(join(dir, 'static', 'demo'));
    const languages = ['en', 'fr'];
    const { sha256, rows } = await writePerLanguageMcq(dir, languages);
    const spec = JSON.parse(await readFile('examples/demo/geo-unlearning.json', 'utf8'));
    Object.assign(spec, {
      mcq: { from: 'file', name: join(dir, 'mcq_{lang}.csv'), sha256 },
      languages,
      evalSplit: 'in-sample',
      evaluation: ['likelihood'],
    });
    spec.train.steps = 1;
    await writeFile(join(dir, 'spec.json'), JSON.stringify(spec));
    const out = join(dir, 'r.json');
    // Two evaluations of 24 items and one step: ~150 s on SwiftShader with 2 shared cores.
    const { stderr } = await run(
      process.execPath,
      ['bin/stereoscope.mjs', 'run', join(dir, 'spec.json'), '--out', out],
      { timeout: 380_000, env: { ...process.env, STEREOSCOPE_STATIC: join(dir, 'static') } },
    );
    expect(stderr).toMatch(
      /split: in-sample \(the study's setup\): trained on all 12 rows in en and evaluated on every row \(12 in en, 12 in fr\)/,
    );
    expect(stderr).toMatch(/done in .*: stereotype rate \(likelihood, in-sample \(training rows\)\) in en/);
    const r = readBundle(JSON.parse(await readFile(out, 'utf8'))).run.result as GeoUnlearningResult;
    expect(r.evalSplit).toBe('in-sample');
    expect(r.trainRows).toBe(rows.en);
    // Every row of every language's own file is evaluated, before and after: the training rows included.
    const items = (phase: string, language: string) =>
      r.tables.predictions.rows.filter((x) => x[0] === phase && x[2] === language).map((x) => x[3]);
    for (const phase of ['before', 'after'])
      for (const l of languages) expect(items(phase, l), `${phase} ${l}`).toEqual([...Array(rows[l]).keys()]);
    const col = r.tables.rates.columns.indexOf('evaluated_on');
    expect(new Set(r.tables.rates.rows.map((x) => x[col]))).toEqual(new Set(['in-sample (training rows)']));
    expectRatesRecount(r);
  }, 400_000);

  it("the app's demo spec finds its demo model and data (shortened to 2 steps)", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'study-b-cli-'));
    await writeStudyBDemo(join(dir, 'static', 'demo'));
    const spec = demoSpec('geo-unlearning') as GeoUnlearningSpec;
    spec.train.steps = 2;
    await writeFile(join(dir, 'spec.json'), JSON.stringify(spec));
    const out = join(dir, 'r.json');
    await run(process.execPath, ['bin/stereoscope.mjs', 'run', join(dir, 'spec.json'), '--out', out, '--quiet'], {
      timeout: 200_000,
      env: { ...process.env, STEREOSCOPE_STATIC: join(dir, 'static') },
    });
    const r = readBundle(JSON.parse(await readFile(out, 'utf8'))).run.result as GeoUnlearningResult;
    // The demo spec evaluates all ten study languages (DEMO items in each).
    expect(r.languages).toEqual([...STUDY_B_LANGUAGES]);
    expect(r.rates.filter((x) => x.phase === 'after').map((x) => x.language)).toEqual([
      ...STUDY_B_LANGUAGES,
      'overall',
    ]);
    expect(r.answerMask).toBe('boundary');
  }, 220_000);
});
