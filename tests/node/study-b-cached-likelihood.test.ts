// Likelihood scoring with the KV cache (workers/experiments/study-b/cached-likelihood.ts) against the per-option
// full forwards it replaces: the same log p(option | prompt) for every option of items of different prompt
// lengths, on the DEMO Llama (ten languages) and on the llama-tiny fixture with options whose first token is the
// merged "▁the" beside options that start with a bare "▁" (so the options of one item start at different
// tokens), with a LoRA adapter whose B is non-zero. Also times both paths on the demo model (printed, not asserted: shared CPU).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoMcqCsv, makeDemoLlama } from '../../scripts/demo/llama-demo';
import { LlamaForCausalLM } from '../../models/llama/model';
import { openCheckpoint } from '../../models/load/checkpoint';
import { dirSource } from '../../models/load/node-source';
import { memorySource, type ModelSource } from '../../models/load/source';
import { loadTokenizer } from '../../models/load/tokenizer';
import { STUDY_B_LOCALES } from '../../workers/analysis/study-b/data/locales';
import { parseMcqCsv } from '../../workers/analysis/study-b/mcq-data';
import { evalPrompt } from '../../workers/analysis/study-b/prompts';
import { encoderOf } from '../../workers/experiments/study-b/data';
import { optionLogLikelihoods, scoredItem } from '../../workers/experiments/study-b/evaluate';
import { testBackend } from '../helpers/gpu';
import { shared } from '../helpers/shared';
import type { StudyBLanguage } from '../../workers/contract/specs/geo-unlearning';

// f32 on both paths; the sums differ only by the order of float additions in attention over a longer key axis.
const ATOL = 2e-4;
const RTOL = 1e-5;

async function setup(source: ModelSource) {
  const be = await testBackend();
  const ckpt = await openCheckpoint(source);
  const model = await LlamaForCausalLM.load(be, ckpt);
  const tok = await loadTokenizer(source);
  return { model, enc: encoderOf(tok, { eosId: 2 }) };
}

function items(
  enc: ReturnType<typeof encoderOf>,
  langs: readonly StudyBLanguage[],
  perLanguage: number,
  rewrite: (options: string[]) => string[] = (o) => o,
) {
  const all = parseMcqCsv(demoMcqCsv());
  return langs.flatMap((language) =>
    all
      .filter((it) => it.raw.language === language)
      .slice(0, perLanguage)
      .map((item) => {
        const p = evalPrompt({ item, language, unknownPhrase: STUDY_B_LOCALES[language].unknownPhrases[0], seed: 5 });
        return scoredItem(enc, `${p.prompt}\n${STUDY_B_LOCALES[language].answerLabel}`, rewrite([...p.options]));
      }),
  );
}

function expectClose(cached: number[][], full: number[][]) {
  let worst = 0;
  cached.forEach((row, i) =>
    row.forEach((x, k) => {
      const ref = full[i][k];
      expect(Number.isFinite(x)).toBe(true);
      worst = Math.max(worst, Math.abs(x - ref) - RTOL * Math.abs(ref));
    }),
  );
  expect(worst).toBeLessThanOrEqual(ATOL);
  return worst;
}

describe('Study B likelihood scoring with a shared-prompt KV cache', () => {
  it('equals the per-option forwards on the demo Llama in all ten languages, and is timed', async () => {
    const { model, enc } = await setup(memorySource(makeDemoLlama()));
    const langs = Object.keys(STUDY_B_LOCALES) as StudyBLanguage[];
    const batch = items(enc, langs, 1);
    expect(new Set(batch.map((b) => b.promptIds.length)).size).toBeGreaterThan(1); // ragged prompts
    // Warm both paths once (pipeline compilation), then time one pass each.
    await optionLogLikelihoods(model, enc, batch.slice(0, 2), true);
    await optionLogLikelihoods(model, enc, batch.slice(0, 2), false);
    let t = performance.now();
    const full = await optionLogLikelihoods(model, enc, batch, false);
    const fullMs = performance.now() - t;
    t = performance.now();
    const cached = await optionLogLikelihoods(model, enc, batch, true);
    const cachedMs = performance.now() - t;
    const worst = expectClose(cached, full);
    const tokens = (rows: number[][]) => rows.length * Math.max(...rows.map((r) => r.length));
    console.info(
      `study-b cached likelihood (demo Llama, 10 items × 5 options): per-option ${fullMs.toFixed(0)} ms (${tokens(batch.flatMap((b) => b.optionIds))} padded tokens), ` +
        `cached ${cachedMs.toFixed(0)} ms; speed-up ×${(fullMs / cachedMs).toFixed(2)}; max excess |Δ| ${worst.toExponential(1)}`,
    );
  }, 300_000);

  it('equals the per-option forwards on the llama-tiny fixture with a trained-looking LoRA adapter', async () => {
    const { model, enc } = await setup(dirSource(join(shared('fixtures'), 'llama-tiny')));
    // The fixture's 320-piece vocabulary has one merged word, "▁the": the second option of every item starts with
    // it, so its first token is "▁the" while the others start with the bare "▁" followed by their word's pieces.
    const batch = items(enc, ['en', 'fr'], 2, (o) => o.map((x, k) => (k === 1 ? `the ${x}` : x)));
    const firstTokens = batch.map((b) => b.optionIds.map((ids) => ids[b.promptIds.length]));
    for (const [i, b] of batch.entries()) {
      // Every option continues the whole prompt (nothing of the prompt is re-tokenised into the option)…
      for (const ids of b.optionIds) expect(ids.slice(0, b.promptIds.length)).toEqual(b.promptIds);
      // …and the options of one item start at different tokens.
      expect(
        new Set(firstTokens[i]).size,
        `first option tokens of item ${i}: ${JSON.stringify(firstTokens[i])}`,
      ).toBeGreaterThan(1);
    }
    model.applyLora({ r: 2, alpha: 4, dropout: 0, targetModules: ['q_proj', 'v_proj'], seed: 3 });
    // B = 0 after init would make the adapter a no-op: give it values so the adapted projections differ.
    for (const a of model.adapters) {
      const shape = [...a.B.value.shape];
      const vals = Float32Array.from({ length: shape[0] * shape[1] }, (_, i) => 0.05 * Math.sin(i + 1));
      a.B.value.dispose();
      a.B.value = model.be.upload(vals, shape);
    }
    const full = await optionLogLikelihoods(model, enc, batch, false);
    const cached = await optionLogLikelihoods(model, enc, batch, true);
    expectClose(cached, full);
  }, 300_000);
});
