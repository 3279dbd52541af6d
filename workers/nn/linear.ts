// nn.Linear: y = x·Wᵀ + b over the last axis. The weight may be f32 (trainable), or frozen f16 / q8 / q4;
// backward always returns dX (LoRA needs it through frozen weights) and adds dW, db only when trainable.
import type { Backend, Tensor } from '../backend/backend';
import { sumToShape } from '../kernels/elementwise/elementwise';
import { linear as linearOp, linearBackwardInput } from '../kernels/linear/linear';
import { matmul } from '../kernels/matmul/matmul';
import { accumulateGrad, rows2d, type Param } from './param';

export interface LinearCache {
  x: Tensor; // [..., in]
}

export class Linear {
  constructor(
    readonly weight: Param, // [out, in]
    readonly bias: Param | null, // [out]
    public trainable = false,
  ) {}

  get inFeatures(): number {
    return this.weight.value.shape[1];
  }

  get outFeatures(): number {
    return this.weight.value.shape[0];
  }

  async forward(be: Backend, x: Tensor): Promise<{ y: Tensor; cache: LinearCache }> {
    return { y: await linearOp(be, x, this.weight.value, this.bias?.value ?? null), cache: { x } };
  }

  disposeCache(_c: LinearCache): void {}

  /** dY [..., out] → dX [..., in]; the caller keeps ownership of x and dy. */
  async backward(be: Backend, dy: Tensor, cache: LinearCache): Promise<Tensor> {
    const dx = await linearBackwardInput(be, dy, this.weight.value);
    if (this.trainable) {
      const dy2 = rows2d(be, dy);
      const x2 = rows2d(be, cache.x);
      await accumulateGrad(be, this.weight, await matmul(be, dy2, x2, { transA: true }));
      if (this.bias) await accumulateGrad(be, this.bias, await sumToShape(be, dy2, [this.outFeatures]));
    }
    return dx;
  }
}
