// One XLM-R (BERT-style, post-LN) encoder layer, as transformers' XLMRobertaLayer:
//   h = LN(x + Attn(x));  out = LN(h + Dense(GELU(Dense(h))))
import type { Backend, Tensor } from '../../workers/backend/backend';
import { add, addScaled } from '../../workers/kernels/elementwise/elementwise';
import { Attention, type AttentionCache, type AttentionInputs } from '../../workers/nn/attention';
import { Mlp, type MlpCache } from '../../workers/nn/mlp';
import { LayerNorm, disposeNormCache, type NormCache } from '../../workers/nn/norms';
import { disposeAll } from '../../workers/nn/param';

export interface XlmrBlockCache {
  attn: AttentionCache;
  s1: Tensor; // x + attn
  n1: NormCache;
  h: Tensor;
  mlp: MlpCache;
  s2: Tensor; // h + mlp
  n2: NormCache;
}

export class XlmrBlock {
  constructor(
    readonly attn: Attention,
    readonly attnNorm: LayerNorm,
    readonly mlp: Mlp,
    readonly outNorm: LayerNorm,
  ) {}

  async forward(be: Backend, x: Tensor, inp: AttentionInputs): Promise<{ y: Tensor; cache: XlmrBlockCache }> {
    const a = await this.attn.forward(be, x, inp);
    const s1 = await add(be, a.y, x);
    a.y.dispose();
    const n1 = await this.attnNorm.forward(be, s1);
    const m = await this.mlp.forward(be, n1.y);
    const s2 = await add(be, m.y, n1.y);
    m.y.dispose();
    const n2 = await this.outNorm.forward(be, s2);
    return { y: n2.y, cache: { attn: a.cache, s1, n1: n1.cache, h: n1.y, mlp: m.cache, s2, n2: n2.cache } };
  }

  async backward(be: Backend, dy: Tensor, c: XlmrBlockCache): Promise<Tensor> {
    const ds2 = await this.outNorm.backward(be, dy, c.n2);
    const dh = await this.mlp.backward(be, ds2, c.mlp);
    await addScaled(be, dh, ds2, 1);
    ds2.dispose();
    const ds1 = await this.attnNorm.backward(be, dh, c.n1);
    dh.dispose();
    const { dx } = await this.attn.backward(be, ds1, c.attn);
    await addScaled(be, dx, ds1, 1);
    ds1.dispose();
    return dx;
  }

  disposeCache(c: XlmrBlockCache): void {
    this.attn.disposeCache(c.attn);
    this.mlp.disposeCache(c.mlp);
    disposeNormCache(c.n1);
    disposeNormCache(c.n2);
    disposeAll(c.s1, c.h, c.s2);
  }
}
