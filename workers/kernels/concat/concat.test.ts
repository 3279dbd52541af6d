import { describe, expect, it } from 'vitest';
import { expectClose } from '../../../tests/helpers/compare';
import { testBackend } from '../../../tests/helpers/gpu';
import { randInt, randn, rng } from '../../../tests/helpers/random';
import { concat } from './concat';
import { concatBackwardRef, concatRef } from './concat.ref';

// A pure copy: exact.
const EXACT = { atol: 0, rtol: 0 };

describe('concat (axis 1)', () => {
  it('pinned case', async () => {
    const be = await testBackend();
    const a = be.upload([1, 2, 3, 4], [2, 1, 2]);
    const c = be.upload([5, 6, 7, 8], [2, 1, 2]);
    const out = await concat(be, a, c);
    expect(out.shape).toEqual([2, 2, 2]);
    expect(Array.from(await be.download(out))).toEqual([1, 2, 5, 6, 3, 4, 7, 8]);
  });

  it('matches the reference on random shapes', async () => {
    const be = await testBackend();
    const r = rng(3);
    for (let i = 0; i < 5; i++) {
      const B = randInt(1, 3, r);
      const S1 = randInt(1, 9, r);
      const S2 = randInt(1, 4, r);
      const rest = [randInt(1, 3, r), randInt(1, 17, r)];
      const D = rest[0] * rest[1];
      const a = Float64Array.from(Float32Array.from(randn(B * S1 * D, i)));
      const c = Float64Array.from(Float32Array.from(randn(B * S2 * D, i + 50)));
      const [ref] = concatRef([
        { shape: [B, S1, ...rest], dtype: 'f32', data: a },
        { shape: [B, S2, ...rest], dtype: 'f32', data: c },
      ]);
      const out = await concat(be, be.upload(a, [B, S1, ...rest]), be.upload(c, [B, S2, ...rest]));
      expect(out.shape).toEqual(ref.shape);
      expectClose(await be.download(out), ref.data, EXACT, `concat ${[B, S1, S2, ...rest]}`);
      // backward splits the gradient back into the two parts
      const [da, dc] = concatBackwardRef(ref, S1);
      expect(Array.from(da)).toEqual(Array.from(a));
      expect(Array.from(dc)).toEqual(Array.from(c));
    }
  });

  it('rejects mismatched trailing dims', async () => {
    const be = await testBackend();
    await expect(concat(be, be.zeros([1, 2, 3]), be.zeros([1, 2, 4]))).rejects.toThrow(/differ outside axis 1/);
  });
});
