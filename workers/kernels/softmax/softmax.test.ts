import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../backend/backend';
import { expectClose } from '../../../tests/helpers/compare';
import { testBackend } from '../../../tests/helpers/gpu';
import { expectGradMatches, numericGrad } from '../../../tests/helpers/gradcheck';
import { f32, randInt, randn, rng } from '../../../tests/helpers/random';
import { softmax, softmaxBackward } from './softmax';
import { softmaxBackwardRef, softmaxRef } from './softmax.ref';
import type { SoftmaxOpAttrs } from './softmax-shapes';

// Probabilities: f32 exp of arguments up to ~|10| carries ~1e-6 relative error, the row sum a little more.
const FWD_TOL = { atol: 1e-7, rtol: 1e-5 };
// dx: one f32 row dot product of O(1) terms, times y ≤ 1 and the scale.
const BWD_TOL = { atol: 1e-6, rtol: 1e-5 };

const host = (shape: number[], data: Float64Array): HostTensor => ({ shape, dtype: 'f32', data });
const numel = (s: number[]) => s.reduce((a, b) => a * b, 1);

interface Case {
  shape: number[];
  attrs: SoftmaxOpAttrs;
  biasShape?: number[];
  /** Fraction of keys masked; batch 0 is fully masked when `fullRow` is set. */
  maskRate?: number;
  fullRow?: boolean;
}

async function check(c: Case, seed: number) {
  const be = await testBackend();
  const r = rng(seed);
  const x = f32(randn(numel(c.shape), seed, 3));
  const inputs: HostTensor[] = [host(c.shape, x)];
  if (c.biasShape) inputs.push(host(c.biasShape, f32(randn(numel(c.biasShape), seed + 1, 2))));
  if (c.maskRate !== undefined) {
    const [B, , , Tk] = c.shape;
    const m = Float64Array.from({ length: B * Tk }, (_, i) => (c.fullRow && i < Tk ? 0 : r() < c.maskRate! ? 0 : 1));
    inputs.push(host([B, Tk], m));
  }
  const attrs: SoftmaxOpAttrs = { ...c.attrs, hasBias: !!c.biasShape, hasKeyMask: c.maskRate !== undefined };
  const [ref] = softmaxRef(inputs, attrs);
  const t = inputs.map((h) => be.upload(h.data, h.shape));
  const bias = c.biasShape ? t[1] : undefined;
  const keyMask = c.maskRate !== undefined ? t[t.length - 1] : undefined;
  const y = await softmax(be, t[0], c.attrs, { bias, keyMask });
  const label = `softmax ${JSON.stringify(c)}`;
  expectClose(await be.download(y), ref.data, FWD_TOL, label);
  // Backward from the GPU's y, against the reference fed the same f32 values.
  const yGot = f32(Float64Array.from(await be.download(y)));
  const dy = f32(randn(x.length, seed + 2));
  const [dxRef] = softmaxBackwardRef([host(c.shape, yGot), host(c.shape, dy)], c.attrs);
  const tdy = be.upload(dy, c.shape);
  const dx = await softmaxBackward(be, y, tdy, c.attrs);
  expectClose(await be.download(dx), dxRef.data, BWD_TOL, `${label} backward`);
  [...t, y, tdy, dx].forEach((v) => v.dispose());
}

