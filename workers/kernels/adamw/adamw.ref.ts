// float64 reference of the AdamW update (torch.optim.AdamW, amsgrad off, decoupled weight decay).
// There is no backward: an optimiser step is not differentiated.
import type { HostTensor } from '../../backend/backend';

export interface AdamWAttrs {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** 1-based step count of this update (bias corrections use it). */
  step: number;
  /** Multiplies the gradient first (gradient clipping, micro-batch averaging). Default 1. */
  gradScale?: number;
}

/** The scalars torch computes in float64 on the host for step t. */
export function adamwScalars(a: AdamWAttrs) {
  return {
    decay: 1 - a.lr * a.weightDecay,
    stepSize: a.lr / (1 - a.beta1 ** a.step),
    bc2Sqrt: Math.sqrt(1 - a.beta2 ** a.step),
  };
}

/** inputs [param, grad, m, v] → [param, m, v] (new arrays; the GPU op updates in place). */
export function adamwRef(inputs: readonly HostTensor[], a: AdamWAttrs): HostTensor[] {
  const [P, G, M, V] = inputs.map((t) => t.data as Float64Array);
  const { decay, stepSize, bc2Sqrt } = adamwScalars(a);
  const scale = a.gradScale ?? 1;
  const p = new Float64Array(P.length);
  const m = new Float64Array(P.length);
  const v = new Float64Array(P.length);
  for (let i = 0; i < P.length; i++) {
    const g = G[i] * scale;
    m[i] = M[i] * a.beta1 + (1 - a.beta1) * g;
    v[i] = V[i] * a.beta2 + (1 - a.beta2) * g * g;
    p[i] = P[i] * decay - (stepSize * m[i]) / (Math.sqrt(v[i]) / bc2Sqrt + a.eps);
  }
  const shape = [...inputs[0].shape];
  return [p, m, v].map((data) => ({ shape, dtype: 'f32' as const, data }));
}
