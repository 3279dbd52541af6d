// float64 reference of concatenation along axis 1 (and its backward: split the gradient back). The forward's
// copy (concatInto) is the CPU backend's kernel too.
import type { FloatArray, HostTensor } from '../../backend/backend';

/** out [B, S1 + S2, D] = a [B, S1, D] then c [B, S2, D] along axis 1. */
export function concatInto(
  A: FloatArray,
  Cc: FloatArray,
  out: FloatArray,
  B: number,
  S1: number,
  S2: number,
  D: number,
): void {
  for (let b = 0; b < B; b++) {
    out.set(A.subarray(b * S1 * D, (b + 1) * S1 * D), b * (S1 + S2) * D);
    out.set(Cc.subarray(b * S2 * D, (b + 1) * S2 * D), (b * (S1 + S2) + S1) * D);
  }
}

/** B, S1, S2 and D (the trailing dims flattened) of a concat of a [B, S1, ...] and c [B, S2, ...]. */
export function concatDims(a: readonly number[], c: readonly number[]): [number, number, number, number] {
  return [a[0], a[1], c[1], a.slice(2).reduce((x, y) => x * y, 1)];
}

export function concatRef([a, c]: readonly HostTensor[]): HostTensor[] {
  const [B, S1, S2, D] = concatDims(a.shape, c.shape);
  const out = new Float64Array(B * (S1 + S2) * D);
  concatInto(a.data as Float64Array, c.data as Float64Array, out, B, S1, S2, D);
  return [{ shape: [B, S1 + S2, ...a.shape.slice(2)], dtype: 'f32', data: out }];
}

export function concatBackwardRef(dOut: HostTensor, S1: number): [Float64Array, Float64Array] {
  const [B, S] = dOut.shape;
  const D = dOut.shape.slice(2).reduce((x, y) => x * y, 1);
  const da = new Float64Array(B * S1 * D);
  const dc = new Float64Array(B * (S - S1) * D);
  for (let b = 0; b < B; b++) {
    da.set(dOut.data.subarray(b * S * D, (b * S + S1) * D), b * S1 * D);
    dc.set(dOut.data.subarray((b * S + S1) * D, (b + 1) * S * D), b * (S - S1) * D);
  }
  return [da, dc];
}
