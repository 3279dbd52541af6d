// LoRA adapters leave and re-enter the engine as PEFT files: train a step, export, import into a fresh model
// loaded over HTTP from a local Hub stand-in, and get identical logits. Also: gradient checkpointing changes
// memory, not gradients.
import { describe, expect, it } from 'vitest';
import { causalLmLossAndGrad } from '../../models/common/causal-lm';
import { exportAdapter, importAdapter } from '../../models/common/peft-io';
import { LlamaForCausalLM } from '../../models/llama/model';
import { openCheckpoint } from '../../models/load/checkpoint';
import { memorySource } from '../../models/load/source';
import { readPeftAdapter } from '../../models/load/peft';
import { resolveSource } from '../../models/load/resolve';
import { maskedLmLossAndGrad } from '../../models/xlmr/masked-lm';
import { XlmrForMaskedLM } from '../../models/xlmr/model';
import { AdamWOptimizer } from '../../workers/train/adamw-optimizer';
import { expectClose } from '../helpers/compare';
import { testBackend } from '../helpers/gpu';
import { startHubServer } from '../helpers/hub-server';
import { fixtures } from './fixtures';

const [llama] = fixtures('LlamaForCausalLM');
const [xlmr] = fixtures('XLMRobertaForMaskedLM');

describe('PEFT round trip and checkpointing', () => {
  it('export → import over HTTP gives identical logits (Llama)', async () => {
    const be = await testBackend();
    const hub = await startHubServer({ repos: { 'fixtures/llama-tiny': llama.dir } });
    try {
      const open = async () =>
        LlamaForCausalLM.load(
          be,
          await openCheckpoint(resolveSource('fixtures/llama-tiny', { endpoint: hub.endpoint })),
        );
      const a = await open();
      a.applyLora({ r: 4, alpha: 8, dropout: 0, targetModules: ['q_proj', 'v_proj'], seed: 3 });
      const inp = llama.ref.inputs;
      const batch = { inputIds: inp.input_ids, attentionMask: inp.attention_mask };
      // One AdamW step so that B ≠ 0 and the adapter actually changes the logits.
      const params = a.trainableParams();
      const opt = new AdamWOptimizer(be, params);
      await causalLmLossAndGrad(a, { ...batch, labels: inp.labels });
      await opt.step({ lr: 1e-2 });
      const files = await exportAdapter(be, a.adapters, {
        baseModel: 'fixtures/llama-tiny',
        targetModules: ['q_proj', 'v_proj'],
        taskType: 'CAUSAL_LM',
      });
      const config = JSON.parse(files['adapter_config.json']);
      expect(config.peft_type).toBe('LORA');
      const adapter = await readPeftAdapter(memorySource({ ...files }));
      const b = await open();
      b.adapters = importAdapter(be, b.slots(), adapter);
      const la = await a.forward(batch);
      const lb = await b.forward(batch);
      expectClose(
        await be.download(lb.logits),
        await be.download(la.logits),
        { atol: 0, rtol: 0 },
        'logits after re-import',
      );
      const base = await open();
      const lc = await base.forward(batch);
      // The trained adapter must actually move the logits, or the comparison above proves nothing.
      const baseLogits = Array.from(await be.download(lc.logits));
      const adapted = await be.download(la.logits);
      const moved = baseLogits.reduce((m, x, i) => Math.max(m, Math.abs(x - adapted[i])), 0);
      expect(moved).toBeGreaterThan(1e-3);
      [a, b, base].forEach((m, i) => m.dispose([la, lb, lc][i]));
    } finally {
      await hub.close();
    }
  });

  it('gradient checkpointing gives the same LoRA gradients (XLM-R)', async () => {
    const be = await testBackend();
    const inp = xlmr.ref.inputs;
    const batch = { inputIds: inp.input_ids, attentionMask: inp.attention_mask, labels: inp.labels };
    const grads: Float32Array[][] = [];
    for (const checkpointing of [false, true]) {
      const source = resolveSource(xlmr.dir);
      const m = await XlmrForMaskedLM.load(be, await openCheckpoint(source));
      m.applyLora({ r: 4, alpha: 8, dropout: 0, targetModules: ['query', 'value'], seed: 5 });
      // Non-zero B so that dA is non-trivial.
      for (const a of m.adapters) {
        a.B.value.dispose();
        a.B.value = be.upload(
          Float32Array.from({ length: a.B.value.shape[0] * a.B.value.shape[1] }, (_, i) => Math.sin(i)),
          a.B.value.shape,
        );
      }
      await maskedLmLossAndGrad(m, batch, { checkpointing });
      grads.push(await Promise.all(m.trainableParams().map(async (p) => (await be.download(p.grad!)) as Float32Array)));
    }
    grads[0].forEach((g, i) => expectClose(grads[1][i], g, { atol: 1e-6, rtol: 1e-5 }, `param ${i}`));
  });
});
