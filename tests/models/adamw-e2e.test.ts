// Two LoRA training steps end to end (our forward, backward and AdamW) against Hugging Face + torch.optim.AdamW for
// every fixture of every family: loss and gradients before step 2, parameters after steps 1 and 2. As the fixture
// README explains, Adam's first updates are ≈ lr·sign(g), so entries whose reference gradient is tiny (|g| < 1e-4)
// may flip by up to 2·lr; all others must match to abs 1e-6 after step 1 (1e-5 after step 2, where our own float32
// gradients feed the second update).
import { describe, expect, it } from 'vitest';
import { causalLmLossAndGrad } from '../../models/common/causal-lm';
import { LlamaForCausalLM } from '../../models/llama/model';
import { openCheckpoint } from '../../models/load/checkpoint';
import { dirSource } from '../../models/load/node-source';
import { seq2seqLossAndGrad } from '../../models/t5/seq2seq';
import { T5ForConditionalGeneration } from '../../models/t5/model';
import { maskedLmLossAndGrad } from '../../models/xlmr/masked-lm';
import { XlmrForMaskedLM } from '../../models/xlmr/model';
import type { Backend } from '../../workers/backend/backend';
import type { LoraLinear } from '../../workers/nn/lora-linear';
import type { LoraOptions } from '../../models/common/lora';
import { zeroGrads } from '../../workers/nn/param';
import { AdamWOptimizer } from '../../workers/train/adamw-optimizer';
import { expectClose } from '../helpers/compare';
import { testBackend } from '../helpers/gpu';
import { fixtures, type Fixture, type RefTensor } from './fixtures';
import { setLoraFromReference } from './lora-reference';

interface Loaded {
  applyLora(opts: LoraOptions): LoraLinear[];
  /** Loss on the fixture batch, with gradients added into the LoRA params. */
  step(): Promise<number>;
}

interface Family {
  hfClass: string;
  targets: string[];
  load(be: Backend, f: Fixture): Promise<Loaded>;
}

const families: Family[] = [
  {
    hfClass: 'LlamaForCausalLM',
    targets: ['q_proj', 'v_proj'],
    async load(be, f) {
      const m = await LlamaForCausalLM.load(be, await openCheckpoint(dirSource(f.dir)));
      const i = f.ref.inputs;
      return {
        applyLora: (o) => m.applyLora(o),
        step: () =>
          causalLmLossAndGrad(m, { inputIds: i.input_ids, attentionMask: i.attention_mask, labels: i.labels }),
      };
    },
  },
  {
    hfClass: 'XLMRobertaForMaskedLM',
    targets: ['query', 'value'],
    async load(be, f) {
      const m = await XlmrForMaskedLM.load(be, await openCheckpoint(dirSource(f.dir)));
      const i = f.ref.inputs;
      return {
        applyLora: (o) => m.applyLora(o),
        step: () =>
          maskedLmLossAndGrad(m, { inputIds: i.input_ids, attentionMask: i.attention_mask, labels: i.labels }),
      };
    },
  },
  {
    hfClass: 'T5ForConditionalGeneration',
    targets: ['q', 'v'],
    async load(be, f) {
      const m = await T5ForConditionalGeneration.load(be, await openCheckpoint(dirSource(f.dir)));
      const i = f.ref.inputs;
      return {
        applyLora: (o) => m.applyLora(o),
        step: () => seq2seqLossAndGrad(m, { inputIds: i.input_ids, attentionMask: i.attention_mask, labels: i.labels }),
      };
    },
  },
];

function checkParams(got: number[], want: RefTensor, grad: number[], lr: number, atol: number, label: string): void {
  want.data.forEach((w, j) => {
    const tol = Math.abs(grad[j]) < 1e-4 ? 2 * lr + atol : atol;
    if (Math.abs(got[j] - w) > tol) throw new Error(`${label}[${j}] = ${got[j]}, expected ${w} (tol ${tol})`);
  });
}

describe.each(families)('two AdamW steps end to end: $hfClass', (fam) => {
  it.each(fixtures(fam.hfClass).map((f) => [f.name, f] as const))('%s', async (_name, f) => {
    const be = await testBackend();
    const lora = f.ref.lora;
    const h = lora.adamw;
    const run = await fam.load(be, f);
    const adapters = run.applyLora({ r: lora.r, alpha: lora.alpha, dropout: 0, targetModules: fam.targets, seed: 0 });
    setLoraFromReference(be, adapters, lora.adapters);
    // PEFT's param order: adapter by adapter, A then B — the same order the fixture lists them in.
    const ordered = lora.adapters.map((r: { module: string }) =>
      adapters.find((a) => a.A.name === `base_model.model.${r.module}.lora_A.weight`)!,
    );
    const params = ordered.flatMap((a: LoraLinear) => [a.A, a.B]);
    const opt = new AdamWOptimizer(be, params, {
      beta1: h.betas[0],
      beta2: h.betas[1],
      eps: h.eps,
      weightDecay: h.weight_decay,
    });
    const refGrads = (g: { dA: RefTensor; dB: RefTensor }[]) => g.flatMap((x) => [x.dA.data, x.dB.data]);
    const after = (p: { A: RefTensor; B: RefTensor }[]) => p.flatMap((x) => [x.A, x.B]);

    await run.step();
    await opt.step({ lr: h.lr });
    const g1 = refGrads(lora.grads);
    const want1 = after(h.step1.params_after);
    for (let i = 0; i < params.length; i++)
      checkParams(
        Array.from(await be.download(params[i].value)),
        want1[i],
        g1[i],
        h.lr,
        1e-6,
        `step 1 ${params[i].name}`,
      );

    zeroGrads(params);
    const loss2 = await run.step();
    expectClose([loss2], [h.step2.loss_before], { atol: 1e-5, rtol: 0 }, 'loss before step 2');
    const g2 = refGrads(h.step2.grads);
    for (let i = 0; i < params.length; i++)
      expectClose(
        await be.download(params[i].grad!),
        g2[i],
        { atol: 1e-5, rtol: 1e-3 },
        `step 2 grad ${params[i].name}`,
      );
    await opt.step({ lr: h.lr });
    const want2 = after(h.step2.params_after);
    for (let i = 0; i < params.length; i++)
      checkParams(
        Array.from(await be.download(params[i].value)),
        want2[i],
        g2[i],
        h.lr,
        1e-5,
        `step 2 ${params[i].name}`,
      );
    expect(params.length).toBe(2 * lora.adapters.length);
  });
});
