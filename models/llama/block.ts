// One Llama decoder layer: two pre-norm residual lines, as in the paper and transformers' LlamaDecoderLayer:
//   h = x + Attn(RMSNorm(x));  out = h + SwiGLU-MLP(RMSNorm(h))
import type { Backend, Tensor } from '../../workers/backend/backend';
import { add, addScaled } from '../../workers/kernels/elementwise/elementwise';
import { Attention, type AttentionCache, type AttentionInputs, type KvCache } from '../../workers/nn/attention';
import { GatedMlp, type GatedMlpCache } from '../../workers/nn/mlp';
import { RmsNorm, disposeNormCache, type NormCache } from '../../workers/nn/norms';
import { disposeAll } from '../../workers/nn/param';

export interface LlamaBlockCache {
  n1: NormCache;
  h1: Tensor;
  attn: AttentionCache;
  h: Tensor;
  n2: NormCache;
  h2: Tensor;
  mlp: GatedMlpCache;
}

export class LlamaBlock {
  constructor(
    readonly inputNorm: RmsNorm,
    readonly attn: Attention,
    readonly postNorm: RmsNorm,
    readonly mlp: GatedMlp,
  ) {}

  async forward(be: Backend, x: Tensor, inp: AttentionInputs): Promise<{ y: Tensor; cache: LlamaBlockCache }> {
    const n1 = await this.inputNorm.forward(be, x);
    const a = await this.attn.forward(be, n1.y, inp);
    const h = await add(be, x, a.y);
    a.y.dispose();
    const n2 = await this.postNorm.forward(be, h);
    const m = await this.mlp.forward(be, n2.y);
    const y = await add(be, h, m.y);
    m.y.dispose();
    return { y, cache: { n1: n1.cache, h1: n1.y, attn: a.cache, h, n2: n2.cache, h2: n2.y, mlp: m.cache } };
  }

  /** Inference with a KV cache (decoding, shared-prompt scoring): appends this step's keys/values to `past` and
   *  keeps nothing for backward. `x` stays the caller's. */
  async forwardCached(
    be: Backend,
    x: Tensor,
    inp: AttentionInputs,
    past: KvCache | null,
  ): Promise<{ y: Tensor; present: KvCache }> {
    const n1 = await this.inputNorm.forward(be, x);
    const a = await this.attn.forwardCached(be, n1.y, inp, past);
    disposeNormCache(n1.cache);
    const h = await add(be, x, a.y);
    disposeAll(n1.y, a.y);
    const n2 = await this.postNorm.forward(be, h);
    const m = await this.mlp.forward(be, n2.y);
    this.mlp.disposeCache(m.cache);
    disposeNormCache(n2.cache);
    const y = await add(be, h, m.y);
    disposeAll(n2.y, m.y, h);
    return { y, present: a.present };
  }

  async backward(be: Backend, dy: Tensor, c: LlamaBlockCache): Promise<Tensor> {
    const dh2 = await this.mlp.backward(be, dy, c.mlp);
    const dh = await this.postNorm.backward(be, dh2, c.n2);
    dh2.dispose();
    await addScaled(be, dh, dy, 1);
    const { dx: dh1 } = await this.attn.backward(be, dh, c.attn);
    const dx = await this.inputNorm.backward(be, dh1, c.n1);
    dh1.dispose();
    await addScaled(be, dx, dh, 1);
    dh.dispose();
    return dx;
  }

  disposeCache(c: LlamaBlockCache): void {
    this.attn.disposeCache(c.attn);
    this.mlp.disposeCache(c.mlp);
    disposeNormCache(c.n1);
    disposeNormCache(c.n2);
    disposeAll(c.h1, c.h, c.h2);
  }
}
