// float64 reference for RMSNorm over the last axis (Llama RMSNorm, T5 LayerNorm): y = x · rstd · gamma with
// rstd = 1/sqrt(mean(x²) + eps). Backward (x̂ = x · rstd, g = dy · gamma): dx = rstd · (g − x̂ · mean_C(g · x̂)),
// dgamma = Σ_rows dy · x̂. The forward (rmsNormRows) is the CPU backend's kernel too.
import type { FloatArray, HostTensor } from '../../backend/backend';

export interface RmsNormAttrs {
  eps: number;
}

/** Y and rstd of the rows of X [rows, C]. */
export function rmsNormRows(
  X: FloatArray,
  gamma: FloatArray,
  C: number,
  eps: number,
  Y: FloatArray,
  rstd: FloatArray,
): void {
  const rows = X.length / C;
  for (let r = 0; r < rows; r++) {
    const o = r * C;
    let q = 0;
    for (let c = 0; c < C; c++) q += X[o + c] * X[o + c];
    const rs = 1 / Math.sqrt(q / C + eps);
    for (let c = 0; c < C; c++) Y[o + c] = X[o + c] * rs * gamma[c];
    rstd[r] = rs;
  }
}

export function rmsNormRef([x, gamma]: readonly HostTensor[], { eps }: RmsNormAttrs): HostTensor[] {
  const C = x.shape[x.shape.length - 1];
  const rows = x.data.length / C;
  const y = new Float64Array(x.data.length);
  const rstd = new Float64Array(rows);
  rmsNormRows(x.data as Float64Array, gamma.data as Float64Array, C, eps, y, rstd);
  return [
    // y of x's dtype (an f16 output holds the exact value; storing it rounds to f16); statistics stay f32.
    { shape: [...x.shape], dtype: x.dtype === 'f16' ? 'f16' : 'f32', data: y },
    { shape: [rows], dtype: 'f32', data: rstd },
  ];
}

/** Inputs [x, gamma, rstd, dy] → [dx, dgamma]. */
export function rmsNormBackwardRef([x, gamma, rstd, dy]: readonly HostTensor[]): HostTensor[] {
  const C = x.shape[x.shape.length - 1];
  const rows = x.data.length / C;
  const dx = new Float64Array(x.data.length);
  const dgamma = new Float64Array(C);
  for (let r = 0; r < rows; r++) {
    const o = r * C;
    const rs = rstd.data[r];
    let m = 0;
    for (let c = 0; c < C; c++) {
      const xhat = x.data[o + c] * rs;
      m += dy.data[o + c] * gamma.data[c] * xhat;
      dgamma[c] += dy.data[o + c] * xhat;
    }
    m /= C;
    for (let c = 0; c < C; c++) dx[o + c] = rs * (dy.data[o + c] * gamma.data[c] - x.data[o + c] * rs * m);
  }
  return [
    { shape: [...x.shape], dtype: 'f32', data: dx },
    { shape: [C], dtype: 'f32', data: dgamma },
  ];
}
