import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../backend/backend';
import { expectClose } from '../../../tests/helpers/compare';
import { testBackend } from '../../../tests/helpers/gpu';
import { expectGradMatches, numericGrad } from '../../../tests/helpers/gradcheck';
import { f32, randInt, randn, rng } from '../../../tests/helpers/random';
import { matmul, matmulVariant } from './matmul';
import { matmulBackwardRef, matmulRef } from './matmul.ref';
import type { MatmulAttrs } from './matmul-shapes';

// f32 accumulation over K terms of unit-variance products: error grows like sqrt(K)·eps·|terms|; K ≤ 200 here.
const TOL = { atol: 2e-5, rtol: 1e-5 };

function host(shape: number[], data: Float64Array): HostTensor {
  return { shape, dtype: 'f32', data };
}

async function check(
  batch: number[],
  M: number,
  N: number,
  K: number,
  attrs: MatmulAttrs,
  broadcastB: boolean,
  seed: number,
) {
  const be = await testBackend();
  const aShape = [...batch, ...(attrs.transA ? [K, M] : [M, K])];
  const bShape = [...(broadcastB ? [] : batch), ...(attrs.transB ? [N, K] : [K, N])];
  const a = f32(
    randn(
      aShape.reduce((x, y) => x * y, 1),
      seed,
    ),
  );
  const b = f32(
    randn(
      bShape.reduce((x, y) => x * y, 1),
      seed + 1,
    ),
  );
  const [ref] = matmulRef([host(aShape, a), host(bShape, b)], attrs);
  const ta = be.upload(a, aShape);
  const tb = be.upload(b, bShape);
  const tc = await matmul(be, ta, tb, attrs);
  expect(tc.shape).toEqual(ref.shape);
  const got = await be.download(tc);
  expectClose(
    got,
    ref.data,
    { atol: TOL.atol * Math.sqrt(K), rtol: TOL.rtol },
    `matmul ${JSON.stringify({ batch, M, N, K, attrs, broadcastB })}`,
  );
  [ta, tb, tc].forEach((t) => t.dispose());
}

describe('matmul', () => {
  it('pinned case: 2×3 · 3×2', async () => {
    const be = await testBackend();
    const a = be.upload([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = be.upload([7, 8, 9, 10, 11, 12], [3, 2]);
    const c = await matmul(be, a, b);
    expect(Array.from(await be.download(c))).toEqual([58, 64, 139, 154]);
  });

  it('matches the float64 reference on random shapes and every transpose form', async () => {
    const r = rng(7);
    const forms: MatmulAttrs[] = [
      {},
      { transB: true },
      { transA: true },
      { transA: true, transB: true },
      { alpha: 0.5 },
    ];
    for (let i = 0; i < 10; i++) {
      const M = i === 0 ? 1 : randInt(1, 80, r);
      const N = i === 1 ? 1 : randInt(1, 90, r);
      const K = randInt(1, 70, r);
      const batch = i % 3 === 0 ? [] : i % 3 === 1 ? [randInt(1, 3, r)] : [2, randInt(1, 2, r)];
      await check(batch, M, N, K, forms[i % forms.length], i % 2 === 0, 100 + i);
    }
  });

  it('vec4 kernel: every transpose form on aligned shapes with ragged free dimensions', async () => {
    // [batch, M, N, K, attrs, broadcastB]: K and the contiguous axes are multiples of 4; the other dims are not
    // multiples of the 32×32 workgroup tile (or are 1), so clamped loads and guarded stores are exercised.
    const cases: [number[], number, number, number, MatmulAttrs, boolean][] = [
      [[2], 37, 44, 52, {}, false],
      [[], 1, 4, 4, { alpha: 0.5 }, true],
      [[3], 13, 45, 36, { transB: true }, true],
      [[], 36, 20, 12, { transA: true }, false],
      [[2, 1], 40, 1, 8, { transA: true, transB: true }, false],
      [[], 68, 33, 100, { transB: true }, true],
      [[], 44, 28, 37, { transA: true }, true], // ragged K: the one-k tail of the Aᵀ·B form
      [[2], 8, 4, 1, { transA: true, alpha: 2 }, false],
    ];
    for (const [i, [batch, M, N, K, attrs, broadcastB]] of cases.entries()) {
      expect(matmulVariant(M, N, K, attrs), JSON.stringify(attrs)).toBe('vec4');
      await check(batch, M, N, K, attrs, broadcastB, 200 + i);
    }
    expect(matmulVariant(8, 8, 6, {})).toBe('tiled');
    expect(matmulVariant(8, 6, 8, {})).toBe('tiled');
    expect(matmulVariant(6, 8, 8, { transA: true })).toBe('tiled');
    expect(matmulVariant(8, 8, 6, { transA: true, transB: true })).toBe('tiled');
  });

  it('rejects mismatched inner dimensions before dispatching', async () => {
    const be = await testBackend();
    const a = be.zeros([2, 3]);
    const b = be.zeros([4, 2]);
    await expect(matmul(be, a, b)).rejects.toThrow(/inner dimensions/);
  });

  it('reference backward agrees with central differences', () => {
    for (const attrs of [{}, { transA: true }, { transB: true, alpha: 1.5 }] as MatmulAttrs[]) {
      const [M, N, K] = [3, 4, 5];
      const aShape = attrs.transA ? [K, M] : [M, K];
      const bShape = attrs.transB ? [N, K] : [K, N];
      const a = randn(M * K, 1);
      const b = randn(K * N, 2);
      const w = randn(M * N, 3);
      const { dA, dB } = matmulBackwardRef(host(aShape, a), host(bShape, b), host([M, N], w), attrs);
      const fa = (x: Float64Array) => matmulRef([host(aShape, x), host(bShape, b)], attrs)[0].data as Float64Array;
      const fb = (x: Float64Array) => matmulRef([host(aShape, a), host(bShape, x)], attrs)[0].data as Float64Array;
      expectGradMatches(dA.data, numericGrad(fa, a, w), `dA ${JSON.stringify(attrs)}`);
      expectGradMatches(dB.data, numericGrad(fb, b, w), `dB ${JSON.stringify(attrs)}`);
    }
  });
});
