// LayerNorm (XLM-R) and RMSNorm (Llama; T5's LayerNorm is the same maths: no mean, no bias) as layers with
// caches. The norm weights are frozen under LoRA, so backward returns dX only.
import type { Backend, Tensor } from '../backend/backend';
import { layerNorm, layerNormBackward } from '../kernels/layernorm/layernorm';
import { rmsNorm, rmsNormBackward } from '../kernels/rmsnorm/rmsnorm';
import { disposeAll, type Param } from './param';

export interface NormCache {
  x: Tensor;
  mean: Tensor | null;
  rstd: Tensor;
}

export class LayerNorm {
  constructor(
    readonly weight: Param,
    readonly bias: Param,
    readonly eps: number,
  ) {}

  async forward(be: Backend, x: Tensor): Promise<{ y: Tensor; cache: NormCache }> {
    const [y, mean, rstd] = await layerNorm(be, x, this.weight.value, this.bias.value, { eps: this.eps });
    return { y, cache: { x, mean, rstd } };
  }

  async backward(be: Backend, dy: Tensor, c: NormCache): Promise<Tensor> {
    const [dx, dg, db] = await layerNormBackward(be, c.x, this.weight.value, c.mean!, c.rstd, dy);
    disposeAll(dg, db);
    return dx;
  }
}

export class RmsNorm {
  constructor(
    readonly weight: Param,
    readonly eps: number,
  ) {}

  async forward(be: Backend, x: Tensor): Promise<{ y: Tensor; cache: NormCache }> {
    const [y, rstd] = await rmsNorm(be, x, this.weight.value, { eps: this.eps });
    return { y, cache: { x, mean: null, rstd } };
  }

  async backward(be: Backend, dy: Tensor, c: NormCache): Promise<Tensor> {
    const [dx, dg] = await rmsNormBackward(be, c.x, this.weight.value, c.rstd, dy);
    dg.dispose();
    return dx;
  }
}

/** Free the statistics a norm kept (not x, which belongs to the caller). */
export function disposeNormCache(c: NormCache): void {
  disposeAll(c.mean, c.rstd);
}
