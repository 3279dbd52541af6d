// CPU (float32) implementation of the masked, scaled softmax over the last axis for the CPU backend
// (softmax.ref.ts): s = x·scale + bias, float32 min added (and rounded to f32, as HF) where the causal rule or
// the key mask hides a key, so a fully masked row is uniform.
import type { CpuTensor } from '../../backend/cpu-backend';
import { F32_MIN } from './softmax.ref';
import { softmaxShapes, type SoftmaxOpAttrs } from './softmax-shapes';

export function softmaxCpu(inputs: readonly CpuTensor[], [y]: readonly CpuTensor[], attrs: SoftmaxOpAttrs): void {
  const s = softmaxShapes(inputs.map((t) => t.shape), attrs);
  const X = inputs[0].data as Float32Array;
  const bias = attrs.hasBias ? (inputs[1].data as Float32Array) : null;
  const mask = attrs.hasKeyMask ? (inputs[attrs.hasBias ? 2 : 1].data as Float32Array) : null;
  const Y = y.data as Float32Array;
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
      const hidden = (mask !== null && mask[mo + k] === 0) || (attrs.causal === true && k > q + s.offset);
      // A partial mask value (0 < mask < 1) scales float32 min, as the reference does.
      const add = hidden ? F32_MIN : mask ? (1 - mask[mo + k]) * F32_MIN : 0;
      row[k] = add ? Math.fround(v + add) : v;
      if (row[k] > m) m = row[k];
    }
    let sum = 0;
    for (let k = 0; k < Tk; k++) sum += row[k] = Math.exp(row[k] - m);
    for (let k = 0; k < Tk; k++) Y[o + k] = row[k] / sum;
  }
}
