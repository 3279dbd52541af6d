// AdamW over a list of named parameters, holding the first/second moments on the device; the update is the
// adamw kernel (torch.optim.AdamW, amsgrad off). state()/load() move m, v and the step count to and from the
// host for checkpoints.
import type { Backend, Tensor } from '../backend/backend';
import { adamw } from '../kernels/adamw/adamw';
import type { Param } from '../nn/param';

/** The gradient the optimizer steps with; a parameter without one was not reached by the backward pass. */
export function requireGrad(p: Param): Tensor {
  if (!p.grad) throw new Error(`parameter ${p.name} has no gradient: did the backward pass reach it?`);
  return p.grad;
}

export interface AdamWConfig {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/** torch.optim.AdamW's defaults. */
export const ADAMW_DEFAULTS: AdamWConfig = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 };

export interface AdamWState {
  /** Updates done so far (torch's per-parameter `step`, identical for all parameters here). */
  step: number;
  m: Record<string, Float32Array>;
  v: Record<string, Float32Array>;
}

export class AdamWOptimizer {
  readonly config: AdamWConfig;
  private steps = 0;
  private moments: { m: Tensor; v: Tensor }[];

  constructor(
    private readonly be: Backend,
    readonly params: readonly Param[],
    config: Partial<AdamWConfig> = {},
  ) {
    this.config = { ...ADAMW_DEFAULTS, ...config };
    const names = new Set(params.map((p) => p.name));
    if (names.size !== params.length) throw new Error('AdamWOptimizer: parameter names must be unique');
    this.moments = params.map((p) => ({ m: be.zeros(p.value.shape), v: be.zeros(p.value.shape) }));
  }

  /** Updates done so far; the next update uses bias corrections for stepCount + 1. */
  get stepCount(): number {
    return this.steps;
  }

  /** One update of every parameter from its current grad, multiplied by gradScale (clipping, averaging). */
  async step({ lr, gradScale = 1 }: { lr: number; gradScale?: number }): Promise<void> {
    const step = this.steps + 1;
    for (const [i, p] of this.params.entries()) {
      const { m, v } = this.moments[i];
      await adamw(this.be, p.value, requireGrad(p), m, v, { ...this.config, lr, step, gradScale });
    }
    this.steps = step;
  }

  async state(): Promise<AdamWState> {
    const state: AdamWState = { step: this.steps, m: {}, v: {} };
    for (const [i, p] of this.params.entries()) {
      state.m[p.name] = Float32Array.from(await this.be.download(this.moments[i].m));
      state.v[p.name] = Float32Array.from(await this.be.download(this.moments[i].v));
    }
    return state;
  }

  /** Restores a checkpoint taken with state(); every parameter must be present with its size. */
  load(state: AdamWState): void {
    const fresh = this.params.map((p) => {
      const n = p.value.shape.reduce((a, b) => a * b, 1);
      const m = state.m[p.name];
      const v = state.v[p.name];
      if (!m || !v) throw new Error(`AdamWOptimizer.load: no moments for ${p.name}`);
      if (m.length !== n || v.length !== n)
        throw new Error(`AdamWOptimizer.load: ${p.name} has ${n} elements, checkpoint ${m.length}/${v.length}`);
      return { m: this.be.upload(m, p.value.shape), v: this.be.upload(v, p.value.shape) };
    });
    this.dispose();
    this.moments = fresh;
    this.steps = state.step;
  }

  dispose(): void {
    for (const { m, v } of this.moments) {
      m.dispose();
      v.dispose();
    }
  }
}
