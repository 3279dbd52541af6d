// float64 references for the row reductions, the whole-tensor sums and top-k. Reductions have no backward
// op here (the layers that need one compose it from elementwise ops); logsumexp's gradient is softmax, proven
// in the softmax and cross-entropy folders.
import type { HostTensor } from '../../backend/backend';
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

export function reduceRowsRef([x]: readonly HostTensor[], { op }: ReduceRowsAttrs): HostTensor[] {
  const V = x.shape[x.shape.length - 1];
  const rows = rowsOf(x.shape);
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const o = r * V;
    let acc = op === 'max' ? -Infinity : 0;
    if (op === 'logsumexp') acc = logsumexp(x.data, o, V);
    else
      for (let i = 0; i < V; i++) {
        const v = x.data[o + i];
        acc = op === 'sum' ? acc + v : op === 'sumsq' ? acc + v * v : Math.max(acc, v);
      }
    out[r] = acc;
  }
  return [{ shape: [rows], dtype: 'f32', data: out }];
}

export function sumAllRef([x]: readonly HostTensor[], { op }: SumAllAttrs): HostTensor[] {
  let acc = 0;
  for (const v of x.data) acc += op === 'sumsq' ? v * v : v;
  return [{ shape: [1], dtype: 'f32', data: Float64Array.of(acc) }];
}

/** Top-k per row: values descending, equal values ordered by the lower index first (−0 equals +0). */
export function topkRef([x]: readonly HostTensor[], { k }: TopkAttrs): HostTensor[] {
  const V = x.shape[x.shape.length - 1];
  const rows = rowsOf(x.shape);
  const values = new Float64Array(rows * k);
  const indices = new Int32Array(rows * k);
  const order = Array.from({ length: V }, (_, i) => i);
  for (let r = 0; r < rows; r++) {
    const o = r * V;
    order.sort((a, b) => x.data[o + b] - x.data[o + a] || a - b);
    for (let j = 0; j < k; j++) {
      values[r * k + j] = x.data[o + order[j]];
      indices[r * k + j] = order[j];
    }
    order.sort((a, b) => a - b);
  }
  const outShape = [...x.shape.slice(0, -1), k];
  return [
    { shape: outShape, dtype: 'f32', data: values },
    { shape: [...outShape], dtype: 'i32', data: indices },
  ];
}
