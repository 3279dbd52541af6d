// Memory check of a Study B run before anything is loaded. The byte counts come from the one shared estimator
// (models/common/memory-estimate.ts: frozen weights in their storage format, LoRA values + grads + AdamW moments,
// the activations one stream's forward keeps for backward, the [B·T, V] logits); this file adds what is specific
// to the unlearning step and to WebGPU: three [B·T, V] buffers alive in the KL pass (adapted logits, adapter-off
// reference logits, their gradient), a workspace for one layer's backward temporaries, and the per-binding cap
// on the largest single buffer. It errs high on purpose; bench/node/study-b-step.ts measures it at 1B shape.
// `checkStudyBMemory` is the one check: the runner calls it with the longest tokenised row, the app's preview
// (workers/experiments/memory-preview.ts) with an assumed length before anything is downloaded. Pure: the type
// imports below are erased, so the main thread can import this file without pulling in engine code.
import {
  estimateLoraMemory,
  Q4_BYTES_PER_WEIGHT,
  Q8_BYTES_PER_WEIGHT,
  type DecoderShape,
  type LoraTarget,
} from '../../../models/common/memory-estimate';
import type { LlamaConfig } from '../../../models/llama/config';

import type { GeoUnlearningSpec } from '../../contract/specs/geo-unlearning';
import type { GpuInfo } from '../../contract/device';
import {
  MIN_CHECK_SEQ_LEN,
  type FrozenFormat,
  type MemoryEstimate,
  type MemoryVerdict,
  type StudyBMemoryCheck,
} from '../../contract/memory';

/** The projections the runner wraps with LoRA (the study's PEFT config: q and v). */
export const STUDY_B_LORA_TARGETS = ['q_proj', 'v_proj'] as const satisfies readonly LoraTarget[];
const ALL_LINEAR: readonly LoraTarget[] = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];

export function decoderShapeOf(c: LlamaConfig): DecoderShape {
  return {
    hidden: c.hidden_size,
    layers: c.num_hidden_layers,
    heads: c.num_attention_heads,
    kvHeads: c.num_key_value_heads,
    intermediate: c.intermediate_size,
    vocab: c.vocab_size,
    headDim: c.head_dim,
    tiedEmbeddings: c.tie_word_embeddings,
  };
}

/** The keys of config.json the estimate reads, with parseLlamaConfig's defaults (kv heads = heads, head_dim =
 *  hidden / heads, untied unless `tie_word_embeddings` is true), without importing the model code. */
export function decoderShapeOfJson(raw: Record<string, unknown>): DecoderShape {
  const num = (key: string, fallback?: number): number => {
    const v = raw[key];
    if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v;
    if (fallback !== undefined && (v === undefined || v === null)) return fallback;
    throw new Error(`config.json: "${key}" must be a positive integer, got ${JSON.stringify(v)}`);
  };
  const hidden = num('hidden_size');
  const heads = num('num_attention_heads');
  return {
    hidden,
    layers: num('num_hidden_layers'),
    heads,
    kvHeads: num('num_key_value_heads', heads),
    intermediate: num('intermediate_size'),
    vocab: num('vocab_size'),
    headDim: num('head_dim', hidden / heads),
    tiedEmbeddings: raw.tie_word_embeddings === true,
  };
}

type EstimateOptions = {
  format: FrozenFormat;
  rank: number;
  targets: 'qv' | 'all-linear';
  batch: number;
  seqLen: number;
  checkpointing?: boolean;
};

