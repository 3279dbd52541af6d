// XLMRobertaForMaskedLM on the engine (transformers' modeling_xlm_roberta; also RoBERTa and CamemBERT, which
// share the architecture): embeddings (word + padding-aware positions + token type, LayerNorm) → L post-LN
// encoder layers → masked-LM head. Hidden states in HF order: [embeddings output, layer 0 … layer L−1 outputs].
import type { Backend, Tensor } from '../../workers/backend/backend';
import { add } from '../../workers/kernels/elementwise/elementwise';
import { embedding, embeddingBackward } from '../../workers/kernels/embedding/embedding';
import { Attention, type AttentionInputs } from '../../workers/nn/attention';
import { backwardBlocks, disposeStack, forwardBlocks, type StackState } from '../../workers/nn/block-stack';
import { Linear } from '../../workers/nn/linear';
import type { LoraLinear } from '../../workers/nn/lora-linear';
import { Mlp } from '../../workers/nn/mlp';
import { LayerNorm, disposeNormCache } from '../../workers/nn/norms';
import { disposeAll, type Param } from '../../workers/nn/param';
import { applyLora, type LoraOptions, type ProjectionSlot } from '../common/lora';
import {
  loadF32,
  loadLinearWeight,
  resolveWeightFormat,
  type WeightFormatOption,
  type WeightLoader,
} from '../common/weights';
import type { Checkpoint } from '../load/checkpoint';
import { XlmrBlock, type XlmrBlockCache } from './block';
import { parseXlmrConfig, positionIds, type XlmrConfig } from './config';
import { MlmHead, type MlmHeadCache } from './head';

export interface EncoderBatch {
  inputIds: number[][];
  attentionMask?: number[][];
}

export interface XlmrForwardOptions {
  hiddenStates?: boolean;
  train?: boolean;
  checkpointing?: boolean;
  /** Flat row indices (b·T + t) where the MLM head runs; all rows when absent; none when `head: false`. */
  rows?: number[];
  head?: boolean;
}

export interface XlmrState {
  inputs: AttentionInputs;
  stack: StackState<XlmrBlockCache>; // block inputs, caches and the last hidden state

  rows: Tensor | null; // i32 [M]
  gathered: Tensor | null; // [M, C]
  headCache: MlmHeadCache | null;
  ids: Tensor;
}

export interface XlmrOutput {
  /** [B, T, V], or [M, V] for selected rows; null when the head is skipped. */
  logits: Tensor | null;
  hiddenStates: Tensor[] | null;
  state: XlmrState;
}

export class XlmrForMaskedLM {
  adapters: LoraLinear[] = [];

  private constructor(
    readonly be: Backend,
    readonly config: XlmrConfig,
    readonly prefix: string,
    readonly wordEmb: Param,
    readonly posEmb: Param,
    readonly typeEmb: Param,
    readonly embNorm: LayerNorm,
    readonly layers: XlmrBlock[],
    readonly head: MlmHead | null,
  ) {}

