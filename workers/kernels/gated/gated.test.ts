import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../backend/backend';
import { expectClose } from '../../../tests/helpers/compare';
import { testBackend } from '../../../tests/helpers/gpu';
import { expectGradMatches, numericGrad } from '../../../tests/helpers/gradcheck';
import { f32, randInt, randn, rng } from '../../../tests/helpers/random';
import type { ActKind } from '../activation/activation.ref';
import { gated, gatedBackward } from './gated';
import { gatedBackwardRef, gatedRef } from './gated.ref';

// The activation's own error (≤ 4e-7 abs + 2 ulps, see activation.test.ts) times |up| or |dOut·up| (inputs
// ~N(0,1), |·| < 5 here) plus one more rounding for the product: 2e-6 abs + 4 ulps.
const TOL = { atol: 2e-6, rtol: 2 ** -21 };
const KINDS: ActKind[] = ['silu', 'gelu_tanh', 'gelu', 'relu'];
const host = (shape: number[], data: Float64Array): HostTensor => ({ shape, dtype: 'f32', data });

describe('gated', () => {
  it('pinned case: SwiGLU and gated-GELU of hand-computed values', async () => {
    const be = await testBackend();
    const g = be.upload([1, -1, 0, 2], [2, 2]);
    const u = be.upload([2, 3, 5, -1], [2, 2]);
    // silu(1) = 0.7310585786300049, silu(−1) = −0.2689414213699951, silu(2) = 1.7615941559557649
    expectClose(
      await be.download(await gated(be, g, u, { act: 'silu' })),
      [1.4621171572600098, -0.8068242641099853, 0, -1.7615941559557649],
      TOL,
      'swiglu',
    );
    expect(Array.from(await be.download(await gated(be, g, u, { act: 'relu' })))).toEqual([2, 0, 0, -2]);
    // relu': [1, 0, 0, 1]; dGate = dy·up·relu', dUp = dy·relu(gate)
    const [dg, du] = await gatedBackward(be, g, u, be.upload([1, 1, 1, 1], [2, 2]), { act: 'relu' });
    expect(Array.from(await be.download(dg))).toEqual([2, 0, 0, -1]);
    expect(Array.from(await be.download(du))).toEqual([1, 0, 0, 2]);
  });

  it('forward and backward match the reference on random shapes', async () => {
    const be = await testBackend();
    const r = rng(9);
    for (let i = 0; i < 5; i++) {
      const shape = i === 0 ? [1, 1] : [randInt(1, 7, r), randInt(1, 130, r)];
      const n = shape[0] * shape[1];
      const G = f32(randn(n, 50 + i, 2));
      const U = f32(randn(n, 60 + i));
      const D = f32(randn(n, 70 + i));
      const [tg, tu, td] = [G, U, D].map((x) => be.upload(x, shape));
      const hs = [G, U, D].map((x) => host(shape, x));
      for (const act of KINDS) {
        const out = await gated(be, tg, tu, { act });
        expectClose(await be.download(out), gatedRef(hs, act)[0].data, TOL, `gated ${act} [${shape}]`);
        const [dg, du] = await gatedBackward(be, tg, tu, td, { act });
        const [rg, ru] = gatedBackwardRef(hs, act);
        expectClose(await be.download(dg), rg.data, TOL, `dGate ${act} [${shape}]`);
        expectClose(await be.download(du), ru.data, TOL, `dUp ${act} [${shape}]`);
        [out, dg, du].forEach((t) => t.dispose());
      }
      [tg, tu, td].forEach((t) => t.dispose());
    }
  });

  it('rejects mismatched shapes and unknown activations', async () => {
    const be = await testBackend();
    await expect(gated(be, be.zeros([2, 3]), be.zeros([3, 2]), { act: 'silu' })).rejects.toThrow(/shapes differ/);
    await expect(gated(be, be.zeros([2]), be.zeros([2]), { act: 'tanh' as ActKind })).rejects.toThrow(/act must be/);
  });

  it('reference backward agrees with central differences', () => {
    const g = randn(6, 1, 2);
    const u = randn(6, 2);
    const w = randn(6, 3);
    for (const act of KINDS) {
      const [dg, du] = gatedBackwardRef([host([6], g), host([6], u), host([6], w)], act);
      const fg = (x: Float64Array) => gatedRef([host([6], x), host([6], u)], act)[0].data as Float64Array;
      const fu = (x: Float64Array) => gatedRef([host([6], g), host([6], x)], act)[0].data as Float64Array;
      expectGradMatches(dg.data, numericGrad(fg, g, w), `${act} dGate`);
      expectGradMatches(du.data, numericGrad(fu, u, w), `${act} dUp`);
    }
  });
});
