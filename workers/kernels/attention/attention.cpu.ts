// CPU (float32) implementation of grouped-query attention for the CPU backend, following attention.ref.ts (HF
// eager attention): scores = scale·q·kᵀ + bias, float32 min added where padding or the causal rule hides a key,
// softmax with the row max subtracted, out = probs·v. Writes probs [B, NH, T, S] too (the op's second output).
import type { CpuTensor } from '../../backend/cpu-backend';
import { F32_MIN } from './attention.ref';
import { attentionShapes, type AttentionAttrs } from './attention-shapes';

export function attentionCpu(inputs: readonly CpuTensor[], [outT, probsT]: readonly CpuTensor[], attrs: AttentionAttrs): void {
  const { B, T, S, NH, NKV, HS, group, biasBatchStride, causalOffset } = attentionShapes(inputs.map((t) => t.shape), attrs);
  const [q, k, v] = inputs.map((t) => t.data as Float32Array);
  let next = 3;
  const bias = attrs.hasBias ? (inputs[next++].data as Float32Array) : null;
  const mask = attrs.hasMask ? (inputs[next++].data as Float32Array) : null;
  const out = outT.data as Float32Array;
  const probs = probsT.data as Float32Array;
  const row = new Float64Array(S);
  const acc = new Float64Array(HS);
  for (let b = 0; b < B; b++)
    for (let h = 0; h < NH; h++) {
      const kvh = Math.floor(h / group);
      for (let t = 0; t < T; t++) {
        const qo = ((b * T + t) * NH + h) * HS;
        let max = -Infinity;
        for (let j = 0; j < S; j++) {
          const ko = ((b * S + j) * NKV + kvh) * HS;
          let dot = 0;
          for (let d = 0; d < HS; d++) dot += q[qo + d] * k[ko + d];
          let x = attrs.scale * dot;
          if (bias) x += bias[b * biasBatchStride + (h * T + t) * S + j];
          if ((mask !== null && mask[b * S + j] === 0) || (attrs.causal === true && j > t + causalOffset)) x = Math.fround(x + F32_MIN);
          row[j] = x;
          if (x > max) max = x;
        }
        let sum = 0;
        for (let j = 0; j < S; j++) sum += row[j] = Math.exp(row[j] - max);
        const po = ((b * NH + h) * T + t) * S;
        acc.fill(0);
        for (let j = 0; j < S; j++) {
          const p = row[j] / sum;
          probs[po + j] = p;
          const vo = ((b * S + j) * NKV + kvh) * HS;
          for (let d = 0; d < HS; d++) acc[d] += p * v[vo + d];
        }
        for (let d = 0; d < HS; d++) out[qo + d] = acc[d];
      }
    }
}
