// float64 reference for grouped-query scaled dot-product attention, forward and backward.
// Follows Hugging Face eager attention: scores = scale·q·kᵀ + bias, masked scores (padding or causal) get
// float32 min added once (rounded to float32, as HF's float32 arithmetic does), softmax with the row max
// subtracted, out = probs·v. Backward: dv = Σ_heads Pᵀ·dOut, dP = dOut·vᵀ, dS = P ⊙ (dP − rowsum(P ⊙ dP)),
// dq = scale·dS·k, dk = scale·Σ_heads dSᵀ·q. The forward (attentionInto) is the CPU backend's kernel too.
import type { FloatArray, HostTensor } from '../../backend/backend';
import { attentionShapes, type AttentionAttrs, type AttentionShapes } from './attention-shapes';

/** The additive mask value of Hugging Face eager attention (torch.finfo(float32).min), not −inf. */
export const F32_MIN = -3.4028234663852886e38;

/** The bias and key-mask inputs after q, k, v, per the op's attributes (null when absent). */
export function attentionExtras<T>(inputs: readonly T[], attrs: AttentionAttrs): { bias: T | null; mask: T | null } {
  let next = 3;
  const bias = attrs.hasBias ? inputs[next++] : null;
  const mask = attrs.hasMask ? inputs[next++] : null;
  return { bias, mask };
}

/** out [B, T, NH, HS] and probs [B, NH, T, S] of q, k, v with the optional bias and key mask (null when absent). */
export function attentionInto(
  s: AttentionShapes,
  attrs: AttentionAttrs,
  q: FloatArray,
  k: FloatArray,
  v: FloatArray,
  bias: FloatArray | null,
  mask: FloatArray | null,
  out: FloatArray,
  probs: FloatArray,
): void {
  const { B, T, S, NH, NKV, HS, group, biasBatchStride, causalOffset } = s;
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
          const masked = (mask !== null && mask[b * S + j] === 0) || (attrs.causal === true && j > t + causalOffset);
          if (masked) x = Math.fround(x + F32_MIN);
          row[j] = x;
          max = Math.max(max, x);
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

export function attentionRef(inputs: readonly HostTensor[], attrs: AttentionAttrs): HostTensor[] {
  const s = attentionShapes(
    inputs.map((t) => t.shape),
    attrs,
  );
  const { B, T, S, NH, HS } = s;
  const [q, k, v] = inputs.map((t) => t.data as Float64Array);
  const { bias, mask } = attentionExtras(inputs, attrs);
  const out = new Float64Array(B * T * NH * HS);
  const probs = new Float64Array(B * NH * T * S);
  attentionInto(
    s,
    attrs,
    q,
    k,
    v,
    (bias?.data as Float64Array) ?? null,
    (mask?.data as Float64Array) ?? null,
    out,
    probs,
  );
  return [
    { shape: [B, T, NH, HS], dtype: 'f32', data: out },
    { shape: [B, NH, T, S], dtype: 'f32', data: probs },
  ];
}

/** Gradients of out with respect to q, k and v, given the forward's probs (which already hold bias and masks). */
export function attentionBackwardRef(inputs: readonly HostTensor[], attrs: { scale: number }): HostTensor[] {
  const [qT, kT, vT, pT, gT] = inputs;
  const { B, T, S, NH, NKV, HS, group } = attentionShapes([qT.shape, kT.shape, vT.shape], { scale: attrs.scale });
  const [q, k, v, P, dOut] = [qT, kT, vT, pT, gT].map((t) => t.data as Float64Array);
  const dq = new Float64Array(q.length);
  const dk = new Float64Array(k.length);
  const dv = new Float64Array(v.length);
  const dS = new Float64Array(S);
  for (let b = 0; b < B; b++)
    for (let h = 0; h < NH; h++) {
      const kvh = Math.floor(h / group);
      for (let t = 0; t < T; t++) {
        const qo = ((b * T + t) * NH + h) * HS;
        const po = ((b * NH + h) * T + t) * S;
        let rowDot = 0;
        for (let j = 0; j < S; j++) {
          const vo = ((b * S + j) * NKV + kvh) * HS;
          let dp = 0;
          for (let d = 0; d < HS; d++) {
            dp += dOut[qo + d] * v[vo + d];
            dv[vo + d] += P[po + j] * dOut[qo + d];
          }
          dS[j] = dp;
          rowDot += P[po + j] * dp;
        }
        for (let j = 0; j < S; j++) {
          const g = attrs.scale * P[po + j] * (dS[j] - rowDot);
          const ko = ((b * S + j) * NKV + kvh) * HS;
          for (let d = 0; d < HS; d++) {
            dq[qo + d] += g * k[ko + d];
            dk[ko + d] += g * q[qo + d];
          }
        }
      }
    }
  return [
    { shape: [...qT.shape], dtype: 'f32', data: dq },
    { shape: [...kT.shape], dtype: 'f32', data: dk },
    { shape: [...vT.shape], dtype: 'f32', data: dv },
  ];
}
