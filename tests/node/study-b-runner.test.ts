// Study B end to end on the tiny fixture Llama (served by the local Hub stand-in) with a slice of the real MCQ
// data (en + fr rows of ../shared/data/seegull-mcq): a few unlearning steps must raise the stereotyped answers'
// NLL (their log-likelihood goes down) while the retain cross-entropy to the reference stays bounded; the
// results carry per-language rates that sum to 1, the transfer matrix, and the run resumes from its checkpoints.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { geoUnlearningRunner } from '../../workers/experiments/study-b/runner';
import { parseSpec } from '../../workers/contract/specs/index';
import type { GeoUnlearningSpec } from '../../workers/contract/specs/geo-unlearning';
import type { ExperimentContext } from '../../workers/experiments/experiment-runner';
import { startHubServer } from '../helpers/hub-server';
import { testBackend } from '../helpers/gpu';
import { shared } from '../helpers/shared';
import type { ProgressEvent } from '../../workers/contract/progress';

const DATA = shared('data/seegull-mcq');
const ROWS = 6;
// SwiftShader on 2 shared cores: ~10 s per step of 3 streams and ~10 s per evaluated item × language here.
const TIMEOUT = 400_000;

async function fixtureData(dir: string) {
  const take = async (lang: string) => {
    const lines = (await readFile(join(DATA, `mcq_stereotype_dataset_${lang}.csv`), 'utf8')).split('\n');
    // The first rows have no embedded newlines (checked by the parse below: ROWS items per language).
    return { header: lines[0], rows: lines.slice(1, 1 + ROWS) };
  };
  const en = await take('en');
  const fr = await take('fr');
  const csv =
    [`language,${en.header}`, ...en.rows.map((r) => `en,${r}`), ...fr.rows.map((r) => `fr,${r}`)].join('\n') + '\n';
  await writeFile(join(dir, 'mcq.csv'), csv);
  await writeFile(
    join(dir, 'retain.csv'),
    'question,best_answer\nWhat is the capital of France?,Paris.\nHow many legs does a cat have?,Four.\nWhat do cows drink?,Water.\n',
  );
}

function context(be: Awaited<ReturnType<typeof testBackend>>, store: Map<string, Uint8Array>) {
  const events: ProgressEvent[] = [];
  const ctx: ExperimentContext = {
    backend: be,
    progress: (e) => {
      events.push(e);
      if (process.env.STUDY_B_TRACE && e.type !== 'metric' && e.type !== 'download')
        process.stderr.write(`${(performance.now() / 1000).toFixed(1)} ${JSON.stringify(e)}\n`);
    },
    signal: new AbortController().signal,
    checkpoints: { save: async (k, b) => void store.set(k, b.slice()), load: async (k) => store.get(k) ?? null },
  };
  return { ctx, events };
}

describe('Study B runner on the tiny fixture Llama', () => {
  it(
    'unlearning lowers the stereotype log-likelihood, keeps the retain loss bounded, reports rates, resumes',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'study-b-'));
      await fixtureData(dir);
      const hub = await startHubServer({ repos: { 'fixtures/llama-tiny': shared('fixtures/llama-tiny') } });
      try {
        const be = await testBackend();
        const spec = parseSpec({
          version: 1,
          kind: 'geo-unlearning',
          seed: 3,
          model: { id: 'fixtures/llama-tiny', revision: 'main', host: hub.endpoint },
          weights: 'f32',
          mcq: { from: 'file', name: join(dir, 'mcq.csv') },
          retain: { from: 'file', name: join(dir, 'retain.csv') },
          languages: ['en', 'fr'],
          evalFraction: 0.34,
          train: {
            language: 'en',
            loss: 'grad-diff-kl',
            weights: { kl: 1, unlearn: 0.25, unk: 0.5 },
            lora: { rank: 4, alpha: 8, dropout: 0 },
            lr: 0.02,
            batch: 4,
            steps: 4,
          },
          evaluation: ['likelihood'],
        }) as GeoUnlearningSpec;
        const store = new Map<string, Uint8Array>();
        const { ctx, events } = context(be, store);
        const live = be.runner.pool.getStats().liveBytes;
        const result = await geoUnlearningRunner.run(spec, ctx);
        // Weights, LoRA matrices, gradients and AdamW moments are all released when the run ends.
        expect(be.runner.pool.getStats().liveBytes).toBe(live);

        const curve = (name: string) => result.curves.find((c) => c.name === name)!.points.map((p) => p[1]);
        const nll = curve('forget_answer_nll');
        const kl = curve('L_KL');
        expect(nll).toHaveLength(4);
        // 4 training rows and batch 4: every step sees the same forget items, so their NLL must rise.
        expect(nll[3]).toBeGreaterThan(nll[0] + 0.05);
        // Bounded retain term: at step 1 the adapter is the identity (B = 0), so L_KL = H(p_ref); it may not run away.
        expect(kl[3]).toBeLessThan(kl[0] + 0.5);
        console.info(
          `study-b e2e: forget answer NLL ${nll.map((x) => x.toFixed(3)).join(' → ')}; L_KL ${kl.map((x) => x.toFixed(3)).join(' → ')}`,
        );

        expect(result.split).toMatch(/rows aligned across languages/);
        for (const row of result.rates) {
          const r = row.rates;
          expect(r.stereotype.rate + r.unknown.rate + r.other.rate).toBeCloseTo(1, 12);
          expect(r.stereotype.low).toBeLessThanOrEqual(r.stereotype.rate);
          expect(r.stereotype.high).toBeGreaterThanOrEqual(r.stereotype.rate);
        }
        const langs = result.rates.filter((r) => r.phase === 'after').map((r) => r.language);
        expect(langs.sort()).toEqual(['en', 'fr', 'overall']);
        const t = result.transfer[0];
        expect(t.trainLanguages).toEqual(['none', 'en']);
        expect(t.evalLanguages).toEqual(['en', 'fr']);
        expect(t.delta[0]).toEqual([0, 0]);
        expect(result.tables.predictions.rows).toHaveLength(2 * 2 * 2); // before/after × 2 languages × 2 eval rows
        expect(events.some((e) => e.type === 'metric' && e.name === 'L_unk')).toBe(true);
        expect([...store.keys()]).toContain('study-b/adapter_model.safetensors');

        // Resume: the stored state is at the last step, so a second run trains nothing and reproduces the result.
        const again = context(be, store);
        const resumed = await geoUnlearningRunner.run(spec, again.ctx);
        expect(again.events.some((e) => e.type === 'log' && /resuming at step 4/.test(e.message))).toBe(true);
        expect(again.events.some((e) => e.type === 'metric')).toBe(false);
        expect(resumed.tables.rates).toEqual(result.tables.rates);
        expect(be.runner.pool.getStats().liveBytes).toBe(live);
      } finally {
        await hub.close();
      }
    },
    TIMEOUT,
  );
});
