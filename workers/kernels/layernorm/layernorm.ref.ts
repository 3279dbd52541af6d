// float64 reference for LayerNorm over the last axis (torch.nn.LayerNorm: biased variance, eps inside the sqrt).
// Forward: y = (x − mean) · rstd · gamma + beta, rstd = 1/sqrt(var + eps). Backward (x̂ = (x − mean) · rstd,
// g = dy · gamma): dx = rstd · (g − mean_C(g) − x̂ · mean_C(g · x̂)), dgamma = Σ_rows dy · x̂, dbeta = Σ_rows dy.
// The forward (layerNormRows) is the CPU backend's kernel too.
import type { FloatArray, HostTensor } from '../../backend/backend';

export interface LayerNormAttrs {
  eps: number;
}

/** Y, mean and rstd of the rows of X [rows, C]; the variance in a second sweep over x − mean. */
export function layerNormRows(
  X: FloatArray,
  gamma: FloatArray,
  beta: FloatArray,
  C: number,
  eps: number,
  Y: FloatArray,
  mean: FloatArray,
  rstd: FloatArray,
): void {
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
    for (let c = 0; c < C; c++) Y[o + c] = (X[o + c] - mu) * rs * gamma[c] + beta[c];
    mean[r] = mu;
    rstd[r] = rs;
  }
}

export function layerNormRef([x, gamma, beta]: readonly HostTensor[], { eps }: LayerNormAttrs): HostTensor[] {
  const C = x.shape[x.shape.length - 1];
  const rows = x.data.length / C;
  const y = new Float64Array(x.data.length);
  const mean = new Float64Array(rows);
  const rstd = new Float64Array(rows);
  layerNormRows(x.data as Float64Array, gamma.data as Float64Array, beta.data as Float64Array, C, eps, y, mean, rstd);
  return [
    // y of x's dtype (an f16 output holds the exact value; storing it rounds to f16); statistics stay f32.
    { shape: [...x.shape], dtype: x.dtype === 'f16' ? 'f16' : 'f32', data: y },
    { shape: [rows], dtype: 'f32', data: mean },
    { shape: [rows], dtype: 'f32', data: rstd },
  ];
}

/** Inputs [x, gamma, mean, rstd, dy] → [dx, dgamma, dbeta]. */
export function layerNormBackwardRef([x, gamma, mean, rstd, dy]: readonly HostTensor[]): HostTensor[] {
  const C = x.shape[x.shape.length - 1];
  const rows = x.data.length / C;
  const dx = new Float64Array(x.data.length);
  const dgamma = new Float64Array(C);
  const dbeta = new Float64Array(C);
  for (let r = 0; r < rows; r++) {
    const o = r * C;
    const rs = rstd.data[r];
    const xhat = (c: number) => (x.data[o + c] - mean.data[r]) * rs;
    let mg = 0;
    let mgx = 0;
    for (let c = 0; c < C; c++) {
      const g = dy.data[o + c] * gamma.data[c];
      mg += g;
      mgx += g * xhat(c);
      dgamma[c] += dy.data[o + c] * xhat(c);
      dbeta[c] += dy.data[o + c];
    }
    mg /= C;
    mgx /= C;
    for (let c = 0; c < C; c++) dx[o + c] = rs * (dy.data[o + c] * gamma.data[c] - mg - xhat(c) * mgx);
  }
  return [
    { shape: [...x.shape], dtype: 'f32', data: dx },
    { shape: [C], dtype: 'f32', data: dgamma },
    { shape: [C], dtype: 'f32', data: dbeta },
  ];
}
