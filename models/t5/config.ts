// The subset of a T5 / T5 v1.1 / FLAN-T5 / mT5 config.json we use (keys as in config.json), with the defaults of
// transformers' T5Config for keys a config leaves out.
import { CheckpointMismatchError, configNumber } from '../common/weights';

/** 'relu': original T5, wo(relu(wi x)). 'gated-gelu': T5 v1.1 / FLAN-T5, wo(gelu_new(wi_0 x) ⊙ wi_1 x). */
export type T5FeedForward = 'relu' | 'gated-gelu';

export interface T5Config {
  vocab_size: number;
  d_model: number; // C
  d_kv: number; // HS (need not be d_model / num_heads)
  d_ff: number;
  num_heads: number; // NH
  num_layers: number; // encoder blocks
  num_decoder_layers: number;
  relative_attention_num_buckets: number;
  relative_attention_max_distance: number;
  layer_norm_epsilon: number;
  feed_forward_proj: T5FeedForward;
  /** T5Config inherits PretrainedConfig's default true; v1.1 / FLAN-T5 checkpoints set false. */
  tie_word_embeddings: boolean;
  decoder_start_token_id: number;
  pad_token_id: number;
  eos_token_id: number;
}

export function parseT5Config(raw: Record<string, unknown>): T5Config {
  const ff = (raw.feed_forward_proj ?? 'relu') as string;
  if (ff !== 'relu' && ff !== 'gated-gelu')
    throw new CheckpointMismatchError(`feed_forward_proj ${JSON.stringify(ff)} is not supported (relu, gated-gelu)`);
  const numLayers = configNumber(raw, 'num_layers', 6);
  const pad = configNumber(raw, 'pad_token_id', 0);
  const eos = Array.isArray(raw.eos_token_id) ? (raw.eos_token_id[0] as number) : configNumber(raw, 'eos_token_id', 1);
  return {
    vocab_size: configNumber(raw, 'vocab_size', 32128),
    d_model: configNumber(raw, 'd_model', 512),
    d_kv: configNumber(raw, 'd_kv', 64),
    d_ff: configNumber(raw, 'd_ff', 2048),
    num_heads: configNumber(raw, 'num_heads', 8),
    num_layers: numLayers,
    // transformers: num_decoder_layers = num_layers when absent (symmetric stacks).
    num_decoder_layers: configNumber(raw, 'num_decoder_layers', numLayers),
    relative_attention_num_buckets: configNumber(raw, 'relative_attention_num_buckets', 32),
    relative_attention_max_distance: configNumber(raw, 'relative_attention_max_distance', 128),
    layer_norm_epsilon: configNumber(raw, 'layer_norm_epsilon', 1e-6),
    feed_forward_proj: ff,
    tie_word_embeddings: raw.tie_word_embeddings !== false,
    // Every released T5 config names 0 (= pad); transformers' _shift_right needs it, pad is the T5 convention.
    decoder_start_token_id: configNumber(raw, 'decoder_start_token_id', pad),
    pad_token_id: pad,
    eos_token_id: eos,
  };
}
