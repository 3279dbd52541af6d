// float64 reference for cross-entropy against soft targets: loss_i = −Σ_v p_ref(v) · log(q_i(v) + eps) with
// p_ref = softmax(refLogits_i), q_i = softmax(logits_i); backward dlogits_i = w_i · (q_i · S − u), u = p_ref · q/(q + eps),
// S = Σ_v u (= w_i · (q_i − p_ref) for eps = 0). refLogits are a frozen model's outputs: no gradient flows to them.
// With eps = 0 (the default) the loss is KL(p_ref ‖ q) + H(p_ref): it differs from the KL divergence only by the
// reference entropy, which does not depend on θ, so the gradient is the same. The Study B original adds 1e-12
// inside the log (loss_utils.py compute_kl); the log is taken as logaddexp(log q, log eps), exact in both regimes.
import type { HostTensor } from '../../backend/backend';
import { logsumexp } from '../reduce/reduce.ref';

export interface SoftCrossEntropyAttrs {
  /** Added to q inside the log; 0 (default) = exact log-softmax. */
  eps?: number;
}

export interface SoftCrossEntropyBackwardAttrs extends SoftCrossEntropyAttrs {
  /** Weight of every row when no per-row weights are given. Default 1. */
  scale?: number;
  /** Op attribute: a weights tensor [N] follows [logits, refLogits]. */
  hasWeights?: boolean;
}

/** log(exp(lq) + eps) without overflow or underflow; lq itself when eps = 0. */
function logPlusEps(lq: number, eps: number): number {
  if (eps === 0) return lq;
  const le = Math.log(eps);
  return Math.max(lq, le) + Math.log1p(Math.exp(-Math.abs(lq - le)));
}

export function softCrossEntropyRef(
  [logits, ref]: readonly HostTensor[],
  attrs: SoftCrossEntropyAttrs = {},
): HostTensor[] {
  const [N, V] = logits.shape;
  const eps = attrs.eps ?? 0;
  const loss = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const l = logsumexp(logits.data, i * V, V);
    const lr = logsumexp(ref.data, i * V, V);
    let s = 0;
    for (let v = 0; v < V; v++) s += Math.exp(ref.data[i * V + v] - lr) * logPlusEps(logits.data[i * V + v] - l, eps);
    loss[i] = -s;
  }
  return [{ shape: [N], dtype: 'f32', data: loss }];
}

export function softCrossEntropyBackwardRef(
  inputs: readonly HostTensor[],
  attrs: SoftCrossEntropyBackwardAttrs,
): HostTensor[] {
  const [logits, ref, weights] = inputs;
  const [N, V] = logits.shape;
  const d = new Float64Array(N * V);
  const eps = attrs.eps ?? 0;
  for (let i = 0; i < N; i++) {
    const w = attrs.hasWeights ? weights.data[i] : (attrs.scale ?? 1);
    const l = logsumexp(logits.data, i * V, V);
    const lr = logsumexp(ref.data, i * V, V);
    const q = (v: number) => Math.exp(logits.data[i * V + v] - l);
    const u = (v: number) => Math.exp(ref.data[i * V + v] - lr) * (eps === 0 ? 1 : q(v) / (q(v) + eps));
    let S = 0;
    for (let v = 0; v < V; v++) S += u(v);
    for (let v = 0; v < V; v++) d[i * V + v] = w * (q(v) * S - u(v));
  }
  return [{ shape: [N, V], dtype: 'f32', data: d }];
}
