import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../backend/backend';
import { expectClose } from '../../../tests/helpers/compare';
import { testBackend } from '../../../tests/helpers/gpu';
import { expectGradMatches, numericGrad } from '../../../tests/helpers/gradcheck';
import { f32, randInt, randn, rng } from '../../../tests/helpers/random';
import { add, addScaled, cast, mul, scale, sumToShape } from './elementwise';
import {
  addBackwardRef,
  addRef,
  castRef,
  mulBackwardRef,
  mulRef,
  scaleBackwardRef,
  scaleRef,
  sumToShapeBackwardRef,
  sumToShapeRef,
} from './elementwise.ref';
import { EW_WG, flatGrid } from './grid';

// One f32 operation per element on f32-exact inputs: correctly rounded, so within ½ ulp of the f64 reference;
// rtol 2⁻²³ (one ulp) also admits a driver that rounds less carefully.
const EW_TOL = { atol: 0, rtol: 2 ** -23 };
// sumToShape sums pairwise (blocks of 4, a cascade per lane, a tree across lanes): every term passes through at
// most 2·⌈log2 N⌉ + 4 roundings, so |error| ≤ that many units of 2⁻²⁴·Σ|x| on any driver (no compensation
// term a compiler could fold away).
const sumBudget = (rows: number) => (2 * Math.ceil(Math.log2(Math.max(rows, 2))) + 4) * 2 ** -24;

const host = (shape: number[], data: Float64Array): HostTensor => ({ shape, dtype: 'f32', data });
const numel = (s: number[]) => s.reduce((a, b) => a * b, 1);

function randShape(r: () => number, rank: number, max = 40): number[] {
  return Array.from({ length: rank }, () => (r() < 0.2 ? 1 : randInt(1, max, r)));
}

