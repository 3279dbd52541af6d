// CPU (float32) implementations of the pointwise activations for the CPU backend (activation.ref.ts): GELU with
// erf (XLM-R) or tanh (T5 gelu_new), SiLU, ReLU, tanh. One loop per kind so no switch runs per element.
import type { CpuTensor } from '../../backend/cpu-backend';
import type { PointwiseKind } from './activation.ref';

const GELU_K = Math.sqrt(2 / Math.PI);
const GELU_C = 0.044715;

// Φ(x) to float32 accuracy with the fits of activation.wgsl (erf = z·P(z²) below 1, erfc = e^(−z²)·R(1/z) up to
// 9.5; |error| ≈ 1.2e-7): the float64 series of erf64.ts is exact but ~30× slower, and an f32 output cannot
// hold more than the fit gives.
function erfSmall(z: number): number {
  const u = z * z;
  const q = 0.00518125389 + u * (-0.000795378059 + u * 7.68084428e-5);
  return z * (1.12837911 + u * (-0.376126111 + u * (0.11283461 + u * (-0.0268495567 + u * q))));
}

function erfcLarge(z: number): number {
  if (z >= 9.5) return 0;
  const s = 1 / z;
  let r = -0.0509606339;
  r = r * s + 0.342930019;
  r = r * s - 1.0221256;
  r = r * s + 1.75471985;
  r = r * s - 1.85480011;
  r = r * s + 1.12021577;
  r = r * s - 0.168670893;
  r = r * s - 0.255398333;
  r = r * s - 0.0026637665;
  r = r * s + 0.564340949;
  r = r * s - 3.71447504e-6;
  return Math.exp(-z * z) * r;
}

export function normalCdfF32(x: number): number {
  const z = x * Math.SQRT1_2;
  const a = Math.abs(z);
  if (a < 1) return 0.5 + 0.5 * erfSmall(z);
  const t = 0.5 * erfcLarge(a);
  return z > 0 ? 1 - t : t;
}

/** out[i] = act(x[i]) for n elements (also the gated units' activation). */
export function applyActivation(kind: PointwiseKind, X: Float32Array, out: Float32Array, up?: Float32Array): void {
  const n = X.length;
  switch (kind) {
    case 'gelu':
      for (let i = 0; i < n; i++) out[i] = X[i] * normalCdfF32(X[i]) * (up ? up[i] : 1);
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
