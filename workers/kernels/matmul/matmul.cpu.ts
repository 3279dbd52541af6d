// The CPU backend's batched matmul: each product goes to the host's matrix-product engine (CpuGemm, e.g.
// onnxruntime-web's wasm) where it accepts it, else to the cache-blocked JS kernel below, which linear's CPU
// kernel shares. The JS kernel brings every product into "rows · rowsᵀ" form (both operands contiguous along K,
// packing a transposed operand once), then computes C in 4×4 register blocks over column blocks of B that stay
// in cache; sums run in JS doubles and are stored as f32.
// Not the body of matmul.ref.ts on purpose: the reference stays the plain triple loop that defines the product
// (the yardstick of this kernel's test and of the GPU kernels'), while this one reorders and blocks the loops for
// speed; sharing one body would leave the blocking and packing without an independent check.

import { matmulShapes, type MatmulAttrs } from './matmul-shapes';
import type { CpuKernelContext, CpuTensor } from '../../backend/cpu-tensor';

/** Rows of B kept hot while every row of A passes over them (64 rows × K = 768 floats = 192 KiB, in L2). */
const NB = 64;

export interface DotRowsArgs {
  /** A rows [M, K] starting at aOff. */
  A: Float32Array;
  aOff: number;
  M: number;
  /** B rows [N, K] starting at bOff. */
  B: Float32Array;
  bOff: number;
  N: number;
  K: number;
  /** C [M, ldc] starting at cOff; columns n0 .. n0 + N are written. */
  C: Float32Array;
  cOff: number;
  ldc: number;
  n0?: number;
  alpha?: number;
  /** Added to column n (bias[n0 + n]) after scaling. */
  bias?: Float32Array;
}

/** C[m, n0 + n] = alpha · Σ_k A[m, k]·B[n, k] (+ bias), both operands row-major along K. */
export function dotRows({ A, aOff, M, B, bOff, N, K, C, cOff, ldc, n0 = 0, alpha = 1, bias }: DotRowsArgs): void {
  for (let nb = 0; nb < N; nb += NB) {
    const nEnd = Math.min(N, nb + NB);
    const n4 = nb + ((nEnd - nb) & ~3);
    let m = 0;
    for (; m + 4 <= M; m += 4) {
      const a0 = aOff + m * K;
      const a1 = a0 + K;
      const a2 = a1 + K;
      const a3 = a2 + K;
      let n = nb;
      for (; n < n4; n += 4) {
        const b0 = bOff + n * K;
        const b1 = b0 + K;
        const b2 = b1 + K;
        const b3 = b2 + K;
        let c00 = 0,
          c01 = 0,
          c02 = 0,
          c03 = 0,
          c10 = 0,
          c11 = 0,
          c12 = 0,
          c13 = 0;
        let c20 = 0,
          c21 = 0,
          c22 = 0,
          c23 = 0,
          c30 = 0,
          c31 = 0,
          c32 = 0,
          c33 = 0;
        for (let k = 0; k < K; k++) {
          const x0 = A[a0 + k],
            x1 = A[a1 + k],
            x2 = A[a2 + k],
            x3 = A[a3 + k];
          const y0 = B[b0 + k],
            y1 = B[b1 + k],
            y2 = B[b2 + k],
            y3 = B[b3 + k];
          c00 += x0 * y0;
          c01 += x0 * y1;
          c02 += x0 * y2;
          c03 += x0 * y3;
          c10 += x1 * y0;
          c11 += x1 * y1;
          c12 += x1 * y2;
          c13 += x1 * y3;
          c20 += x2 * y0;
          c21 += x2 * y1;
          c22 += x2 * y2;
          c23 += x2 * y3;
          c30 += x3 * y0;
          c31 += x3 * y1;
          c32 += x3 * y2;
          c33 += x3 * y3;
        }
        store4(C, cOff + m * ldc + n0 + n, alpha, bias, n0 + n, c00, c01, c02, c03);
        store4(C, cOff + (m + 1) * ldc + n0 + n, alpha, bias, n0 + n, c10, c11, c12, c13);
        store4(C, cOff + (m + 2) * ldc + n0 + n, alpha, bias, n0 + n, c20, c21, c22, c23);
        store4(C, cOff + (m + 3) * ldc + n0 + n, alpha, bias, n0 + n, c30, c31, c32, c33);
      }
      for (; n < nEnd; n++)
        for (let r = 0; r < 4; r++)
          C[cOff + (m + r) * ldc + n0 + n] = finish(
            dot(A, aOff + (m + r) * K, B, bOff + n * K, K),
            alpha,
            bias,
            n0 + n,
          );
    }
    // Remaining rows (M mod 4; all of them when decoding one token): 1×4 blocks.
    for (; m < M; m++) {
      const a0 = aOff + m * K;
      let n = nb;
      for (; n < n4; n += 4) {
        const b0 = bOff + n * K;
        const b1 = b0 + K;
        const b2 = b1 + K;
        const b3 = b2 + K;
        let c0 = 0,
          c1 = 0,
          c2 = 0,
          c3 = 0;
        for (let k = 0; k < K; k++) {
          const x = A[a0 + k];
          c0 += x * B[b0 + k];
          c1 += x * B[b1 + k];
          c2 += x * B[b2 + k];
          c3 += x * B[b3 + k];
        }
        store4(C, cOff + m * ldc + n0 + n, alpha, bias, n0 + n, c0, c1, c2, c3);
      }
      for (; n < nEnd; n++) C[cOff + m * ldc + n0 + n] = finish(dot(A, a0, B, bOff + n * K, K), alpha, bias, n0 + n);
    }
  }
}

