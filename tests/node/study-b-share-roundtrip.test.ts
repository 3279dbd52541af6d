// A Study B spec survives the share link: spec → link → decoded spec is the same spec, and running both on the
// DEMO Llama in Node (tiny settings: two languages, one unlearning step, likelihood evaluation) gives the same
// results — rates, per-item predictions and loss curves. A non-default option (the study's answer-mask rule)
// is used so a field the codec dropped would change the run.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeStudyBDemo } from '../../scripts/demo/llama-demo';
import { demoGeoUnlearningSpec, type GeoUnlearningSpec } from '../../workers/contract/specs/geo-unlearning';
import { parseSpec } from '../../workers/contract/specs/index';
import { decodeShareLink, shareLink } from '../../workers/contract/specs/share';
import { geoUnlearningRunner } from '../../workers/experiments/study-b/runner';
import type { ExperimentContext } from '../../workers/experiments/experiment-runner';
import { testBackend } from '../helpers/gpu';

let previous: string | undefined;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'study-b-share-'));
  await writeStudyBDemo(join(dir, 'demo'));
  previous = process.env.STEREOSCOPE_STATIC;
  process.env.STEREOSCOPE_STATIC = dir;
});

afterAll(() => {
  if (previous === undefined) delete process.env.STEREOSCOPE_STATIC;
  else process.env.STEREOSCOPE_STATIC = previous;
});

async function run(spec: GeoUnlearningSpec) {
  const store = new Map<string, Uint8Array>(); // fresh checkpoints: no run resumes the other's state
  const ctx: ExperimentContext = {
    backend: await testBackend(),
    progress: () => {},
    signal: new AbortController().signal,
    checkpoints: { save: async (k, b) => void store.set(k, b.slice()), load: async (k) => store.get(k) ?? null },
  };
  return geoUnlearningRunner.run(spec, ctx);
}

describe('Study B share link round trip', () => {
  it('decodes to the same spec and reruns to the same results', async () => {
    const base = demoGeoUnlearningSpec();
    const original = parseSpec({
      ...base,
      title: 'share round trip',
      languages: ['en', 'fr'],
      evalFraction: 0.25,
      train: { ...base.train, lr: 0.01, batch: 2, steps: 1, answerMask: 'study' },
      evaluation: ['likelihood'],
    }) as GeoUnlearningSpec;
    const link = shareLink(original, 'https://lab.example/stereoscope/');
    const decoded = decodeShareLink(link) as GeoUnlearningSpec;
    expect(decoded).toEqual(original);
    expect(decoded.train.answerMask).toBe('study');

    const a = await run(original);
    const b = await run(decoded);
    expect(a.answerMask).toBe('study');
    expect(b.tables).toEqual(a.tables);
    expect(b.rates).toEqual(a.rates);
    expect(b.curves).toEqual(a.curves);
    expect(a.tables.predictions.rows.length).toBe(2 * 2 * 3); // before/after × 2 languages × 3 evaluation rows
    expect(a.curves.find((c) => c.name === 'loss')?.points).toHaveLength(1);
  }, 600_000);
});
