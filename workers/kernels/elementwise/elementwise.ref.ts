// float64 references of the elementwise ops (forward and backward).
// add/mul broadcast b over a's leading dims; their backward sums over those dims (sumToShape). sumToShape's
// backward broadcasts dOut back. cast rounds to f16 with round-to-nearest-even, as the GPU conversion does.
import type { HostTensor } from '../../backend/backend';
import { fromHalf, toHalf } from '../../gpu/f16';
import { sumToShapeDims } from './elementwise-shapes';

type F = Float64Array;

function f32(shape: readonly number[], data: F): HostTensor {
  return { shape: [...shape], dtype: 'f32', data };
}

export function addRef([a, b]: readonly HostTensor[]): HostTensor[] {
  const A = a.data as F;
  const B = b.data as F;
  return [f32(a.shape, A.map((v, i) => v + B[i % B.length]))];
}

export function mulRef([a, b]: readonly HostTensor[]): HostTensor[] {
  const A = a.data as F;
  const B = b.data as F;
  return [f32(a.shape, A.map((v, i) => v * B[i % B.length]))];
}

export function scaleRef([a]: readonly HostTensor[], { s }: { s: number }): HostTensor[] {
  return [f32(a.shape, (a.data as F).map((v) => s * v))];
}

export function addScaledRef([acc, x]: readonly HostTensor[], { alpha }: { alpha: number }): HostTensor[] {
  const X = x.data as F;
  return [f32(acc.shape, (acc.data as F).map((v, i) => v + alpha * X[i]))];
}

export function sumToShapeRef([x]: readonly HostTensor[], { shape }: { shape: readonly number[] }): HostTensor[] {
  const { N, M } = sumToShapeDims(x.shape, shape);
  const X = x.data as F;
  const out = new Float64Array(M);
  for (let r = 0; r < N; r++) for (let m = 0; m < M; m++) out[m] += X[r * M + m];
  return [f32(shape, out)];
}

export function castRef([x]: readonly HostTensor[], { dtype }: { dtype: 'f32' | 'f16' }): HostTensor[] {
  const X = x.data as F;
  // To f16: round through half. To f32: f16 values are exact in f32 and f32 values stay themselves.
  const data = dtype === 'f16' ? X.map((v) => fromHalf(toHalf(v))) : X.map((v) => Math.fround(v));
  return [{ shape: [...x.shape], dtype, data }];
}

/** Backward of a + b: dA = dOut, dB = dOut summed over a's leading dims. */
export function addBackwardRef(a: HostTensor, b: HostTensor, dOut: HostTensor): { dA: HostTensor; dB: HostTensor } {
  const [dB] = sumToShapeRef([dOut], { shape: b.shape });
  return { dA: f32(a.shape, Float64Array.from(dOut.data as F)), dB };
}

/** Backward of a ⊙ b: dA = dOut ⊙ b (broadcast), dB = Σ_leading dOut ⊙ a. */
export function mulBackwardRef(a: HostTensor, b: HostTensor, dOut: HostTensor): { dA: HostTensor; dB: HostTensor } {
  const [dA] = mulRef([dOut, b]);
  const G = dOut.data as F;
  const A = a.data as F;
  const [dB] = sumToShapeRef([f32(a.shape, G.map((g, i) => g * A[i]))], { shape: b.shape });
  return { dA, dB };
}

/** Backward of s·a: dA = s·dOut. */
export function scaleBackwardRef(dOut: HostTensor, s: number): HostTensor {
  return scaleRef([dOut], { s })[0];
}

/** Backward of sumToShape: dX[r, m] = dOut[m]. */
export function sumToShapeBackwardRef(xShape: readonly number[], dOut: HostTensor): HostTensor {
  const G = dOut.data as F;
  const { N, M } = sumToShapeDims(xShape, dOut.shape);
  const out = new Float64Array(N * M);
  for (let i = 0; i < out.length; i++) out[i] = G[i % M];
  return f32(xShape, out);
}
