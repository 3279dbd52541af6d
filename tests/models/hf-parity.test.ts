// LlamaForCausalLM and XLMRobertaForMaskedLM on the engine vs Hugging Face transformers' own numbers, for every
// fixture set of each family found: logits and every hidden state on the real positions, the loss, then with the
// fixture's LoRA adapters the logits, loss and A/B gradients. (T5 has its own file: two stacks, more outputs.)
import { describe, expect, it } from 'vitest';
import { causalLmLoss, causalLmLossAndGrad } from '../../models/common/causal-lm';
import { LlamaForCausalLM } from '../../models/llama/model';
import { openCheckpoint } from '../../models/load/checkpoint';
import { dirSource } from '../../models/load/node-source';
import { maskedLmLoss, maskedLmLossAndGrad } from '../../models/xlmr/masked-lm';
import { XlmrForMaskedLM } from '../../models/xlmr/model';
import type { Backend, Tensor } from '../../workers/backend/backend';
import type { LoraLinear } from '../../workers/nn/lora-linear';
import type { LoraOptions } from '../../models/common/lora';
import { expectClose } from '../helpers/compare';
import { testBackend } from '../helpers/gpu';
import { fixtures, maskedIndices, pick, type Fixture } from './fixtures';
import { setLoraFromReference } from './lora-reference';

// Tolerances from the fixture README: measured float32 error ≤ 2.2e-5 on logits; a real bug moves them ≥ 1e-3.
const LOGITS = { atol: 1e-4, rtol: 0 };
const LOSS = { atol: 1e-5, rtol: 0 };
const GRADS = { atol: 1e-5, rtol: 1e-3 };

interface Batch {
  inputIds: number[][];
  attentionMask: number[][];
}

/** What the test needs from a model, whichever family. */
interface Subject {
  forward(
    batch: Batch,
    hiddenStates: boolean,
  ): Promise<{ logits: Tensor; hiddenStates: Tensor[] | null; done(): void }>;
  loss(batch: Batch & { labels: number[][] }): Promise<number>;
  lossAndGrad(batch: Batch & { labels: number[][] }): Promise<number>;
  applyLora(opts: LoraOptions): LoraLinear[];
}

const families: { hfClass: string; targets: string[]; load(be: Backend, f: Fixture): Promise<Subject> }[] = [
  {
    hfClass: 'LlamaForCausalLM',
    targets: ['q_proj', 'v_proj'],
    async load(be, f) {
      const m = await LlamaForCausalLM.load(be, await openCheckpoint(dirSource(f.dir)));
      return {
        async forward(batch, hiddenStates) {
          const out = await m.forward(batch, { hiddenStates });
          return { logits: out.logits, hiddenStates: out.hiddenStates, done: () => m.dispose(out) };
        },
        loss: (b) => causalLmLoss(m, b),
        lossAndGrad: (b) => causalLmLossAndGrad(m, b),
        applyLora: (o) => m.applyLora(o),
      };
    },
  },
  {
    hfClass: 'XLMRobertaForMaskedLM',
    targets: ['query', 'value'],
    async load(be, f) {
      const m = await XlmrForMaskedLM.load(be, await openCheckpoint(dirSource(f.dir)));
      return {
        async forward(batch, hiddenStates) {
          const out = await m.forward(batch, { hiddenStates });
          return { logits: out.logits!, hiddenStates: out.hiddenStates, done: () => m.dispose(out) };
        },
        loss: (b) => maskedLmLoss(m, b),
        lossAndGrad: (b) => maskedLmLossAndGrad(m, b),
        applyLora: (o) => m.applyLora(o),
      };
    },
  },
];

describe.each(families)('$hfClass vs transformers', (fam) => {
  describe.each(fixtures(fam.hfClass))('$name', (f) => {
    const inp = f.ref.inputs;
    const batch: Batch = { inputIds: inp.input_ids, attentionMask: inp.attention_mask };
    const real = (shape: number[]) => maskedIndices(shape, (b, t) => inp.attention_mask[b][t] === 1);

    it('logits, hidden states and loss', async () => {
      const be = await testBackend();
      const model = await fam.load(be, f);
      const out = await model.forward(batch, true);
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
      out.done();
      expectClose([await model.loss({ ...batch, labels: inp.labels })], [ref.loss], LOSS, 'loss');
    });

    it('LoRA logits, loss and gradients', async () => {
      const be = await testBackend();
      const model = await fam.load(be, f);
      const lora = f.ref.lora;
      const adapters = model.applyLora({
        r: lora.r,
        alpha: lora.alpha,
        dropout: lora.dropout,
        targetModules: fam.targets,
        seed: 0,
      });
      setLoraFromReference(be, adapters, lora.adapters);
      const out = await model.forward(batch, false);
      const idx = real(lora.logits.shape);
      expectClose(pick(await be.download(out.logits), idx), pick(lora.logits.data, idx), LOGITS, 'LoRA logits');
      out.done();
      expectClose([await model.lossAndGrad({ ...batch, labels: inp.labels })], [lora.loss], LOSS, 'LoRA loss');
      for (const g of lora.grads) {
        const ad = lora.adapters.find((a: { id: string }) => a.id === g.id);
        const adapter = adapters.find((a) => a.A.name === `base_model.model.${ad.module}.lora_A.weight`);
        expect(adapter, g.id).toBeTruthy();
        expectClose(await be.download(adapter!.A.grad!), g.dA.data, GRADS, `${g.id} dA`);
        expectClose(await be.download(adapter!.B.grad!), g.dB.data, GRADS, `${g.id} dB`);
      }
    });
  });
});
