import { describe, expect, it } from 'vitest';
import { testBackend } from '../../../tests/helpers/gpu';
import { f32, randInt, randn, rng } from '../../../tests/helpers/random';
import { topk } from './topk';
import { topkRef } from './reduce.ref';

// top-k copies values and indices: both must match the reference exactly (tolerance 0).
async function check(shape: number[], k: number, x: Float64Array, label: string) {
  const be = await testBackend();
  const [refV, refI] = topkRef([{ shape, dtype: 'f32', data: x }], { k });
  const tx = be.upload(x, shape);
  const [tv, ti] = await topk(be, tx, { k });
  expect(tv.shape).toEqual(refV.shape);
  expect(ti.dtype).toBe('i32');
  const [gotI, gotV] = [await be.download(ti), await be.download(tv)];
  expect(Array.from(gotI), `${label}: indices`).toEqual(Array.from(refI.data));
  expect(Array.from(gotV), `${label}: values`).toEqual(Array.from(refV.data));
  [tx, tv, ti].forEach((t) => t.dispose());
}

/** Values on a coarse grid, so rows hold many ties (and ±0). */
function withTies(n: number, seed: number, levels: number): Float64Array {
  return randn(n, seed).map((v) => Math.round(v * levels) / levels);
}

describe('topk', () => {
  it('pinned case: ties come lower index first, −0 equals +0', async () => {
    const be = await testBackend();
    const x = be.upload([3, 1, 3, 2, -0, 0, -5], [7]);
    const [v, i] = await topk(be, x, { k: 5 });
    expect(Array.from(await be.download(v))).toEqual([3, 3, 2, 1, -0]);
    expect(Array.from(await be.download(i))).toEqual([0, 2, 3, 1, 4]);
  });

  it('matches the reference on ragged shapes, k = 1 and k = V, and heavy ties', async () => {
    const r = rng(21);
    let seed = 500;
    const cases: [number[], number][] = [
      [[1], 1],
      [[5, 1], 1],
      [[3, 257], 257],
      [[2, 3, 100], 7],
      [[randInt(1, 5, r), randInt(300, 900, r)], randInt(2, 300, r)],
      [[70, 9], 4],
      [[2, 3001], 50],
    ];
    for (const [shape, k] of cases) {
      const n = shape.reduce((a, b) => a * b, 1);
      await check(shape, k, f32(randn(n, seed++)), `random [${shape}] k=${k}`);
      await check(shape, k, withTies(n, seed++, 2), `ties [${shape}] k=${k}`);
    }
    // Every value equal: the answer is the first k indices.
    await check([2, 600], 300, new Float64Array(1200).fill(1.5), 'all equal');
  });

  it('finds the top 300 of vocabulary-sized rows (V = 30,011 and 250,002)', async () => {
    await check([2, 30011], 300, f32(randn(60022, 600, 4)), 'V=30011 random');
    await check([1, 30011], 300, withTies(30011, 601, 8), 'V=30011 ties');
    await check([1, 250002], 300, f32(randn(250002, 602, 4)), 'V=250002');
  });

  it('rejects k larger than the row or the sort buffer', async () => {
    const be = await testBackend();
    await expect(topk(be, be.zeros([2, 10]), { k: 11 })).rejects.toThrow(/k = 11/);
    await expect(topk(be, be.zeros([1, 5000]), { k: 2000 })).rejects.toThrow(/k = 2000/);
  });
});
