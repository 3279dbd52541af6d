// LlamaForCausalLM on the engine (transformers' modeling_llama, eager attention): token embeddings → L decoder
// layers (RMSNorm, GQA self-attention with rotate-half RoPE, SwiGLU MLP) → final RMSNorm → lm_head.
// Hidden states follow HF's output_hidden_states order: [embeddings, layer 0 … layer L−2 outputs, norm(layer L−1)].
import type { Backend, Tensor } from '../../workers/backend/backend';
import { embedding } from '../../workers/kernels/embedding/embedding';
import { ropeTables } from '../../workers/kernels/rope/rope';
import { Attention, type AttentionInputs } from '../../workers/nn/attention';
import { backwardBlocks, disposeStack, forwardBlocks, type StackState } from '../../workers/nn/block-stack';
import { Linear } from '../../workers/nn/linear';
import { GatedMlp } from '../../workers/nn/mlp';
import { RmsNorm, disposeNormCache, type NormCache } from '../../workers/nn/norms';
import { disposeAll, type Param } from '../../workers/nn/param';
import type { LoraLinear } from '../../workers/nn/lora-linear';
import { applyLora, type LoraOptions, type ProjectionSlot } from '../common/lora';
import {
  loadF32,
  loadLinearWeight,
  loadOptionalF32,
  resolveWeightFormat,
  type WeightFormatOption,
  type WeightLoader,
} from '../common/weights';
import type { Checkpoint } from '../load/checkpoint';
import { LlamaBlock, type LlamaBlockCache } from './block';
import { parseLlamaConfig, type LlamaConfig } from './config';

export interface CausalBatch {
  inputIds: number[][];
  attentionMask?: number[][];
  /** Per-row positions; default 0..T−1 in every row (HF's default when no position_ids are passed). */
  positionIds?: number[][];
}

export interface LlamaForwardOptions {
  hiddenStates?: boolean;
  /** Keep what backward needs. */
  train?: boolean;
  /** Gradient checkpointing: keep only block inputs, recompute each block during backward. */
  checkpointing?: boolean;
}

export interface LlamaForwardState {
  inputs: AttentionInputs;
  stack: StackState<LlamaBlockCache>; // block inputs x_0 … x_{L−1}, caches, x_L (before the final norm)
  normCache: NormCache;
  normed: Tensor; // [B, T, C]
  ids: Tensor;
}

export interface LlamaOutput {
  logits: Tensor; // [B, T, V]
  hiddenStates: Tensor[] | null;
  state: LlamaForwardState;
}

export class LlamaForCausalLM {
  adapters: LoraLinear[] = [];

  private constructor(
    readonly be: Backend,
    readonly config: LlamaConfig,
    readonly embedTokens: Param,
    readonly layers: LlamaBlock[],
    readonly norm: RmsNorm,
    readonly lmHead: Linear,
  ) {}

  static async load(
    be: Backend,
    ckpt: Checkpoint,
    opts: { format?: WeightFormatOption } = {},
  ): Promise<LlamaForCausalLM> {
    const cfg = parseLlamaConfig(ckpt.config);
    const l: WeightLoader = { be, ckpt, format: resolveWeightFormat(be, opts.format) };
    const { hidden_size: C, intermediate_size: I, vocab_size: V, head_dim: HS } = cfg;
    const NH = cfg.num_attention_heads;
    const NKV = cfg.num_key_value_heads;
    const embedTokens = await loadF32(l, 'model.embed_tokens.weight', [V, C]);
    const lin = async (name: string, out: number, inp: number, bias = false) =>
      new Linear(
        await loadLinearWeight(l, `${name}.weight`, [out, inp]),
        bias ? await loadOptionalF32(l, `${name}.bias`, [out]) : null,
      );
    const layers: LlamaBlock[] = [];
    for (let i = 0; i < cfg.num_hidden_layers; i++) {
      const p = `model.layers.${i}`;
      const attn = new Attention(
        { numHeads: NH, numKvHeads: NKV, headDim: HS, scale: 1 / Math.sqrt(HS) },
        await lin(`${p}.self_attn.q_proj`, NH * HS, C, true),
        await lin(`${p}.self_attn.k_proj`, NKV * HS, C, true),
        await lin(`${p}.self_attn.v_proj`, NKV * HS, C, true),
        await lin(`${p}.self_attn.o_proj`, C, NH * HS),
      );
      const mlp = new GatedMlp(
        await lin(`${p}.mlp.gate_proj`, I, C),
        await lin(`${p}.mlp.up_proj`, I, C),
        await lin(`${p}.mlp.down_proj`, C, I),
        'silu',
      );
      layers.push(
        new LlamaBlock(
          new RmsNorm(await loadF32(l, `${p}.input_layernorm.weight`, [C]), cfg.rms_norm_eps),
          attn,
          new RmsNorm(await loadF32(l, `${p}.post_attention_layernorm.weight`, [C]), cfg.rms_norm_eps),
          mlp,
        ),
      );
    }
    const norm = new RmsNorm(await loadF32(l, 'model.norm.weight', [C]), cfg.rms_norm_eps);
    const tied = cfg.tie_word_embeddings || !ckpt.has('lm_head.weight');
    const lmHead = new Linear(tied ? embedTokens : await loadLinearWeight(l, 'lm_head.weight', [V, C]), null);
    return new LlamaForCausalLM(be, cfg, embedTokens, layers, norm, lmHead);
  }

