// Memory estimate of a Study B run before anything is loaded: frozen weights in their storage format, LoRA
// values + grads + AdamW moments, and the activations one step keeps alive (the largest of the three streams'
// forward/backward with the reference logits of the KL term), checked against the device's buffer limits and
// a total budget. An estimate from shapes (float32 activations), not a measurement: it errs high on purpose.
import type { LlamaConfig } from '../../../models/llama/config';
import type { GpuInfo } from '../../gpu/device';

export type FrozenFormat = 'f32' | 'q8' | 'q4';

export interface MemoryEstimate {
  weights: number;
  lora: number;
  optimizer: number;
  activations: number;
  logits: number;
  total: number;
  /** Largest single buffer (a weight matrix or the [B·T, V] logits) and what it holds. */
  largestBuffer: number;
  largestName: string;
}

export interface MemoryVerdict {
  estimate: MemoryEstimate;
  fits: boolean;
  reason?: string;
  budget: number;
}

const BYTES_PER_WEIGHT: Record<FrozenFormat, number> = { f32: 4, q8: 1 + 4 / 32, q4: 0.5 + 4 / 32 }; // + f32 scale per 32

export function estimateMemory(options: { config: LlamaConfig; format: FrozenFormat; rank: number; targets: 'qv' | 'all-linear'; batch: number; seqLen: number; checkpointing?: boolean }): MemoryEstimate {
  const c = options.config;
  const C = c.hidden_size;
  const I = c.intermediate_size;
  const V = c.vocab_size;
  const L = c.num_hidden_layers;
  const q = c.num_attention_heads * c.head_dim;
  const kv = c.num_key_value_heads * c.head_dim;
  const perLayer = C * q + 2 * C * kv + q * C + 3 * C * I;
  const bpw = BYTES_PER_WEIGHT[options.format];
  // Embeddings stay f32 (gathered rows); the LM head shares the format of the projections unless tied.
  const weights = L * perLayer * bpw + V * C * 4 + (c.tie_word_embeddings ? 0 : V * C * bpw) + (2 * L + 1) * C * 4;
  const r = options.rank;
  const loraPerLayer = options.targets === 'qv' ? r * (C + q) + r * (C + kv) : r * (C + q) + 2 * r * (C + kv) + r * (q + C) + 2 * r * (C + I) + r * (I + C);
  const lora = L * loraPerLayer * 4 * 2; // values + grads
  const optimizer = L * loraPerLayer * 4 * 2; // AdamW m and v
  const N = options.batch * options.seqLen;
  // Per layer and token the block cache keeps norms, q/k/v, attention output, MLP gate/up/act (float32), plus
  // the attention probabilities [NH, T] per token; with checkpointing only the block input stays per layer.
  const perTokenLayer = 4 * (6 * C + q + 2 * kv + 3 * I + c.num_attention_heads * options.seqLen);
  const kept = options.checkpointing ? L * N * C * 4 + N * perTokenLayer : L * N * perTokenLayer;
  const activations = kept * 2; // backward temporaries of about the same size as the cache of one layer stack
  const logits = 4 * N * V * 3; // θ logits, reference logits (KL) and dlogits
  const buffers: [string, number][] = [['the f32 token embeddings [V, C]', V * C * 4], ['the logits [B·T, V]', N * V * 4], ['an MLP weight [I, C]', I * C * bpw]];
  const [largestName, largestBuffer] = buffers.reduce((a, b) => (b[1] > a[1] ? b : a));
  return { weights, lora, optimizer, activations, logits, total: weights + lora + optimizer + activations + logits, largestBuffer, largestName };
}

/** Budget: the host's reported memory (navigator.deviceMemory, GB) × 0.5, else 4 GB, unless given. */
export function defaultBudget(): number {
  const gb = (globalThis as { navigator?: { deviceMemory?: number } }).navigator?.deviceMemory;
  return (gb ? gb * 0.5 : 4) * 2 ** 30;
}

export function checkFits(estimate: MemoryEstimate, device: GpuInfo | undefined, budget = defaultBudget()): MemoryVerdict {
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
  const limit = device ? Math.min(device.limits.maxBufferSize, device.limits.maxStorageBufferBindingSize) : Infinity;
  if (estimate.largestBuffer > limit)
    return { estimate, budget, fits: false, reason: `${estimate.largestName} need ${mb(estimate.largestBuffer)} in one buffer but this GPU allows at most ${mb(limit)} per storage buffer (maxStorageBufferBindingSize)${estimate.largestName.includes('logits') ? '; use a smaller batch or shorter sequences' : ''}` };
  if (estimate.total > budget)
    return { estimate, budget, fits: false, reason: `the run needs about ${mb(estimate.total)} (weights ${mb(estimate.weights)}, LoRA + optimizer ${mb(estimate.lora + estimate.optimizer)}, activations ${mb(estimate.activations + estimate.logits)}) but the budget is ${mb(budget)}; try q4 weights, a smaller batch or gradient checkpointing` };
  return { estimate, budget, fits: true };
}