function dot(A: Float32Array, a: number, B: Float32Array, b: number, K: number): number {
  let s = 0;
  for (let k = 0; k < K; k++) s += A[a + k] * B[b + k];
  return s;
}

function finish(v: number, alpha: number, bias: Float32Array | undefined, n: number): number {
  return bias ? alpha * v + bias[n] : alpha * v;
}

function store4(
  C: Float32Array,
  o: number,
  alpha: number,
  bias: Float32Array | undefined,
  n: number,
  v0: number,
  v1: number,
  v2: number,
  v3: number,
): void {
  if (bias) {
    C[o] = alpha * v0 + bias[n];
    C[o + 1] = alpha * v1 + bias[n + 1];
    C[o + 2] = alpha * v2 + bias[n + 2];
    C[o + 3] = alpha * v3 + bias[n + 3];
  } else {
    C[o] = alpha * v0;
    C[o + 1] = alpha * v1;
    C[o + 2] = alpha * v2;
    C[o + 3] = alpha * v3;
  }
}

/** The transpose of X [rows, cols] at offset `off` into `out` [cols, rows]. */
export function transposeInto(
  X: Float32Array,
  off: number,
  rows: number,
  cols: number,
  out: Float32Array,
): Float32Array {
  // Blocked so both sides stay in cache for large operands.
  const T = 32;
  for (let r0 = 0; r0 < rows; r0 += T)
    for (let c0 = 0; c0 < cols; c0 += T) {
      const rEnd = Math.min(rows, r0 + T);
      const cEnd = Math.min(cols, c0 + T);
      for (let r = r0; r < rEnd; r++) for (let c = c0; c < cEnd; c++) out[c * rows + r] = X[off + r * cols + c];
    }
  return out;
}

/** C = alpha · op(A) · op(B), batched, B optionally 2-D (broadcast): on the host's gemm engine where it accepts
 *  the product, else in JS. */
export async function matmulCpu(
  { gemm }: CpuKernelContext,
  [a, b]: readonly CpuTensor[],
  [c]: readonly CpuTensor[],
  attrs: MatmulAttrs,
): Promise<void> {
  const { M, N, K, batch, broadcastB } = matmulShapes(a.shape, b.shape, attrs);
  if (!gemm || !(await gemm.accepts(M, N, K))) return matmulJs(a, b, c, attrs);
  const [A, B, C] = [a.f32, b.f32, c.f32];
  for (let bi = 0; bi < batch; bi++) {
    const bOff = broadcastB ? 0 : bi * K * N;
    const args = {
      transA: !!attrs.transA,
      transB: !!attrs.transB,
      alpha: attrs.alpha ?? 1,
      M,
      N,
      K,
      out: C,
      outOff: bi * M * N,
      ldo: N,
    };
    await gemm.gemm({ ...args, A: A.subarray(bi * M * K, (bi + 1) * M * K), B: B.subarray(bOff, bOff + K * N) });
  }
}

/** The plain-JS matmul (always used without a gemm engine). */
export function matmulJs(a: CpuTensor, b: CpuTensor, c: CpuTensor, attrs: MatmulAttrs): void {
  const { M, N, K, batch, broadcastB } = matmulShapes(a.shape, b.shape, attrs);
  const [A, B, C] = [a.f32, b.f32, c.f32];
  // Rows form: A as [M, K] (transpose packed when transA), B as [N, K] (packed when not transB).
  const packA = attrs.transA ? new Float32Array(M * K) : null;
  const packB = attrs.transB ? null : new Float32Array(N * K);
  for (let bi = 0; bi < batch; bi++) {
    const aRows = packA ? transposeInto(A, bi * M * K, K, M, packA) : A;
    const aOff = packA ? 0 : bi * M * K;
    let bRows = B;
    let bOff = broadcastB ? 0 : bi * K * N;
    if (packB) {
      if (bi === 0 || !broadcastB) transposeInto(B, bOff, K, N, packB);
      bRows = packB;
      bOff = 0;
    }
    dotRows({ A: aRows, aOff, M, B: bRows, bOff, N, K, C, cOff: bi * M * N, ldc: N, alpha: attrs.alpha ?? 1 });
  }
}
