// T5ForConditionalGeneration on the engine (transformers' modeling_t5, eager attention): original T5 (relu FF,
// tied embeddings) and T5 v1.1 / FLAN-T5 / mT5 (gated-gelu FF, separate lm_head). Encoder and decoder share the
// token embeddings; attention has no 1/√d_kv scale; with tied embeddings the decoder output is scaled by
// d_model^−0.5 before lm_head, as transformers does (and not otherwise).
import type { Backend, Tensor } from '../../workers/backend/backend';
import { scale } from '../../workers/kernels/elementwise/elementwise';
import { Attention } from '../../workers/nn/attention';
import { Linear } from '../../workers/nn/linear';
import type { LoraLinear } from '../../workers/nn/lora-linear';
import { GatedMlp, Mlp } from '../../workers/nn/mlp';
import { RmsNorm } from '../../workers/nn/norms';
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
import { AttentionSublayer, FeedForwardSublayer, T5Block, type FeedForward } from './blocks';
import { parseT5Config, type T5Config } from './config';
import { T5Stack, type T5StackOptions, type T5StackState } from './stack';

export interface T5EncoderBatch {
  inputIds: number[][]; // [B, Ts]
  attentionMask?: number[][]; // [B, Ts]
}

export interface T5Batch extends T5EncoderBatch {
  decoderInputIds: number[][]; // [B, Tt]
  /** Not passed by HF's default seq2seq training: decoder self-attention is then causal only. */
  decoderAttentionMask?: number[][];
}

export type T5ForwardOptions = T5StackOptions;

export interface T5EncoderOutput {
  last: Tensor; // encoder_last_hidden_state [B, Ts, C]
  hiddenStates: Tensor[] | null;
  state: T5StackState;
}

export interface T5Output {
  logits: Tensor; // [B, Tt, V]
  encoderHiddenStates: Tensor[] | null;
  decoderHiddenStates: Tensor[] | null;
  encoderLastHiddenState: Tensor;
  state: { enc: T5StackState; dec: T5StackState; headIn: Tensor | null /* scaled decoder output when tied */ };
}

export class T5ForConditionalGeneration {
  adapters: LoraLinear[] = [];

  private constructor(
    readonly be: Backend,
    readonly config: T5Config,
    readonly shared: Param,
    readonly encoder: T5Stack,
    readonly decoder: T5Stack,
    readonly lmHead: Linear,
  ) {}

