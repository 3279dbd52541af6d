// float64 references of the activations and their derivatives: GELU with erf (PyTorch gelu, approximate
// 'none'), GELU with tanh (PyTorch approximate 'tanh' = transformers' NewGELU "gelu_new"), SiLU, ReLU
// (derivative 0 at x = 0, as PyTorch's threshold_backward), and tanh (the pooler-style classifier head of XLM-R).
import type { HostTensor } from '../../backend/backend';
import { normalCdf } from './erf64';

export type ActKind = 'gelu' | 'gelu_tanh' | 'silu' | 'relu';
/** Kinds of the plain pointwise ops; tanh is not offered to the gated units (no model gates with it). */
export type PointwiseKind = ActKind | 'tanh';

const GELU_K = Math.sqrt(2 / Math.PI);
const GELU_C = 0.044715;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export function actScalar(kind: PointwiseKind, x: number): number {
  switch (kind) {
    case 'tanh':
      return Math.tanh(x);
    case 'gelu':
      return x * normalCdf(x);
    case 'gelu_tanh':
      return 0.5 * x * (1 + Math.tanh(GELU_K * (x + GELU_C * x ** 3)));
    case 'silu':
      return x * sigmoid(x);
    case 'relu':
      return Math.max(x, 0);
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
  return [{ shape: [...x.shape], dtype: x.dtype === 'f16' ? 'f16' : 'f32', data: (x.data as Float64Array).map((v) => actScalar(kind, v)) }];
}

/** dx = dy · act'(x). */
export function activationBackwardRef(kind: PointwiseKind, [x, dy]: readonly HostTensor[]): HostTensor[] {
  const G = dy.data as Float64Array;
  return [{ shape: [...x.shape], dtype: 'f32', data: (x.data as Float64Array).map((v, i) => G[i] * actGradScalar(kind, v)) }];
}