  static async load(
    be: Backend,
    ckpt: Checkpoint,
    opts: { format?: WeightFormatOption } = {},
  ): Promise<XlmrForMaskedLM> {
    const cfg = parseXlmrConfig(ckpt.config);
    const l: WeightLoader = { be, ckpt, format: resolveWeightFormat(be, opts.format) };
    // Checkpoints saved from the MLM class prefix the encoder with "roberta."; bare encoders do not.
    const prefix = ckpt.has('roberta.embeddings.word_embeddings.weight') ? 'roberta.' : '';
    const { hidden_size: C, intermediate_size: I, vocab_size: V, layer_norm_eps: eps } = cfg;
    const NH = cfg.num_attention_heads;
    const HS = C / NH;
    const f32 = (n: string, s: number[]) => loadF32(l, n, s);
    const lin = async (n: string, out: number, inp: number) =>
      new Linear(await loadLinearWeight(l, `${n}.weight`, [out, inp]), await f32(`${n}.bias`, [out]));
    const ln = async (n: string) => new LayerNorm(await f32(`${n}.weight`, [C]), await f32(`${n}.bias`, [C]), eps);
    const e = `${prefix}embeddings`;
    const wordEmb = await f32(`${e}.word_embeddings.weight`, [V, C]);
    const posEmb = await f32(`${e}.position_embeddings.weight`, [cfg.max_position_embeddings, C]);
    const typeEmb = await f32(`${e}.token_type_embeddings.weight`, [cfg.type_vocab_size, C]);
    const embNorm = await ln(`${e}.LayerNorm`);
    const layers: XlmrBlock[] = [];
    for (let i = 0; i < cfg.num_hidden_layers; i++) {
      const p = `${prefix}encoder.layer.${i}`;
      const attn = new Attention(
        { numHeads: NH, numKvHeads: NH, headDim: HS, scale: 1 / Math.sqrt(HS) },
        await lin(`${p}.attention.self.query`, C, C),
        await lin(`${p}.attention.self.key`, C, C),
        await lin(`${p}.attention.self.value`, C, C),
        await lin(`${p}.attention.output.dense`, C, C),
      );
      const act = cfg.hidden_act === 'gelu' ? 'gelu' : cfg.hidden_act === 'gelu_new' ? 'gelu_tanh' : 'relu';
      const mlp = new Mlp(await lin(`${p}.intermediate.dense`, I, C), await lin(`${p}.output.dense`, C, I), act);
      layers.push(
        new XlmrBlock(attn, await ln(`${p}.attention.output.LayerNorm`), mlp, await ln(`${p}.output.LayerNorm`)),
      );
    }
    let head: MlmHead | null = null;
    if (ckpt.has('lm_head.dense.weight')) {
      const decoderW = ckpt.has('lm_head.decoder.weight')
        ? await loadLinearWeight(l, 'lm_head.decoder.weight', [V, C])
        : wordEmb;
      const bias = await f32(ckpt.has('lm_head.bias') ? 'lm_head.bias' : 'lm_head.decoder.bias', [V]);
      head = new MlmHead(
        new Linear(await loadLinearWeight(l, 'lm_head.dense.weight', [C, C]), await f32('lm_head.dense.bias', [C])),
        new LayerNorm(await f32('lm_head.layer_norm.weight', [C]), await f32('lm_head.layer_norm.bias', [C]), eps),
        new Linear(decoderW, bias),
      );
    }
    return new XlmrForMaskedLM(be, cfg, prefix, wordEmb, posEmb, typeEmb, embNorm, layers, head);
  }

  slots(): ProjectionSlot[] {
    return this.layers.flatMap((b, i) => {
      const p = `${this.prefix}encoder.layer.${i}`;
      const a = b.attn;
      const m = b.mlp;
      return [
        { module: `${p}.attention.self.query`, get: () => a.q, set: (x) => (a.q = x) },
        { module: `${p}.attention.self.key`, get: () => a.k, set: (x) => (a.k = x) },
        { module: `${p}.attention.self.value`, get: () => a.v, set: (x) => (a.v = x) },
        { module: `${p}.attention.output.dense`, get: () => a.o, set: (x) => (a.o = x) },
        { module: `${p}.intermediate.dense`, get: () => m.fc1, set: (x) => (m.fc1 = x) },
        { module: `${p}.output.dense`, get: () => m.fc2, set: (x) => (m.fc2 = x) },
      ] satisfies ProjectionSlot[];
    });
  }

  /** PEFT's default targets for XLM-R are "query" and "value". */
  applyLora(opts: LoraOptions): LoraLinear[] {
    this.adapters = applyLora(this.be, this.slots(), opts);
    return this.adapters;
  }

