// LoRA around a frozen Linear (Hu et al. 2021, as PEFT implements it):
//   y = x·Wᵀ + b + s · dropout(x)·Aᵀ·Bᵀ,   A [R, in], B [out, R], s = alpha / R.
// Only A and B get gradients; dX flows through the frozen (possibly quantised) W and through the adapter.
// `enabled = false` gives the base model with no second copy of the weights (unlearning's KL reference).
import type { Backend, Tensor } from '../backend/backend';
import { addScaled, mul } from '../kernels/elementwise/elementwise';
import { matmul } from '../kernels/matmul/matmul';
import { Linear } from './linear';
import { accumulateGrad, param, rows2d, type Param } from './param';
import { seededRng } from '../analysis/shared/rng';

export interface LoraConfig {
  r: number;
  alpha: number;
  dropout: number;
}

export interface LoraCache {
  x: Tensor; // [..., in]
  xd: Tensor | null; // dropout(x), [rows, in] (null when no dropout: x is used)
  mask: Tensor | null; // [rows, in] keep/(1-p) factors
  xa: Tensor | null; // [rows, R]
}

export class LoraLinear {
  enabled = true;
  training = false;
  readonly scaling: number;
  private dropoutRng: () => number;

  constructor(
    readonly base: Linear,
    readonly A: Param, // [R, in]
    readonly B: Param, // [out, R]
    readonly config: LoraConfig,
    dropoutSeed = 0,
  ) {
    this.scaling = config.alpha / config.r;
    this.dropoutRng = seededRng(dropoutSeed);
  }

  /** PEFT's default initialisation: A ~ kaiming_uniform(a=√5) = U(−1/√in, 1/√in), B = 0 (so the adapter starts as a no-op). */
  static create(be: Backend, base: Linear, config: LoraConfig, opts: { module: string; seed: number }): LoraLinear {
    const { r } = config;
    const inF = base.inFeatures;
    const outF = base.outFeatures;
    const rand = seededRng(opts.seed);
    const bound = 1 / Math.sqrt(inF);
    const a = new Float32Array(r * inF).map(() => (2 * rand() - 1) * bound);
    const A = param(`base_model.model.${opts.module}.lora_A.weight`, be.upload(a, [r, inF]));
    const B = param(`base_model.model.${opts.module}.lora_B.weight`, be.zeros([outF, r]));
    return new LoraLinear(base, A, B, config, opts.seed + 1);
  }

  get params(): Param[] {
    return [this.A, this.B];
  }

  async forward(be: Backend, x: Tensor): Promise<{ y: Tensor; cache: LoraCache }> {
    const { y } = await this.base.forward(be, x);
    const cache: LoraCache = { x, xd: null, mask: null, xa: null };
    if (!this.enabled) return { y, cache };
    const x2 = rows2d(be, x);
    if (this.training && this.config.dropout > 0) {
      cache.mask = this.dropoutMask(be, x2.shape as [number, number]);
      cache.xd = await mul(be, x2, cache.mask);
    }
    cache.xa = await matmul(be, cache.xd ?? x2, this.A.value, { transB: true }); // [rows, R]
    const delta = await matmul(be, cache.xa, this.B.value, { transB: true, alpha: this.scaling }); // [rows, out]
    await addScaled(be, be.reshape(y, delta.shape), delta, 1);
    delta.dispose();
    return { y, cache };
  }

  async backward(be: Backend, dy: Tensor, cache: LoraCache): Promise<Tensor> {
    const dx = await this.base.backward(be, dy, { x: cache.x });
    if (!this.enabled || !cache.xa) return dx;
    const dy2 = rows2d(be, dy); // [rows, out]
    const xin = cache.xd ?? rows2d(be, cache.x); // [rows, in]
    await accumulateGrad(be, this.B, await matmul(be, dy2, cache.xa, { transA: true, alpha: this.scaling }));
    const dxa = await matmul(be, dy2, this.B.value, { alpha: this.scaling }); // [rows, R]
    await accumulateGrad(be, this.A, await matmul(be, dxa, xin, { transA: true }));
    let dxd = await matmul(be, dxa, this.A.value); // [rows, in]
    dxa.dispose();
    if (cache.mask) {
      const masked = await mul(be, dxd, cache.mask);
      dxd.dispose();
      dxd = masked;
    }
    await addScaled(be, be.reshape(dx, dxd.shape), dxd, 1);
    dxd.dispose();
    return dx;
  }

  disposeCache(c: LoraCache): void {
    c.xd?.dispose();
    c.mask?.dispose();
    c.xa?.dispose();
  }

  private dropoutMask(be: Backend, [rows, inF]: [number, number]): Tensor {
    const p = this.config.dropout;
    const m = new Float32Array(rows * inF);
    for (let i = 0; i < m.length; i++) m[i] = this.dropoutRng() < p ? 0 : 1 / (1 - p);
    return be.upload(m, [rows, inF]);
  }
}
