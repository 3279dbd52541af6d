// float64 reference of the sum-of-squares accumulation: acc + Σ x². No backward: it only feeds clipping.
import type { HostTensor } from '../../backend/backend';

export function sumSquaresRef([acc, x]: readonly HostTensor[]): HostTensor[] {
  let s = (acc.data as Float64Array)[0];
  for (const v of x.data as Float64Array) s += v * v;
  return [{ shape: [1], dtype: 'f32', data: Float64Array.of(s) }];
}
