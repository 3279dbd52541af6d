// Incremental T5 decoding with a KV cache (transformers' past_key_values for T5): cross-attention keys/values are
// projected once from the encoder output; self-attention keys/values grow by one position per step. The relative
// position bias of the new query row is built for its absolute position (query = pos, keys 0 … pos), exactly as
// the full decoder pass builds row `pos` (models/t5/position-bias.ts), so each step equals that row of
// T5ForConditionalGeneration.decode over the whole prefix.
import type { Backend, Tensor } from '../../workers/backend/backend';
import { attention } from '../../workers/kernels/attention/attention';
import { add, scale } from '../../workers/kernels/elementwise/elementwise';
import { embedding } from '../../workers/kernels/embedding/embedding';
import type { Attention, KvCache } from '../../workers/nn/attention';
import { disposeNormCache } from '../../workers/nn/norms';
import { disposeAll } from '../../workers/nn/param';
import { disposeProjectionCache, projectForward } from '../../workers/nn/projection';
import type { T5EncoderOutput, T5ForConditionalGeneration } from './model';
import { uploadPositionBias } from './position-bias';

/** x [B, T, C] → the projection's output viewed as heads [B, T, NH, HS]; the projection's cache is dropped. */
async function projectHeads(be: Backend, attn: Attention, which: 'q' | 'k' | 'v', x: Tensor): Promise<Tensor> {
  const { numHeads: NH, headDim: HS } = attn.cfg;
  const p = attn[which];
  const r = await projectForward(be, p, x);
  disposeProjectionCache(p, r.cache);
  return be.reshape(r.y, [x.shape[0], x.shape[1], NH, HS]);
}

/** Cross-attention of new query rows x [B, T, C] over cached encoder keys/values (no position bias in T5). */
async function crossAttend(
  be: Backend,
  attn: Attention,
  x: Tensor,
  kv: KvCache,
  keyMask: Tensor | undefined,
): Promise<Tensor> {
  const { numHeads: NH, headDim: HS, scale: s } = attn.cfg;
  const [B, T] = x.shape;
  const q = await projectHeads(be, attn, 'q', x);
  const [out, probs] = await attention(be, q, kv.k, kv.v, { scale: s, causal: false }, { keyMask });
  disposeAll(q, probs);
  const o = await projectForward(be, attn.o, be.reshape(out, [B, T, NH * HS]));
  disposeProjectionCache(attn.o, o.cache);
  out.dispose();
  return o.y;
}

export class T5KvDecoder {
  /** Absolute position of the next decoder token. */
  pos = 0;

  private constructor(
    readonly model: T5ForConditionalGeneration,
    readonly enc: T5EncoderOutput,
    private readonly cross: KvCache[], // per decoder block: k, v [B, S, NH, HS]
    private readonly past: (KvCache | null)[], // per decoder block: k, v [B, pos, NH, HS]
  ) {}

  /** Projects the encoder output once into every decoder block's cross-attention keys and values. */
  static async create(model: T5ForConditionalGeneration, enc: T5EncoderOutput): Promise<T5KvDecoder> {
    const be = model.be;
    const cross: KvCache[] = [];
    for (const block of model.decoder.blocks) {
      const attn = block.crossLayer!.attn;
      cross.push({ k: await projectHeads(be, attn, 'k', enc.last), v: await projectHeads(be, attn, 'v', enc.last) });
    }
    return new T5KvDecoder(
      model,
      enc,
      cross,
      model.decoder.blocks.map(() => null),
    );
  }

  /** Feeds one token per row at position `pos` and returns the next-token logits, row-major [B, V]. */
  async step(ids: readonly number[]): Promise<Float32Array> {
    const { model, enc } = this;
    const be = model.be;
    const dec = model.decoder;
    const B = ids.length;
    const { numHeads, numBuckets, maxDistance } = dec.cfg;
    const S = this.pos + 1;
    const bias = uploadPositionBias(be, {
      table: dec.relativeBias,
      numHeads,
      numBuckets,
      maxDistance,
      bidirectional: false,
      T: 1,
      S,
      queryOffset: this.pos,
    });
    const idT = be.upload(Int32Array.from(ids), [B, 1], 'i32');
    let x = await embedding(be, dec.embed.value, idT); // [B, 1, C]
    const encMask = enc.state.keyMask ?? undefined;
    for (let i = 0; i < dec.blocks.length; i++) {
      const block = dec.blocks[i];
      // Self-attention: x + SelfAttention(Norm(x)) over the cached past and this position.
      const n1 = await block.selfLayer.norm.forward(be, x);
      const a = await block.selfLayer.attn.forwardCached(be, n1.y, { bias, causal: true }, this.past[i]);
      this.past[i] = a.present;
      disposeNormCache(n1.cache);
      const h1 = await add(be, x, a.y);
      disposeAll(n1.y, a.y, x);
      // Cross-attention: h + EncDecAttention(Norm(h)) over the cached encoder keys/values.
      const crossLayer = block.crossLayer!;
      const n2 = await crossLayer.norm.forward(be, h1);
      const c = await crossAttend(be, crossLayer.attn, n2.y, this.cross[i], encMask);
      disposeNormCache(n2.cache);
      const h2 = await add(be, h1, c);
      disposeAll(n2.y, c, h1);
      const f = await block.ffLayer.forward(be, h2);
      block.ffLayer.disposeCache(f.cache);
      h2.dispose();
      x = f.y;
    }
    const n = await dec.finalNorm.forward(be, x);
    disposeNormCache(n.cache);
    // With tied embeddings transformers rescales the decoder output by d_model^−0.5 before lm_head.
    const headIn = model.config.tie_word_embeddings ? await scale(be, n.y, model.config.d_model ** -0.5) : null;
    const { y: logits } = await model.lmHead.forward(be, headIn ?? n.y);
    const out = (await be.download(logits)) as Float32Array;
    disposeAll(bias, idT, x, n.y, headIn, logits);
    this.pos++;
    if (out.length !== B * model.config.vocab_size) throw new Error('T5KvDecoder: unexpected logits size');
    return out;
  }

  /** Frees the caches (not the encoder output, which the caller owns). */
  dispose(): void {
    for (const kv of [...this.cross, ...this.past]) if (kv) disposeAll(kv.k, kv.v);
    this.past.fill(null);
    this.cross.length = 0;
  }
}
