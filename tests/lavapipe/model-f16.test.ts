// A model with f16 frozen weights on an adapter with shader-f16: logits stay within f16 rounding of the f32
// model, and LoRA gradients still flow through the f16 linears. On adapters without the feature, loading refuses.
import { describe, expect, it } from 'vitest';
import { causalLmLossAndGrad } from '../../models/common/causal-lm';
import { LlamaForCausalLM } from '../../models/llama/model';
import { openCheckpoint } from '../../models/load/checkpoint';
import { dirSource } from '../../models/load/node-source';
import { WebGpuBackend } from '../../workers/backend/webgpu-backend';
import type { Linear } from '../../workers/nn/linear';
import { testGpu } from '../helpers/gpu';
import { fixtures } from '../models/fixtures';

const [f] = fixtures('LlamaForCausalLM');

describe('f16 weights in a model', () => {
  it('Llama with f16 linears: logits within f16 rounding of f32, gradients flow; refused without shader-f16', async () => {
    const be = new WebGpuBackend(await testGpu());
    expect(be.features.f16).toBe(true);
    const inp = f.ref.inputs;
    const batch = { inputIds: inp.input_ids, attentionMask: inp.attention_mask };
    const logits: number[][] = [];
    for (const format of ['f32', 'f16'] as const) {
      const model = await LlamaForCausalLM.load(be, await openCheckpoint(dirSource(f.dir)), { format });
      const out = await model.forward(batch);
      logits.push(Array.from(await be.download(out.logits)));
      model.dispose(out);
      if (format === 'f16') {
        expect((model.layers[0].attn.q as Linear).weight.value.dtype).toBe('f16');
        model.applyLora({ r: 4, alpha: 8, dropout: 0, targetModules: ['q_proj', 'v_proj'], seed: 2 });
        const loss = await causalLmLossAndGrad(model, { ...batch, labels: inp.labels });
        expect(Number.isFinite(loss)).toBe(true);
        expect(Math.max(...Array.from(await be.download(model.adapters[0].A.grad!), Math.abs))).toBe(0); // B = 0 at init: dA = 0
        expect(Math.max(...Array.from(await be.download(model.adapters[0].B.grad!), Math.abs))).toBeGreaterThan(0);
      }
    }
    const maxAbs = Math.max(...logits[0].map(Math.abs));
    const err = Math.max(...logits[1].map((x, i) => Math.abs(x - logits[0][i])));
    // f16 keeps 11 significant bits (relative rounding 2^-11 ≈ 4.9e-4 per weight); through the fixture's two layers
    // the logits move by well under 1% of their range, and must move (the weights really are f16).
    expect(err / maxAbs).toBeLessThan(0.01);
    expect(err).toBeGreaterThan(0);
    const noF16 = new WebGpuBackend(await testGpu({ f16: true }));
    await expect(
      LlamaForCausalLM.load(noF16, await openCheckpoint(dirSource(f.dir)), { format: 'f16' }),
    ).rejects.toThrow(/shader-f16/);
  });
});
