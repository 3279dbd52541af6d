// The memory preview the app shows before a Study B run: its numbers are the runner's check (the same function,
// and equal to the estimate the runner computed before the refactor from the parsed Llama config), over-budget
// specs are refused with the reason and what to change, registry shapes match the public config, and a model's
// config comes from its host as config.json alone.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseLlamaConfig } from '../../models/llama/config';
import { findModel, hasLocalConfig } from '../../models/registry';
import { memoryPreview, modelConfig } from '../../workers/experiments/memory-preview';
import { demoSpec } from '../../workers/contract/specs/index';
import { demoGeoUnlearningSpec, type GeoUnlearningSpec } from '../../workers/contract/specs/geo-unlearning';
import {
  checkFits,
  checkStudyBMemory,
  decoderShapeOf,
  decoderShapeOfJson,
  estimateMemory,
} from '../../workers/experiments/study-b/memory';

import { startHubServer } from '../helpers/hub-server';
import type { GpuInfo } from '../../workers/contract/device';

const GiB = 2 ** 30;
// Llama-3.2-1B's config.json (public model card), the keys the estimate reads plus a few it ignores.
const LLAMA_1B = {
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  hidden_size: 2048,
  intermediate_size: 8192,
  num_hidden_layers: 16,
  num_attention_heads: 32,
  num_key_value_heads: 8,
  head_dim: 64,
  vocab_size: 128256,
  tie_word_embeddings: true,
  rms_norm_eps: 1e-5,
  rope_theta: 500000,
  max_position_embeddings: 131072,
};
const demoConfig = async () =>
  JSON.parse(await readFile('static/demo/models/tiny-llama/config.json', 'utf8')) as Record<string, unknown>;
const device = (maxBinding: number) =>
  ({ limits: { maxBufferSize: 2 ** 32, maxStorageBufferBindingSize: maxBinding } }) as unknown as GpuInfo;

function variant(edit: (s: GeoUnlearningSpec) => void): GeoUnlearningSpec {
  const s = structuredClone(demoGeoUnlearningSpec());
  edit(s);
  return s;
}
const SPECS = [
  demoGeoUnlearningSpec(),
  variant((s) => (s.weights = 'q4')),
  variant((s) => ((s.train.batch = 2), (s.train.lora.rank = 16))),
  variant((s) => (s.weights = 'f16')),
];

/** What the runner computed before the shared check existed: the parsed config, the format rule, max(T, 64). */
function runnerBefore(
  spec: GeoUnlearningSpec,
  raw: Record<string, unknown>,
  seqLen: number,
  budget: number,
  gpu?: GpuInfo,
) {
  const e = estimateMemory({
    config: parseLlamaConfig(raw),
    format: spec.weights === 'q4' ? 'q4' : 'f32',
    rank: spec.train.lora.rank,
    targets: 'qv',
    batch: spec.train.batch,
    seqLen: Math.max(seqLen, 64),
  });
  return checkFits(e, gpu, budget);
}

