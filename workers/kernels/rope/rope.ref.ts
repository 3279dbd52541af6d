// float64 reference of rotary position embedding (rotate_half pairing i ↔ i + HS/2) and its backward, the
// rotation by the negative angle: dx₁ = dy₁·cos + dy₂·sin, dx₂ = dy₂·cos − dy₁·sin. The rotation (rotateInto)
// is the CPU backend's forward kernel too.
import type { FloatArray, HostTensor } from '../../backend/backend';

/** out = X [B, T, NH, HS] rotated by sign × the angles of cos/sin ([T, HS/2] shared, or [B, T, HS/2] per row). */
export function rotateInto(
  X: FloatArray,
  shape: readonly number[],
  cos: FloatArray,
  sin: FloatArray,
  perRow: boolean,
  sign: 1 | -1,
  out: FloatArray,
): void {
  const [B, T, NH, HS] = shape;
  const H2 = HS / 2;
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++) {
      const tab = (perRow ? b * T + t : t) * H2;
      for (let h = 0; h < NH; h++) {
        const base = ((b * T + t) * NH + h) * HS;
        for (let i = 0; i < H2; i++) {
          const c = cos[tab + i];
          const s = sign * sin[tab + i];
          const x1 = X[base + i];
          const x2 = X[base + i + H2];
          out[base + i] = x1 * c - x2 * s;
          out[base + i + H2] = x2 * c + x1 * s;
        }
      }
    }
}

function rotate([x, cos, sin]: readonly HostTensor[], sign: 1 | -1): HostTensor[] {
  const out = new Float64Array(x.data.length);
  rotateInto(
    x.data as Float64Array,
    x.shape,
    cos.data as Float64Array,
    sin.data as Float64Array,
    cos.shape.length === 3,
    sign,
    out,
  );
  return [{ shape: [...x.shape], dtype: 'f32', data: out }];
}

export function ropeRef(inputs: readonly HostTensor[]): HostTensor[] {
  return rotate(inputs, 1);
}

/** dx from dy: inputs [dy, cos, sin]. */
export function ropeBackwardRef(inputs: readonly HostTensor[]): HostTensor[] {
  return rotate(inputs, -1);
}
