// The subset of a Llama-family config.json we use (keys as in config.json). Qwen2 configs load too: their q/k/v
// projections carry biases, detected from the checkpoint.
import type { Llama3RopeScaling } from '../../workers/kernels/rope/rope-tables';
import { CheckpointMismatchError, configNumber } from '../common/weights';

export type { Llama3RopeScaling };

export interface LlamaConfig {
  vocab_size: number;
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  head_dim: number;
  rms_norm_eps: number;
  rope_theta: number;
  rope_scaling: Llama3RopeScaling | null;
  tie_word_embeddings: boolean;
  max_position_embeddings: number;
  bos_token_id: number | null;
  eos_token_id: number | number[] | null;
}

export function parseLlamaConfig(raw: Record<string, unknown>): LlamaConfig {
  const hidden = configNumber(raw, 'hidden_size');
  const heads = configNumber(raw, 'num_attention_heads');
  const scaling = raw.rope_scaling as Record<string, unknown> | null | undefined;
  let rope_scaling: Llama3RopeScaling | null = null;
  if (scaling) {
    const type = scaling.rope_type ?? scaling.type;
    if (type === 'llama3') rope_scaling = scaling as unknown as Llama3RopeScaling;
    else if (type !== 'default')
      throw new CheckpointMismatchError(`rope_scaling type ${JSON.stringify(type)} is not supported (only llama3)`);
  }
  return {
    vocab_size: configNumber(raw, 'vocab_size'),
    hidden_size: hidden,
    intermediate_size: configNumber(raw, 'intermediate_size'),
    num_hidden_layers: configNumber(raw, 'num_hidden_layers'),
    num_attention_heads: heads,
    num_key_value_heads: configNumber(raw, 'num_key_value_heads', heads),
    head_dim: configNumber(raw, 'head_dim', hidden / heads),
    rms_norm_eps: configNumber(raw, 'rms_norm_eps', 1e-6),
    rope_theta: configNumber(raw, 'rope_theta', 10000),
    rope_scaling,
    tie_word_embeddings: raw.tie_word_embeddings === true,
    max_position_embeddings: configNumber(raw, 'max_position_embeddings', 2048),
    bos_token_id: typeof raw.bos_token_id === 'number' ? raw.bos_token_id : null,
    eos_token_id: (raw.eos_token_id as number | number[] | undefined) ?? null,
  };
}
