// CPU quantisation of linear-layer weights [N, K] into the layout of gpu/quant-layout.ts, used at model load.
// Follows GGUF's q8_0 and q4_0 block formats (32 weights per block), except that scales are stored as f32:
//   q8: d = max|w| / 127,  q = round(w / d) ∈ [-127, 127],          w ≈ q·d
//   q4: m = the weight of largest magnitude, with its sign; d = m / -8,
//       q = min(15, floor(w / d + 8.5)) ∈ [0, 15] (the stored nibble), w ≈ (q − 8)·d
// q4 is GGUF's asymmetric variant, not the symmetric one: the extreme weight is represented exactly (it maps to
// −8) and all 16 levels are used. Cost: weights of the opposite sign within 1/16 of |m| clamp to level 15, so
// their error is up to |d| instead of |d|/2 (see quantErrorBound).
// Packing, little-endian within each u32: q8 element i sits in byte i % 4 of word i / 4 (two's complement);
// q4 element i sits in bits 4·(i % 8) .. 4·(i % 8) + 3 of word i / 8.
import { check } from '../../gpu/errors';
import { QUANT_GROUP, quantDataOffset, quantWords } from '../../gpu/quant-layout';

export type QuantDType = 'q8' | 'q4';

function checkShape(shape: readonly number[], dtype: string): void {
  check(dtype === 'q8' || dtype === 'q4', `quantize: dtype must be q8 or q4, got ${dtype}`);
  check(shape.length === 2, () => `quantize: weights must be 2-D [N, K], got [${shape}]`);
  check(
    shape[1] % QUANT_GROUP === 0 && shape[1] > 0,
    () => `quantize: K = ${shape[1]} must be a positive multiple of ${QUANT_GROUP}`,
  );
}

/** Quantise row-major f32 weights [N, K] into scales + packed integers (one Uint32Array). */
export function quantize(
  weights: Float32Array | Float64Array,
  shape: [number, number],
  dtype: QuantDType,
): Uint32Array {
  checkShape(shape, dtype);
  const n = shape[0] * shape[1];
  check(weights.length === n, () => `quantize: ${weights.length} weights for shape [${shape}]`);
  const out = new Uint32Array(quantWords(shape, dtype));
  const scales = new Float32Array(out.buffer, 0, n / QUANT_GROUP);
  const data = quantDataOffset(shape);
  for (let g = 0; g < n / QUANT_GROUP; g++) {
    const base = g * QUANT_GROUP;
    let amax = 0;
    let m = 0;
    for (let i = 0; i < QUANT_GROUP; i++) {
      const w = weights[base + i];
      if (Math.abs(w) > amax) {
        amax = Math.abs(w);
        m = w;
      }
    }
    // The scale is rounded to f32 first so the integers are chosen for the scale the GPU will actually use.
    const d = Math.fround(dtype === 'q8' ? amax / 127 : m / -8);
    scales[g] = d;
    const inv = d === 0 ? 0 : 1 / d;
    for (let i = 0; i < QUANT_GROUP; i++) {
      const e = base + i;
      const x = weights[e] * inv;
      if (dtype === 'q8') {
        const q = Math.max(-127, Math.min(127, Math.sign(x) * Math.round(Math.abs(x)))); // round half away from 0, as roundf
        out[data + (e >> 2)] |= (q & 0xff) << (8 * (e & 3));
      } else {
        const q = Math.max(0, Math.min(15, Math.floor(x + 8.5)));
        out[data + (e >> 3)] |= q << (4 * (e & 7));
      }
    }
  }
  return out;
}

/** The weights a quantised tensor stands for, as the GPU computes them: f32(q · d). */
export function dequantize(words: Uint32Array, shape: readonly number[], dtype: QuantDType): Float32Array {
  checkShape(shape, dtype);
  const n = shape[0] * shape[1];
  check(
    words.length >= quantWords(shape, dtype),
    () => `dequantize: ${words.length} words, [${shape}] ${dtype} needs ${quantWords(shape, dtype)}`,
  );
  const scales = new Float32Array(words.buffer, words.byteOffset, n / QUANT_GROUP);
  const data = quantDataOffset(shape);
  const out = new Float32Array(n);
  for (let e = 0; e < n; e++) {
    const d = scales[Math.floor(e / QUANT_GROUP)];
    const q =
      dtype === 'q8'
        ? ((words[data + (e >> 2)] >>> (8 * (e & 3))) << 24) >> 24
        : ((words[data + (e >> 3)] >>> (4 * (e & 7))) & 15) - 8;
    out[e] = q * d;
  }
  return out;
}

/** Worst-case |w − dequantize(quantize(w))| for one weight, given its group's scale d (f32 rounding aside). */
export function quantErrorBound(w: number, d: number, dtype: QuantDType): number {
  // q4 weights whose unclamped level w/d + 8 rounds above 15 are clamped: their error is below |d|.
  if (dtype === 'q4' && d !== 0 && w / d + 8.5 >= 16) return Math.abs(d);
  return Math.abs(d) / 2;
}
