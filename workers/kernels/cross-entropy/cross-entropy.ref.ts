// float64 reference for cross-entropy with integer labels (torch.nn.functional.cross_entropy with
// reduction='none' and ignore_index), its backward, and per-token log-probs.
// Forward: loss_i = lse_i − logits[i, y_i], lse_i = log Σ_v exp(logits[i, v]); 0 where y_i = ignoreIndex, NaN
// for any other label outside [0, V). Backward: dlogits_i = w_i · (softmax(logits_i) − onehot(y_i)).
// The forwards (crossEntropyRows, tokenLogprobsRows) are the CPU backend's kernels too.
import type { FloatArray, HostTensor } from '../../backend/backend';
import { logsumexp } from '../reduce/reduce.ref';

export interface CrossEntropyAttrs {
  /** Rows whose label equals this give loss 0 and gradient 0 (default −100, as PyTorch). */
  ignoreIndex?: number;
}

export interface CrossEntropyBackwardAttrs extends CrossEntropyAttrs {
  /** Weight of every row when no per-row weights are given (e.g. 1 / counted tokens). Default 1. */
  scale?: number;
  /** Op attribute: a weights tensor [N] follows [logits, labels, lse]. */
  hasWeights?: boolean;
}

export const DEFAULT_IGNORE_INDEX = -100;

/** loss [N] and lse [N] of logits X [N, V] with labels Y [N]. */
export function crossEntropyRows(
  X: FloatArray,
  Y: Int32Array,
  V: number,
  ignore: number,
  loss: FloatArray,
  lse: FloatArray,
): void {
  for (let i = 0; i < Y.length; i++) {
    const l = logsumexp(X, i * V, V);
    lse[i] = l;
    const y = Y[i];
    loss[i] = y === ignore ? 0 : y < 0 || y >= V ? NaN : l - X[i * V + y];
  }
}

/** out [N] = log softmax(X [N, V])[label], 0 where label < 0, NaN where label ≥ V. */
export function tokenLogprobsRows(X: FloatArray, Y: Int32Array, V: number, out: FloatArray): void {
  for (let i = 0; i < Y.length; i++) {
    const y = Y[i];
    out[i] = y < 0 ? 0 : y >= V ? NaN : X[i * V + y] - logsumexp(X, i * V, V);
  }
}

export function crossEntropyRef([logits, labels]: readonly HostTensor[], attrs: CrossEntropyAttrs): HostTensor[] {
  const [N, V] = logits.shape;
  const loss = new Float64Array(N);
  const lse = new Float64Array(N);
  crossEntropyRows(
    logits.data as Float64Array,
    labels.data as Int32Array,
    V,
    attrs.ignoreIndex ?? DEFAULT_IGNORE_INDEX,
    loss,
    lse,
  );
  return [
    { shape: [N], dtype: 'f32', data: loss },
    { shape: [N], dtype: 'f32', data: lse },
  ];
}

/** Inputs [logits, labels, lse, weights?] → [dlogits]. */
export function crossEntropyBackwardRef(inputs: readonly HostTensor[], attrs: CrossEntropyBackwardAttrs): HostTensor[] {
  const [logits, labels, lse, weights] = inputs;
  const [N, V] = logits.shape;
  const ignore = attrs.ignoreIndex ?? DEFAULT_IGNORE_INDEX;
  const d = new Float64Array(N * V);
  for (let i = 0; i < N; i++) {
    const y = labels.data[i];
    if (y === ignore) continue;
    const w = attrs.hasWeights ? weights.data[i] : (attrs.scale ?? 1);
    const bad = y < 0 || y >= V;
    for (let v = 0; v < V; v++) {
      const g = Math.exp(logits.data[i * V + v] - lse.data[i]) - (v === y ? 1 : 0);
      d[i * V + v] = bad ? NaN : w * g;
    }
  }
  return [{ shape: [N, V], dtype: 'f32', data: d }];
}

/** Inputs [logits, labels] → [log softmax(logits)[label]], 0 where label < 0, NaN where label ≥ V. */
export function tokenLogprobsRef([logits, labels]: readonly HostTensor[]): HostTensor[] {
  const [N, V] = logits.shape;
  const out = new Float64Array(N);
  tokenLogprobsRows(logits.data as Float64Array, labels.data as Int32Array, V, out);
  return [{ shape: [N], dtype: 'f32', data: out }];
}
