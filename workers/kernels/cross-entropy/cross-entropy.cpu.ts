// CPU (float32) implementations of cross-entropy with integer labels and of per-token log-probabilities for the
// CPU backend (cross-entropy.ref.ts): loss_i = lse_i − logits[i, y_i], 0 where y_i = ignoreIndex, NaN for other
// labels outside [0, V); log-probs 0 where the label is negative, NaN where it is ≥ V.
import type { CpuTensor } from '../../backend/cpu-backend';
import { logsumexpF32 } from '../reduce/reduce.cpu';
import { DEFAULT_IGNORE_INDEX, type CrossEntropyAttrs } from './cross-entropy.ref';

export function crossEntropyCpu([logits, labels]: readonly CpuTensor[], [loss, lse]: readonly CpuTensor[], attrs: CrossEntropyAttrs): void {
  const [N, V] = logits.shape;
  const X = logits.data as Float32Array;
  const Y = labels.data as Int32Array;
  const ignore = attrs.ignoreIndex ?? DEFAULT_IGNORE_INDEX;
  const L = loss.data as Float32Array;
  const S = lse.data as Float32Array;
  for (let i = 0; i < N; i++) {
    const l = logsumexpF32(X, i * V, V);
    S[i] = l;
    const y = Y[i];
    L[i] = y === ignore ? 0 : y < 0 || y >= V ? NaN : l - X[i * V + y];
  }
}

export function tokenLogprobsCpu([logits, labels]: readonly CpuTensor[], [out]: readonly CpuTensor[]): void {
  const [N, V] = logits.shape;
  const X = logits.data as Float32Array;
  const Y = labels.data as Int32Array;
  const O = out.data as Float32Array;
  for (let i = 0; i < N; i++) {
    const y = Y[i];
    O[i] = y < 0 ? 0 : y >= V ? NaN : X[i * V + y] - logsumexpF32(X, i * V, V);
  }
}
