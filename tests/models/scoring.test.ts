// Scoring functions against independent computations: fill-mask top-k and continuation log-likelihood against
// float64 log-softmax of Hugging Face's reference logits; pseudo-log-likelihood (one batched forward with rows
// gathered) against per-position full-logit forwards with a CPU log-softmax.
import { describe, expect, it } from 'vitest';
import { continuationLogLikelihood } from '../../models/common/causal-lm';
import { LlamaForCausalLM } from '../../models/llama/model';
import { openCheckpoint } from '../../models/load/checkpoint';
import { dirSource } from '../../models/load/node-source';
import { XlmrForMaskedLM } from '../../models/xlmr/model';
import { fillMask, pseudoLogLikelihood } from '../../models/xlmr/scoring';
import { expectClose } from '../helpers/compare';
import { testBackend } from '../helpers/gpu';
import { fixtures } from './fixtures';

function logSoftmax(row: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) max = Math.max(max, row[i]);
  let s = 0;
  for (let i = 0; i < row.length; i++) s += Math.exp(row[i] - max);
  const lse = max + Math.log(s);
  return Array.from(row, (x) => x - lse);
}

describe.each(fixtures('XLMRobertaForMaskedLM'))('XLM-R scoring $name', (f) => {
  const inp = f.ref.inputs;
  const [, T, V] = f.ref.outputs.logits.shape;

  it('fill-mask top-k equals the top-k of HF log-softmax at each <mask>', async () => {
    const be = await testBackend();
    const model = await XlmrForMaskedLM.load(be, await openCheckpoint(dirSource(f.dir)));
    const k = 5;
    const res = await fillMask(
      model,
      { inputIds: inp.input_ids, attentionMask: inp.attention_mask },
      { maskTokenId: inp.mask_token_id, k },
    );
    const masked: [number, number][] = [];
    inp.input_ids.forEach((row: number[], b: number) =>
      row.forEach((id, t) => id === inp.mask_token_id && masked.push([b, t])),
    );
    expect(res.length).toBe(masked.length);
    masked.forEach(([b, t], m) => {
      const lp = logSoftmax(f.ref.outputs.logits.data.slice((b * T + t) * V, (b * T + t + 1) * V));
      const order = lp.map((x, i) => [x, i] as const).sort((x, y) => y[0] - x[0] || x[1] - y[1]);
      expect(res[m].ids).toEqual(order.slice(0, k).map(([, i]) => i));
      expectClose(
        res[m].logprobs,
        order.slice(0, k).map(([x]) => x),
        { atol: 1e-4, rtol: 0 },
        `mask ${m}`,
      );
    });
  });

  it('pseudo-log-likelihood equals per-position masked forwards', async () => {
    const be = await testBackend();
    const model = await XlmrForMaskedLM.load(be, await openCheckpoint(dirSource(f.dir)));
    const ids: number[] = inp.unmasked_input_ids[0].filter((_: number, t: number) => inp.attention_mask[0][t] === 1);
    const special = [0, 1, 2].filter((x) => x !== inp.mask_token_id);
    const pll = await pseudoLogLikelihood(model, ids, { maskTokenId: inp.mask_token_id, specialIds: special });
    let expected = 0;
    let n = 0;
    for (let p = 0; p < ids.length; p++) {
      if (special.includes(ids[p])) continue;
      const out = await model.forward({ inputIds: [ids.map((id, t) => (t === p ? inp.mask_token_id : id))] });
      const logits = await be.download(out.logits!);
      expected += logSoftmax(logits.subarray(p * V, (p + 1) * V))[ids[p]];
      model.dispose(out);
      n++;
    }
    expect(pll.perToken.length).toBe(n);
    expectClose([pll.total], [expected], { atol: 1e-4 * n, rtol: 0 }, 'PLL');
  });
});

describe.each(fixtures('LlamaForCausalLM'))('Llama scoring $name', (f) => {
  it('continuation log-likelihood equals the sum of HF log-softmax over the span', async () => {
    const be = await testBackend();
    const model = await LlamaForCausalLM.load(be, await openCheckpoint(dirSource(f.dir)));
    const inp = f.ref.inputs;
    const [, T, V] = f.ref.outputs.logits.shape;
    const lens = inp.attention_mask.map((r: number[]) => r.reduce((a, b) => a + b, 0));
    const spans = lens.map((len: number) => ({ start: Math.max(1, Math.floor(len / 2)), end: len }));
    const res = await continuationLogLikelihood(
      model,
      { inputIds: inp.input_ids, attentionMask: inp.attention_mask },
      spans,
    );
    spans.forEach(({ start, end }: { start: number; end: number }, b: number) => {
      let want = 0;
      for (let t = start; t < end; t++)
        want += logSoftmax(f.ref.outputs.logits.data.slice((b * T + t - 1) * V, (b * T + t) * V))[inp.input_ids[b][t]];
      expectClose([res.total[b]], [want], { atol: 1e-4 * (end - start), rtol: 0 }, `row ${b}`);
    });
  });
});
