// float64 reference of the linear op family. Quantised weights are dequantised first (exactly the f32 values
// the GPU reconstructs), then everything is multiplied in float64.
// Forward: y = x·Wᵀ + b. Backward: dx = dy·W, dW = dyᵀ·x, db = Σ_rows dy.
import type { HostTensor } from '../../backend/backend';
import { dequantize } from '../quantize/quantize';
import { linearBackwardInputShapes, linearShapes } from './linear-shapes';

/** The weight values as float64, whatever their storage dtype. */
export function weightValues(w: HostTensor): Float64Array {
  if (w.dtype === 'q8' || w.dtype === 'q4')
    return Float64Array.from(dequantize(w.data as Uint32Array, w.shape, w.dtype));
  return w.data as Float64Array;
}

export function linearRef(inputs: readonly HostTensor[]): HostTensor[] {
  const [x, w, bias] = inputs;
  const { M, N, K, outShape } = linearShapes(x, w, bias);
  const X = x.data as Float64Array;
  const W = weightValues(w);
  const b = bias?.data as Float64Array | undefined;
  const y = new Float64Array(M * N);
  for (let m = 0; m < M; m++)
    for (let n = 0; n < N; n++) {
      let acc = b ? b[n] : 0;
      for (let k = 0; k < K; k++) acc += X[m * K + k] * W[n * K + k];
      y[m * N + n] = acc;
    }
  // Of x's dtype: an f16 output holds the exact value; storing it rounds to f16.
  return [{ shape: outShape, dtype: x.dtype === 'f16' ? 'f16' : 'f32', data: y }];
}

export function linearBackwardInputRef(inputs: readonly HostTensor[]): HostTensor[] {
  const [dy, w] = inputs;
  const { M, N, K, outShape } = linearBackwardInputShapes(dy, w);
  const G = dy.data as Float64Array;
  const W = weightValues(w);
  const dx = new Float64Array(M * K);
  for (let m = 0; m < M; m++)
    for (let n = 0; n < N; n++) {
      const g = G[m * N + n];
      for (let k = 0; k < K; k++) dx[m * K + k] += g * W[n * K + k];
    }
  return [{ shape: outShape, dtype: 'f32', data: dx }];
}

/** All gradients of y = x·Wᵀ + b given dy (dW and db for trainable f32 weights; the GPU uses matmul for dW). */
export function linearBackwardRef(
  x: HostTensor,
  w: HostTensor,
  dy: HostTensor,
): { dx: HostTensor; dw: HostTensor; db: HostTensor } {
  const { M, N, K } = linearShapes(x, w);
  const [dx] = linearBackwardInputRef([dy, w]);
  const X = x.data as Float64Array;
  const G = dy.data as Float64Array;
  const dw = new Float64Array(N * K);
  const db = new Float64Array(N);
  for (let m = 0; m < M; m++)
    for (let n = 0; n < N; n++) {
      const g = G[m * N + n];
      db[n] += g;
      for (let k = 0; k < K; k++) dw[n * K + k] += g * X[m * K + k];
    }
  return { dx, dw: { shape: [N, K], dtype: 'f32', data: dw }, db: { shape: [N], dtype: 'f32', data: db } };
}
