// The subset of an XLM-RoBERTa / RoBERTa / CamemBERT config.json we use (keys as in config.json).
import { CheckpointMismatchError, configNumber } from '../common/weights';

export interface XlmrConfig {
  vocab_size: number;
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  intermediate_size: number;
  hidden_act: 'gelu' | 'gelu_new' | 'relu';
  max_position_embeddings: number;
  type_vocab_size: number;
  layer_norm_eps: number;
  pad_token_id: number;
}

export function parseXlmrConfig(raw: Record<string, unknown>): XlmrConfig {
  const act = (raw.hidden_act ?? 'gelu') as string;
  if (!['gelu', 'gelu_new', 'relu'].includes(act))
    throw new CheckpointMismatchError(`hidden_act ${JSON.stringify(act)} is not supported`);
  const pet = raw.position_embedding_type;
  if (pet !== undefined && pet !== 'absolute')
    throw new CheckpointMismatchError(`position_embedding_type ${JSON.stringify(pet)} is not supported`);
  return {
    vocab_size: configNumber(raw, 'vocab_size'),
    hidden_size: configNumber(raw, 'hidden_size'),
    num_hidden_layers: configNumber(raw, 'num_hidden_layers'),
    num_attention_heads: configNumber(raw, 'num_attention_heads'),
    intermediate_size: configNumber(raw, 'intermediate_size'),
    hidden_act: act as XlmrConfig['hidden_act'],
    max_position_embeddings: configNumber(raw, 'max_position_embeddings'),
    type_vocab_size: configNumber(raw, 'type_vocab_size', 1),
    layer_norm_eps: configNumber(raw, 'layer_norm_eps', 1e-5),
    pad_token_id: configNumber(raw, 'pad_token_id', 1),
  };
}

/** transformers' create_position_ids_from_input_ids: non-pad tokens count up from pad+1, pads get pad. */
export function positionIds(inputIds: readonly (readonly number[])[], pad: number): number[][] {
  return inputIds.map((row) => {
    let n = 0;
    return row.map((id) => (id === pad ? pad : pad + ++n));
  });
}
