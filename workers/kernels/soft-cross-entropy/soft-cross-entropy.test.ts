import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../backend/backend';
import { expectClose } from '../../../tests/helpers/compare';
import { testBackend } from '../../../tests/helpers/gpu';
import { expectGradMatches, numericGrad } from '../../../tests/helpers/gradcheck';
import { f32, randInt, randn, rng } from '../../../tests/helpers/random';
import { softCrossEntropy, softCrossEntropyBackward } from './soft-cross-entropy';
import { softCrossEntropyBackwardRef, softCrossEntropyRef } from './soft-cross-entropy.ref';

// loss: two f32 logsumexps (a few ulps of ~20) and a probability-weighted f32 sum of log-probs.
const LOSS_TOL = { atol: 2e-5, rtol: 1e-5 };
// dlogits: w·(p − p_ref) where p ≈ p_ref cancels, so the error is that of the terms, ~1e-6·|w|·p with
// p ≤ 1 and |w| ≲ 3 here, not of their difference (measured ≤ 4.5e-7).
const GRAD_TOL = { atol: 1e-6, rtol: 1e-5 };

const host = (shape: number[], data: Float64Array): HostTensor => ({ shape, dtype: 'f32', data });

async function check(N: number, V: number, seed: number, weighted: boolean, eps = 0) {
  const be = await testBackend();
  const logits = f32(randn(N * V, seed, 3));
  // The reference model is a perturbed copy of the trained one, as in unlearning.
  const ref = f32(randn(N * V, seed + 1, 1).map((v, i) => logits[i] + v));
  const weights = f32(randn(N, seed + 2));
  const hl = host([N, V], logits);
  const hr = host([N, V], ref);
  const [loss] = softCrossEntropyRef([hl, hr], { eps });
  const [tl, tr, tw] = [be.upload(logits, [N, V]), be.upload(ref, [N, V]), be.upload(weights, [N])];
  const label = `softCrossEntropy N=${N} V=${V} weighted=${weighted} eps=${eps}`;
  const gl = await softCrossEntropy(be, tl, tr, { eps });
  expect(gl.shape).toEqual([N]);
  expectClose(await be.download(gl), loss.data, LOSS_TOL, `${label} loss`);
  const [dRef] = softCrossEntropyBackwardRef([hl, hr, host([N], weights)], { scale: 0.6, hasWeights: weighted, eps });
  const d = await softCrossEntropyBackward(be, tl, tr, { scale: 0.6, eps }, weighted ? tw : undefined);
  expectClose(await be.download(d), dRef.data, GRAD_TOL, `${label} dlogits`);
  [tl, tr, tw, gl, d].forEach((t) => t.dispose());
}

describe('softCrossEntropy', () => {
  it('pinned case: p_ref = [1/4, 3/4] against uniform and against itself', async () => {
    const be = await testBackend();
    const tol = { atol: 1e-6, rtol: 1e-6 }; // a few f32 exps and logs of small numbers
    const logits = be.upload([0, 0, 0, Math.log(3)], [2, 2]);
    const ref = be.upload([0, Math.log(3), 0, Math.log(3)], [2, 2]);
    // Row 0: −Σ p_ref · log(1/2) = ln 2. Row 1: the entropy of p_ref, −(¼ ln ¼ + ¾ ln ¾).
    const entropy = -(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75));
    expectClose(await be.download(await softCrossEntropy(be, logits, ref)), [Math.log(2), entropy], tol, 'loss');
    const d = await softCrossEntropyBackward(be, logits, ref, { scale: 2 });
    expectClose(await be.download(d), [0.5, -0.5, 0, 0], tol, 'dlogits');
  });

  it('matches the float64 reference on ragged shapes, with scale or per-row weights', async () => {
    const r = rng(71);
    const cases: [number, number, boolean][] = [
      [1, 1, false],
      [5, 2, true],
      [3, 255, false],
      [4, 257, true],
      [randInt(1, 12, r), randInt(2, 900, r), true],
      [70, 9, false],
      [2, 3001, false],
      [2, 30011, true],
    ];
    for (const [i, [N, V, w]] of cases.entries()) await check(N, V, 1300 + 3 * i, w);
  });

  it("with eps inside the log (the study's log(q + 1e-12)) matches the reference, and differs from eps 0 where q ≪ eps", async () => {
    // A large eps makes every term differ from log-softmax; the study's 1e-12 on the same shapes.
    for (const [i, [N, V, w, eps]] of (
      [
        [3, 7, true, 0.05],
        [4, 257, false, 0.01],
        [2, 3001, true, 1e-3],
        [5, 300, false, 1e-12],
      ] as const
    ).entries())
      await check(N, V, 1400 + 3 * i, w, eps);
    // Where the current model gives a token ~e^-60 that the reference gives 1/2, the log is clamped at log 1e-12.
    const be = await testBackend();
    const logits = be.upload([0, -60], [1, 2]);
    const ref = be.upload([0, 0], [1, 2]);
    const exact = (await be.download(await softCrossEntropy(be, logits, ref)))[0];
    const clamped = (await be.download(await softCrossEntropy(be, logits, ref, { eps: 1e-12 })))[0];
    expect(exact).toBeCloseTo(0.5 * 60, 3); // −½·log(1) − ½·log(e^-60), q(0) ≈ 1
    expect(clamped).toBeCloseTo(-0.5 * Math.log(1 + 1e-12) - 0.5 * Math.log(Math.exp(-60) + 1e-12), 3);
    await expect(softCrossEntropy(be, logits, ref, { eps: -1 })).rejects.toThrow(/eps must be in \[0, 1\)/);
  });

  it('reference: backward agrees with central differences; loss = KL(p_ref ‖ p) + H(p_ref)', () => {
    const [N, V] = [3, 5];
    const logits = randn(N * V, 1, 2);
    const ref = host([N, V], randn(N * V, 2, 2));
    const w = randn(N, 3);
    const f = (x: Float64Array) => softCrossEntropyRef([host([N, V], x), ref])[0].data as Float64Array;
    const [d] = softCrossEntropyBackwardRef([host([N, V], logits), ref, host([N], w)], { hasWeights: true });
    expectGradMatches(d.data, numericGrad(f, logits, w), 'dlogits (weighted)');
    const [ds] = softCrossEntropyBackwardRef([host([N, V], logits), ref], { scale: 0.3 });
    expectGradMatches(ds.data, numericGrad(f, logits, new Float64Array(N).fill(0.3)), 'dlogits (scale)');
    for (const eps of [0.2, 1e-3]) {
      const fe = (x: Float64Array) => softCrossEntropyRef([host([N, V], x), ref], { eps })[0].data as Float64Array;
      const [de] = softCrossEntropyBackwardRef([host([N, V], logits), ref, host([N], w)], { hasWeights: true, eps });
      expectGradMatches(de.data, numericGrad(fe, logits, w), `dlogits (eps ${eps})`);
    }
    const loss = f(logits);
    for (let i = 0; i < N; i++) {
      const p = Array.from(ref.data.subarray(i * V, (i + 1) * V), Math.exp);
      const q = Array.from(logits.subarray(i * V, (i + 1) * V), Math.exp);
      const [sp, sq] = [p.reduce((a, b) => a + b), q.reduce((a, b) => a + b)];
      let kl = 0;
      let h = 0;
      for (let v = 0; v < V; v++) {
        kl += (p[v] / sp) * Math.log(p[v] / sp / (q[v] / sq));
        h -= (p[v] / sp) * Math.log(p[v] / sp);
      }
      expect(Math.abs(loss[i] - (kl + h))).toBeLessThan(1e-12);
    }
  });
});
