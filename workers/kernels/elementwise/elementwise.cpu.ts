// CPU (float32) implementations of the elementwise ops for the CPU backend (elementwise.ref.ts): add / mul with
// trailing-dims broadcast, scale, in-place addScaled, sumToShape, and cast (f32 → f32 copy; the CPU backend
// stores no f16, so a cast to or from f16 fails with a clear error).
import type { CpuTensor } from '../../backend/cpu-backend';
import { sumToShapeDims } from './elementwise-shapes';

type F = Float32Array;

function broadcast(op: 'add' | 'mul') {
  return ([a, b]: readonly CpuTensor[], [out]: readonly CpuTensor[]): void => {
    const A = a.data as F;
    const B = b.data as F;
    const O = out.data as F;
    const nb = B.length;
    if (nb === 0) return;
    for (let o = 0; o < A.length; o += nb) {
      if (op === 'add') for (let i = 0; i < nb; i++) O[o + i] = A[o + i] + B[i];
      else for (let i = 0; i < nb; i++) O[o + i] = A[o + i] * B[i];
    }
  };
}

export const addCpu = broadcast('add');
export const mulCpu = broadcast('mul');

export function scaleCpu([a]: readonly CpuTensor[], [out]: readonly CpuTensor[], { s }: { s: number }): void {
  const A = a.data as F;
  const O = out.data as F;
  for (let i = 0; i < A.length; i++) O[i] = s * A[i];
}

/** In place: acc += alpha · x (the op aliases its output to acc). */
export function addScaledCpu([acc, x]: readonly CpuTensor[], _out: readonly CpuTensor[], { alpha }: { alpha: number }): void {
  const A = acc.data as F;
  const X = x.data as F;
  for (let i = 0; i < A.length; i++) A[i] += alpha * X[i];
}

export function sumToShapeCpu([x]: readonly CpuTensor[], [out]: readonly CpuTensor[], { shape }: { shape: readonly number[] }): void {
  const { N, M } = sumToShapeDims(x.shape, shape);
  const X = x.data as F;
  // Column sums in float64, rounded once.
  const acc = new Float64Array(M);
  for (let r = 0; r < N; r++) for (let m = 0; m < M; m++) acc[m] += X[r * M + m];
  (out.data as F).set(acc);
}

export function castCpu([x]: readonly CpuTensor[], [out]: readonly CpuTensor[], { dtype }: { dtype: 'f32' | 'f16' }): void {
  if (x.dtype !== 'f32' || dtype !== 'f32') throw new Error(`cast ${x.dtype} → ${dtype}: the CPU backend has no f16 tensors`);
  (out.data as F).set(x.data as F);
}
