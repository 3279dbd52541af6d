import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../backend/backend';
import { expectClose } from '../../../tests/helpers/compare';
import { testBackend } from '../../../tests/helpers/gpu';
import { expectGradMatches, numericGrad } from '../../../tests/helpers/gradcheck';
import { f32, randInt, randn, rng } from '../../../tests/helpers/random';
import { layerNorm, layerNormBackward } from './layernorm';
import { layerNormBackwardRef, layerNormRef } from './layernorm.ref';

// Forward: mean and variance are f32 tree sums over C, so rstd carries ~1e-6 relative error and y inherits it
// times |x̂·gamma| (≤ ~10 here); the case with mean 50 loses ulp(50)/std ≈ 2e-6 more in x − mean.
const FWD_TOL = { atol: 1e-5, rtol: 1e-5 };
// dx: two f32 row means feed a difference of O(1) terms; dgamma/dbeta add `rows` terms of up to ~10 (|dy·x̂|),
// so their atol grows with sqrt(rows) (applied below). Measured: under 25% of this on SwiftShader.
const BWD_TOL = { atol: 4e-6, rtol: 2e-6 };

const host = (shape: number[], data: Float64Array): HostTensor => ({ shape, dtype: 'f32', data });

async function check(shape: number[], eps: number, seed: number, offset: number) {
  const be = await testBackend();
  const C = shape[shape.length - 1];
  const n = shape.reduce((a, b) => a * b, 1);
  const rows = n / C;
  const x = f32(randn(n, seed).map((v) => v * 2 + offset));
  const gamma = f32(randn(C, seed + 1));
  const beta = f32(randn(C, seed + 2));
  const dy = f32(randn(n, seed + 3));
  const [y, mean, rstd] = layerNormRef([host(shape, x), host([C], gamma), host([C], beta)], { eps });
  const [tx, tg, tb, tdy] = [be.upload(x, shape), be.upload(gamma, [C]), be.upload(beta, [C]), be.upload(dy, shape)];
  const outs = await layerNorm(be, tx, tg, tb, { eps });
  expect(outs.map((t) => t.shape)).toEqual([shape, [rows], [rows]]);
  const label = `layerNorm [${shape}] eps=${eps}`;
  expectClose(await be.download(outs[0]), y.data, FWD_TOL, `${label} y`);
  expectClose(await be.download(outs[1]), mean.data, FWD_TOL, `${label} mean`);
  expectClose(await be.download(outs[2]), rstd.data, FWD_TOL, `${label} rstd`);
  // Backward from the GPU's own mean/rstd, held to the reference fed with the same f32 statistics.
  const gm = f32(Float64Array.from(await be.download(outs[1])));
  const gr = f32(Float64Array.from(await be.download(outs[2])));
  const [dx, dgamma, dbeta] = layerNormBackwardRef([
    host(shape, x),
    host([C], gamma),
    host([rows], gm),
    host([rows], gr),
    host(shape, dy),
  ]);
  const grads = await layerNormBackward(be, tx, tg, outs[1], outs[2], tdy);
  expect(grads.map((t) => t.shape)).toEqual([shape, [C], [C]]);
  const sumTol = { atol: BWD_TOL.atol * Math.sqrt(rows), rtol: BWD_TOL.rtol };
  expectClose(await be.download(grads[0]), dx.data, BWD_TOL, `${label} dx`);
  expectClose(await be.download(grads[1]), dgamma.data, sumTol, `${label} dgamma`);
  expectClose(await be.download(grads[2]), dbeta.data, sumTol, `${label} dbeta`);
  [tx, tg, tb, tdy, ...outs, ...grads].forEach((t) => t.dispose());
}

describe('layerNorm', () => {
  it('pinned case: x = [1, 2, 3, 4], gamma = 2, beta = 1, dy = [1, 0, 0, 0]', async () => {
    const be = await testBackend();
    const k = 1 / Math.sqrt(1.25); // var = 1.25, eps = 0
    const x = be.upload([1, 2, 3, 4], [1, 4]);
    const [y, mean, rstd] = await layerNorm(be, x, be.upload([2, 2, 2, 2], [4]), be.upload([1, 1, 1, 1], [4]), {
      eps: 0,
    });
    const tol = { atol: 1e-6, rtol: 1e-6 }; // a handful of f32 operations on small integers
    expectClose(
      await be.download(y),
      [-1.5, -0.5, 0.5, 1.5].map((a) => 2 * a * k + 1),
      tol,
      'y',
    );
    expectClose(await be.download(mean), [2.5], tol, 'mean');
    expectClose(await be.download(rstd), [k], tol, 'rstd');
    // g = dy, mean(g) = 1/4, mean(g·x̂) = −1.5k/4; with k² = 0.8: dx = k·(δ₀ − 0.25 + 0.3·[−1.5, −0.5, 0.5, 1.5]).
    const ones = be.upload([1, 1, 1, 1], [4]);
    const [dx, dg, db] = await layerNormBackward(be, x, ones, mean, rstd, be.upload([1, 0, 0, 0], [1, 4]));
    expectClose(
      await be.download(dx),
      [0.3, -0.4, -0.1, 0.2].map((v) => v * k),
      tol,
      'dx',
    );
    expectClose(await be.download(dg), [-1.5 * k, 0, 0, 0], tol, 'dgamma');
    expectClose(await be.download(db), [1, 0, 0, 0], tol, 'dbeta');
  });

  it('matches the float64 reference on ragged shapes, forward and backward', async () => {
    const r = rng(31);
    // C % 4 == 0 takes the vec4 one-row-per-invocation path (32 rows per workgroup): [2, 768] with mean 50, [37, 64]
    // and [1, 4] cover a partial workgroup, [33, 8, 12] more than one.
    const shapes = [
      [1],
      [3, 1],
      [2, 5, 7],
      [4, 255],
      [3, 257],
      [2, 768],
      [70, 33],
      [2, 1500],
      [randInt(1, 40, r), randInt(1, 600, r)],
      [37, 64],
      [1, 4],
      [33, 8, 12],
    ];
    let seed = 700;
    for (const [i, shape] of shapes.entries()) await check(shape, i % 2 ? 1e-5 : 1e-12, (seed += 4), i === 5 ? 50 : 0);
  });

  it('reference backward agrees with central differences', () => {
    const shape = [3, 5];
    const x = randn(15, 1);
    const gamma = randn(5, 2);
    const beta = randn(5, 3);
    const w = randn(15, 4);
    const eps = 1e-5;
    const fwd = (xx: Float64Array, g: Float64Array, b: Float64Array) =>
      layerNormRef([host(shape, xx), host([5], g), host([5], b)], { eps })[0].data as Float64Array;
    const [, mean, rstd] = layerNormRef([host(shape, x), host([5], gamma), host([5], beta)], { eps });
    const [dx, dg, db] = layerNormBackwardRef([host(shape, x), host([5], gamma), mean, rstd, host(shape, w)]);
    expectGradMatches(
      dx.data,
      numericGrad((v) => fwd(v, gamma, beta), x, w),
      'dx',
    );
    expectGradMatches(
      dg.data,
      numericGrad((v) => fwd(x, v, beta), gamma, w),
      'dgamma',
    );
    expectGradMatches(
      db.data,
      numericGrad((v) => fwd(x, gamma, v), beta, w),
      'dbeta',
    );
  });
});
