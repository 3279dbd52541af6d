// The CPU backend's linear op: y = x·Wᵀ + bias with W [N, K] stored as f32, or as q8 / q4 in the packed layout
// of gpu/quant-layout.ts, on the host's matrix-product engine (CpuGemm) where it accepts the product, else on
// matmul's blocked JS kernel. Quantised weights stay packed in memory and are dequantised here, one block of rows
// at a time into a small scratch buffer (the same f32(q·d) values the GPU kernel and quantize.ts's dequantize
// produce), so a quantised vocabulary projection never exists as f32. The engine gets the weight in row blocks of
// at most its blockFloats, so its memory stays bounded too.
// Not the body of linear.ref.ts on purpose, for the reason given in matmul.cpu.ts: the reference dequantises the
// whole weight and multiplies in a plain loop, the independent yardstick of this blocked kernel.

import { QUANT_GROUP, quantDataOffset } from '../../gpu/quant-layout';
import { dotRows } from '../matmul/matmul.cpu';
import { linearShapes } from './linear-shapes';
import type { CpuGemm, CpuKernelContext, CpuTensor } from '../../backend/cpu-tensor';

/** Weight rows dequantised per block of the JS kernel: 64 × K floats of scratch. */
const ROWS = 64;

/** Rows [n0, n0 + rows) of a q8/q4 weight [N, K] as f32 into out [rows, K]. */
export function dequantRows(
  words: Uint32Array,
  shape: readonly number[],
  dtype: 'q8' | 'q4',
  n0: number,
  rows: number,
  out: Float32Array,
): void {
  const K = shape[1];
  const scales = new Float32Array(words.buffer, words.byteOffset, (shape[0] * K) / QUANT_GROUP);
  const data = quantDataOffset(shape);
  const start = n0 * K;
  const end = (n0 + rows) * K;
  for (let g = start; g < end; g += QUANT_GROUP) {
    const d = scales[g / QUANT_GROUP];
    const o = g - start;
    if (dtype === 'q8') {
      // 4 signed bytes per word, element e in byte e % 4 (two's complement).
      for (let i = 0; i < QUANT_GROUP; i += 4) {
        const w = words[data + ((g + i) >> 2)];
        out[o + i] = Math.fround(((w << 24) >> 24) * d);
        out[o + i + 1] = Math.fround(((w << 16) >> 24) * d);
        out[o + i + 2] = Math.fround(((w << 8) >> 24) * d);
        out[o + i + 3] = Math.fround((w >> 24) * d);
      }
    } else {
      // 8 nibbles per word, stored as q + 8.
      for (let i = 0; i < QUANT_GROUP; i += 8) {
        const w = words[data + ((g + i) >> 3)];
        for (let j = 0; j < 8; j++) out[o + i + j] = Math.fround((((w >>> (4 * j)) & 15) - 8) * d);
      }
    }
  }
}

export async function linearCpu(
  { gemm }: CpuKernelContext,
  [x, w, bias]: readonly CpuTensor[],
  [y]: readonly CpuTensor[],
): Promise<void> {
  const { M, N, K } = linearShapes(x, w, bias);
  if (w.dtype !== 'f32' && w.dtype !== 'q8' && w.dtype !== 'q4')
    throw new Error(`linear: the CPU backend cannot read ${w.dtype} weights (f32, q8 or q4)`);
  if (gemm && (await gemm.accepts(M, N, K))) return linearGemm(gemm, x, w, bias, y);
  linearJs(x, w, bias, y);
}

/** The product on the engine, the weight fed in row blocks of at most gemm.blockFloats. */
async function linearGemm(
  gemm: CpuGemm,
  x: CpuTensor,
  w: CpuTensor,
  bias: CpuTensor | undefined,
  y: CpuTensor,
): Promise<void> {
  const { M, N, K } = linearShapes(x, w, bias);
  const X = x.f32.subarray(0, M * K);
  const bAll = bias?.f32;
  const rows = Math.max(1, Math.floor(gemm.blockFloats / K));
  const scratch = w.dtype === 'f32' ? null : new Float32Array(Math.min(rows, N) * K);
  for (let n0 = 0; n0 < N; n0 += rows) {
    const nb = Math.min(rows, N - n0);
    let Wb: Float32Array;
    if (scratch) {
      dequantRows(w.data as Uint32Array, w.shape, w.dtype as 'q8' | 'q4', n0, nb, scratch);
      Wb = scratch.subarray(0, nb * K);
    } else Wb = w.f32.subarray(n0 * K, (n0 + nb) * K);
    await gemm.gemm({
      transA: false,
      transB: true,
      alpha: 1,
      A: X,
      B: Wb,
      bias: bAll?.subarray(n0, n0 + nb),
      M,
      N: nb,
      K,
      out: y.f32,
      outOff: n0,
      ldo: N,
    });
  }
}

/** The plain-JS linear (always used without a gemm engine). */
function linearJs(x: CpuTensor, w: CpuTensor, bias: CpuTensor | undefined, y: CpuTensor): void {
  const { M, N, K } = linearShapes(x, w, bias);
  const X = x.f32;
  const Y = y.f32;
  const b = bias?.f32;
  if (w.dtype === 'f32') {
    dotRows({ A: X, aOff: 0, M, B: w.f32, bOff: 0, N, K, C: Y, cOff: 0, ldc: N, bias: b });
    return;
  }
  const scratch = new Float32Array(Math.min(ROWS, N) * K);
  for (let n0 = 0; n0 < N; n0 += ROWS) {
    const rows = Math.min(ROWS, N - n0);
    dequantRows(w.data as Uint32Array, w.shape, w.dtype as 'q8' | 'q4', n0, rows, scratch);
    dotRows({ A: X, aOff: 0, M, B: scratch, bOff: 0, N: rows, K, C: Y, cOff: 0, ldc: N, n0, bias: b });
  }
}
