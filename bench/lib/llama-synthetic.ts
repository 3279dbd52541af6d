// Llama-family shapes with seeded random weights as an in-memory checkpoint (HF names and config keys), for the
// decoding and training benchmarks. Follows the tensor layout models/llama/model.ts loads.
import type { Checkpoint } from '../../models/load/checkpoint';
import { memoryCheckpoint, syntheticTensor, type SyntheticTensor } from './synthetic-checkpoint';

export interface LlamaShape {
  C: number;
  L: number;
  NH: number;
  NKV: number;
  I: number;
  V: number;
  /** Untied lm_head weight; tied (Llama 3.2 1B) when false. */
  untiedHead?: boolean;
}

export function describeLlama(s: LlamaShape): string {
  return `hidden ${s.C}, ${s.L} layers, ${s.NH} heads / ${s.NKV} kv heads (head dim ${s.C / s.NH}), intermediate ${s.I}, vocab ${s.V}`;
}

export function llamaCheckpoint(s: LlamaShape, random: (n: number) => Float32Array): Checkpoint {
  const HS = s.C / s.NH;
  const m = new Map<string, SyntheticTensor>();
  m.set('model.embed_tokens.weight', syntheticTensor(random, [s.V, s.C], 'embedding'));
  for (let l = 0; l < s.L; l++) {
    const p = `model.layers.${l}`;
    const lin = (n: string, out: number, inp: number) =>
      m.set(`${p}.${n}.weight`, syntheticTensor(random, [out, inp], 'matrix'));
    lin('self_attn.q_proj', s.NH * HS, s.C);
    lin('self_attn.k_proj', s.NKV * HS, s.C);
    lin('self_attn.v_proj', s.NKV * HS, s.C);
    lin('self_attn.o_proj', s.C, s.NH * HS);
    lin('mlp.gate_proj', s.I, s.C);
    lin('mlp.up_proj', s.I, s.C);
    lin('mlp.down_proj', s.C, s.I);
    m.set(`${p}.input_layernorm.weight`, syntheticTensor(random, [s.C], 'norm'));
    m.set(`${p}.post_attention_layernorm.weight`, syntheticTensor(random, [s.C], 'norm'));
  }
  m.set('model.norm.weight', syntheticTensor(random, [s.C], 'norm'));
  if (s.untiedHead) m.set('lm_head.weight', syntheticTensor(random, [s.V, s.C], 'matrix'));
  const config = {
    model_type: 'llama',
    hidden_size: s.C,
    num_hidden_layers: s.L,
    num_attention_heads: s.NH,
    num_key_value_heads: s.NKV,
    intermediate_size: s.I,
    vocab_size: s.V,
    rms_norm_eps: 1e-5,
    rope_theta: 500000,
    tie_word_embeddings: !s.untiedHead,
    max_position_embeddings: 2048,
    bos_token_id: 1,
    eos_token_id: 2,
  };
  return memoryCheckpoint(config, m);
}
