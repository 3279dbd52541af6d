import { describe, expect, it } from 'vitest';
import type { Backend, Tensor } from '../backend/backend';
import { expectClose } from '../../tests/helpers/compare';
import { testBackend } from '../../tests/helpers/gpu';
import { f32, randn } from '../../tests/helpers/random';
import { matmul } from '../kernels/matmul/matmul';
import { accumulateGrad, param, type Param } from '../nn/param';
import { AdamWOptimizer } from './adamw-optimizer';
import { clipGradNorm } from './clip';
import { linearScheduleWithWarmup } from './schedules';
import { trainStep } from './step';

const [K, N] = [5, 3];

interface Batch {
  x: Float64Array; // [M, K]
  y: Float64Array; // [M, N]
  M: number;
}

/** Least squares: loss = mean over the M·N entries of (x·W − y)², dW = 2/(M·N) · xᵀ(x·W − y). The forward
 *  and the weight gradient run on the matmul op, the residual on the host, the accumulation on addScaled. */
class LeastSquares {
  readonly p: Param;
  constructor(
    private readonly be: Backend,
    w0: Float64Array,
  ) {
    this.p = param('W', be.upload(w0, [K, N]));
  }
  params(): Param[] {
    return [this.p];
  }
  /** The loss of one micro-batch; its gradient is added into W's (so micro-batches sum). */
  lossAndGrad = async ({ x, y, M }: Batch): Promise<number> => {
    const tx = this.be.upload(x, [M, K]);
    const pred = await this.be.download(await matmul(this.be, tx, this.p.value));
    const r = new Float64Array(M * N);
    let loss = 0;
    for (let i = 0; i < M * N; i++) {
      r[i] = pred[i] - y[i];
      loss += r[i] * r[i];
    }
    const tr = this.be.upload(r, [M, N]);
    await accumulateGrad(this.be, this.p, await matmul(this.be, tx, tr, { transA: true, alpha: 2 / (M * N) }));
    [tx, tr].forEach((t: Tensor) => t.dispose());
    return loss / (M * N);
  };
}

function makeBatch(M: number, seed: number, wTrue: Float64Array): Batch {
  const x = f32(randn(M * K, seed));
  const y = new Float64Array(M * N);
  for (let m = 0; m < M; m++)
    for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) y[m * N + n] += x[m * K + k] * wTrue[k * N + n];
  const noise = randn(M * N, seed + 1, 0.01);
  return { x, y: f32(y.map((v, i) => v + noise[i])), M };
}

const concat = (a: Batch, b: Batch): Batch => ({
  x: Float64Array.from([...a.x, ...b.x]),
  y: Float64Array.from([...a.y, ...b.y]),
  M: a.M + b.M,
});
const wTrue = randn(K * N, 99);
const w0 = f32(randn(K * N, 7, 0.1));

