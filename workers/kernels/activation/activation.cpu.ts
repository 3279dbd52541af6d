// CPU (float32) implementations of the pointwise activations for the CPU backend (activation.ref.ts): GELU with
// erf (XLM-R) or tanh (T5 gelu_new), SiLU, ReLU, tanh. One loop per kind so no switch runs per element.
import type { CpuTensor } from '../../backend/cpu-backend';
import type { PointwiseKind } from './activation.ref';
import { normalCdf } from './erf64';

const GELU_K = Math.sqrt(2 / Math.PI);
const GELU_C = 0.044715;

/** out[i] = act(x[i]) for n elements (also the gated units' activation). */
export function applyActivation(kind: PointwiseKind, X: Float32Array, out: Float32Array, up?: Float32Array): void {
  const n = X.length;
  switch (kind) {
    case 'gelu':
      for (let i = 0; i < n; i++) out[i] = X[i] * normalCdf(X[i]) * (up ? up[i] : 1);
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

export function activationCpu(kind: PointwiseKind) {
  return ([x]: readonly CpuTensor[], [y]: readonly CpuTensor[]): void => applyActivation(kind, x.data as Float32Array, y.data as Float32Array);
}

export function geluCpu([x]: readonly CpuTensor[], [y]: readonly CpuTensor[], { approximate }: { approximate: 'none' | 'tanh' }): void {
  applyActivation(approximate === 'tanh' ? 'gelu_tanh' : 'gelu', x.data as Float32Array, y.data as Float32Array);
}