describe('softmax', () => {
  it('pinned cases: plain row, causal square, fully masked row, backward', async () => {
    const be = await testBackend();
    const e = [Math.E, Math.E ** 2, Math.E ** 3];
    const tot = e[0] + e[1] + e[2];
    const tol = { atol: 1e-7, rtol: 1e-6 }; // a few f32 exps of small integers
    expectClose(
      await be.download(await softmax(be, be.upload([1, 2, 3], [3]))),
      e.map((v) => v / tot),
      tol,
      'plain',
    );
    // [1, 1, 2, 2] causal: query 0 sees key 0 only; query 1 sees both keys (scores 0 and ln 3 after scale).
    const causal = await softmax(be, be.upload([5, 7, 0, Math.log(3) * 2], [1, 1, 2, 2]), { causal: true, scale: 0.5 });
    expectClose(await be.download(causal), [1, 0, 0.25, 0.75], tol, 'causal');
    // Key mask all zero for batch 0: HF-style additive min makes that row uniform; batch 1 keeps key 1 only.
    const mask = be.upload([0, 0, 0, 0, 1, 0], [2, 3]);
    const full = await softmax(be, be.upload([1, 2, 3, 1, 2, 3], [2, 1, 1, 3]), {}, { keyMask: mask });
    expectClose(await be.download(full), [1 / 3, 1 / 3, 1 / 3, 0, 1, 0], tol, 'fully masked row');
    // y = [0.5, 0.5], dy = [1, 0], scale 2: Σ y·dy = 0.5, dx = 2 · 0.5 · [0.5, −0.5].
    const dx = await softmaxBackward(be, be.upload([0.5, 0.5], [1, 2]), be.upload([1, 0], [1, 2]), { scale: 2 });
    expectClose(await be.download(dx), [0.5, -0.5], tol, 'backward');
  });

  it('matches the float64 reference: plain last-axis form on ranks 1–3 and ragged widths', async () => {
    const r = rng(51);
    const shapes = [[1], [7], [3, 1], [2, 129], [2, 3, 257], [2, 1100], [randInt(1, 9, r), randInt(1, 600, r)]];
    for (const [i, shape] of shapes.entries()) await check({ shape, attrs: { scale: i % 2 ? 0.125 : 1 } }, 900 + 3 * i);
  });

  it('matches the float64 reference with scale, bias, causal offsets and key masks, short and long rows', async () => {
    const cases: Case[] = [
      { shape: [2, 3, 5, 5], attrs: { causal: true, scale: 0.35 } },
      { shape: [1, 2, 3, 7], attrs: { causal: true } }, // default offset Tk − Tq = 4 (KV cache)
      { shape: [2, 2, 1, 9], attrs: { causal: true, causalOffset: 3 } },
      { shape: [2, 3, 4, 6], attrs: { scale: 0.5 }, biasShape: [3, 4, 6] },
      { shape: [2, 3, 4, 6], attrs: { causal: true }, biasShape: [1, 3, 4, 6], maskRate: 0.3 },
      { shape: [3, 2, 4, 6], attrs: {}, biasShape: [3, 2, 4, 6], maskRate: 0.5, fullRow: true },
      { shape: [2, 4, 3, 130], attrs: { scale: 0.125 }, maskRate: 0.2, fullRow: true },
      { shape: [2, 1, 1, 1], attrs: { causal: true }, maskRate: 0.5 },
      { shape: [1, 2, 6, 4], attrs: { causal: true, causalOffset: -2 } }, // first queries see no key: uniform rows
      // Rows longer than SHORT_ROW take the workgroup-per-row entry point: causal, bias and mask there too.
      {
        shape: [2, 2, 3, 70],
        attrs: { causal: true, causalOffset: 60, scale: 0.3 },
        biasShape: [2, 3, 70],
        maskRate: 0.1,
        fullRow: true,
      },
      // Keys hidden by both the causal rule and the mask get min once: a fully masked row stays uniform, not NaN.
      { shape: [2, 2, 3, 5], attrs: { causal: true, causalOffset: 0 }, maskRate: 0.3, fullRow: true },
    ];
    for (const [i, c] of cases.entries()) await check(c, 1000 + 5 * i);
  });

  it('rejects masks that do not fit the scores', async () => {
    const be = await testBackend();
    const x = be.zeros([2, 3, 4, 5]);
    await expect(softmax(be, x, {}, { bias: be.zeros([3, 5, 4]) })).rejects.toThrow(/bias must be/);
    await expect(softmax(be, x, {}, { keyMask: be.zeros([2, 4]) })).rejects.toThrow(/keyMask must be/);
    await expect(softmax(be, be.zeros([4, 5]), {}, { keyMask: be.zeros([4, 5]) })).rejects.toThrow(/need scores/);
  });

  it('reference backward agrees with central differences through scale, bias, causal and key masks', () => {
    const shape = [2, 2, 3, 4];
    const x = randn(48, 1);
    const bias = host([2, 3, 4], randn(24, 2));
    const mask = host([2, 4], Float64Array.from([1, 0, 1, 1, 1, 1, 1, 0]));
    const attrs: SoftmaxOpAttrs = { scale: 0.7, causal: true, hasBias: true, hasKeyMask: true };
    const w = randn(48, 3);
    const f = (v: Float64Array) => softmaxRef([host(shape, v), bias, mask], attrs)[0].data as Float64Array;
    const [y] = softmaxRef([host(shape, x), bias, mask], attrs);
    const [dx] = softmaxBackwardRef([y, host(shape, w)], attrs);
    expectGradMatches(dx.data, numericGrad(f, x, w), 'dx');
  });
});
