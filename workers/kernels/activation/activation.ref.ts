// float64 references of the activations and their derivatives: GELU with erf (PyTorch gelu, approximate
// 'none'), GELU with tanh (PyTorch approximate 'tanh' = transformers' NewGELU "gelu_new"), SiLU, ReLU
// (derivative 0 at x = 0, as PyTorch's threshold_backward), and tanh (the pooler-style classifier head of XLM-R).
// The forward maths (activationInto) is shared with the CPU backend's float32 kernels, which pass Φ's float32 fit.
import type { FloatArray, HostTensor } from '../../backend/backend';
import { normalCdf } from './erf64';

export type ActKind = 'gelu' | 'gelu_tanh' | 'silu' | 'relu';
/** Kinds of the plain pointwise ops; tanh is not offered to the gated units (no model gates with it). */
export type PointwiseKind = ActKind | 'tanh';

const GELU_K = Math.sqrt(2 / Math.PI);
const GELU_C = 0.044715;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * out[i] = act(X[i]) · (up ? up[i] : 1) — the pointwise ops' and the gated units' forward, written once for the
 * float64 reference (Φ = erf64's normalCdf) and the CPU backend's float32 tensors (Φ = erf32's fit). One loop per
 * kind, so no switch runs per element.
 */
export function activationInto(
  kind: PointwiseKind,
  X: FloatArray,
  out: FloatArray,
  up: FloatArray | null,
  cdf: (x: number) => number,
): void {
  const n = X.length;
  switch (kind) {
    case 'gelu':
      for (let i = 0; i < n; i++) out[i] = X[i] * cdf(X[i]) * (up ? up[i] : 1);
      return;
    case 'gelu_tanh':
      for (let i = 0; i < n; i++) {
        const x = X[i];
        out[i] = 0.5 * x * (1 + Math.tanh(GELU_K * (x + GELU_C * x * x * x))) * (up ? up[i] : 1);
      }
      return;
    case 'silu':
      for (let i = 0; i < n; i++) out[i] = (X[i] / (1 + Math.exp(-X[i]))) * (up ? up[i] : 1);
      return;
    case 'relu':
      for (let i = 0; i < n; i++) out[i] = (X[i] > 0 ? X[i] : 0) * (up ? up[i] : 1);
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) out[i] = Math.tanh(X[i]) * (up ? up[i] : 1);
      return;
    default:
      throw new Error(`activation: unknown kind ${kind as string}`);
  }
}

export function actGradScalar(kind: PointwiseKind, x: number): number {
  switch (kind) {
    case 'tanh': {
      // 1 − tanh² written as 1 / cosh² so that it stays exact (not 1 − 1) in the tails.
      const c = Math.cosh(x);
      return 1 / (c * c);
    }
    case 'gelu':
      return normalCdf(x) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
    case 'gelu_tanh': {
      const t = Math.tanh(GELU_K * (x + GELU_C * x ** 3));
      return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_K * (1 + 3 * GELU_C * x * x);
    }
    case 'silu': {
      const s = sigmoid(x);
      return s * (1 + x * (1 - s));
    }
    case 'relu':
      return x > 0 ? 1 : 0;
  }
}

/** y = act(x), of x's dtype (an f16 output holds the exact value; storing it rounds to f16). */
export function activationRef(kind: PointwiseKind, [x]: readonly HostTensor[]): HostTensor[] {
  const y = new Float64Array(x.data.length);
  activationInto(kind, x.data as Float64Array, y, null, normalCdf);
  return [{ shape: [...x.shape], dtype: x.dtype === 'f16' ? 'f16' : 'f32', data: y }];
}

/** dx = dy · act'(x). */
export function activationBackwardRef(kind: PointwiseKind, [x, dy]: readonly HostTensor[]): HostTensor[] {
  const G = dy.data as Float64Array;
  return [
    { shape: [...x.shape], dtype: 'f32', data: (x.data as Float64Array).map((v, i) => G[i] * actGradScalar(kind, v)) },
  ];
}
