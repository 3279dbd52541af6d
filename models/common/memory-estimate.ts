// Memory budget of LoRA training on a Llama-family decoder, computed from its shape alone (no GPU, no weights):
// what Study B's closing note quotes for 1B-class models that SwiftShader cannot run. Byte counts follow our own
// storage formats (workers/gpu/quant-layout.ts: q8 = 32 int8 + one f32 scale per 32 weights, q4 = 32 nibbles +
// one f32 scale) and our layers' caches (workers/nn: what forward keeps for backward); it is an estimate of the
// tensors we hold, not of allocator slack, uniforms or pipeline objects.

export interface DecoderShape {
  hidden: number; // C
  layers: number; // L
  heads: number; // NH
  kvHeads: number; // NKV (GQA)
  intermediate: number; // I
  vocab: number; // V
  /** HS; hidden / heads when absent. */
  headDim?: number;
  /** lm_head shares embed_tokens (Llama 3.2 1B does). */
  tiedEmbeddings?: boolean;
}

export type LoraTarget = 'q_proj' | 'k_proj' | 'v_proj' | 'o_proj' | 'gate_proj' | 'up_proj' | 'down_proj';

export interface MemoryEstimateOptions {
  shape: DecoderShape;
  lora: { r: number; targets: readonly LoraTarget[] };
  /** Tokens per step (batch × sequence length) and the sequence length (attention probabilities scale with it). */
  batch: number;
  seqLen: number;
  /** [tokens, V] f32 buffers alive at once: 2 (logits + their gradient) by default; Study B's KL pass holds 3
   *  (the adapted logits, the adapter-off reference logits and the gradient). */
  logitCopies?: number;
}

export interface MemoryEstimate {
  /** Parameter counts. */
  params: { total: number; linear: number; other: number; lora: number };
  /** Frozen weights with linear layers in each format; embeddings and norms stay f32 (as loadLinearWeight does). */
  weightBytes: { f32: number; f16: number; q8: number; q4: number };
  /** LoRA weights, their gradients, AdamW's two moments: 4 f32 copies of the LoRA parameters. */
  loraBytes: number;
  gradBytes: number;
  adamBytes: number;
  /** Activations kept for backward, per token and for the whole step. */
  activations: {
    perTokenPerLayer: number;
    /** Without checkpointing every layer's cache is live at the start of backward. */
    full: number;
    /** With checkpointing: block inputs of all layers + one layer's cache while it is recomputed. */
    checkpointed: number;
  };
  /** `logitCopies` f32 buffers of [tokens, V]: the logits and their gradient (+ the KL reference in Study B). */
  logitsBytes: number;
  /** Weights (per format) + LoRA + grads + AdamW + activations + logits, without / with checkpointing. */
  totals: Record<'f32' | 'f16' | 'q8' | 'q4', { full: number; checkpointed: number }>;
}

const F32 = 4;
/** Bytes per weight of our quantised formats: (32 payload bytes or 16, + one 4-byte scale) per 32 weights. */
export const Q8_BYTES_PER_WEIGHT = (32 + 4) / 32;
export const Q4_BYTES_PER_WEIGHT = (16 + 4) / 32;

/** [out, in] of each projection in one layer. */
export function projectionShapes(s: DecoderShape): Record<LoraTarget, [number, number]> {
  const HS = s.headDim ?? s.hidden / s.heads;
  const { hidden: C, intermediate: I } = s;
  return {
    q_proj: [s.heads * HS, C],
    k_proj: [s.kvHeads * HS, C],
    v_proj: [s.kvHeads * HS, C],
    o_proj: [C, s.heads * HS],
    gate_proj: [I, C],
    up_proj: [I, C],
    down_proj: [C, I],
  };
}

/**
 * f32 values one layer keeps per token for backward: the two RMSNorm inputs and outputs (4C, the norm's rstd is
 * per row and ignored), q, k, v after RoPE ((NH + 2·NKV)·HS), the attention context (NH·HS), the softmax
 * probabilities (NH·T per query token), and the gated MLP's gate, up and silu(gate)·up (3I).
 */
export function activationFloatsPerToken(s: DecoderShape, seqLen: number): number {
  const HS = s.headDim ?? s.hidden / s.heads;
  return 4 * s.hidden + (s.heads + 2 * s.kvHeads) * HS + s.heads * HS + s.heads * seqLen + 3 * s.intermediate;
}

export function estimateLoraMemory({
  shape: s,
  lora,
  batch,
  seqLen,
  logitCopies = 2,
}: MemoryEstimateOptions): MemoryEstimate {
  const proj = projectionShapes(s);
  const linearPerLayer = Object.values(proj).reduce((a, [o, i]) => a + o * i, 0);
  const linear = s.layers * linearPerLayer;
  const embed = s.vocab * s.hidden;
  const head = s.tiedEmbeddings ? 0 : s.vocab * s.hidden;
  // Norms: two RMSNorm weights per layer plus the final norm.
  const other = embed + s.layers * 2 * s.hidden + s.hidden;
  // An untied lm_head is a linear layer and is quantised like the others.
  const quantisable = linear + head;
  const loraParams = s.layers * lora.targets.reduce((a, t) => a + lora.r * (proj[t][0] + proj[t][1]), 0);
  const weightBytes = {
    f32: (quantisable + other) * F32,
    f16: quantisable * 2 + other * F32,
    q8: quantisable * Q8_BYTES_PER_WEIGHT + other * F32,
    q4: quantisable * Q4_BYTES_PER_WEIGHT + other * F32,
  };
  const tokens = batch * seqLen;
  const perTokenPerLayer = activationFloatsPerToken(s, seqLen) * F32;
  const activations = {
    perTokenPerLayer,
    full: tokens * s.layers * perTokenPerLayer,
    checkpointed: tokens * (s.layers * s.hidden * F32 + perTokenPerLayer),
  };
  const logitsBytes = logitCopies * tokens * s.vocab * F32;
  const loraBytes = loraParams * F32;
  const fixed = 4 * loraBytes + logitsBytes; // LoRA weights + grads + 2 AdamW moments = 4 copies
  const totals = {} as MemoryEstimate['totals'];
  for (const f of ['f32', 'f16', 'q8', 'q4'] as const)
    totals[f] = {
      full: weightBytes[f] + fixed + activations.full,
      checkpointed: weightBytes[f] + fixed + activations.checkpointed,
    };
  return {
    params: { total: quantisable + other, linear: quantisable, other, lora: loraParams },
    weightBytes,
    loraBytes,
    gradBytes: loraBytes,
    adamBytes: 2 * loraBytes,
    activations,
    logitsBytes,
    totals,
  };
}