  /** Every projection LoRA may wrap, with its HF module path. */
  slots(): ProjectionSlot[] {
    return this.layers.flatMap((b, i) => {
      const p = `model.layers.${i}`;
      const a = b.attn;
      const m = b.mlp;
      return [
        { module: `${p}.self_attn.q_proj`, get: () => a.q, set: (x) => (a.q = x) },
        { module: `${p}.self_attn.k_proj`, get: () => a.k, set: (x) => (a.k = x) },
        { module: `${p}.self_attn.v_proj`, get: () => a.v, set: (x) => (a.v = x) },
        { module: `${p}.self_attn.o_proj`, get: () => a.o, set: (x) => (a.o = x) },
        { module: `${p}.mlp.gate_proj`, get: () => m.gate, set: (x) => (m.gate = x) },
        { module: `${p}.mlp.up_proj`, get: () => m.up, set: (x) => (m.up = x) },
        { module: `${p}.mlp.down_proj`, get: () => m.down, set: (x) => (m.down = x) },
      ] satisfies ProjectionSlot[];
    });
  }

  applyLora(opts: LoraOptions): LoraLinear[] {
    this.adapters = applyLora(this.be, this.slots(), opts);
    return this.adapters;
  }

  private attentionInputs(batch: CausalBatch): AttentionInputs {
    const be = this.be;
    const B = batch.inputIds.length;
    const T = batch.inputIds[0].length;
    const { head_dim, rope_theta, rope_scaling } = this.config;
    const rows = batch.positionIds ?? [Array.from({ length: T }, (_, i) => i)];
    const tables = rows.map((positions) =>
      ropeTables({ positions, headDim: head_dim, theta: rope_theta, scaling: rope_scaling ?? undefined }),
    );
    const cat = (k: 'cos' | 'sin') => Float32Array.from(tables.flatMap((t) => Array.from(t[k])));
    const shape = batch.positionIds ? [B, T, head_dim / 2] : [T, head_dim / 2];
    const inputs: AttentionInputs = {
      causal: true,
      rope: { cos: be.upload(cat('cos'), shape), sin: be.upload(cat('sin'), shape) },
    };
    if (batch.attentionMask) inputs.keyMask = be.upload(batch.attentionMask.flat(), [B, T]);
    return inputs;
  }

  async forward(batch: CausalBatch, opts: LlamaForwardOptions = {}): Promise<LlamaOutput> {
    const be = this.be;
    const B = batch.inputIds.length;
    const T = batch.inputIds[0].length;
    const ids = be.upload(batch.inputIds.flat(), [B, T], 'i32');
    const inputs = this.attentionInputs(batch);
    const x = await embedding(be, this.embedTokens.value, ids); // [B, T, C]
    const stack = await forwardBlocks(be, this.layers, x, inputs, opts);
    const n = await this.norm.forward(be, stack.last);
    const { y: logits } = await this.lmHead.forward(be, n.y);
    const state: LlamaForwardState = { inputs, stack, normCache: n.cache, normed: n.y, ids };
    return { logits, hiddenStates: opts.hiddenStates ? [...stack.blockInputs, n.y] : null, state };
  }

  /** Back-propagate dLogits [B, T, V] through the model; LoRA gradients accumulate into the adapters' params. */
  async backward(out: LlamaOutput, dLogits: Tensor): Promise<void> {
    const be = this.be;
    const s = out.state;
    const dn = await this.lmHead.backward(be, dLogits, { x: s.normed });
    const dx = await this.norm.backward(be, dn, s.normCache);
    dn.dispose();
    // The embeddings are frozen: the gradient reaching the bottom of the stack is not needed.
    (await backwardBlocks(be, this.layers, s.stack, s.inputs, dx, (g) => g)).dispose();
  }

  dispose(out: LlamaOutput): void {
    const s = out.state;
    disposeStack(this.layers, s.stack);
    disposeNormCache(s.normCache);
    disposeAll(out.logits, s.normed, s.ids, s.inputs.keyMask, s.inputs.rope?.cos, s.inputs.rope?.sin);
  }

  trainableParams(): Param[] {
    return this.adapters.flatMap((a) => a.params);
  }
}
