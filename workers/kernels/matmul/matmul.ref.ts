// float64 reference for batched matmul with optional transposes, forward and backward.
// Forward: C = alpha · op(A) · op(B). Backward: dA = alpha · dC · op(B)ᵀ (transposed back if transA),
// dB = alpha · op(A)ᵀ · dC (summed over the batch when B is broadcast).
import type { HostTensor } from '../../backend/backend';
import { matmulShapes, type MatmulAttrs } from './matmul-shapes';

export function matmulRef(inputs: readonly HostTensor[], attrs: MatmulAttrs): HostTensor[] {
  const [a, b] = inputs;
  const s = matmulShapes(a.shape, b.shape, attrs);
  const { M, N, K, batch } = s;
  const alpha = attrs.alpha ?? 1;
  const out = new Float64Array(batch * M * N);
  const A = a.data as Float64Array;
  const B = b.data as Float64Array;
  for (let bi = 0; bi < batch; bi++) {
    const ab = bi * M * K;
    const bb = s.broadcastB ? 0 : bi * K * N;
    for (let m = 0; m < M; m++)
      for (let n = 0; n < N; n++) {
        let acc = 0;
        for (let k = 0; k < K; k++) {
          const av = attrs.transA ? A[ab + k * M + m] : A[ab + m * K + k];
          const bv = attrs.transB ? B[bb + n * K + k] : B[bb + k * N + n];
          acc += av * bv;
        }
        out[bi * M * N + m * N + n] = alpha * acc;
      }
  }
  return [{ shape: s.outShape, dtype: 'f32', data: out }];
}

/** Gradients of C = alpha·op(A)·op(B) with respect to A and B, given dC. */
export function matmulBackwardRef(
  a: HostTensor,
  b: HostTensor,
  dC: HostTensor,
  attrs: MatmulAttrs,
): { dA: HostTensor; dB: HostTensor } {
  const s = matmulShapes(a.shape, b.shape, attrs);
  const { M, N, K, batch } = s;
  const alpha = attrs.alpha ?? 1;
  const A = a.data as Float64Array;
  const B = b.data as Float64Array;
  const G = dC.data as Float64Array;
  const dA = new Float64Array(A.length);
  const dB = new Float64Array(B.length);
  for (let bi = 0; bi < batch; bi++) {
    const ab = bi * M * K;
    const bb = s.broadcastB ? 0 : bi * K * N;
    for (let m = 0; m < M; m++)
      for (let n = 0; n < N; n++) {
        const g = alpha * G[bi * M * N + m * N + n];
        for (let k = 0; k < K; k++) {
          const ai = attrs.transA ? ab + k * M + m : ab + m * K + k;
          const bj = attrs.transB ? bb + n * K + k : bb + k * N + n;
          dA[ai] += g * B[bj];
          dB[bj] += g * A[ai];
        }
      }
  }
  return { dA: { shape: [...a.shape], dtype: 'f32', data: dA }, dB: { shape: [...b.shape], dtype: 'f32', data: dB } };
}
