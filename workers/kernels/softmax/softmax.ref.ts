// float64 reference for the masked, scaled softmax over the last axis and its backward.
// Forward: s = x·scale + bias (+ float32 min once where the causal rule or the key mask hides a key), y =
// softmax(s). A masked score is rounded to float32, as Hugging Face's float32 arithmetic does: that is what
// makes a fully masked row uniform (every entry becomes min) rather than softmax(x) shifted by min.
// Backward: dx = scale · y ⊙ (dy − Σ y ⊙ dy). The forward (softmaxRows) is the CPU backend's kernel too.
import type { FloatArray, HostTensor } from '../../backend/backend';
import { softmaxShapes, type SoftmaxAttrs, type SoftmaxOpAttrs, type SoftmaxShapes } from './softmax-shapes';

export const F32_MIN = -3.4028234663852886e38;

/** Y = softmax over rows of X with the op's scale, bias, causal rule and key mask (null when absent). */
export function softmaxRows(
  s: SoftmaxShapes,
  X: FloatArray,
  bias: FloatArray | null,
  mask: FloatArray | null,
  attrs: SoftmaxOpAttrs,
  Y: FloatArray,
): void {
  const scale = attrs.scale ?? 1;
  const { Tk } = s;
  const row = new Float64Array(Tk);
  for (let r = 0; r < s.rows; r++) {
    const q = r % s.Tq;
    const o = r * Tk;
    const bo = (r % s.biasRows) * Tk;
    const mo = Math.floor(r / s.rowsPerBatch) * Tk;
    let m = -Infinity;
    for (let k = 0; k < Tk; k++) {
      let v = X[o + k] * scale;
      if (bias) v += bias[bo + k];
      // A partial mask value (0 < mask < 1) scales float32 min; the causal rule hides a key fully.
      let add = mask ? (1 - mask[mo + k]) * F32_MIN : 0;
      if (attrs.causal && k > q + s.offset) add = F32_MIN;
      row[k] = add ? Math.fround(v + add) : v;
      m = Math.max(m, row[k]);
    }
    let sum = 0;
    for (let k = 0; k < Tk; k++) sum += row[k] = Math.exp(row[k] - m);
    for (let k = 0; k < Tk; k++) Y[o + k] = row[k] / sum;
  }
}

/** The bias and key-mask inputs after x, per the op's attributes (null when absent). */
export function softmaxExtras<T>(inputs: readonly T[], attrs: SoftmaxOpAttrs): { bias: T | null; mask: T | null } {
  return { bias: attrs.hasBias ? inputs[1] : null, mask: attrs.hasKeyMask ? inputs[attrs.hasBias ? 2 : 1] : null };
}

export function softmaxRef(inputs: readonly HostTensor[], attrs: SoftmaxOpAttrs): HostTensor[] {
  const [x] = inputs;
  const s = softmaxShapes(
    inputs.map((t) => t.shape),
    attrs,
  );
  const { bias, mask } = softmaxExtras(inputs, attrs);
  const y = new Float64Array(x.data.length);
  softmaxRows(
    s,
    x.data as Float64Array,
    (bias?.data as Float64Array) ?? null,
    (mask?.data as Float64Array) ?? null,
    attrs,
    y,
  );
  // Of x's dtype: an f16 output holds the exact value; storing it rounds to f16.
  return [{ shape: [...x.shape], dtype: x.dtype === 'f16' ? 'f16' : 'f32', data: y }];
}

/** Inputs [y, dy] → [dx]. */
export function softmaxBackwardRef([y, dy]: readonly HostTensor[], { scale = 1 }: SoftmaxAttrs): HostTensor[] {
  const Tk = y.shape[y.shape.length - 1];
  const dx = new Float64Array(y.data.length);
  for (let o = 0; o < y.data.length; o += Tk) {
    let dot = 0;
    for (let k = 0; k < Tk; k++) dot += y.data[o + k] * dy.data[o + k];
    for (let k = 0; k < Tk; k++) dx[o + k] = scale * y.data[o + k] * (dy.data[o + k] - dot);
  }
  return [{ shape: [...y.shape], dtype: 'f32', data: dx }];
}
