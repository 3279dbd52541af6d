import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../backend/backend';
import { expectClose } from '../../../tests/helpers/compare';
import { testBackend } from '../../../tests/helpers/gpu';
import { expectGradMatches, numericGrad } from '../../../tests/helpers/gradcheck';
import { f32, randInt, randn, rng } from '../../../tests/helpers/random';
import { crossEntropy, crossEntropyBackward, tokenLogprobs } from './cross-entropy';
import { crossEntropyBackwardRef, crossEntropyRef, tokenLogprobsRef } from './cross-entropy.ref';

// loss, lse, log-probs: f32 logsumexp of |logits| ≲ 15 over up to 30k terms: a few ulps of ~20.
const LOSS_TOL = { atol: 1e-5, rtol: 1e-6 };
// dlogits = w·(p − onehot): p = exp(logit − lse) carries ~1e-6 relative error, which at the label (p − 1 can
// cancel) is ~1e-7·|w| absolute with |w| ≲ 3 here (measured ≤ 1.3e-7).
const GRAD_TOL = { atol: 1e-6, rtol: 1e-5 };

const host = (shape: number[], data: Float64Array | Int32Array, dtype: 'f32' | 'i32' = 'f32'): HostTensor => ({
  shape,
  dtype,
  data,
});

async function check(N: number, V: number, seed: number, ignoreIndex: number | undefined, weighted: boolean) {
  const be = await testBackend();
  const r = rng(seed);
  const logits = f32(randn(N * V, seed, 3));
  const ign = ignoreIndex ?? -100;
  const labels = Int32Array.from({ length: N }, (_, i) => (i % 4 === 3 ? ign : i === 0 ? V - 1 : randInt(0, V - 1, r)));
  const weights = f32(randn(N, seed + 1));
  const hl = host([N, V], logits);
  const hy = host([N], labels, 'i32');
  const [loss, lse] = crossEntropyRef([hl, hy], { ignoreIndex });
  const tl = be.upload(logits, [N, V]);
  const ty = be.upload(labels, [N], 'i32');
  const tw = be.upload(weights, [N]);
  const label = `crossEntropy N=${N} V=${V} ignore=${ignoreIndex} weighted=${weighted}`;
  const [gl, glse] = await crossEntropy(be, tl, ty, ignoreIndex === undefined ? {} : { ignoreIndex });
  expectClose(await be.download(gl), loss.data, LOSS_TOL, `${label} loss`);
  expectClose(await be.download(glse), lse.data, LOSS_TOL, `${label} lse`);
  // Backward from the GPU's lse, against the reference given the same f32 lse.
  const lseGot = host([N], f32(Float64Array.from(await be.download(glse))));
  const attrs = { scale: 0.37, ignoreIndex, hasWeights: weighted };
  const [dRef] = crossEntropyBackwardRef([hl, hy, lseGot, host([N], weights)], attrs);
  const d = await crossEntropyBackward(be, tl, ty, glse, { scale: 0.37, ignoreIndex }, weighted ? tw : undefined);
  expect(d.shape).toEqual([N, V]);
  expectClose(await be.download(d), dRef.data, GRAD_TOL, `${label} dlogits`);
  // Token log-probs use label < 0 as "skip" whatever the ignore index.
  const [lpRef] = tokenLogprobsRef([hl, hy]);
  const lp = await tokenLogprobs(be, tl, ty);
  expectClose(await be.download(lp), lpRef.data, LOSS_TOL, `${label} tokenLogprobs`);
  [tl, ty, tw, gl, glse, d, lp].forEach((t) => t.dispose());
}

describe('crossEntropy', () => {
  it('pinned case: uniform row, [0, ln 3] row, ignored row; backward with scale; token log-probs', async () => {
    const be = await testBackend();
    const tol = { atol: 1e-6, rtol: 1e-6 }; // a few f32 exps and logs of small numbers
    const logits = be.upload([0, 0, 0, Math.log(3), 5, 5], [3, 2]);
    const labels = be.upload([0, 1, -100], [3], 'i32');
    const [loss, lse] = await crossEntropy(be, logits, labels);
    expectClose(await be.download(loss), [Math.log(2), Math.log(4 / 3), 0], tol, 'loss');
    expectClose(await be.download(lse), [Math.log(2), Math.log(4), 5 + Math.log(2)], tol, 'lse');
    const d = await crossEntropyBackward(be, logits, labels, lse, { scale: 0.5 });
    expectClose(await be.download(d), [-0.25, 0.25, 0.125, -0.125, 0, 0], tol, 'dlogits');
    const lp = await tokenLogprobs(be, logits, be.upload([0, 1, -1], [3], 'i32'));
    expectClose(await be.download(lp), [-Math.log(2), Math.log(0.75), 0], tol, 'token log-probs');
  });

  it('gives NaN for a label outside [0, V) that is not the ignore index', async () => {
    const be = await testBackend();
    const [loss] = await crossEntropy(be, be.upload([1, 2, 3, 4], [2, 2]), be.upload([7, 1], [2], 'i32'));
    const got = await be.download(loss);
    expect(Number.isNaN(got[0])).toBe(true);
    expect(Number.isNaN(got[1])).toBe(false);
  });

  it('matches the float64 reference on ragged shapes, custom ignore index and per-row weights', async () => {
    const r = rng(61);
    const cases: [number, number, number | undefined, boolean][] = [
      [1, 1, undefined, false],
      [5, 2, undefined, true],
      [7, 255, 0, false],
      [4, 257, undefined, true],
      [randInt(1, 12, r), randInt(2, 900, r), -1, true],
      [70, 9, undefined, false],
      [3, 2000, undefined, true],
    ];
    for (const [i, [N, V, ign, w]] of cases.entries()) await check(N, V, 1100 + 3 * i, ign, w);
  });

  it('handles vocabulary-sized rows (V = 30,011)', async () => {
    await check(3, 30011, 1200, undefined, false);
    await check(2, 30011, 1201, undefined, true);
  });

  it('reference backward agrees with central differences', () => {
    const [N, V] = [4, 6];
    const logits = randn(N * V, 1, 2);
    const labels = host([N], Int32Array.from([2, -100, 0, 5]), 'i32');
    const w = randn(N, 2);
    const f = (x: Float64Array) => crossEntropyRef([host([N, V], x), labels], {})[0].data as Float64Array;
    const [, lse] = crossEntropyRef([host([N, V], logits), labels], {});
    const [d] = crossEntropyBackwardRef([host([N, V], logits), labels, lse, host([N], w)], { hasWeights: true });
    expectGradMatches(d.data, numericGrad(f, logits, w), 'dlogits (weighted)');
    const [ds] = crossEntropyBackwardRef([host([N, V], logits), labels, lse], { scale: 0.3 });
    expectGradMatches(ds.data, numericGrad(f, logits, new Float64Array(N).fill(0.3)), 'dlogits (scale)');
    const lp = (x: Float64Array) => tokenLogprobsRef([host([N, V], x), labels])[0].data as Float64Array;
    // tokenLogprobs = −loss where counted (no ignore index of its own): its gradient is the negated one.
    const lpGrad = numericGrad(lp, logits, w);
    expectGradMatches(
      d.data.map((v) => -v),
      lpGrad,
      'tokenLogprobs = −loss',
    );
  });
});
