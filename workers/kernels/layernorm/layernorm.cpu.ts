// CPU (float32) implementation of LayerNorm over the last axis for the CPU backend (layernorm.ref.ts: biased
// variance, eps inside the sqrt), with the per-row mean and rstd outputs. Two passes per row for the variance.
import type { CpuTensor } from '../../backend/cpu-backend';
import type { LayerNormAttrs } from './layernorm.ref';

export function layerNormCpu([x, gamma, beta]: readonly CpuTensor[], [y, mean, rstd]: readonly CpuTensor[], { eps }: LayerNormAttrs): void {
  const C = x.shape[x.shape.length - 1];
  const X = x.data as Float32Array;
  const G = gamma.data as Float32Array;
  const Bt = beta.data as Float32Array;
  const Y = y.data as Float32Array;
  const rows = X.length / C;
  for (let r = 0; r < rows; r++) {
    const o = r * C;
    let s = 0;
    for (let c = 0; c < C; c++) s += X[o + c];
    const mu = s / C;
    let q = 0;
    for (let c = 0; c < C; c++) {
      const d = X[o + c] - mu;
      q += d * d;
    }
    const rs = 1 / Math.sqrt(q / C + eps);
    for (let c = 0; c < C; c++) Y[o + c] = (X[o + c] - mu) * rs * G[c] + Bt[c];
    (mean.data as Float32Array)[r] = mu;
    (rstd.data as Float32Array)[r] = rs;
  }
}