  static async load(
    be: Backend,
    ckpt: Checkpoint,
    opts: { format?: WeightFormatOption } = {},
  ): Promise<T5ForConditionalGeneration> {
    const cfg = parseT5Config(ckpt.config);
    const l: WeightLoader = { be, ckpt, format: resolveWeightFormat(be, opts.format) };
    const { d_model: C, d_kv: HS, d_ff: I, num_heads: NH, vocab_size: V, layer_norm_epsilon: eps } = cfg;
    const shared = await loadF32(l, 'shared.weight', [V, C]);
    const lin = async (name: string, out: number, inp: number) =>
      new Linear(await loadLinearWeight(l, `${name}.weight`, [out, inp]), null);
    const norm = async (name: string) => new RmsNorm(await loadF32(l, `${name}.weight`, [C]), eps);
    const attention = async (p: string) =>
      new Attention(
        { numHeads: NH, numKvHeads: NH, headDim: HS, scale: 1 }, // T5 folds the 1/√d_kv into its initialisation
        await lin(`${p}.q`, NH * HS, C),
        await lin(`${p}.k`, NH * HS, C),
        await lin(`${p}.v`, NH * HS, C),
        await lin(`${p}.o`, C, NH * HS),
      );
    const feedForward = async (p: string): Promise<FeedForward> =>
      cfg.feed_forward_proj === 'gated-gelu'
        ? new GatedMlp(
            await lin(`${p}.wi_0`, I, C),
            await lin(`${p}.wi_1`, I, C),
            await lin(`${p}.wo`, C, I),
            'gelu_tanh',
          )
        : new Mlp(await lin(`${p}.wi`, I, C), await lin(`${p}.wo`, C, I), 'relu');
    const stack = async (name: 'encoder' | 'decoder', numBlocks: number): Promise<T5Stack> => {
      const isDecoder = name === 'decoder';
      const blocks: T5Block[] = [];
      for (let i = 0; i < numBlocks; i++) {
        const p = `${name}.block.${i}.layer`;
        const self = new AttentionSublayer(await norm(`${p}.0.layer_norm`), await attention(`${p}.0.SelfAttention`));
        const cross = isDecoder
          ? new AttentionSublayer(await norm(`${p}.1.layer_norm`), await attention(`${p}.1.EncDecAttention`))
          : null;
        const f = isDecoder ? 2 : 1;
        blocks.push(
          new T5Block(
            self,
            cross,
            new FeedForwardSublayer(await norm(`${p}.${f}.layer_norm`), await feedForward(`${p}.${f}.DenseReluDense`)),
          ),
        );
      }
      const NB = cfg.relative_attention_num_buckets;
      // Frozen and only gathered from, so the CPU copy is all that is kept.
      const table = await loadF32(l, `${name}.block.0.layer.0.SelfAttention.relative_attention_bias.weight`, [NB, NH]);
      const relativeBias = (await be.download(table.value)) as Float32Array;
      table.value.dispose();
      const cfgStack = { isDecoder, numHeads: NH, numBuckets: NB, maxDistance: cfg.relative_attention_max_distance };
      return new T5Stack(cfgStack, shared, relativeBias, blocks, await norm(`${name}.final_layer_norm`));
    };
    const encoder = await stack('encoder', cfg.num_layers);
    const decoder = await stack('decoder', cfg.num_decoder_layers);
    const tied = cfg.tie_word_embeddings || !ckpt.has('lm_head.weight');
    const lmHead = new Linear(tied ? shared : await loadLinearWeight(l, 'lm_head.weight', [V, C]), null);
    return new T5ForConditionalGeneration(be, { ...cfg, tie_word_embeddings: tied }, shared, encoder, decoder, lmHead);
  }

  /** Every projection LoRA may wrap, with its HF module path, in HF module order (encoder, then decoder). */
  slots(): ProjectionSlot[] {
    const attnSlots = (p: string, a: Attention): ProjectionSlot[] =>
      (['q', 'k', 'v', 'o'] as const).map((n) => ({ module: `${p}.${n}`, get: () => a[n], set: (x) => (a[n] = x) }));
    const ffSlots = (p: string, ff: FeedForward): ProjectionSlot[] => {
      if (ff instanceof GatedMlp)
        return [
          { module: `${p}.wi_0`, get: () => ff.gate, set: (x) => (ff.gate = x) },
          { module: `${p}.wi_1`, get: () => ff.up, set: (x) => (ff.up = x) },
          { module: `${p}.wo`, get: () => ff.down, set: (x) => (ff.down = x) },
        ];
      if (ff instanceof Mlp)
        return [
          { module: `${p}.wi`, get: () => ff.fc1, set: (x) => (ff.fc1 = x) },
          { module: `${p}.wo`, get: () => ff.fc2, set: (x) => (ff.fc2 = x) },
        ];
      return [];
    };
    const stackSlots = (name: string, s: T5Stack) =>
      s.blocks.flatMap((b, i) => {
        const p = `${name}.block.${i}.layer`;
        const f = b.crossLayer ? 2 : 1;
        return [
          ...attnSlots(`${p}.0.SelfAttention`, b.selfLayer.attn),
          ...(b.crossLayer ? attnSlots(`${p}.1.EncDecAttention`, b.crossLayer.attn) : []),
          ...ffSlots(`${p}.${f}.DenseReluDense`, b.ffLayer.ff),
        ];
      });
    return [...stackSlots('encoder', this.encoder), ...stackSlots('decoder', this.decoder)];
  }

