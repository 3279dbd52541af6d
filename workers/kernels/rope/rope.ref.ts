// float64 reference of rotary position embedding (rotate_half pairing i ↔ i + HS/2) and its backward, the
// rotation by the negative angle: dx₁ = dy₁·cos + dy₂·sin, dx₂ = dy₂·cos − dy₁·sin.
import type { HostTensor } from '../../backend/backend';

function rotate([x, cos, sin]: readonly HostTensor[], sign: 1 | -1): HostTensor[] {
  const [B, T, NH, HS] = x.shape;
  const H2 = HS / 2;
  const perRow = cos.shape.length === 3;
  const X = x.data as Float64Array;
  const C = cos.data as Float64Array;
  const S = sin.data as Float64Array;
  const out = new Float64Array(X.length);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++)
      for (let h = 0; h < NH; h++) {
        const base = ((b * T + t) * NH + h) * HS;
        const tab = (perRow ? b * T + t : t) * H2;
        for (let i = 0; i < H2; i++) {
          const c = C[tab + i];
          const s = sign * S[tab + i];
          const x1 = X[base + i];
          const x2 = X[base + i + H2];
          out[base + i] = x1 * c - x2 * s;
          out[base + i + H2] = x2 * c + x1 * s;
        }
      }
  return [{ shape: [...x.shape], dtype: 'f32', data: out }];
}

export function ropeRef(inputs: readonly HostTensor[]): HostTensor[] {
  return rotate(inputs, 1);
}

/** dx from dy: inputs [dy, cos, sin]. */
export function ropeBackwardRef(inputs: readonly HostTensor[]): HostTensor[] {
  return rotate(inputs, -1);
}
