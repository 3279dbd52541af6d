// CPU (float32) implementation of the linear op for the CPU backend: y = x·Wᵀ + bias with W [N, K] stored as
// f32, or as q8 / q4 in the packed layout of gpu/quant-layout.ts. Quantised weights stay packed in memory and are
// dequantised here, one block of rows at a time into a small scratch buffer (the same f32(q·d) values the GPU
// kernel and quantize.ts's dequantize produce), so a quantised vocabulary projection never exists as f32.
import type { CpuTensor } from '../../backend/cpu-backend';
import { QUANT_GROUP, quantDataOffset } from '../../gpu/quant-layout';
import { dotRows } from '../matmul/matmul.cpu';
import { linearShapes } from './linear-shapes';

/** Weight rows dequantised per block: 64 × K floats of scratch. */
const ROWS = 64;

/** Rows [n0, n0 + rows) of a q8/q4 weight [N, K] as f32 into out [rows, K]. */
export function dequantRows(words: Uint32Array, shape: readonly number[], dtype: 'q8' | 'q4', n0: number, rows: number, out: Float32Array): void {
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

export function linearCpu([x, w, bias]: readonly CpuTensor[], [y]: readonly CpuTensor[]): void {
  const { M, N, K } = linearShapes(x, w, bias);
  const X = x.data as Float32Array;
  const Y = y.data as Float32Array;
  const b = bias ? (bias.data as Float32Array) : undefined;
  if (w.dtype === 'f32') {
    dotRows({ A: X, aOff: 0, M, B: w.data as Float32Array, bOff: 0, N, K, C: Y, cOff: 0, ldc: N, bias: b });
    return;
  }
  if (w.dtype !== 'q8' && w.dtype !== 'q4') throw new Error(`linear: the CPU backend cannot read ${w.dtype} weights (f32, q8 or q4)`);
  const scratch = new Float32Array(Math.min(ROWS, N) * K);
  for (let n0 = 0; n0 < N; n0 += ROWS) {
    const rows = Math.min(ROWS, N - n0);
    dequantRows(w.data as Uint32Array, w.shape, w.dtype, n0, rows, scratch);
    dotRows({ A: X, aOff: 0, M, B: scratch, bOff: 0, N: rows, K, C: Y, cOff: 0, ldc: N, n0, bias: b });
  }
}
