// Quantisation round trip: error bounds per element, exact codes on a pinned block, layout and guards.
import { describe, expect, it } from 'vitest';
import { randn } from '../../../tests/helpers/random';
import { QUANT_GROUP, quantWords } from '../../gpu/quant-layout';
import { dequantize, quantErrorBound, quantize, type QuantDType } from './quantize';

describe('quantize / dequantize', () => {
  for (const dtype of ['q8', 'q4'] as QuantDType[]) {
    it(`${dtype}: |w − deq(q(w))| stays within the per-element bound on random weights`, () => {
      const shape: [number, number] = [7, 96];
      const w = Float32Array.from(randn(7 * 96, 11, 0.05));
      w[5] = 0.9; // an outlier in one group, and one all-zero group
      w.fill(0, 96, 128);
      const words = quantize(w, shape, dtype);
      expect(words.length).toBe(quantWords(shape, dtype));
      const back = dequantize(words, shape, dtype);
      const scales = new Float32Array(words.buffer, 0, (7 * 96) / QUANT_GROUP);
      let clamped = 0;
      for (let i = 0; i < w.length; i++) {
        const d = scales[Math.floor(i / QUANT_GROUP)];
        const bound = quantErrorBound(w[i], d, dtype);
        if (bound > Math.abs(d) / 2) clamped++;
        // 1e-6 relative slack: f32 rounding of the scale and of q·d.
        expect(Math.abs(w[i] - back[i]), `element ${i}`).toBeLessThanOrEqual(bound * (1 + 1e-6) + 1e-12);
      }
      for (let i = 96; i < 128; i++) expect(Math.abs(back[i])).toBe(0);
      // Under the GGUF q4 rule only a few weights per group can hit the clamp; q8 never clamps.
      expect(clamped).toBeLessThan(dtype === 'q8' ? 1 : w.length / 8);
    });
  }

  it('pinned block: codes and packing by hand', () => {
    const w = new Float32Array(32);
    w[0] = 1;
    w[1] = -0.5;
    w[2] = 0.25;
    w[3] = -1; // |max| ties: the first one (+1) is the extreme
    const q8 = quantize(w, [1, 32], 'q8');
    expect(new Float32Array(q8.buffer, 0, 1)[0]).toBe(Math.fround(1 / 127));
    // round(127), round(-63.5) = -64 (away from zero), round(31.75) = 32, -127  → bytes 7f c0 20 81
    expect(q8[1]).toBe(0x8120c07f);
    expect(q8.length).toBe(1 + 8);
    const q4 = quantize(w, [1, 32], 'q4');
    expect(new Float32Array(q4.buffer, 0, 1)[0]).toBe(-0.125); // d = m / -8 with m = +1
    // w/d + 8.5: -8+8.5 → 0; 4+8.5 → 12; -2+8.5 → 6; 8+8.5 → clamp 15; zeros → 8
    expect(q4[1]).toBe(0x8888f6c0);
    expect(Array.from(dequantize(q4, [1, 32], 'q4').slice(0, 5))).toEqual([1, -0.5, 0.25, -0.875, -0]); // level 0 times a negative scale is -0
  });

  it('rejects K that is not a multiple of the group size', () => {
    expect(() => quantize(new Float32Array(40), [2, 20], 'q8')).toThrow(/multiple of 32/);
  });
});
