// float64 references for the row reductions, the whole-tensor sums and top-k. Reductions have no backward
// op here (the layers that need one compose it from elementwise ops); logsumexp's gradient is softmax, proven
// in the softmax and cross-entropy folders. The *Into functions are the CPU backend's kernels too.
import type { FloatArray, HostTensor } from '../../backend/backend';
import { rowsOf } from './row-grid';

export type ReduceOp = 'sum' | 'max' | 'logsumexp' | 'sumsq';

export interface ReduceRowsAttrs {
  op: ReduceOp;
}

export interface SumAllAttrs {
  op: 'sum' | 'sumsq';
}

export interface TopkAttrs {
  k: number;
}

/** Stable logsumexp of x[from, from + n). */
export function logsumexp(x: ArrayLike<number>, from: number, n: number): number {
  let m = -Infinity;
  for (let i = 0; i < n; i++) m = Math.max(m, x[from + i]);
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.exp(x[from + i] - m);
  return m + Math.log(s);
}

/** Y [rows] = op over each row of X [rows, V]. */
export function reduceRowsInto(X: FloatArray, V: number, op: ReduceOp, Y: FloatArray): void {
  for (let r = 0; r < Y.length; r++) {
    const o = r * V;
    let acc = op === 'max' ? -Infinity : 0;
    if (op === 'logsumexp') acc = logsumexp(X, o, V);
    else if (op === 'max') for (let i = 0; i < V; i++) acc = Math.max(acc, X[o + i]);
    else if (op === 'sum') for (let i = 0; i < V; i++) acc += X[o + i];
    else for (let i = 0; i < V; i++) acc += X[o + i] * X[o + i];
    Y[r] = acc;
  }
}

/** Σx or Σx² over every element. */
export function sumAllOf(X: FloatArray, op: SumAllAttrs['op']): number {
  let acc = 0;
  if (op === 'sumsq') for (let i = 0; i < X.length; i++) acc += X[i] * X[i];
  else for (let i = 0; i < X.length; i++) acc += X[i];
  return acc;
}

/** True when (va, ia) ranks before (vb, ib): larger value first, lower index on ties (−0 equals +0). */
const before = (va: number, ia: number, vb: number, ib: number) => va > vb || (va === vb && ia < ib);

/**
 * values and indices [rows, k] of the k best of each row of X [rows, V], in rank order. A sorted window of the
 * best k seen so far, filled by insertion: O(V·k) at worst but O(V) for a small k over a vocabulary row, without
 * sorting the whole row.
 */
export function topkInto(X: FloatArray, V: number, k: number, values: FloatArray, indices: Int32Array): void {
  const rows = X.length / V;
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
    values.set(wv, r * k);
    indices.set(wi, r * k);
  }
}

export function reduceRowsRef([x]: readonly HostTensor[], { op }: ReduceRowsAttrs): HostTensor[] {
  const out = new Float64Array(rowsOf(x.shape));
  reduceRowsInto(x.data as Float64Array, x.shape[x.shape.length - 1], op, out);
  return [{ shape: [out.length], dtype: 'f32', data: out }];
}

export function sumAllRef([x]: readonly HostTensor[], { op }: SumAllAttrs): HostTensor[] {
  return [{ shape: [1], dtype: 'f32', data: Float64Array.of(sumAllOf(x.data as Float64Array, op)) }];
}

/** Top-k per row: values descending, equal values ordered by the lower index first (−0 equals +0). */
export function topkRef([x]: readonly HostTensor[], { k }: TopkAttrs): HostTensor[] {
  const rows = rowsOf(x.shape);
  const values = new Float64Array(rows * k);
  const indices = new Int32Array(rows * k);
  topkInto(x.data as Float64Array, x.shape[x.shape.length - 1], k, values, indices);
  const outShape = [...x.shape.slice(0, -1), k];
  return [
    { shape: outShape, dtype: 'f32', data: values },
    { shape: [...outShape], dtype: 'i32', data: indices },
  ];
}
