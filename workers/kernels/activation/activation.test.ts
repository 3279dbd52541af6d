import { describe, expect, it } from 'vitest';
import type { HostTensor, Tensor } from '../../backend/backend';
import { expectClose } from '../../../tests/helpers/compare';
import { testBackend } from '../../../tests/helpers/gpu';
import { expectGradMatches, numericGrad } from '../../../tests/helpers/gradcheck';
import { f32, randInt, randn, rng } from '../../../tests/helpers/random';
import { gelu, geluBackward, relu, reluBackward, silu, siluBackward, tanh, tanhBackward } from './activation';
import { activationBackwardRef, activationRef, type PointwiseKind } from './activation.ref';
import { erf } from './erf64';

// Measured on SwiftShader over [−20, 20]: derivatives ≤ 2.1e-7 abs, values ≤ 1.3e-7 abs plus their own
// rounding (≤ 1 ulp). Budget 4e-7 abs + 2 ulps: the f32 erf fit alone is ~1.2e-7; far inside the 1e-4 the
// model fixtures need and ~1000× below the erf-vs-tanh GELU difference (4e-4 at x = −3).
const TOL = { atol: 4e-7, rtol: 2 ** -22 };
// tanh has no fitted special function, so a relative budget: exp (a few ulps on SwiftShader), a square, a division
// and the product with dy: worst seen 3.8e-7 relative; 2^-20 (9.5e-7) allowed, atol only for rounding near 0.
const TANH_TOL = { atol: 1e-8, rtol: 2 ** -20 };

const host = (shape: number[], data: Float64Array): HostTensor => ({ shape, dtype: 'f32', data });
const KINDS: PointwiseKind[] = ['gelu', 'gelu_tanh', 'silu', 'relu', 'tanh'];

const forwardOf = async (be: Awaited<ReturnType<typeof testBackend>>, kind: PointwiseKind, x: Tensor) =>
  kind === 'gelu' || kind === 'gelu_tanh'
    ? gelu(be, x, { approximate: kind === 'gelu' ? 'none' : 'tanh' })
    : kind === 'silu'
      ? silu(be, x)
      : kind === 'relu'
        ? relu(be, x)
        : tanh(be, x);
const backwardOf = async (be: Awaited<ReturnType<typeof testBackend>>, kind: PointwiseKind, x: Tensor, dy: Tensor) =>
  kind === 'gelu' || kind === 'gelu_tanh'
    ? geluBackward(be, x, dy, { approximate: kind === 'gelu' ? 'none' : 'tanh' })
    : kind === 'silu'
      ? siluBackward(be, x, dy)
      : kind === 'relu'
        ? reluBackward(be, x, dy)
        : tanhBackward(be, x, dy);

