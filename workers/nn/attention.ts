// Multi-head attention block with grouped-query heads: q/k/v projections (LoRA-capable), optional rotary
// embedding (Llama), optional additive bias (T5 relative positions), padding mask, causal mask, output projection.
// Covers XLM-R self-attention, Llama self-attention, and T5 self- and cross-attention.
import type { Backend, Tensor } from '../backend/backend';
import { addScaled } from '../kernels/elementwise/elementwise';
import { attention, attentionBackward } from '../kernels/attention/attention';
import { concat } from '../kernels/concat/concat';
import { rope, ropeBackward } from '../kernels/rope/rope';
import { disposeAll } from './param';
import {
  disposeProjectionCache,
  projectBackward,
  projectForward,
  type Projection,
  type ProjectionCache,
} from './projection';

export interface AttentionConfig {
  numHeads: number; // NH
  numKvHeads: number; // NKV
  headDim: number; // HS
  /** Score scale: 1/√HS for XLM-R and Llama, 1 for T5. */
  scale: number;
}

export interface AttentionInputs {
  /** Source of keys and values for cross-attention [B, S, C]; self-attention when absent. */
  kvInput?: Tensor;
  keyMask?: Tensor; // [B, S] 1 keep / 0 pad
  bias?: Tensor; // [NH, T, S] or [B, NH, T, S]
  causal?: boolean;
  /** Rotary tables [T, HS/2] (or [B, T, HS/2]) for queries and keys. */
  rope?: { cos: Tensor; sin: Tensor };
}

export interface AttentionCache {
  inputs: AttentionInputs;
  qc: ProjectionCache;
  kc: ProjectionCache;
  vc: ProjectionCache;
  oc: ProjectionCache;
  q: Tensor; // [B, T, NH, HS] after RoPE
  k: Tensor; // [B, S, NKV, HS] after RoPE
  v: Tensor; // [B, S, NKV, HS]
  probs: Tensor; // [B, NH, T, S]
  ctx: Tensor; // [B, T, NH·HS]
}

export interface KvCache {
  k: Tensor; // [B, S, NKV, HS] after RoPE
  v: Tensor; // [B, S, NKV, HS]
}

export class Attention {
  constructor(
    readonly cfg: AttentionConfig,
    public q: Projection,
    public k: Projection,
    public v: Projection,
    public o: Projection,
  ) {}

  async forward(be: Backend, x: Tensor, inp: AttentionInputs = {}): Promise<{ y: Tensor; cache: AttentionCache }> {
    const { numHeads: NH, numKvHeads: NKV, headDim: HS, scale } = this.cfg;
    const src = inp.kvInput ?? x;
    const [B, T] = x.shape;
    const S = src.shape[1];
    const qp = await projectForward(be, this.q, x);
    const kp = await projectForward(be, this.k, src);
    const vp = await projectForward(be, this.v, src);
    let q = be.reshape(qp.y, [B, T, NH, HS]);
    let k = be.reshape(kp.y, [B, S, NKV, HS]);
    const v = be.reshape(vp.y, [B, S, NKV, HS]);
    if (inp.rope) {
      const qr = await rope(be, q, inp.rope.cos, inp.rope.sin);
      const kr = await rope(be, k, inp.rope.cos, inp.rope.sin);
      qp.y.dispose();
      kp.y.dispose();
      q = qr;
      k = kr;
    }
    const [out, probs] = await attention(
      be,
      q,
      k,
      v,
      { scale, causal: inp.causal ?? false },
      { bias: inp.bias, keyMask: inp.keyMask },
    );
    const ctx = be.reshape(out, [B, T, NH * HS]);
    const op = await projectForward(be, this.o, ctx);
    return {
      y: op.y,
      cache: { inputs: inp, qc: qp.cache, kc: kp.cache, vc: vp.cache, oc: op.cache, q, k, v, probs, ctx },
    };
  }

