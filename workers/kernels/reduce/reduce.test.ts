import { describe, expect, it } from 'vitest';
import { expectClose } from '../../../tests/helpers/compare';
import { testBackend } from '../../../tests/helpers/gpu';
import { f32, randInt, randn, rng } from '../../../tests/helpers/random';
import { reduceRows, sumAll, type ReduceOp } from './reduce';
import { reduceRowsRef, sumAllRef } from './reduce.ref';

// Sums: f32 error grows with the number of terms times their magnitude, so the bound scales with Σ|x| of the
// row; 4e-7·Σ|x| is ~3 f32 ulps of Σ|x|, far below the naive 250k-chain bound, which a tree keeps us under.
const SUM_TOL = 4e-7;
// max is a copy of an element: exact.
const MAX_TOL = { atol: 0, rtol: 0 };
// logsumexp: one f32 exp per element and one log; a few ulps of the result.
const LSE_TOL = { atol: 2e-6, rtol: 2e-6 };

function absSum(x: Float64Array, sq: boolean): number {
  let s = 0;
  for (const v of x) s += sq ? v * v : Math.abs(v);
  return s;
}

async function checkRows(shape: number[], op: ReduceOp, seed: number, scale = 1) {
  const be = await testBackend();
  const n = shape.reduce((a, b) => a * b, 1);
  const x = f32(randn(n, seed, scale));
  const [ref] = reduceRowsRef([{ shape, dtype: 'f32', data: x }], { op });
  const tx = be.upload(x, shape);
  const ty = await reduceRows(be, tx, { op });
  expect(ty.shape).toEqual(ref.shape);
  const got = await be.download(ty);
  const V = shape[shape.length - 1];
  let tol = op === 'max' ? MAX_TOL : LSE_TOL;
  if (op === 'sum' || op === 'sumsq') {
    let worst = 0;
    for (let r = 0; r < n / V; r++) worst = Math.max(worst, absSum(x.subarray(r * V, (r + 1) * V), op === 'sumsq'));
    tol = { atol: SUM_TOL * worst, rtol: 0 };
  }
  expectClose(got, ref.data, tol, `reduceRows ${op} [${shape}]`);
  tx.dispose();
  ty.dispose();
}

describe('reduceRows', () => {
  it('pinned case: hand-computed sum, max, sumsq, logsumexp', async () => {
    const be = await testBackend();
    const x = be.upload([1, 2, 3, 0, -1, 4], [2, 3]);
    expect(Array.from(await be.download(await reduceRows(be, x, { op: 'sum' })))).toEqual([6, 3]);
    expect(Array.from(await be.download(await reduceRows(be, x, { op: 'max' })))).toEqual([3, 4]);
    expect(Array.from(await be.download(await reduceRows(be, x, { op: 'sumsq' })))).toEqual([14, 17]);
    const z = be.upload([0, 0, 0, 0, 5, 5, 5, 5], [2, 4]);
    const lse = await be.download(await reduceRows(be, z, { op: 'logsumexp' }));
    expectClose(lse, [Math.log(4), 5 + Math.log(4)], LSE_TOL, 'logsumexp pinned');
  });

  it('matches the float64 reference on ragged shapes and every op', async () => {
    const r = rng(11);
    const ops: ReduceOp[] = ['sum', 'max', 'logsumexp', 'sumsq'];
    const shapes = [
      [1],
      [1, 1],
      [3, 255],
      [2, 257],
      [randInt(1, 9, r), randInt(1, 700, r)],
      [2, 3, randInt(1, 300, r)],
      [70, 5],
      [2, 5003],
    ];
    let seed = 200;
    for (const shape of shapes) for (const op of ops) await checkRows(shape, op, seed++, op === 'logsumexp' ? 4 : 1);
  });

  it('spreads more than 65,535 rows over a second grid dimension', async () => {
    await checkRows([66_000, 1], 'max', 303);
  });

  it('handles vocabulary-sized rows (V = 30,011) in every op', async () => {
    for (const op of ['sum', 'max', 'logsumexp', 'sumsq'] as ReduceOp[]) await checkRows([2, 30011], op, 300, 3);
  });

  it('handles a 250,002-wide row (XLM-R vocabulary) with accurate sums', async () => {
    await checkRows([1, 250002], 'sum', 301);
    await checkRows([1, 250002], 'logsumexp', 302, 5);
  });
});

describe('sumAll', () => {
  it('pinned case: Σx and Σx² of 1..5', async () => {
    const be = await testBackend();
    const x = be.upload([1, 2, 3, 4, 5], [5]);
    expect(Array.from(await be.download(await sumAll(be, x, { op: 'sum' })))).toEqual([15]);
    expect(Array.from(await be.download(await sumAll(be, x, { op: 'sumsq' })))).toEqual([55]);
  });

  it('matches the float64 reference from 1 element to several hundred thousand', async () => {
    const be = await testBackend();
    let seed = 400;
    for (const n of [1, 255, 256, 257, 4099, 333_333]) {
      for (const op of ['sum', 'sumsq'] as const) {
        const x = f32(randn(n, seed++));
        const [ref] = sumAllRef([{ shape: [n], dtype: 'f32', data: x }], { op });
        const tx = be.upload(x, [n]);
        const ty = await sumAll(be, tx, { op });
        expect(ty.shape).toEqual([1]);
        expectClose(
          await be.download(ty),
          ref.data,
          { atol: SUM_TOL * absSum(x, op === 'sumsq'), rtol: 0 },
          `sumAll ${op} n=${n}`,
        );
        tx.dispose();
        ty.dispose();
      }
    }
  });
});
