// The models' default weight format, 'auto': f16 linear weights on a device with shader-f16 (lavapipe here), f32
// elsewhere. An XLM-R fixture loaded with the default on the f16 device must still match Hugging Face's logits.
import { describe, expect, it } from 'vitest';
import { resolveWeightFormat } from '../../models/common/weights';
import { openCheckpoint } from '../../models/load/checkpoint';
import { dirSource } from '../../models/load/node-source';
import { XlmrForMaskedLM } from '../../models/xlmr/model';
import { WebGpuBackend } from '../../workers/backend/webgpu-backend';
import type { Linear } from '../../workers/nn/linear';
import { expectClose } from '../helpers/compare';
import { testGpu } from '../helpers/gpu';
import { fixtures, maskedIndices, pick } from '../models/fixtures';

const [f] = fixtures('XLMRobertaForMaskedLM');

describe("weight format 'auto'", () => {
  it('XLM-R loads f16 linears on an f16 device and matches HF logits within f16 rounding', async () => {
    const be = new WebGpuBackend(await testGpu());
    expect(be.features.f16).toBe(true);
    expect(resolveWeightFormat(be)).toBe('f16');
    const model = await XlmrForMaskedLM.load(be, await openCheckpoint(dirSource(f.dir)));
    expect((model.layers[0].attn.q as Linear).weight.value.dtype).toBe('f16');
    const inp = f.ref.inputs;
    const out = await model.forward({ inputIds: inp.input_ids, attentionMask: inp.attention_mask });
    const ref = f.ref.outputs.logits;
    const idx = maskedIndices(ref.shape, (b, t) => inp.attention_mask[b][t] === 1);
    const got = pick(await be.download(out.logits!), idx);
    const want = pick(ref.data, idx);
    const maxAbs = Math.max(...want.map(Math.abs));
    // Each f16 weight carries a relative rounding of ≤ 2⁻¹¹; the errors of the K products in a row are
    // independent, so a layer's output moves by ~2⁻¹¹·|y|/√K·√K ≈ 2⁻¹¹·|y|, and the fixture's layers and the
    // head add up to a few of those: budget 0.2% of the largest logit (measured 0.06%: 3.1e-3 of 5.3; the f32 model
    // is within 2.2e-5).
    const err = expectClose(got, want, { atol: 2e-3 * maxAbs, rtol: 0 }, 'auto-format logits vs HF');
    expect(err).toBeGreaterThan(1e-5); // the weights really are f16: the f32 model matches to ≤ 2.2e-5
    model.dispose(out);
  });

  it('means f32 on a device without shader-f16', async () => {
    const be = new WebGpuBackend(await testGpu({ f16: true }));
    expect(resolveWeightFormat(be)).toBe('f32');
    expect(resolveWeightFormat(be, 'q8')).toBe('q8');
    const model = await XlmrForMaskedLM.load(be, await openCheckpoint(dirSource(f.dir)));
    expect((model.layers[0].attn.q as Linear).weight.value.dtype).toBe('f32');
  });
});
