import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../backend/backend';
import { expectClose } from '../../../tests/helpers/compare';
import { testBackend } from '../../../tests/helpers/gpu';
import { expectGradMatches, numericGrad } from '../../../tests/helpers/gradcheck';
import { f32, randInt, randn, rng } from '../../../tests/helpers/random';
import { rope, ropeBackward, ropeInvFreq, ropeTables } from './rope';
import { ropeBackwardRef, ropeRef } from './rope.ref';

// Each output is x₁·c ∓ x₂·s: two rounded products and a rounded sum, so |err| ≤ ~1.5·2⁻²⁴·(|x₁| + |x₂|)
// (with |c|, |s| ≤ 1); the budget is 2⁻²²·max|x| (4 ulps of the largest input), as sums may cancel.
const ulpsOfMax = (x: Float64Array) => ({ atol: 2 ** -22 * x.reduce((m, v) => Math.max(m, Math.abs(v)), 0), rtol: 0 });

const host = (shape: number[], data: Float64Array): HostTensor => ({ shape, dtype: 'f32', data });
const f64 = (a: Float32Array) => Float64Array.from(a);

describe('rope', () => {
  it('pinned case: a quarter turn on the first pair, identity on the second', async () => {
    const be = await testBackend();
    const x = be.upload([1, 2, 3, 4], [1, 1, 1, 4]);
    const cos = be.upload([0, 1], [1, 2]);
    const sin = be.upload([1, 0], [1, 2]);
    // pair (x0, x2) = (1, 3) → (1·0 − 3·1, 3·0 + 1·1) = (−3, 1); pair (x1, x3) = (2, 4) unchanged.
    expect(Array.from(await be.download(await rope(be, x, cos, sin)))).toEqual([-3, 2, 1, 4]);
    expect(
      Array.from(await be.download(await ropeBackward(be, be.upload([-3, 2, 1, 4], [1, 1, 1, 4]), cos, sin))),
    ).toEqual([1, 2, 3, 4]);
  });

  it('forward and backward match the reference with shared and per-row tables on random shapes', async () => {
    const be = await testBackend();
    const r = rng(23);
    for (let i = 0; i < 6; i++) {
      const [B, T, NH] = [randInt(1, 3, r), i === 0 ? 1 : randInt(1, 20, r), randInt(1, 5, r)];
      const HS = 2 * (i === 1 ? 1 : randInt(1, 40, r));
      const perRow = i % 2 === 1;
      const xs = [B, T, NH, HS];
      const positions = Array.from({ length: perRow ? B * T : T }, (_, k) => (perRow ? (k % T) + randInt(0, 5, r) : k));
      const tabShape = perRow ? [B, T, HS / 2] : [T, HS / 2];
      const { cos, sin } = ropeTables({ positions, headDim: HS, theta: 10000 });
      const X = f32(randn(B * T * NH * HS, 100 + i));
      const [tx, tc, ts] = [be.upload(X, xs), be.upload(cos, tabShape), be.upload(sin, tabShape)];
      const hs = [host(xs, X), host(tabShape, f64(cos)), host(tabShape, f64(sin))];
      const y = await rope(be, tx, tc, ts);
      expectClose(await be.download(y), ropeRef(hs)[0].data, ulpsOfMax(X), `rope [${xs}] tables [${tabShape}]`);
      const dx = await ropeBackward(be, tx, tc, ts);
      expectClose(await be.download(dx), ropeBackwardRef(hs)[0].data, ulpsOfMax(X), `ropeBackward [${xs}]`);
      // The backward undoes the forward.
      const back = await ropeBackward(be, y, tc, ts);
      expectClose(await be.download(back), X, ulpsOfMax(X), `ropeBackward ∘ rope [${xs}]`);
      [tx, tc, ts, y, dx, back].forEach((t) => t.dispose());
    }
  });

  it('rejects odd head sizes and tables of the wrong shape', async () => {
    const be = await testBackend();
    await expect(rope(be, be.zeros([1, 2, 1, 3]), be.zeros([2, 1]), be.zeros([2, 1]))).rejects.toThrow(/even HS/);
    await expect(rope(be, be.zeros([1, 2, 1, 4]), be.zeros([3, 2]), be.zeros([3, 2]))).rejects.toThrow(
      /tables must be/,
    );
  });

  it('tables: float32 inverse frequencies and angles, by hand', () => {
    const inv = ropeInvFreq(4, 10000);
    // 10000^(0/4) = 1 and 10000^(2/4) = 100, each through float32.
    expect(Array.from(inv)).toEqual([1, Math.fround(1 / 100)]);
    const { cos, sin } = ropeTables({ positions: [0, 1, 7], headDim: 4, theta: 10000 });
    const a = Math.fround(7 * Math.fround(1 / 100));
    expect(Array.from(cos)).toEqual([
      1,
      1,
      Math.fround(Math.cos(1)),
      Math.fround(Math.cos(Math.fround(0.01))),
      Math.fround(Math.cos(7)),
      Math.fround(Math.cos(a)),
    ]);
    expect(Array.from(sin)).toEqual([
      0,
      0,
      Math.fround(Math.sin(1)),
      Math.fround(Math.sin(Math.fround(0.01))),
      Math.fround(Math.sin(7)),
      Math.fround(Math.sin(a)),
    ]);
  });

  it('tables: Llama-3 scaling keeps high frequencies, divides low ones by the factor and blends the band between', () => {
    const scaling = {
      rope_type: 'llama3' as const,
      factor: 8,
      low_freq_factor: 1,
      high_freq_factor: 4,
      original_max_position_embeddings: 8192,
    };
    const plain = ropeInvFreq(64, 500000);
    const scaled = ropeInvFreq(64, 500000, scaling);
    const bands = { high: 0, low: 0, mid: 0 };
    plain.forEach((v, i) => {
      // The rule written out in float64 (the implementation follows transformers' float32 steps).
      const wavelen = (2 * Math.PI) / v;
      let want = v;
      if (wavelen > 8192) want = v / 8;
      else if (wavelen >= 2048) {
        const smooth = (8192 / wavelen - 1) / 3;
        want = (1 - smooth) * (v / 8) + smooth * v;
      }
      bands[wavelen < 2048 ? 'high' : wavelen > 8192 ? 'low' : 'mid']++;
      expect(Math.abs(scaled[i] - want) / want, `inv_freq[${i}]`).toBeLessThan(4e-7);
    });
    expect(bands.high).toBeGreaterThan(0);
    expect(bands.low).toBeGreaterThan(0);
    expect(bands.mid).toBeGreaterThan(0);
  });

  it('reference backward agrees with central differences', () => {
    const xs = [2, 3, 2, 6];
    const { cos, sin } = ropeTables({ positions: [0, 3, 9, 1, 2, 4], headDim: 6, theta: 100 });
    const tabs = [host([2, 3, 3], f64(cos)), host([2, 3, 3], f64(sin))];
    const x = randn(72, 1);
    const w = randn(72, 2);
    const [dx] = ropeBackwardRef([host(xs, w), ...tabs]);
    const fwd = (v: Float64Array) => ropeRef([host(xs, v), ...tabs])[0].data as Float64Array;
    expectGradMatches(dx.data, numericGrad(fwd, x, w), 'rope dx');
  });
});
