// float64 reference of concatenation along axis 1 (and its backward: split the gradient back).
import type { HostTensor } from '../../backend/backend';

export function concatRef([a, c]: readonly HostTensor[]): HostTensor[] {
  const [B, S1] = a.shape;
  const S2 = c.shape[1];
  const D = a.shape.slice(2).reduce((x, y) => x * y, 1);
  const out = new Float64Array(B * (S1 + S2) * D);
  for (let b = 0; b < B; b++) {
    out.set(a.data.subarray(b * S1 * D, (b + 1) * S1 * D), b * (S1 + S2) * D);
    out.set(c.data.subarray(b * S2 * D, (b + 1) * S2 * D), (b * (S1 + S2) + S1) * D);
  }
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