  private async embed(batch: EncoderBatch): Promise<{ x: Tensor; ids: Tensor }> {
    const be = this.be;
    const B = batch.inputIds.length;
    const T = batch.inputIds[0].length;
    const ids = be.upload(batch.inputIds.flat(), [B, T], 'i32');
    const pos = be.upload(positionIds(batch.inputIds, this.config.pad_token_id).flat(), [B, T], 'i32');
    const w = await embedding(be, this.wordEmb.value, ids);
    const p = await embedding(be, this.posEmb.value, pos);
    pos.dispose();
    const wp = await add(be, w, p);
    disposeAll(w, p);
    // token_type_ids are all 0 (HF's default): add row 0 of the type table to every position.
    const type0 = be.reshape(this.typeEmb.value, [this.typeEmb.value.shape[0] * this.config.hidden_size]);
    const sum = this.config.type_vocab_size === 1 ? await add(be, wp, type0) : await this.addTypeRow0(wp);
    wp.dispose();
    const n = await this.embNorm.forward(be, sum);
    // The embeddings are frozen and nothing back-propagates into them, so their norm statistics are not kept.
    disposeNormCache(n.cache);
    sum.dispose();
    return { x: n.y, ids };
  }

  private async addTypeRow0(x: Tensor): Promise<Tensor> {
    const zeros = this.be.upload(new Int32Array(1), [1], 'i32');
    const row = await embedding(this.be, this.typeEmb.value, zeros);
    const out = await add(this.be, x, this.be.reshape(row, [this.config.hidden_size]));
    disposeAll(zeros, row);
    return out;
  }

  async forward(batch: EncoderBatch, opts: XlmrForwardOptions = {}): Promise<XlmrOutput> {
    const be = this.be;
    const B = batch.inputIds.length;
    const T = batch.inputIds[0].length;
    const inputs: AttentionInputs = {};
    if (batch.attentionMask) inputs.keyMask = be.upload(batch.attentionMask.flat(), [B, T]);
    const emb = await this.embed(batch);
    const stack = await forwardBlocks(be, this.layers, emb.x, inputs, opts);
    const x = stack.last;
    const state: XlmrState = { inputs, stack, rows: null, gathered: null, headCache: null, ids: emb.ids };
    let logits: Tensor | null = null;
    if (opts.head !== false) {
      if (!this.head) throw new Error('this checkpoint has no masked-LM head (lm_head.*)');
      let hin = be.reshape(x, [B * T, this.config.hidden_size]);
      if (opts.rows) {
        state.rows = be.upload(Int32Array.from(opts.rows), [opts.rows.length], 'i32');
        const gathered = await embedding(be, hin, state.rows);
        state.gathered = gathered;
        hin = gathered;
      }
      const h = await this.head.forward(be, hin);
      if (opts.train) state.headCache = h.cache;
      else this.head.disposeCache(h.cache);
      logits = opts.rows ? h.y : be.reshape(h.y, [B, T, this.config.vocab_size]);
    }
    return { logits, hiddenStates: opts.hiddenStates ? [...stack.blockInputs, x] : null, state };
  }

  /** dLogits has the logits' shape; LoRA gradients accumulate into the adapters. */
  async backward(out: XlmrOutput, dLogits: Tensor): Promise<void> {
    const be = this.be;
    const s = out.state;
    const [B, T] = s.ids.shape;
    const C = this.config.hidden_size;
    const V = this.config.vocab_size;
    const dHead = await this.head!.backward(
      be,
      be.reshape(dLogits, [dLogits.shape.reduce((a, b) => a * b, 1) / V, V]),
      s.headCache!,
    );
    let dx = s.rows ? await embeddingBackward(be, s.rows, dHead, { numRows: B * T }) : dHead;
    if (s.rows) dHead.dispose();
    await this.backwardHidden(out, be.reshape(dx, [B, T, C]));
  }

  /** Back-propagates dLast [B, T, C] (consumed) from the last hidden state through the layers: for other heads. */
  async backwardHidden(out: XlmrOutput, dLast: Tensor): Promise<void> {
    const be = this.be;
    const s = out.state;
    // The embeddings are frozen: the gradient reaching the bottom of the stack is not needed.
    (await backwardBlocks(be, this.layers, s.stack, s.inputs, dLast, (g) => g)).dispose();
  }

  dispose(out: XlmrOutput): void {
    const s = out.state;
    disposeStack(this.layers, s.stack);
    if (s.headCache) this.head!.disposeCache(s.headCache);
    disposeAll(out.logits, s.rows, s.gathered, s.ids, s.inputs.keyMask);
  }

  trainableParams(): Param[] {
    return this.adapters.flatMap((a) => a.params);
  }
}