describe('activation', () => {
  it('pinned values (mpmath, 17 digits)', async () => {
    const be = await testBackend();
    const x = be.upload([1, -1, 2, -3, 0], [5]);
    const pinned = {
      gelu: [0.84134474606854295, -0.15865525393145705, 1.9544997361036416, -0.0040496940948902836, 0],
      gelu_tanh: [0.8411919906082767, -0.1588080093917233, 1.954597694087775, -0.0036373920817730188, 0],
      silu: [0.73105857863000488, -0.26894142136999512, 1.7615941559557649, -0.14227761953270034, 0],
      relu: [1, 0, 2, 0, 0],
    };
    expectClose(await be.download(await gelu(be, x, { approximate: 'none' })), pinned.gelu, TOL, 'gelu');
    expectClose(await be.download(await gelu(be, x, { approximate: 'tanh' })), pinned.gelu_tanh, TOL, 'gelu tanh');
    expectClose(await be.download(await silu(be, x)), pinned.silu, TOL, 'silu');
    expect(Array.from(await be.download(await relu(be, x)))).toEqual(pinned.relu);
    const one = be.upload([1], [1]);
    const dy = be.upload([2], [1]);
    // 2 · act'(1): d/dx of the pinned functions at 1 (mpmath).
    expectClose(
      await be.download(await geluBackward(be, one, dy, { approximate: 'none' })),
      [2 * 1.0833154705876863],
      TOL,
      'gelu′',
    );
    expectClose(
      await be.download(await geluBackward(be, one, dy, { approximate: 'tanh' })),
      [2 * 1.0829640838457826],
      TOL,
      'gelu tanh′',
    );
    expectClose(await be.download(await siluBackward(be, one, dy)), [2 * 0.92767051187148673], TOL, 'silu′');
    expect(
      Array.from(await be.download(await reluBackward(be, be.upload([3, 0, -2], [3]), be.upload([5, 5, 5], [3])))),
    ).toEqual([5, 0, 0]);
  });

  it('tanh pinned values on both branches (series below |x| = 1/4, exponential above) and in the tails', async () => {
    const be = await testBackend();
    // Python math.tanh / 1/cosh² in float64 (correctly rounded to well below the tolerance).
    const x = be.upload([1, -1, 2, -3, 0, 0.1, 0.25, -30, 100], [9]);
    const want = [
      0.7615941559557649, -0.7615941559557649, 0.9640275800758169, -0.9950547536867305, 0, 0.09966799462495582,
      0.24491866240370913, -1, 1,
    ];
    expectClose(await be.download(await tanh(be, x)), want, TANH_TOL, 'tanh');
    const dx = await be.download(await tanhBackward(be, be.upload([1, 0, 30], [3]), be.upload([2, 3, 1], [3])));
    expectClose(dx, [2 * 0.4199743416140261, 3, 4 * Math.exp(-60)], TANH_TOL, 'tanh′');
    expect(dx.every(Number.isFinite)).toBe(true);
  });

  it('tanh is accurate on a dense grid across the branch point and keeps its sign for tiny inputs', async () => {
    const be = await testBackend();
    const X = f32(Float64Array.from({ length: 2001 }, (_, i) => -5 + i * 0.005));
    const tx = be.upload(X, [X.length]);
    const hx = host([X.length], X);
    expectClose(await be.download(await tanh(be, tx)), activationRef('tanh', [hx])[0].data, TANH_TOL, 'tanh grid');
    const ones = be.upload(new Float32Array(X.length).fill(1), [X.length]);
    expectClose(
      await be.download(await tanhBackward(be, tx, ones)),
      activationBackwardRef('tanh', [hx, host([X.length], new Float64Array(X.length).fill(1))])[0].data,
      TANH_TOL,
      'tanh′ grid',
    );
    // Relative accuracy where the value is tiny: the series branch, not 1 − e, handles it.
    const tiny = await be.download(await tanh(be, be.upload([1e-6, -3e-8], [2])));
    expectClose(tiny, [Math.fround(1e-6), Math.fround(-3e-8)], { atol: 0, rtol: 2 ** -22 }, 'tanh tiny'); // x − x³/3 rounds to x
  });

  it('forward and backward match the reference on random shapes, tails and extreme inputs', async () => {
    const be = await testBackend();
    const r = rng(3);
    // Extremes: the erf/erfc split (|x| = √2), the end of the erfc fit, and overflow-prone magnitudes.
    const special = [0, -0, Math.SQRT2, -Math.SQRT2, 1.4142, -1.4143, 13.4, -13.4, 20, -20, 60, -60, 1e-6, -1e-6];
    for (let i = 0; i < 6; i++) {
      const shape = i === 0 ? [1] : Array.from({ length: randInt(1, 3, r) }, () => randInt(1, i < 3 ? 30 : 90, r));
      const n = shape.reduce((a, b) => a * b, 1);
      const X = f32(randn(n, 10 + i, 3));
      special.forEach((v, j) => j < n && (X[(j * 7919) % n] = Math.fround(v)));
      const DY = f32(randn(n, 30 + i));
      const tx = be.upload(X, shape);
      const tdy = be.upload(DY, shape);
      const hx = host(shape, X);
      const hdy = host(shape, DY);
      for (const kind of KINDS) {
        const y = await forwardOf(be, kind, tx);
        const dx = await backwardOf(be, kind, tx, tdy);
        expectClose(
          await be.download(y),
          activationRef(kind, [hx])[0].data,
          kind === 'tanh' ? TANH_TOL : TOL,
          `${kind} [${shape}]`,
        );
        expectClose(
          await be.download(dx),
          activationBackwardRef(kind, [hx, hdy])[0].data,
          kind === 'tanh' ? TANH_TOL : TOL,
          `${kind}′ [${shape}]`,
        );
        y.dispose();
        dx.dispose();
      }
      tx.dispose();
      tdy.dispose();
    }
  });

  it('erf-GELU is accurate on a dense grid (its erf is a float32 fit)', async () => {
    const be = await testBackend();
    const X = f32(Float64Array.from({ length: 4001 }, (_, i) => -10 + i * 0.005));
    const tx = be.upload(X, [X.length]);
    expectClose(
      await be.download(await gelu(be, tx, { approximate: 'none' })),
      activationRef('gelu', [host([X.length], X)])[0].data,
      TOL,
      'gelu grid',
    );
  });

  it('the float64 erf matches tabulated values', () => {
    // erf(0.5), erf(1), erf(−2), 1 − erf(3) from mpmath at 40 digits.
    expect(erf(0.5)).toBeCloseTo(0.5204998778130465, 15);
    expect(erf(1)).toBeCloseTo(0.8427007929497149, 15);
    expect(erf(-2)).toBeCloseTo(-0.9953222650189527, 15);
    expect(1 - erf(3)).toBeCloseTo(2.209049699858544e-5, 15);
  });

  it('rejects mismatched shapes and a bad gelu mode', async () => {
    const be = await testBackend();
    await expect(geluBackward(be, be.zeros([2, 3]), be.zeros([3, 2]), { approximate: 'none' })).rejects.toThrow(
      /shapes differ/,
    );
    await expect(gelu(be, be.zeros([2]), { approximate: 'exact' as 'none' })).rejects.toThrow(/approximate/);
  });

  it('reference backward agrees with central differences', () => {
    const x = Float64Array.from([-4, -2.5, -1.2, -0.3, 0.2, 0.9, 1.7, 3.3, 6.5]);
    const w = randn(x.length, 1);
    for (const kind of KINDS) {
      const f = (v: Float64Array) => activationRef(kind, [host([v.length], v)])[0].data as Float64Array;
      const [dx] = activationBackwardRef(kind, [host([x.length], x), host([x.length], w)]);
      expectGradMatches(dx.data, numericGrad(f, x, w), kind);
    }
  });
});