  /** PEFT's default targets for T5 are "q" and "v": every self- and cross-attention, 4 per decoder block. */
  applyLora(opts: LoraOptions): LoraLinear[] {
    this.adapters = applyLora(this.be, this.slots(), opts);
    return this.adapters;
  }

  /** The encoder alone (T5EncoderModel's output): for scoring, and reused across decoder passes in generation. */
  async encode(batch: T5EncoderBatch, opts: T5ForwardOptions = {}): Promise<T5EncoderOutput> {
    const state = await this.encoder.forward(this.be, { ids: batch.inputIds, mask: batch.attentionMask }, opts);
    return { last: state.out, hiddenStates: opts.hiddenStates ? this.encoder.hiddenStates(state) : null, state };
  }

  /** The decoder and LM head over an encoder output; the returned output owns only the decoder's tensors. */
  async decode(
    enc: T5EncoderOutput,
    batch: Pick<T5Batch, 'decoderInputIds' | 'decoderAttentionMask'>,
    opts: T5ForwardOptions = {},
  ): Promise<{ logits: Tensor; hiddenStates: Tensor[] | null; dec: T5StackState; headIn: Tensor | null }> {
    const be = this.be;
    const dec = await this.decoder.forward(
      be,
      {
        ids: batch.decoderInputIds,
        mask: batch.decoderAttentionMask,
        encoderOut: enc.last,
        encoderMask: enc.state.keyMask ?? undefined,
      },
      opts,
    );
    const headIn = this.config.tie_word_embeddings ? await scale(be, dec.out, this.config.d_model ** -0.5) : null;
    const { y: logits } = await this.lmHead.forward(be, headIn ?? dec.out);
    return { logits, hiddenStates: opts.hiddenStates ? this.decoder.hiddenStates(dec) : null, dec, headIn };
  }

  async forward(batch: T5Batch, opts: T5ForwardOptions = {}): Promise<T5Output> {
    const enc = await this.encode(batch, opts);
    const d = await this.decode(enc, batch, opts);
    return {
      logits: d.logits,
      encoderHiddenStates: enc.hiddenStates,
      decoderHiddenStates: d.hiddenStates,
      encoderLastHiddenState: enc.last,
      state: { enc: enc.state, dec: d.dec, headIn: d.headIn },
    };
  }

  /** Back-propagate dLogits [B, Tt, V] through the decoder and, via every cross-attention, the encoder. */
  async backward(out: T5Output, dLogits: Tensor): Promise<void> {
    const be = this.be;
    const { enc, dec, headIn } = out.state;
    let dOut = await this.lmHead.backward(be, dLogits, { x: headIn ?? dec.out });
    if (headIn) {
      const scaled = await scale(be, dOut, this.config.d_model ** -0.5);
      dOut.dispose();
      dOut = scaled;
    }
    const dEncoder = await this.decoder.backward(be, dec, dOut);
    dOut.dispose();
    if (!dEncoder) throw new Error('T5 backward: the decoder produced no encoder gradient');
    const none = await this.encoder.backward(be, enc, dEncoder);
    disposeAll(dEncoder, none);
  }

  /** Free the tensors of a decode() result (not the encoder's). */
  disposeDecode(d: { logits: Tensor; dec: T5StackState; headIn: Tensor | null }): void {
    this.decoder.dispose(d.dec);
    disposeAll(d.logits, d.headIn);
  }

  disposeEncoder(enc: T5EncoderOutput): void {
    this.encoder.dispose(enc.state);
  }

  dispose(out: T5Output): void {
    this.decoder.dispose(out.state.dec);
    this.encoder.dispose(out.state.enc);
    disposeAll(out.logits, out.state.headIn);
  }

  trainableParams(): Param[] {
    return this.adapters.flatMap((a) => a.params);
  }
}