describe('trainStep', () => {
  it('decreases the least-squares loss under AdamW with a linear schedule and clipping', async () => {
    const be = await testBackend();
    const model = new LeastSquares(be, w0);
    const opt = new AdamWOptimizer(be, model.params(), { weightDecay: 0 });
    const schedule = linearScheduleWithWarmup({ lr: 0.2, warmupSteps: 3, totalSteps: 60 });
    const batches = [makeBatch(8, 1, wTrue), makeBatch(8, 3, wTrue)];
    const losses: number[] = [];
    for (let s = 0; s < 60; s++) {
      const res = await trainStep(be, {
        lossAndGrad: model.lossAndGrad,
        optimizer: opt,
        microBatches: batches,
        schedule,
        maxGradNorm: 5,
      });
      expect(res.lr).toBeCloseTo(schedule.lrAt(s), 12);
      expect(res.step).toBe(s + 1);
      losses.push(res.loss);
    }
    expect(losses[1]).toBe(losses[0]); // warmup: the first update has lr 0
    expect(losses.at(-1)!).toBeLessThan(0.02 * losses[0]);
  });

  it('accumulating two micro-batches equals one batch made of both (with clipping active)', async () => {
    const be = await testBackend();
    const [b1, b2] = [makeBatch(4, 11, wTrue), makeBatch(4, 13, wTrue)];
    const run = async (microBatches: Batch[]) => {
      const model = new LeastSquares(be, w0);
      // A large eps makes the update depend on the gradient's scale (Adam is otherwise scale-invariant), so a
      // wrong 1/micro-batches factor would show in the parameters, not only in the reported norm.
      const opt = new AdamWOptimizer(be, model.params(), { eps: 0.5 });
      const results = [];
      for (let s = 0; s < 3; s++)
        results.push(
          await trainStep(be, {
            lossAndGrad: model.lossAndGrad,
            optimizer: opt,
            microBatches,
            lr: 0.05,
            maxGradNorm: 1,
          }),
        );
      return { results, w: await be.download(model.p.value) };
    };
    const acc = await run([b1, b2]);
    const one = await run([concat(b1, b2)]);
    expect(acc.results[0].clipScale).toBeLessThan(1); // clipping is in play
    // f32 sums in a different grouping: a few ulp of the losses, norms and parameters.
    acc.results.forEach((r, i) => {
      expect(Math.abs(r.loss - one.results[i].loss)).toBeLessThan(1e-6 * one.results[i].loss);
      expect(Math.abs(r.gradNorm! - one.results[i].gradNorm!)).toBeLessThan(1e-5 * one.results[i].gradNorm!);
    });
    expectClose(acc.w, one.w, { atol: 1e-6, rtol: 1e-6 }, 'parameters after 3 steps');
  });

  it('clipGradNorm matches torch: norm over all grads and min(1, maxNorm / (norm + 1e-6))', async () => {
    const be = await testBackend();
    const grads = [be.upload([3, 0], [2]), be.upload([4], [1])]; // norm 5
    expect(await clipGradNorm(be, grads, 1)).toEqual({ norm: 5, scale: 1 / (5 + 1e-6) });
    expect(await clipGradNorm(be, grads, 10)).toEqual({ norm: 5, scale: 1 });
    expect((await clipGradNorm(be, grads, 1, { preScale: 0.5 })).norm).toBe(2.5);
  });

  it('an aborted step throws and leaves the parameters untouched', async () => {
    const be = await testBackend();
    const model = new LeastSquares(be, w0);
    const opt = new AdamWOptimizer(be, model.params());
    const ctl = new AbortController();
    ctl.abort();
    await expect(
      trainStep(be, {
        lossAndGrad: model.lossAndGrad,
        optimizer: opt,
        microBatches: [makeBatch(2, 1, wTrue)],
        lr: 0.1,
        signal: ctl.signal,
      }),
    ).rejects.toThrow();
    expect(Array.from(await be.download(model.p.value))).toEqual(Array.from(Float32Array.from(w0)));
    expect(opt.stepCount).toBe(0);
  });

  it('optimizer state()/load() resumes exactly where it left off', async () => {
    const be = await testBackend();
    const batch = [makeBatch(6, 21, wTrue)];
    const a = new LeastSquares(be, w0);
    const optA = new AdamWOptimizer(be, a.params());
    for (let s = 0; s < 2; s++)
      await trainStep(be, { lossAndGrad: a.lossAndGrad, optimizer: optA, microBatches: batch, lr: 0.05 });
    // Resume into a fresh model and optimizer from the downloaded weights and moments.
    const b = new LeastSquares(be, Float64Array.from(await be.download(a.p.value)));
    const optB = new AdamWOptimizer(be, b.params());
    optB.load(await optA.state());
    expect(optB.stepCount).toBe(2);
    await trainStep(be, { lossAndGrad: a.lossAndGrad, optimizer: optA, microBatches: batch, lr: 0.05 });
    await trainStep(be, { lossAndGrad: b.lossAndGrad, optimizer: optB, microBatches: batch, lr: 0.05 });
    expect(Array.from(await be.download(b.p.value))).toEqual(Array.from(await be.download(a.p.value)));
    expect(() => optB.load({ step: 1, m: {}, v: {} })).toThrow(/no moments/);
  });
});
