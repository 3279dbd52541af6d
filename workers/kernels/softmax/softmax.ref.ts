// float64 reference for the masked, scaled softmax over the last axis and its backward.
// Forward: s = x·scale + bias (+ float32 min once where the causal rule or the key mask hides a key), y =
// softmax(s). A masked score is rounded to float32, as Hugging Face's float32 arithmetic does: that is what
// makes a fully masked row uniform (every entry becomes min) rather than softmax(x) shifted by min.
// Backward: dx = scale · y ⊙ (dy − Σ y ⊙ dy).
import type { HostTensor } from '../../backend/backend';
import { softmaxShapes, type SoftmaxAttrs, type SoftmaxOpAttrs } from './softmax-shapes';

export const F32_MIN = -3.4028234663852886e38;

export function softmaxRef(inputs: readonly HostTensor[], attrs: SoftmaxOpAttrs): HostTensor[] {
  const [x] = inputs;
  const s = softmaxShapes(
    inputs.map((t) => t.shape),
    attrs,
  );
  const bias = attrs.hasBias ? inputs[1].data : null;
  const mask = attrs.hasKeyMask ? inputs[attrs.hasBias ? 2 : 1].data : null;
  const scale = attrs.scale ?? 1;
  const { Tk } = s;
  const y = new Float64Array(x.data.length);
  const row = new Float64Array(Tk);
  for (let r = 0; r < s.rows; r++) {
    const q = r % s.Tq;
    let m = -Infinity;
    for (let k = 0; k < Tk; k++) {
      let v = x.data[r * Tk + k] * scale;
      if (bias) v += bias[(r % s.biasRows) * Tk + k];
      let add = mask ? (1 - mask[Math.floor(r / s.rowsPerBatch) * Tk + k]) * F32_MIN : 0;
      if (attrs.causal && k > q + s.offset) add = F32_MIN;
      row[k] = add ? Math.fround(v + add) : v;
      m = Math.max(m, row[k]);
    }
    let sum = 0;
    for (let k = 0; k < Tk; k++) sum += Math.exp(row[k] - m);
    for (let k = 0; k < Tk; k++) y[r * Tk + k] = Math.exp(row[k] - m) / sum;
  }
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
