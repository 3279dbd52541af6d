import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../backend/backend';
import { expectClose } from '../../../tests/helpers/compare';
import { testBackend } from '../../../tests/helpers/gpu';
import { expectGradMatches, numericGrad } from '../../../tests/helpers/gradcheck';
import { f32, randInt, randn, rng } from '../../../tests/helpers/random';
import { embedding, embeddingBackward } from './embedding';
import { embeddingBackwardRef, embeddingRef } from './embedding.ref';

// Gather copies values: exact. Scatter sums the repeats of an id pairwise (blocks of 4, then a cascade): each
// term passes through at most 2·⌈log2 S⌉ + 4 roundings, so |error| ≤ that many units of 2⁻²⁴·Σ|dOut| over the
// chain (the sums cancel, so |ref| is no scale). S bounds the chain length.
const scatterBudget = (S: number) => (2 * Math.ceil(Math.log2(Math.max(S, 2))) + 4) * 2 ** -24;

const f = (shape: number[], data: Float64Array): HostTensor => ({ shape, dtype: 'f32', data });
const i32 = (shape: number[], data: Int32Array): HostTensor => ({ shape, dtype: 'i32', data });

describe('embedding', () => {
  it('pinned case: gather with repeats and out-of-range ids, scatter-add of the repeats', async () => {
    const be = await testBackend();
    const table = be.upload([0, 1, 10, 11, 20, 21], [3, 2]);
    const ids = be.upload([2, 0, 2, 5, -1], [5], 'i32');
    const out = await embedding(be, table, ids);
    expect(out.shape).toEqual([5, 2]);
    expect(Array.from(await be.download(out))).toEqual([20, 21, 0, 1, 20, 21, 0, 0, 0, 0]);
    const dOut = be.upload([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [5, 2]);
    const dTable = await embeddingBackward(be, ids, dOut, { numRows: 3 });
    expect(dTable.shape).toEqual([3, 2]);
    expect(Array.from(await be.download(dTable))).toEqual([3, 4, 0, 0, 6, 8]);
  });

  it('matches the reference on random shapes with heavy repeats, and is deterministic', async () => {
    const be = await testBackend();
    const r = rng(17);
    for (let i = 0; i < 6; i++) {
      const V = i === 0 ? 1 : randInt(1, 60, r);
      const C = i === 1 ? 1 : randInt(1, 97, r);
      const idShape = i % 2 ? [randInt(1, 4, r), randInt(1, 50, r)] : [randInt(1, 300, r)];
      const S = idShape.reduce((a, b) => a * b, 1);
      // Mostly a few hot ids (long chains), some out of range on both sides.
      const ids = Int32Array.from({ length: S }, () =>
        r() < 0.05 ? (r() < 0.5 ? -3 : V + 2) : r() < 0.5 ? randInt(0, Math.min(V - 1, 2), r) : randInt(0, V - 1, r),
      );
      const T = f32(randn(V * C, 80 + i));
      const G = f32(randn(S * C, 90 + i));
      const tt = be.upload(T, [V, C]);
      const ti = be.upload(ids, idShape, 'i32');
      const tg = be.upload(G, [...idShape, C]);
      const out = await embedding(be, tt, ti);
      expect(out.shape).toEqual([...idShape, C]);
      expect(Array.from(await be.download(out))).toEqual(
        Array.from(embeddingRef([f([V, C], T), i32(idShape, ids)])[0].data),
      );
      const dt = await embeddingBackward(be, ti, tg, { numRows: V });
      const got = await be.download(dt);
      const absG = G.map(Math.abs);
      const [absSum] = embeddingBackwardRef([i32(idShape, ids), f([...idShape, C], absG)], { numRows: V });
      const tol = { atol: scatterBudget(S) * Math.max(...absSum.data), rtol: 0 };
      expectClose(
        got,
        embeddingBackwardRef([i32(idShape, ids), f([...idShape, C], G)], { numRows: V })[0].data,
        tol,
        `scatter V=${V} C=${C} ids [${idShape}]`,
      );
      const again = await be.download(await embeddingBackward(be, ti, tg, { numRows: V }));
      expect(Array.from(again)).toEqual(Array.from(got));
      [tt, ti, tg, out, dt].forEach((t) => t.dispose());
    }
  });

  it('scatter keeps small gradients that a plain running sum would drop (pairwise summation)', async () => {
    const be = await testBackend();
    const S = 1000;
    const g = new Float32Array(S).fill(1e-8);
    g[0] = 1; // every later 1e-8 is below half an ulp of the running sum 1
    const d = await be.download(
      await embeddingBackward(be, be.upload(new Int32Array(S), [S], 'i32'), be.upload(g, [S, 1]), { numRows: 1 }),
    );
    expectClose(d, [1 + (S - 1) * Math.fround(1e-8)], { atol: 0, rtol: 2 ** -23 }, 'chain of 1 and 999 × 1e-8');
  });

  it('rejects a non-2-D table, float ids and a dOut that does not match the ids', async () => {
    const be = await testBackend();
    await expect(embedding(be, be.zeros([4]), be.zeros([2], 'i32'))).rejects.toThrow(/\[V, C\]/);
    await expect(embedding(be, be.zeros([4, 2]), be.zeros([2]))).rejects.toThrow(/i32/);
    await expect(embeddingBackward(be, be.zeros([3], 'i32'), be.zeros([2, 5]), { numRows: 4 })).rejects.toThrow(
      /must be/,
    );
  });

  it('reference backward agrees with central differences', () => {
    const V = 4;
    const C = 3;
    const ids = Int32Array.from([1, 3, 1, 0, 7, 1]);
    const table = randn(V * C, 1);
    const w = randn(ids.length * C, 2);
    const [dTable] = embeddingBackwardRef([i32([6], ids), f([6, C], w)], { numRows: V });
    const fwd = (x: Float64Array) => embeddingRef([f([V, C], x), i32([6], ids)])[0].data as Float64Array;
    expectGradMatches(dTable.data, numericGrad(fwd, table, w), 'dTable');
  });
});