export function estimateMemory(
  options: ({ config: LlamaConfig } | { shape: DecoderShape }) & EstimateOptions,
): MemoryEstimate {
  const shape = 'shape' in options ? options.shape : decoderShapeOf(options.config);
  const targets = options.targets === 'qv' ? STUDY_B_LORA_TARGETS : ALL_LINEAR;
  const e = estimateLoraMemory({
    shape,
    lora: { r: options.rank, targets },
    batch: options.batch,
    seqLen: options.seqLen,
    logitCopies: 3,
  });
  const tokens = options.batch * options.seqLen;
  // The backward of one layer allocates gradients about as large as that layer's cache before it frees it.
  const workspace = tokens * e.activations.perTokenPerLayer;
  const activations = (options.checkpointing ? e.activations.checkpointed : e.activations.full) + workspace;
  const weights = e.weightBytes[options.format];
  const bpw = { f32: 4, f16: 2, q8: Q8_BYTES_PER_WEIGHT, q4: Q4_BYTES_PER_WEIGHT }[options.format];
  const C = shape.hidden;
  const buffers: [string, number][] = [
    ['the f32 token embeddings [V, C]', shape.vocab * C * 4],
    ['the logits [B·T, V]', tokens * shape.vocab * 4],
    ['an MLP weight [I, C]', shape.intermediate * C * bpw],
  ];
  const [largestName, largestBuffer] = buffers.reduce((a, b) => (b[1] > a[1] ? b : a));
  const lora = e.loraBytes + e.gradBytes;
  const total = weights + lora + e.adamBytes + activations + e.logitsBytes;
  return {
    weights,
    lora,
    optimizer: e.adamBytes,
    activations,
    logits: e.logitsBytes,
    total,
    largestBuffer,
    largestName,
  };
}

/** Budget: the host's reported memory (navigator.deviceMemory, GB) × 0.5, else 4 GB, unless given. */
export function defaultBudget(): number {
  const gb = (globalThis as { navigator?: { deviceMemory?: number } }).navigator?.deviceMemory;
  return (gb ? gb * 0.5 : 4) * 2 ** 30;
}

/** `advice` ends the over-budget reason (what the user can change); the default names the estimator's levers. */
export function checkFits(
  estimate: MemoryEstimate,
  device: GpuInfo | undefined,
  budget = defaultBudget(),
  advice = 'try q4 weights, a smaller batch or gradient checkpointing',
): MemoryVerdict {
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
  const limit = device ? Math.min(device.limits.maxBufferSize, device.limits.maxStorageBufferBindingSize) : Infinity;
  if (estimate.largestBuffer > limit)
    return {
      estimate,
      budget,
      fits: false,
      reason: `${estimate.largestName} need ${mb(estimate.largestBuffer)} in one buffer but this GPU allows at most ${mb(limit)} per storage buffer (maxStorageBufferBindingSize)${estimate.largestName.includes('logits') ? '; use a smaller batch or shorter sequences' : ''}`,
    };
  if (estimate.total > budget)
    return {
      estimate,
      budget,
      fits: false,
      reason: `the run needs about ${mb(estimate.total)} (weights ${mb(estimate.weights)}, LoRA + optimizer ${mb(estimate.lora + estimate.optimizer)}, activations ${mb(estimate.activations + estimate.logits)}) but the budget is ${mb(budget)}; ${advice}`,
    };
  return { estimate, budget, fits: true };
}

/** The storage the frozen linear weights get: f16 needs the device's shader-f16 (without it, or without a known
 *  device — the main thread's preview — they are counted and kept in f32; the runner says so in its log). */
export function frozenFormat(w: GeoUnlearningSpec['weights'], f16Available: boolean): FrozenFormat {
  if (w === 'f16') return f16Available ? 'f16' : 'f32';
  return w;
}

/** The memory check of a Study B run (what the runner refuses on, and what the app previews). */
export function checkStudyBMemory(options: {
  spec: Pick<GeoUnlearningSpec, 'weights' | 'train'>;
  config: Record<string, unknown>;
  seqLen: number;
  device?: GpuInfo;
  budget?: number;
}): StudyBMemoryCheck {
  const { spec } = options;
  const format = frozenFormat(spec.weights, options.device?.features?.f16 ?? false);
  const seqLen = Math.max(Math.ceil(options.seqLen), MIN_CHECK_SEQ_LEN);
  const estimate = estimateMemory({
    shape: decoderShapeOfJson(options.config),
    format,
    rank: spec.train.lora.rank,
    targets: 'qv',
    batch: spec.train.batch,
    seqLen,
  });
  // Only what the spec can change: Study B has no checkpointing switch, and row length comes from the data.
  const levers = [
    format !== 'q4' && 'choose q4 weights',
    spec.train.batch > 1 && 'a smaller batch',
    'shorter MCQ and retain rows',
  ].filter(Boolean);
  const advice = `${levers.slice(0, -1).join(', ')}${levers.length > 1 ? ' or ' : ''}${levers.at(-1)}`;
  return { ...checkFits(estimate, options.device, options.budget ?? defaultBudget(), advice), format, seqLen };
}
