// float64 references of the elementwise ops (forward and backward).
// add/mul broadcast b over a's leading dims; their backward sums over those dims (sumToShape). sumToShape's
// backward broadcasts dOut back. cast rounds to f16 with round-to-nearest-even, as the GPU conversion does.
// The forwards (the *Into functions) are the CPU backend's kernels too: they write into the caller's arrays.
import type { FloatArray, HostTensor } from '../../backend/backend';
import { fromHalf, toHalf } from '../../gpu/f16';
import { sumToShapeDims } from './elementwise-shapes';

type F = Float64Array;

function f32(shape: readonly number[], data: F): HostTensor {
  return { shape: [...shape], dtype: 'f32', data };
}

/** out = A ∘ B with B repeating every B.length elements of A (trailing-dims broadcast). */
export function broadcastInto(op: 'add' | 'mul', A: FloatArray, B: FloatArray, out: FloatArray): void {
  const nb = B.length;
  if (nb === 0) return;
  for (let o = 0; o < A.length; o += nb) {
    if (op === 'add') for (let i = 0; i < nb; i++) out[o + i] = A[o + i] + B[i];
    else for (let i = 0; i < nb; i++) out[o + i] = A[o + i] * B[i];
  }
}

export function scaleInto(A: FloatArray, out: FloatArray, s: number): void {
  for (let i = 0; i < A.length; i++) out[i] = s * A[i];
}

/** out = acc + alpha · X (the CPU backend passes acc as out: the op updates acc in place). */
export function addScaledInto(acc: FloatArray, X: FloatArray, out: FloatArray, alpha: number): void {
  for (let i = 0; i < acc.length; i++) out[i] = acc[i] + alpha * X[i];
}

/** out [M] = column sums of X [N, M], accumulated in float64 and stored once. */
export function sumToShapeInto(X: FloatArray, N: number, M: number, out: FloatArray): void {
  const acc = new Float64Array(M);
  for (let r = 0; r < N; r++) for (let m = 0; m < M; m++) acc[m] += X[r * M + m];
  out.set(acc);
}

/** To f16: round through half. To f32: f16 values are exact in f32 and f32 values stay themselves. */
export function castInto(X: FloatArray, out: FloatArray, dtype: 'f32' | 'f16'): void {
  if (dtype === 'f16') for (let i = 0; i < X.length; i++) out[i] = fromHalf(toHalf(X[i]));
  else for (let i = 0; i < X.length; i++) out[i] = Math.fround(X[i]);
}

function binaryRef(op: 'add' | 'mul', [a, b]: readonly HostTensor[]): HostTensor[] {
  const out = new Float64Array(a.data.length);
  broadcastInto(op, a.data as F, b.data as F, out);
  return [f32(a.shape, out)];
}

export function addRef(inputs: readonly HostTensor[]): HostTensor[] {
  return binaryRef('add', inputs);
}

export function mulRef(inputs: readonly HostTensor[]): HostTensor[] {
  return binaryRef('mul', inputs);
}

export function scaleRef([a]: readonly HostTensor[], { s }: { s: number }): HostTensor[] {
  const out = new Float64Array(a.data.length);
  scaleInto(a.data as F, out, s);
  return [f32(a.shape, out)];
}

export function addScaledRef([acc, x]: readonly HostTensor[], { alpha }: { alpha: number }): HostTensor[] {
  const out = new Float64Array(acc.data.length);
  addScaledInto(acc.data as F, x.data as F, out, alpha);
  return [f32(acc.shape, out)];
}

export function sumToShapeRef([x]: readonly HostTensor[], { shape }: { shape: readonly number[] }): HostTensor[] {
  const { N, M } = sumToShapeDims(x.shape, shape);
  const out = new Float64Array(M);
  sumToShapeInto(x.data as F, N, M, out);
  return [f32(shape, out)];
}

export function castRef([x]: readonly HostTensor[], { dtype }: { dtype: 'f32' | 'f16' }): HostTensor[] {
  const out = new Float64Array(x.data.length);
  castInto(x.data as F, out, dtype);
  return [{ shape: [...x.shape], dtype, data: out }];
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
  const [dB] = sumToShapeRef(
    [
      f32(
        a.shape,
        G.map((g, i) => g * A[i]),
      ),
    ],
    { shape: b.shape },
  );
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
