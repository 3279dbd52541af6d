// CPU (float32) implementation of RMSNorm over the last axis for the CPU backend (rmsnorm.ref.ts: Llama RMSNorm,
// T5 LayerNorm), with the per-row rstd output.
import type { CpuTensor } from '../../backend/cpu-backend';
import type { RmsNormAttrs } from './rmsnorm.ref';

export function rmsNormCpu([x, gamma]: readonly CpuTensor[], [y, rstd]: readonly CpuTensor[], { eps }: RmsNormAttrs): void {
  const C = x.shape[x.shape.length - 1];
  const X = x.data as Float32Array;
  const G = gamma.data as Float32Array;
  const Y = y.data as Float32Array;
  const rows = X.length / C;
  for (let r = 0; r < rows; r++) {
    const o = r * C;
    let q = 0;
    for (let c = 0; c < C; c++) q += X[o + c] * X[o + c];
    const rs = 1 / Math.sqrt(q / C + eps);
    for (let c = 0; c < C; c++) Y[o + c] = X[o + c] * rs * G[c];
    (rstd.data as Float32Array)[r] = rs;
  }
}
