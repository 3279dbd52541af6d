// LlamaForCausalLM on the engine vs Hugging Face transformers' own numbers (every llama fixture found).
import { describe, expect, it } from 'vitest';
import { openCheckpoint } from '../../models/load/checkpoint';
import { dirSource } from '../../models/load/node-source';
import { LlamaForCausalLM } from '../../models/llama/model';
import { causalLmLoss, causalLmLossAndGrad } from '../../models/common/causal-lm';
import { expectClose } from '../helpers/compare';
import { testBackend } from '../helpers/gpu';
import { fixtures, maskedIndices, pick, type Fixture } from './fixtures';
import { setLoraFromReference } from './lora-reference';

// Tolerances from the fixture README: measured float32 error ≤ 2.2e-5 on logits; a real bug moves them ≥ 1e-3.
const LOGITS = { atol: 1e-4, rtol: 0 };
const LOSS = { atol: 1e-5, rtol: 0 };
const GRADS = { atol: 1e-5, rtol: 1e-3 };

async function load(f: Fixture) {
  const be = await testBackend();
  const model = await LlamaForCausalLM.load(be, await openCheckpoint(dirSource(f.dir)));
  return { be, model };
}

describe.each(fixtures('LlamaForCausalLM'))('Llama $name', (f) => {
  const inp = f.ref.inputs;
  const batch = { inputIds: inp.input_ids, attentionMask: inp.attention_mask };
  const real = (shape: number[]) => maskedIndices(shape, (b, t) => inp.attention_mask[b][t] === 1);

  it('logits, hidden states and loss match transformers', async () => {
    const { be, model } = await load(f);
    const out = await model.forward(batch, { hiddenStates: true });
    const ref = f.ref.outputs;
    expect(out.logits.shape).toEqual(ref.logits.shape);
    const idx = real(ref.logits.shape);
    expectClose(pick(await be.download(out.logits), idx), pick(ref.logits.data, idx), LOGITS, 'logits');
    expect(out.hiddenStates!.length).toBe(ref.hidden_states.length);
    for (let i = 0; i < ref.hidden_states.length; i++) {
      const h = ref.hidden_states[i];
      const hi = real(h.shape);
      expectClose(pick(await be.download(out.hiddenStates![i]), hi), pick(h.data, hi), LOGITS, `hidden_states[${i}]`);
    }
    model.dispose(out);
    const loss = await causalLmLoss(model, { ...batch, labels: inp.labels });
    expectClose([loss], [ref.loss], LOSS, 'loss');
  });

  it('LoRA logits, loss and gradients match transformers + the reference LoRA wrapper', async () => {
    const { be, model } = await load(f);
    const lora = f.ref.lora;
    model.applyLora({ r: lora.r, alpha: lora.alpha, dropout: lora.dropout, targetModules: ['q_proj', 'v_proj'], seed: 0 });
    setLoraFromReference(be, model.adapters, lora.adapters);
    const out = await model.forward(batch);
    const idx = real(lora.logits.shape);
    expectClose(pick(await be.download(out.logits), idx), pick(lora.logits.data, idx), LOGITS, 'LoRA logits');
    model.dispose(out);
    const loss = await causalLmLossAndGrad(model, { ...batch, labels: inp.labels });
    expectClose([loss], [lora.loss], LOSS, 'LoRA loss');
    for (const g of lora.grads) {
      const ad = lora.adapters.find((a: { id: string }) => a.id === g.id);
      const adapter = model.adapters.find((a) => a.A.name.includes(`${ad.module}.`));
      expect(adapter, g.id).toBeTruthy();
      expectClose(await be.download(adapter!.A.grad!), g.dA.data, GRADS, `${g.id} dA`);
      expectClose(await be.download(adapter!.B.grad!), g.dB.data, GRADS, `${g.id} dB`);
    }
  });
});
