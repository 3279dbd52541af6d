import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../backend/backend';
import { expectClose } from '../../../tests/helpers/compare';
import { testBackend } from '../../../tests/helpers/gpu';
import { expectGradMatches, numericGrad } from '../../../tests/helpers/gradcheck';
import { f32, randInt, randn, rng } from '../../../tests/helpers/random';
import { rmsNorm, rmsNormBackward } from './rmsnorm';
import { rmsNormBackwardRef, rmsNormRef } from './rmsnorm.ref';

// Forward: one f32 tree sum of x² over C sets rstd to ~1e-6 relative; y inherits it times |x̂·gamma|.
const FWD_TOL = { atol: 1e-5, rtol: 1e-5 };
// dx: one f32 row mean of O(1) terms, then a difference; dgamma adds `rows` terms of up to ~10 (atol · sqrt(rows)
// below). Measured: under 25% of this on SwiftShader.
const BWD_TOL = { atol: 4e-6, rtol: 2e-6 };

const host = (shape: number[], data: Float64Array): HostTensor => ({ shape, dtype: 'f32', data });

async function check(shape: number[], eps: number, seed: number) {
  const be = await testBackend();
  const C = shape[shape.length - 1];
  const n = shape.reduce((a, b) => a * b, 1);
  const rows = n / C;
  const x = f32(randn(n, seed, 2));
  const gamma = f32(randn(C, seed + 1));
  const dy = f32(randn(n, seed + 2));
  const [y, rstd] = rmsNormRef([host(shape, x), host([C], gamma)], { eps });
  const [tx, tg, tdy] = [be.upload(x, shape), be.upload(gamma, [C]), be.upload(dy, shape)];
  const outs = await rmsNorm(be, tx, tg, { eps });
  expect(outs.map((t) => t.shape)).toEqual([shape, [rows]]);
  const label = `rmsNorm [${shape}] eps=${eps}`;
  expectClose(await be.download(outs[0]), y.data, FWD_TOL, `${label} y`);
  expectClose(await be.download(outs[1]), rstd.data, FWD_TOL, `${label} rstd`);
  const gr = f32(Float64Array.from(await be.download(outs[1])));
  const [dx, dgamma] = rmsNormBackwardRef([host(shape, x), host([C], gamma), host([rows], gr), host(shape, dy)]);
  const grads = await rmsNormBackward(be, tx, tg, outs[1], tdy);
  expect(grads.map((t) => t.shape)).toEqual([shape, [C]]);
  expectClose(await be.download(grads[0]), dx.data, BWD_TOL, `${label} dx`);
  expectClose(
    await be.download(grads[1]),
    dgamma.data,
    { atol: BWD_TOL.atol * Math.sqrt(rows), rtol: BWD_TOL.rtol },
    `${label} dgamma`,
  );
  [tx, tg, tdy, ...outs, ...grads].forEach((t) => t.dispose());
}

describe('rmsNorm', () => {
  it('pinned case: x = [3, 4], gamma = [1, 2], dy = [1, 0]', async () => {
    const be = await testBackend();
    const k = 1 / Math.sqrt(12.5); // mean(x²) = 12.5, eps = 0, k² = 0.08
    const x = be.upload([3, 4], [1, 2]);
    const gamma = be.upload([1, 2], [2]);
    const [y, rstd] = await rmsNorm(be, x, gamma, { eps: 0 });
    const tol = { atol: 1e-6, rtol: 1e-6 }; // a handful of f32 operations on small integers
    expectClose(await be.download(y), [3 * k, 8 * k], tol, 'y');
    expectClose(await be.download(rstd), [k], tol, 'rstd');
    // g = [1, 0], mean(g·x̂) = 1.5k, dx = k·([1, 0] − [3k, 4k]·1.5k) = k·[0.64, −0.48]; dgamma = [3k, 0].
    const [dx, dg] = await rmsNormBackward(be, x, gamma, rstd, be.upload([1, 0], [1, 2]));
    expectClose(await be.download(dx), [0.64 * k, -0.48 * k], tol, 'dx');
    expectClose(await be.download(dg), [3 * k, 0], tol, 'dgamma');
  });

  it('matches the float64 reference on ragged shapes, forward and backward', async () => {
    const r = rng(41);
    const shapes = [
      [1],
      [3, 1],
      [2, 5, 7],
      [4, 255],
      [3, 257],
      [2, 1024],
      [70, 33],
      [3, 2049],
      [randInt(1, 40, r), randInt(1, 600, r)],
    ];
    let seed = 800;
    for (const [i, shape] of shapes.entries()) await check(shape, i % 2 ? 1e-6 : 1e-5, (seed += 3));
  });

  it('reference backward agrees with central differences', () => {
    const shape = [3, 5];
    const x = randn(15, 1);
    const gamma = randn(5, 2);
    const w = randn(15, 3);
    const eps = 1e-6;
    const fwd = (xx: Float64Array, g: Float64Array) =>
      rmsNormRef([host(shape, xx), host([5], g)], { eps })[0].data as Float64Array;
    const [, rstd] = rmsNormRef([host(shape, x), host([5], gamma)], { eps });
    const [dx, dg] = rmsNormBackwardRef([host(shape, x), host([5], gamma), rstd, host(shape, w)]);
    expectGradMatches(
      dx.data,
      numericGrad((v) => fwd(v, gamma), x, w),
      'dx',
    );
    expectGradMatches(
      dg.data,
      numericGrad((v) => fwd(x, v), gamma, w),
      'dgamma',
    );
  });
});