describe('memory preview = the runner’s check', () => {
  it('reads the same shape from config.json as the model code does (defaults included)', async () => {
    for (const raw of [
      await demoConfig(),
      LLAMA_1B,
      { ...LLAMA_1B, head_dim: undefined, num_key_value_heads: undefined, tie_word_embeddings: undefined },
    ])
      expect(decoderShapeOfJson(raw)).toEqual(decoderShapeOf(parseLlamaConfig(raw)));
    expect(() => decoderShapeOfJson({ ...LLAMA_1B, hidden_size: '2048' })).toThrow(
      /"hidden_size" must be a positive integer/,
    );
  });

  it('gives the runner’s numbers for the demo model and a 1B-shaped config, over several specs and row lengths', async () => {
    for (const raw of [await demoConfig(), LLAMA_1B])
      for (const spec of SPECS)
        for (const seqLen of [10, 64, 170])
          for (const [budget, gpu] of [
            [4 * GiB, undefined],
            [64 * GiB, device(2 ** 30)],
          ] as const) {
            const p = memoryPreview({ spec, config: raw, seqLen, budget, device: gpu })!;
            const before = runnerBefore(spec, raw, seqLen, budget, gpu);
            expect(p.check.estimate).toEqual(before.estimate);
            expect(p.check.fits).toBe(before.fits);
            expect(p.check).toEqual(checkStudyBMemory({ spec, config: raw, seqLen, budget, device: gpu }));
            expect(p.parts.reduce((a, x) => a + x.bytes, 0)).toBeCloseTo(p.check.estimate.total, 0);
          }
  });

  it('refuses a 1B model in f32 under a 4 GiB budget with the reason and what to change; q4 fits', () => {
    const f32 = memoryPreview({
      spec: variant((s) => ((s.weights = 'f32'), (s.train.batch = 6))),
      config: LLAMA_1B,
      budget: 4 * GiB,
    })!;
    expect(f32.check.fits).toBe(false);
    expect(f32.check.estimate.weights / GiB).toBeGreaterThan(4.5); // 1.24 B parameters × 4 bytes
    expect(f32.check.reason).toMatch(
      /needs about \d+ MB .* but the budget is 4096 MB; choose q4 weights, a smaller batch or shorter MCQ and retain rows$/,
    );
    expect(f32.summary).toMatch(/^needs \d+\.\d GiB, budget 4\.0 GiB: /);
    const q4 = memoryPreview({
      spec: variant((s) => ((s.weights = 'q4'), (s.train.batch = 6))),
      config: LLAMA_1B,
      budget: 4 * GiB,
    })!;
    expect(q4.check.fits).toBe(true);
    expect(q4.summary).toMatch(/^needs \d\.\d GiB of the 4\.0 GiB budget$/);
    // Batch 1 in q4 leaves no lever but the rows; the advice says only what the spec can change.
    const tight = memoryPreview({
      spec: variant((s) => ((s.weights = 'q4'), (s.train.batch = 1))),
      config: LLAMA_1B,
      budget: 0.5 * GiB,
    })!;
    expect(tight.check.reason).toMatch(/budget is 512 MB; shorter MCQ and retain rows$/);
  });

  it('the demo spec fits and kinds without a memory check are not previewed', async () => {
    const demo = memoryPreview({ spec: demoGeoUnlearningSpec(), config: await demoConfig(), budget: 4 * GiB })!;
    expect(demo.check.fits).toBe(true);
    expect(demo.check.seqLen).toBe(64);
    expect(memoryPreview({ spec: demoSpec('emotion-profiles'), config: await demoConfig() })).toBeNull();
  });
});

describe('where the config comes from', () => {
  it('registry shapes equal the public config of Llama-3.2-1B and are used without any request', async () => {
    const entry = findModel('meta-llama/Llama-3.2-1B-Instruct')!;
    expect(decoderShapeOfJson({ ...entry.shape })).toEqual(decoderShapeOfJson(LLAMA_1B));
    const ref = { id: entry.id, revision: 'main' };
    expect(hasLocalConfig(ref)).toBe(true);
    const refuse = (() => Promise.reject(new Error('no request expected'))) as typeof fetch;
    expect(await modelConfig({ ref, appBaseUrl: 'http://app.invalid/', fetch: refuse })).toEqual({
      config: { ...entry.shape },
      origin: 'registry',
    });
    expect(hasLocalConfig({ id: entry.id, revision: 'other' })).toBe(false);
  });

  it('fetches config.json alone from a Hub host, never the weights', async () => {
    const hub = await startHubServer({ repos: { 'demo/tiny-llama': 'static/demo/models/tiny-llama' } });
    try {
      const ref = { id: 'demo/tiny-llama', revision: 'main', host: hub.endpoint };
      expect(hasLocalConfig(ref)).toBe(false);
      const got = await modelConfig({ ref, appBaseUrl: 'http://app.invalid/' });
      expect(got).toEqual({ config: await demoConfig(), origin: 'host' });
      expect(hub.requests.map((r) => r.path)).toEqual(
        hub.requests.map(() => '/demo/tiny-llama/resolve/main/config.json'),
      );
      expect(hub.requests.length).toBeGreaterThan(0);
      await expect(
        modelConfig({ ref: { ...ref, id: 'demo/missing' }, appBaseUrl: 'http://app.invalid/' }),
      ).rejects.toThrow(/config\.json/);
    } finally {
      await hub.close();
    }
  });
});
