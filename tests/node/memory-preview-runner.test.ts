// The app's memory preview against the Study B runner itself (Dawn): on the demo model the runner's logged
// estimate is the preview's number, and a 1B-shaped config (the demo files with a Llama-3.2-1B config.json,
// served by the local Hub stand-in) in f32 is refused by the runner before any weight is uploaded, with the very
// reason the preview shows.
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryPreview } from '../../workers/experiments/memory-preview';
import { demoGeoUnlearningSpec, type GeoUnlearningSpec } from '../../workers/contract/specs/geo-unlearning';
import { geoUnlearningRunner } from '../../workers/experiments/study-b/runner';
import type { ExperimentContext } from '../../workers/experiments/experiment-runner';
import { testBackend } from '../helpers/gpu';
import { startHubServer } from '../helpers/hub-server';

const DEMO_MODEL = 'static/demo/models/tiny-llama';

async function runUntilMemoryCheck(spec: GeoUnlearningSpec) {
  const be = await testBackend();
  const abort = new AbortController();
  const logs: string[] = [];
  const ctx: ExperimentContext = {
    backend: be,
    device: be.gpu.info,
    signal: abort.signal,
    // The check is all this test wants: stop the run as soon as it is logged.
    progress: (e) => {
      if (e.type !== 'log') return;
      logs.push(e.message);
      if (e.message.startsWith('memory estimate')) abort.abort(new Error('stopped after the memory check'));
    },
    checkpoints: { save: async () => {}, load: async () => null },
  };
  const error = await geoUnlearningRunner.run(spec, ctx).then(
    () => null,
    (e: Error) => e,
  );
  const line = logs.find((m) => m.startsWith('memory estimate'));
  const m = /^memory estimate ([\d.]+) MB for rows of (\d+) tokens \(budget (\d+) MB\)$/.exec(line ?? '');
  expect(m, `memory log line: ${line}`).not.toBeNull();
  return { error, totalMb: m![1], seqLen: Number(m![2]), budgetMb: m![3], device: be.gpu.info };
}

describe('memory preview vs the Study B runner', () => {
  it('the demo run logs the preview’s estimate (demo rows are within the 64 tokens the preview assumes)', async () => {
    const spec = demoGeoUnlearningSpec();
    spec.languages = ['en'];
    const run = await runUntilMemoryCheck(spec);
    expect(run.error?.message).toMatch(/stopped after the memory check|aborted/i);
    const config = JSON.parse(await readFile(join(DEMO_MODEL, 'config.json'), 'utf8'));
    const preview = memoryPreview({ spec, config, device: run.device })!;
    expect(run.seqLen).toBe(preview.check.seqLen);
    expect(run.totalMb).toBe((preview.check.estimate.total / 2 ** 20).toFixed(1));
    expect(run.budgetMb).toBe((preview.check.budget / 2 ** 20).toFixed(0));
    expect(preview.check.fits).toBe(true);
  }, 120_000);

  it('a 1B-shaped model in f32 is refused by the runner with the preview’s reason, before loading weights', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'memory-preview-'));
    await cp(DEMO_MODEL, dir, { recursive: true });
    const demo = JSON.parse(await readFile(join(DEMO_MODEL, 'config.json'), 'utf8'));
    const config = {
      ...demo,
      hidden_size: 2048,
      intermediate_size: 8192,
      num_hidden_layers: 16,
      num_attention_heads: 32,
      num_key_value_heads: 8,
      head_dim: 64,
      vocab_size: 128256,
      tie_word_embeddings: true,
    };
    await writeFile(join(dir, 'config.json'), JSON.stringify(config));
    const hub = await startHubServer({ repos: { 'test/llama-1b-shape': dir } });
    try {
      const spec = demoGeoUnlearningSpec();
      spec.languages = ['en'];
      spec.model = { id: 'test/llama-1b-shape', revision: 'main', host: hub.endpoint };
      spec.weights = 'f32';
      const run = await runUntilMemoryCheck(spec);
      const preview = memoryPreview({ spec, config, device: run.device, seqLen: run.seqLen })!;
      expect(preview.check.fits).toBe(false);
      expect(run.error?.message).toBe(`This run cannot fit: ${preview.check.reason}`);
      expect(preview.check.reason).toMatch(/choose q4 weights/);
      // Refused before the weights: only the header of model.safetensors was read, never its 0.8 MB body.
      const gets = hub.requests.filter((r) => r.path.endsWith('model.safetensors') && r.method === 'GET');
      const bytes = gets.map((r) => /bytes=(\d+)-(\d+)/.exec(r.range ?? ''));
      expect(bytes.every((b) => b !== null)).toBe(true);
      expect(bytes.reduce((a, b) => a + Number(b![2]) - Number(b![1]) + 1, 0)).toBeLessThan(64 * 1024);
    } finally {
      await hub.close();
    }
  }, 120_000);
});
