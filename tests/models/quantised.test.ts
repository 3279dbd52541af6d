// Frozen weights quantised at load (q8: GGUF q8_0-style, q4: q4_0-style blocks of 32): the model still runs
// forward and LoRA backward through the quantised linears, and its logits stay close to the f32 model's, q8 much
// closer than q4. The bounds are loose on purpose: quantisation error, not float32 noise, is what is measured.
import { describe, expect, it } from 'vitest';
import { causalLmLossAndGrad } from '../../models/common/causal-lm';
import { LlamaForCausalLM } from '../../models/llama/model';
import { openCheckpoint } from '../../models/load/checkpoint';
import { dirSource } from '../../models/load/node-source';
import type { WeightFormat } from '../../models/common/weights';
import { WebGpuBackend } from '../../workers/backend/webgpu-backend';
import { expectClose } from '../helpers/compare';
import { testGpu } from '../helpers/gpu';
import { fixtures } from './fixtures';

const [f] = fixtures('LlamaForCausalLM');

async function run(format: WeightFormat, cpuOps: string[] = []) {
  const be = new WebGpuBackend(await testGpu(), { cpuOps });
  const model = await LlamaForCausalLM.load(be, await openCheckpoint(dirSource(f.dir)), { format });
  const inp = f.ref.inputs;
  const batch = { inputIds: inp.input_ids, attentionMask: inp.attention_mask };
  const out = await model.forward(batch);
  const logits = Array.from(await be.download(out.logits));
  model.dispose(out);
  model.applyLora({ r: 4, alpha: 8, dropout: 0, targetModules: 'all-linear', seed: 1 });
  const loss = await causalLmLossAndGrad(model, { ...batch, labels: inp.labels });
  const gradNorm = Math.hypot(
    ...(await Promise.all(model.trainableParams().map(async (p) => Math.hypot(...(await be.download(p.grad!)))))),
  );
  const weightTypes = new Set(
    model.layers.flatMap((l) => [l.mlp.down, l.attn.q]).map((p) => ('base' in p ? p.base : p).weight.value.dtype),
  );
  return { logits, loss, gradNorm, weightTypes };
}

describe('quantised frozen weights', () => {
  it('q8 and q4 stay close to f32; gradients flow through the quantised linears', async () => {
    const ref = await run('f32');
    const rms = (v: number[]) => Math.sqrt(v.reduce((a, x) => a + x * x, 0) / v.length);
    const errors: Record<string, number> = {};
    // Relative RMS logit error. The fixture's random σ = 0.25 weights (not a trained model) amplify quantisation
    // error through the layers; a single q8 matmul of such weights errs by about 0.6% (max), the whole model by a
    // few percent. Bounds sit about 2× above what was measured here (printed below).
    for (const [format, bound] of [
      ['q8', 0.06],
      ['q4', 0.5],
    ] as const) {
      const q = await run(format);
      // The kernels compute exactly what dequantise-then-multiply in float64 gives: the error is quantisation's.
      const onCpu = await run(format, ['linear', 'linear-backward-input']);
      expectClose(q.logits, onCpu.logits, { atol: 1e-4, rtol: 0 }, `${format} GPU vs float64 dequantised reference`);
      expect([...q.weightTypes]).toEqual([format]);
      const err = rms(q.logits.map((x, i) => x - ref.logits[i])) / rms(ref.logits);
      errors[format] = err;
      expect(err, `${format} relative RMS logit error`).toBeLessThan(bound);
      expect(err, `${format} must differ from f32 (is it really quantised?)`).toBeGreaterThan(0);
      expect(Math.abs(q.loss - ref.loss) / ref.loss).toBeLessThan(bound);
      expect(q.gradNorm).toBeGreaterThan(0);
      expect(Math.abs(q.gradNorm - ref.gradNorm) / ref.gradNorm).toBeLessThan(2 * bound);
    }
    console.log(`relative RMS logit error vs f32: q8 ${errors.q8.toFixed(4)}, q4 ${errors.q4.toFixed(4)}`);
    expect(errors.q8).toBeLessThan(errors.q4 / 2);
  });
});