describe('elementwise', () => {
  it('pinned cases', async () => {
    const be = await testBackend();
    const a = be.upload([1, 2, 3, 4, 5, 6], [2, 3]);
    const bias = be.upload([10, 20, 30], [3]);
    expect(Array.from(await be.download(await add(be, a, bias)))).toEqual([11, 22, 33, 14, 25, 36]);
    expect(Array.from(await be.download(await mul(be, a, bias)))).toEqual([10, 40, 90, 40, 100, 180]);
    expect(Array.from(await be.download(await scale(be, a, -0.5)))).toEqual([-0.5, -1, -1.5, -2, -2.5, -3]);
    expect(Array.from(await be.download(await sumToShape(be, a, [3])))).toEqual([5, 7, 9]);
    expect(Array.from(await be.download(await sumToShape(be, a, [])))).toEqual([21]);
    const acc = be.upload([1, 1, 1, 1, 1, 1], [2, 3]);
    const same = await addScaled(be, acc, a, 2);
    expect(same).toBe(acc);
    expect(Array.from(await be.download(acc))).toEqual([3, 5, 7, 9, 11, 13]);
  });

  it('add, mul, scale and addScaled match the reference on random shapes and broadcasts', async () => {
    const be = await testBackend();
    const r = rng(11);
    for (let i = 0; i < 8; i++) {
      const aShape = randShape(r, randInt(1, 4, r), i < 4 ? 40 : 300);
      const keep = i === 0 ? aShape.length : randInt(0, aShape.length, r);
      const bShape = aShape.slice(aShape.length - keep);
      const A = f32(randn(numel(aShape), 20 + i));
      const B = f32(randn(numel(bShape), 40 + i));
      const ta = be.upload(A, aShape);
      const tb = be.upload(B, bShape);
      const label = `a [${aShape}] b [${bShape}]`;
      expectClose(
        await be.download(await add(be, ta, tb)),
        addRef([host(aShape, A), host(bShape, B)])[0].data,
        EW_TOL,
        `add ${label}`,
      );
      expectClose(
        await be.download(await mul(be, ta, tb)),
        mulRef([host(aShape, A), host(bShape, B)])[0].data,
        EW_TOL,
        `mul ${label}`,
      );
      const s = Math.fround(r() * 4 - 2);
      expectClose(
        await be.download(await scale(be, ta, s)),
        scaleRef([host(aShape, A)], { s })[0].data,
        EW_TOL,
        `scale ${label}`,
      );
      const X = f32(randn(numel(aShape), 60 + i));
      const tx = be.upload(X, aShape);
      await addScaled(be, ta, tx, s);
      // Two roundings (alpha·x, then the sum) and cancellation: allow one ulp of the largest |alpha·x| as well.
      const prodUlp = 2 ** -23 * X.reduce((m, v) => Math.max(m, Math.abs(s * v)), 0);
      expectClose(
        await be.download(ta),
        A.map((v, j) => v + s * X[j]),
        { atol: prodUlp, rtol: EW_TOL.rtol },
        `addScaled ${label}`,
      );
      [ta, tb, tx].forEach((t) => t.dispose());
    }
  });

  it('sumToShape matches the reference on ragged shapes, is deterministic and accurate for thousands of rows', async () => {
    const be = await testBackend();
    const r = rng(5);
    const cases: [number[], number[]][] = [
      [[1, 7], [7]],
      [[3000, 3], [3]], // few columns: 256 lanes per column
      [[2500, 37], [37]],
      [
        [4, 1, 17],
        [1, 17],
      ],
      [
        [5, 6, 70],
        [6, 70],
      ],
      [
        [9, 13],
        [9, 13],
      ],
      [[randInt(1, 300, r), randInt(16, 90, r)], []],
    ];
    cases[6][1] = [cases[6][0][1]];
    for (const [xs, ts] of cases) {
      // An offset of 1 makes naive running sums lose bits as they grow: the accuracy case the kernel is for.
      const X = f32(randn(numel(xs), xs[0] + ts.length).map((v) => v + 1));
      const [ref] = sumToShapeRef([host(xs, X)], { shape: ts });
      const M = numel(ts);
      let absSum = 0;
      for (let m = 0; m < M; m++) {
        let s = 0;
        for (let j = m; j < X.length; j += M) s += Math.abs(X[j]);
        absSum = Math.max(absSum, s);
      }
      const tx = be.upload(X, xs);
      const out = await sumToShape(be, tx, ts);
      expect(out.shape).toEqual(ts);
      const got = await be.download(out);
      expectClose(got, ref.data, { atol: sumBudget(numel(xs) / M) * absSum, rtol: 0 }, `sumToShape [${xs}] → [${ts}]`);
      const again = await be.download(await sumToShape(be, tx, ts));
      expect(Array.from(again)).toEqual(Array.from(got));
      tx.dispose();
    }
  });

  it('sumToShape keeps small terms that a plain running sum would drop (pairwise summation)', async () => {
    const be = await testBackend();
    const N = 256 * 400; // 400 rows per lane of the single-column layout: a running sum per lane would lose them
    const x = new Float32Array(N).fill(1e-8);
    x[0] = 1; // every later 1e-8 in lane 0 is below half an ulp of its running sum 1
    const s = await be.download(await sumToShape(be, be.upload(x, [N, 1]), [1]));
    expectClose(s, [1 + (N - 1) * Math.fround(1e-8)], { atol: 0, rtol: 2 ** -23 }, '1 and 102,399 × 1e-8');
  });

  it('cast converts f32 ↔ f16 when the adapter has shader-f16, and otherwise fails with a clear error', async () => {
    const be = await testBackend();
    const X = f32(randn(37, 3, 10));
    const tx = be.upload(X, [37]);
    const copy = await cast(be, tx, 'f32');
    expect(Array.from(await be.download(copy))).toEqual(Array.from(Float32Array.from(X)));
    if (be.ctx.f16) {
      const h = await cast(be, tx, 'f16');
      expect(h.dtype).toBe('f16');
      const ref = castRef([host([37], X)], { dtype: 'f16' })[0].data;
      expect(Array.from(await be.download(h))).toEqual(Array.from(ref));
      const back = await cast(be, h, 'f32');
      expect(Array.from(await be.download(back))).toEqual(Array.from(ref));
    } else {
      await expect(cast(be, tx, 'f16')).rejects.toThrow(/shader-f16/);
      const h = be.upload(X, [37], 'f16');
      await expect(cast(be, h, 'f32')).rejects.toThrow(/shader-f16/);
    }
  });

  it('rejects shapes that do not broadcast', async () => {
    const be = await testBackend();
    const a = be.zeros([2, 3]);
    await expect(add(be, a, be.zeros([2]))).rejects.toThrow(/trailing dims/);
    await expect(addScaled(be, a, be.zeros([3, 2]), 1)).rejects.toThrow(/shapes differ/);
    await expect(sumToShape(be, a, [2])).rejects.toThrow(/trailing dims/);
    await expect(addScaled(be, a, be.reshape(a, [2, 3]), 1)).rejects.toThrow(/shares storage/);
  });

  it('flat grid covers large tensors within the 65,535-workgroup limit', () => {
    for (const n of [1, 255, 256, 257, 65535 * EW_WG, 65535 * EW_WG + 1, 3e8]) {
      const [x, y = 1] = flatGrid(n);
      expect(x).toBeLessThanOrEqual(65535);
      expect(x * y * EW_WG).toBeGreaterThanOrEqual(n);
      expect((x * y - 1) * EW_WG).toBeLessThan(n + x * EW_WG);
    }
  });

  it('reference backward agrees with central differences', () => {
    const aShape = [3, 2, 4];
    const bShape = [2, 4];
    const a = randn(24, 1);
    const b = randn(8, 2);
    const w = randn(24, 3);
    const G = host(aShape, w);
    for (const [name, fwd, bwd] of [
      ['add', addRef, addBackwardRef],
      ['mul', mulRef, mulBackwardRef],
    ] as const) {
      const { dA, dB } = bwd(host(aShape, a), host(bShape, b), G);
      const fa = (x: Float64Array) => fwd([host(aShape, x), host(bShape, b)])[0].data as Float64Array;
      const fb = (x: Float64Array) => fwd([host(aShape, a), host(bShape, x)])[0].data as Float64Array;
      expectGradMatches(dA.data, numericGrad(fa, a, w), `${name} dA`);
      expectGradMatches(dB.data, numericGrad(fb, b, w), `${name} dB`);
    }
    const fs = (x: Float64Array) => scaleRef([host(aShape, x)], { s: -1.5 })[0].data as Float64Array;
    expectGradMatches(scaleBackwardRef(G, -1.5).data, numericGrad(fs, a, w), 'scale');
    const w2 = randn(8, 4);
    const fsum = (x: Float64Array) => sumToShapeRef([host(aShape, x)], { shape: bShape })[0].data as Float64Array;
    expectGradMatches(sumToShapeBackwardRef(aShape, host(bShape, w2)).data, numericGrad(fsum, a, w2), 'sumToShape');
  });
});
