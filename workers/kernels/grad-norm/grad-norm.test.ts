import { describe, expect, it } from 'vitest';
import { expectClose } from '../../../tests/helpers/compare';
import { testBackend } from '../../../tests/helpers/gpu';
import { f32, randn } from '../../../tests/helpers/random';
import { gradNormSquared } from './grad-norm';
import { sumSquaresRef } from './grad-norm.ref';

// f32 accumulation of N positive terms in a tree (256 per workgroup, then ≤ 256 partials): relative error
// grows like log2(N)·eps; 1e-6 relative is several times that for N ≤ 1e5.
const TOL = { atol: 0, rtol: 1e-6 };

describe('gradNormSquared', () => {
  it('pinned case: [3, 4] and [12] give 9 + 16 + 144 = 169', async () => {
    const be = await testBackend();
    const acc = await gradNormSquared(be, [be.upload([3, 4], [2]), be.upload([12], [1, 1])]);
    expect(acc.shape).toEqual([1]);
    expect(Array.from(await be.download(acc))).toEqual([169]);
  });

  it('matches the float64 reference over tensors of ragged sizes, including past the grid stride', async () => {
    const be = await testBackend();
    const sizes = [1, 255, 256, 257, 3001, 70_001]; // 70 001 > 256 workgroups · 256 invocations
    const data = sizes.map((n, i) => f32(randn(n, 40 + i)));
    let expected = 0;
    for (const [i, d] of data.entries())
      expected = (
        sumSquaresRef([
          { shape: [1], dtype: 'f32', data: Float64Array.of(expected) },
          { shape: [sizes[i]], dtype: 'f32', data: d },
        ])[0].data as Float64Array
      )[0];
    const tensors = data.map((d, i) => be.upload(d, [sizes[i]]));
    const acc = await gradNormSquared(be, tensors);
    expectClose(await be.download(acc), [expected], TOL, 'sum of squares');
    expect(Array.from(await be.download(await gradNormSquared(be, [])))).toEqual([0]);
  });
});
