// CPU (float32) implementations of the reductions for the CPU backend (reduce.ref.ts): row sum / max /
// logsumexp / sum of squares, whole-tensor sums, and top-k per row (values descending, ties lower index first).
import type { CpuTensor } from '../../backend/cpu-backend';
import type { ReduceRowsAttrs, SumAllAttrs, TopkAttrs } from './reduce.ref';

type F = Float32Array;

/** Stable logsumexp of X[o, o + n). */
export function logsumexpF32(X: F, o: number, n: number): number {
  let m = -Infinity;
  for (let i = 0; i < n; i++) if (X[o + i] > m) m = X[o + i];
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.exp(X[o + i] - m);
  return m + Math.log(s);
}

export function reduceRowsCpu([x]: readonly CpuTensor[], [y]: readonly CpuTensor[], { op }: ReduceRowsAttrs): void {
  const V = x.shape[x.shape.length - 1];
  const X = x.data as F;
  const Y = y.data as F;
  for (let r = 0; r < Y.length; r++) {
    const o = r * V;
    let acc = op === 'max' ? -Infinity : 0;
    if (op === 'logsumexp') acc = logsumexpF32(X, o, V);
    else if (op === 'max') for (let i = 0; i < V; i++) acc = Math.max(acc, X[o + i]);
    else if (op === 'sum') for (let i = 0; i < V; i++) acc += X[o + i];
    else for (let i = 0; i < V; i++) acc += X[o + i] * X[o + i];
    Y[r] = acc;
  }
}

export function sumAllCpu([x]: readonly CpuTensor[], [y]: readonly CpuTensor[], { op }: SumAllAttrs): void {
  const X = x.data as F;
  let acc = 0;
  if (op === 'sumsq') for (let i = 0; i < X.length; i++) acc += X[i] * X[i];
  else for (let i = 0; i < X.length; i++) acc += X[i];
  (y.data as F)[0] = acc;
}

/** True when (va, ia) ranks before (vb, ib): larger value first, lower index on ties (−0 equals +0). */
const before = (va: number, ia: number, vb: number, ib: number) => va > vb || (va === vb && ia < ib);

export function topkCpu([x]: readonly CpuTensor[], [values, indices]: readonly CpuTensor[], { k }: TopkAttrs): void {
  const V = x.shape[x.shape.length - 1];
  const X = x.data as F;
  const rows = X.length / V;
  const vals = values.data as F;
  const idx = indices.data as Int32Array;
  // A sorted window of the best k seen so far, filled by insertion: O(V·k) worst case but O(V) for the usual
  // small k over a vocabulary row, without sorting the whole row.
  const wv = new Float64Array(k);
  const wi = new Int32Array(k);
  for (let r = 0; r < rows; r++) {
    const o = r * V;
    let n = 0;
    for (let i = 0; i < V; i++) {
      const v = X[o + i];
      if (n === k && !before(v, i, wv[k - 1], wi[k - 1])) continue;
      let j = n < k ? n++ : k - 1;
      while (j > 0 && before(v, i, wv[j - 1], wi[j - 1])) {
        wv[j] = wv[j - 1];
        wi[j] = wi[j - 1];
        j--;
      }
      wv[j] = v;
      wi[j] = i;
    }
    for (let j = 0; j < k; j++) {
      vals[r * k + j] = wv[j];
      idx[r * k + j] = wi[j];
    }
  }
}
