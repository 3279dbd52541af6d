// float64 reference for cross-entropy against soft targets: loss_i = −Σ_v p_ref(v) · log_softmax(logits_i)(v)
// with p_ref = softmax(refLogits_i); backward dlogits_i = w_i · (softmax(logits_i) − p_ref) (refLogits are a
// frozen model's outputs: no gradient flows to them).
// loss = KL(p_ref ‖ p_θ) + H(p_ref): it differs from the KL divergence only by the reference entropy, which
// does not depend on θ, so the gradient is the same. The study's code computes log(p_θ + 1e-12); we use
// log_softmax, which is exact where p_θ ≫ 1e-12 and stays finite (instead of −27.6) where p_θ underflows.
import type { HostTensor } from '../../backend/backend';
import { logsumexp } from '../reduce/reduce.ref';

export interface SoftCrossEntropyBackwardAttrs {
  /** Weight of every row when no per-row weights are given. Default 1. */
  scale?: number;
  /** Op attribute: a weights tensor [N] follows [logits, refLogits]. */
  hasWeights?: boolean;
}

export function softCrossEntropyRef([logits, ref]: readonly HostTensor[]): HostTensor[] {
  const [N, V] = logits.shape;
  const loss = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const l = logsumexp(logits.data, i * V, V);
    const lr = logsumexp(ref.data, i * V, V);
    let s = 0;
    for (let v = 0; v < V; v++) s += Math.exp(ref.data[i * V + v] - lr) * (logits.data[i * V + v] - l);
    loss[i] = -s;
  }
  return [{ shape: [N], dtype: 'f32', data: loss }];
}

/** Inputs [logits, refLogits, weights?] → [dlogits]. */
export function softCrossEntropyBackwardRef(inputs: readonly HostTensor[], attrs: SoftCrossEntropyBackwardAttrs): HostTensor[] {
  const [logits, ref, weights] = inputs;
  const [N, V] = logits.shape;
  const d = new Float64Array(N * V);
  for (let i = 0; i < N; i++) {
    const w = attrs.hasWeights ? weights.data[i] : (attrs.scale ?? 1);
    const l = logsumexp(logits.data, i * V, V);
    const lr = logsumexp(ref.data, i * V, V);
    for (let v = 0; v < V; v++) d[i * V + v] = w * (Math.exp(logits.data[i * V + v] - l) - Math.exp(ref.data[i * V + v] - lr));
  }
  return [{ shape: [N, V], dtype: 'f32', data: d }];
}
