// T5 blocks as transformers' T5Block: pre-norm residual sublayers `x + Sub(Norm(x))` (T5LayerNorm = RMSNorm, no
// mean, no bias). Encoder block: [self-attention, FF]. Decoder block: [causal self-attention, cross-attention
// over the encoder output, FF]. FF is wo(relu(wi x)) (T5) or wo(gelu_new(wi_0 x) ⊙ wi_1 x) (v1.1 / FLAN-T5).
import type { Backend, Tensor } from '../../workers/backend/backend';
import { add, addScaled } from '../../workers/kernels/elementwise/elementwise';
import { Attention, type AttentionCache, type AttentionInputs } from '../../workers/nn/attention';
import type { GatedMlpCache, MlpCache } from '../../workers/nn/mlp';
import { RmsNorm, disposeNormCache, type NormCache } from '../../workers/nn/norms';
import { disposeAll } from '../../workers/nn/param';

type FeedForwardCache = MlpCache | GatedMlpCache;

/** What the FF sublayer needs from nn's Mlp (relu) and GatedMlp (gated-gelu); each gets back its own cache. */
export interface FeedForward {
  forward(be: Backend, x: Tensor): Promise<{ y: Tensor; cache: FeedForwardCache }>;
  backward(be: Backend, dy: Tensor, c: FeedForwardCache): Promise<Tensor>;
  disposeCache(c: FeedForwardCache): void;
}

interface SublayerCache<C> {
  norm: NormCache;
  normed: Tensor; // Norm(x) [B, T, C]
  sub: C;
}

/** T5LayerSelfAttention / T5LayerCrossAttention: x + Attention(Norm(x), …). */
export class AttentionSublayer {
  constructor(
    readonly norm: RmsNorm,
    readonly attn: Attention,
  ) {}

  async forward(
    be: Backend,
    x: Tensor,
    inp: AttentionInputs,
  ): Promise<{ y: Tensor; cache: SublayerCache<AttentionCache> }> {
    const n = await this.norm.forward(be, x);
    const a = await this.attn.forward(be, n.y, inp);
    const y = await add(be, x, a.y);
    a.y.dispose();
    return { y, cache: { norm: n.cache, normed: n.y, sub: a.cache } };
  }

  /** dX = dY + Normᵀ(Attnᵀ(dY)); dKv is the gradient into the cross-attention source (null for self-attention). */
  async backward(
    be: Backend,
    dy: Tensor,
    c: SublayerCache<AttentionCache>,
  ): Promise<{ dx: Tensor; dKv: Tensor | null }> {
    const { dx: dn, dKv } = await this.attn.backward(be, dy, c.sub);
    const dx = await this.norm.backward(be, dn, c.norm);
    dn.dispose();
    await addScaled(be, dx, dy, 1);
    return { dx, dKv };
  }

  disposeCache(c: SublayerCache<AttentionCache>): void {
    this.attn.disposeCache(c.sub);
    disposeNormCache(c.norm);
    c.normed.dispose();
  }
}

/** T5LayerFF: x + DenseReluDense(Norm(x)). */
export class FeedForwardSublayer {
  constructor(
    readonly norm: RmsNorm,
    readonly ff: FeedForward,
  ) {}

  async forward(be: Backend, x: Tensor): Promise<{ y: Tensor; cache: SublayerCache<FeedForwardCache> }> {
    const n = await this.norm.forward(be, x);
    const m = await this.ff.forward(be, n.y);
    const y = await add(be, x, m.y);
    m.y.dispose();
    return { y, cache: { norm: n.cache, normed: n.y, sub: m.cache } };
  }

  async backward(be: Backend, dy: Tensor, c: SublayerCache<FeedForwardCache>): Promise<Tensor> {
    const dn = await this.ff.backward(be, dy, c.sub);
    const dx = await this.norm.backward(be, dn, c.norm);
    dn.dispose();
    await addScaled(be, dx, dy, 1);
    return dx;
  }

  disposeCache(c: SublayerCache<FeedForwardCache>): void {
    this.ff.disposeCache(c.sub);
    disposeNormCache(c.norm);
    c.normed.dispose();
  }
}

export interface T5BlockInputs {
  self: AttentionInputs; // bias [NH, T, T] (+ keyMask in the encoder, causal in the decoder)
  /** Decoder only: kvInput = encoder output [B, S, C], keyMask = encoder padding [B, S]; no position bias. */
  cross?: AttentionInputs;
}

export interface T5BlockCache {
  self: SublayerCache<AttentionCache>;
  h1: Tensor; // after self-attention
  cross: SublayerCache<AttentionCache> | null;
  h2: Tensor | null; // after cross-attention (decoder)
  ff: SublayerCache<FeedForwardCache>;
}

export class T5Block {
  constructor(
    readonly selfLayer: AttentionSublayer,
    readonly crossLayer: AttentionSublayer | null,
    readonly ffLayer: FeedForwardSublayer,
  ) {}

  async forward(be: Backend, x: Tensor, inp: T5BlockInputs): Promise<{ y: Tensor; cache: T5BlockCache }> {
    const s = await this.selfLayer.forward(be, x, inp.self);
    let h = s.y;
    let cross: T5BlockCache['cross'] = null;
    if (this.crossLayer) {
      if (!inp.cross?.kvInput) throw new Error('T5 decoder block: cross-attention needs the encoder output');
      const c = await this.crossLayer.forward(be, h, inp.cross);
      cross = c.cache;
      h = c.y;
    }
    const f = await this.ffLayer.forward(be, h);
    return { y: f.y, cache: { self: s.cache, h1: s.y, cross, h2: cross ? h : null, ff: f.cache } };
  }

  /** dX for the block input, and (decoder) the gradient into the encoder output from this block's cross-attention. */
  async backward(be: Backend, dy: Tensor, c: T5BlockCache): Promise<{ dx: Tensor; dEncoder: Tensor | null }> {
    let d = await this.ffLayer.backward(be, dy, c.ff);
    let dEncoder: Tensor | null = null;
    if (this.crossLayer && c.cross) {
      const r = await this.crossLayer.backward(be, d, c.cross);
      d.dispose();
      d = r.dx;
      dEncoder = r.dKv;
    }
    const { dx } = await this.selfLayer.backward(be, d, c.self);
    d.dispose();
    return { dx, dEncoder };
  }

  disposeCache(c: T5BlockCache): void {
    this.selfLayer.disposeCache(c.self);
    if (c.cross) this.crossLayer!.disposeCache(c.cross);
    this.ffLayer.disposeCache(c.ff);
    disposeAll(c.h1, c.h2);
  }
}
