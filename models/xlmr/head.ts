// The masked-LM head of RoBERTa/XLM-R: decoder(LayerNorm(GELU(dense(h)))) + bias, the decoder tied to the word
// embeddings. Applied only to the rows the caller needs (e.g. <mask> positions), never to every position
// when it is not asked for: a 250k-row projection per token is the dominant cost of fill-mask.
import type { Backend, Tensor } from '../../workers/backend/backend';
import { gelu, geluBackward } from '../../workers/kernels/activation/activation';
import { Linear } from '../../workers/nn/linear';
import { LayerNorm, disposeNormCache, type NormCache } from '../../workers/nn/norms';
import { disposeAll } from '../../workers/nn/param';

export interface MlmHeadCache {
  x: Tensor;
  h: Tensor; // dense(x)
  g: Tensor; // gelu(h)
  n: NormCache;
  ln: Tensor;
}

export class MlmHead {
  constructor(
    readonly dense: Linear,
    readonly norm: LayerNorm,
    readonly decoder: Linear,
  ) {}

  async forward(be: Backend, x: Tensor): Promise<{ y: Tensor; cache: MlmHeadCache }> {
    const { y: h } = await this.dense.forward(be, x);
    const g = await gelu(be, h, { approximate: 'none' });
    const n = await this.norm.forward(be, g);
    const { y } = await this.decoder.forward(be, n.y);
    return { y, cache: { x, h, g, n: n.cache, ln: n.y } };
  }

  async backward(be: Backend, dy: Tensor, c: MlmHeadCache): Promise<Tensor> {
    const dln = await this.decoder.backward(be, dy, { x: c.ln });
    const dg = await this.norm.backward(be, dln, c.n);
    dln.dispose();
    const dh = await geluBackward(be, c.h, dg, { approximate: 'none' });
    dg.dispose();
    const dx = await this.dense.backward(be, dh, { x: c.x });
    dh.dispose();
    return dx;
  }

  disposeCache(c: MlmHeadCache): void {
    disposeNormCache(c.n);
    disposeAll(c.h, c.g, c.ln);
  }
}