  /**
   * Inference with a KV cache: the new keys/values are appended to `past` (which this call consumes) and the
   * grown cache is returned. Queries attend causally with the offset of the past length.
   */
  async forwardCached(
    be: Backend,
    x: Tensor,
    inp: AttentionInputs,
    past: KvCache | null,
  ): Promise<{ y: Tensor; present: KvCache }> {
    const { numHeads: NH, numKvHeads: NKV, headDim: HS, scale } = this.cfg;
    const [B, T] = x.shape;
    const qp = await projectForward(be, this.q, x);
    const kp = await projectForward(be, this.k, x);
    const vp = await projectForward(be, this.v, x);
    let q = be.reshape(qp.y, [B, T, NH, HS]);
    let k = be.reshape(kp.y, [B, T, NKV, HS]);
    let v = be.reshape(vp.y, [B, T, NKV, HS]);
    if (inp.rope) {
      const qr = await rope(be, q, inp.rope.cos, inp.rope.sin);
      const kr = await rope(be, k, inp.rope.cos, inp.rope.sin);
      disposeAll(q, k);
      q = qr;
      k = kr;
    }
    for (const [p, c] of [
      [this.q, qp.cache],
      [this.k, kp.cache],
      [this.v, vp.cache],
    ] as const)
      disposeProjectionCache(p, c);
    if (past) {
      const kk = await concat(be, past.k, k);
      const vv = await concat(be, past.v, v);
      disposeAll(past.k, past.v, k, v);
      k = kk;
      v = vv;
    }
    const [out, probs] = await attention(
      be,
      q,
      k,
      v,
      { scale, causal: inp.causal ?? false },
      { bias: inp.bias, keyMask: inp.keyMask },
    );
    disposeAll(q, probs);
    const op = await projectForward(be, this.o, be.reshape(out, [B, T, NH * HS]));
    disposeProjectionCache(this.o, op.cache);
    out.dispose();
    return { y: op.y, present: { k, v } };
  }

  /** Returns dX, and for cross-attention the gradient of the key/value source as dKv. */
  async backward(be: Backend, dy: Tensor, c: AttentionCache): Promise<{ dx: Tensor; dKv: Tensor | null }> {
    const { numHeads: NH, headDim: HS, scale } = this.cfg;
    const [B, T] = c.q.shape;
    const dctx = await projectBackward(be, this.o, dy, c.oc);
    let [dq, dk, dv] = await attentionBackward(be, c.q, c.k, c.v, c.probs, be.reshape(dctx, [B, T, NH, HS]), { scale });
    dctx.dispose();
    if (c.inputs.rope) {
      const dqr = await ropeBackward(be, dq, c.inputs.rope.cos, c.inputs.rope.sin);
      const dkr = await ropeBackward(be, dk, c.inputs.rope.cos, c.inputs.rope.sin);
      disposeAll(dq, dk);
      dq = dqr;
      dk = dkr;
    }
    const flat = (t: Tensor) => be.reshape(t, [t.shape[0], t.shape[1], t.shape[2] * t.shape[3]]);
    const dx = await projectBackward(be, this.q, flat(dq), c.qc);
    const dxk = await projectBackward(be, this.k, flat(dk), c.kc);
    const dxv = await projectBackward(be, this.v, flat(dv), c.vc);
    disposeAll(dq, dk, dv);
    await addScaled(be, dxk, dxv, 1);
    dxv.dispose();
    if (c.inputs.kvInput) return { dx, dKv: dxk };
    await addScaled(be, dx, dxk, 1);
    dxk.dispose();
    return { dx, dKv: null };
  }

  disposeCache(c: AttentionCache): void {
    disposeProjectionCache(this.q, c.qc);
    disposeProjectionCache(this.k, c.kc);
    disposeProjectionCache(this.v, c.vc);
    disposeProjectionCache(this.o, c.oc);
    disposeAll(c.q, c.k, c.v, c.probs, c.ctx);
  }
}
