// Unit tests of models/common/memory-estimate.ts against numbers computed by hand (shown in the comments) and
// the published parameter count of Llama 3.2 1B.
import { describe, expect, it } from 'vitest';
import { activationFloatsPerToken, estimateLoraMemory, type DecoderShape } from '../../models/common/memory-estimate';

// C 8, L 2, NH 2, NKV 1 (HS 4), I 16, V 10, untied head.
const tiny: DecoderShape = { hidden: 8, layers: 2, heads: 2, kvHeads: 1, intermediate: 16, vocab: 10 };

describe('estimateLoraMemory', () => {
  it('counts a tiny decoder by hand', () => {
    const e = estimateLoraMemory({ shape: tiny, lora: { r: 2, targets: ['q_proj', 'v_proj'] }, batch: 1, seqLen: 4 });
    // per layer: q 64 + k 32 + v 32 + o 64 + gate 128 + up 128 + down 128 = 576; ×2 = 1152; + lm_head 80 = 1232
    // other: embed 80 + norms 2·2·8 + final 8 = 120
    expect(e.params).toEqual({ total: 1352, linear: 1232, other: 120, lora: 112 }); // lora: 2·(2·16 + 2·12)
    // f32 1352·4; f16 1232·2 + 120·4; q8 1232·36/32 + 120·4; q4 1232·20/32 + 120·4
    expect(e.weightBytes).toEqual({ f32: 5408, f16: 2944, q8: 1866, q4: 1250 });
    expect([e.loraBytes, e.gradBytes, e.adamBytes]).toEqual([448, 448, 896]);
    // per token: 4·8 + (2 + 2)·4 + 2·4 + 2·4 (NH·T) + 3·16 = 112 floats = 448 bytes
    expect(activationFloatsPerToken(tiny, 4)).toBe(112);
    // full: 4 tokens · 2 layers · 448; checkpointed: 4 · (2·8·4 + 448)
    expect(e.activations).toEqual({ perTokenPerLayer: 448, full: 3584, checkpointed: 2048 });
    expect(e.logitsBytes).toBe(320); // logits + their gradient: 2 · 4 · 10 · 4
    // 4·448 + 320 = 2112 on top of the weights and activations
    expect(e.totals.f32).toEqual({ full: 5408 + 2112 + 3584, checkpointed: 5408 + 2112 + 2048 });
    expect(e.totals.q4).toEqual({ full: 1250 + 2112 + 3584, checkpointed: 1250 + 2112 + 2048 });
  });

  it('a tied head adds no weights and is not quantised', () => {
    const e = estimateLoraMemory({
      shape: { ...tiny, tiedEmbeddings: true },
      lora: { r: 2, targets: [] },
      batch: 1,
      seqLen: 1,
    });
    expect(e.params).toEqual({ total: 1272, linear: 1152, other: 120, lora: 0 });
    expect(e.weightBytes.q8).toBe(1152 * 1.125 + 480);
  });

  it('gives Llama 3.2 1B its published 1,235,814,400 parameters', () => {
    const llama1b: DecoderShape = {
      hidden: 2048,
      layers: 16,
      heads: 32,
      kvHeads: 8,
      intermediate: 8192,
      vocab: 128256,
      tiedEmbeddings: true,
    };
    const e = estimateLoraMemory({
      shape: llama1b,
      lora: { r: 8, targets: ['q_proj', 'v_proj'] },
      batch: 1,
      seqLen: 64,
    });
    expect(e.params.total).toBe(1_235_814_400);
    // LoRA r 8 on q (2048→2048) and v (2048→512): 16 · 8 · (4096 + 2560) = 851,968
    expect(e.params.lora).toBe(851_968);
  });
});
