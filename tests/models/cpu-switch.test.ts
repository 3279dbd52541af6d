// The per-op CPU/GPU switch: every op of a Llama LoRA forward + backward can run on its float64 reference
// instead of its WGSL kernel, op by op, and the model still matches Hugging Face. This is the tool for bisecting
// a diverging model: move ops to the CPU until the divergence disappears.
import { describe, expect, it } from 'vitest';
import { causalLmLossAndGrad } from '../../models/common/causal-lm';
import { LlamaForCausalLM } from '../../models/llama/model';
import { openCheckpoint } from '../../models/load/checkpoint';
import { dirSource } from '../../models/load/node-source';
import { WebGpuBackend } from '../../workers/backend/webgpu-backend';
import { expectClose } from '../helpers/compare';
import { testGpu } from '../helpers/gpu';
import { fixtures } from './fixtures';
import { setLoraFromReference } from './lora-reference';

const [f] = fixtures('LlamaForCausalLM');

async function lossAndGrads(be: WebGpuBackend) {
  const model = await LlamaForCausalLM.load(be, await openCheckpoint(dirSource(f.dir)));
  const lora = f.ref.lora;
  model.applyLora({ r: lora.r, alpha: lora.alpha, dropout: 0, targetModules: ['q_proj', 'v_proj'], seed: 0 });
  setLoraFromReference(be, model.adapters, lora.adapters);
  const inp = f.ref.inputs;
  const loss = await causalLmLossAndGrad(model, {
    inputIds: inp.input_ids,
    attentionMask: inp.attention_mask,
    labels: inp.labels,
  });
  const grads = await Promise.all(model.trainableParams().map(async (p) => Array.from(await be.download(p.grad!))));
  return { loss, grads };
}

describe('per-op CPU/GPU switch', () => {
  it('runs every op of a LoRA training step on its float64 reference and still matches HF', async () => {
    const gpu = await testGpu();
    const onGpu = new WebGpuBackend(gpu);
    const a = await lossAndGrads(onGpu);
    const used = [...onGpu.runs.gpu.keys()];
    expect(used).toEqual(
      expect.arrayContaining(['attention', 'attention-backward', 'rmsnorm', 'linear', 'cross-entropy']),
    );
    const onCpu = new WebGpuBackend(gpu, { cpuOps: used });
    const b = await lossAndGrads(onCpu);
    expect([...onCpu.runs.gpu.keys()]).toEqual([]); // nothing ran on the GPU
    expect([...onCpu.runs.cpu.keys()].sort()).toEqual([...used].sort());
    expectClose([b.loss], [f.ref.lora.loss], { atol: 1e-5, rtol: 0 }, 'loss on CPU references');
    b.grads.forEach((g, i) => expectClose(g, a.grads[i], { atol: 1e-5, rtol: 1e-3 }, `grad ${i}: CPU vs GPU`));
  });
});
