import { describe, expect, it } from 'vitest';
import {
  constantSchedule,
  constantScheduleWithWarmup,
  cosineScheduleWithWarmup,
  linearScheduleWithWarmup,
  makeSchedule,
} from './schedules';

// Hand-computed from the transformers lambdas; pure float64 arithmetic, so only rounding of cos/division.
const near = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThan(1e-15);

describe('learning-rate schedules', () => {
  it('constant', () => {
    const s = constantSchedule({ lr: 0.5 });
    [0, 1, 1000].forEach((t) => expect(s.lrAt(t)).toBe(0.5));
  });

  it('constant with warmup: 0, 1/4, 2/4, 3/4 of lr, then lr', () => {
    const s = constantScheduleWithWarmup({ lr: 2, warmupSteps: 4 });
    expect([0, 1, 2, 3, 4, 9].map((t) => s.lrAt(t))).toEqual([0, 0.5, 1, 1.5, 2, 2]);
  });

  it('linear with warmup 2 over 10 steps: up to lr at step 2, then down by lr/8 per step to 0', () => {
    const s = linearScheduleWithWarmup({ lr: 1, warmupSteps: 2, totalSteps: 10 });
    const want = [0, 0.5, 1, 7 / 8, 6 / 8, 5 / 8, 4 / 8, 3 / 8, 2 / 8, 1 / 8, 0, 0];
    want.forEach((w, t) => near(s.lrAt(t), w));
  });

  it('cosine with warmup 1 over 5 steps: half cosine from lr to 0', () => {
    const s = cosineScheduleWithWarmup({ lr: 1, warmupSteps: 1, totalSteps: 5 });
    // progress (t − 1)/4 → 0.5·(1 + cos(π·progress)): 1, (1 + √½)/2, ½, (1 − √½)/2, 0
    const h = Math.SQRT1_2;
    [0, 1, (1 + h) / 2, 0.5, (1 - h) / 2, 0].forEach((w, t) => near(s.lrAt(t), w));
    // Past the end the clamp at 0 holds only for numCycles 0.5 within one period; step 7: progress 1.5 → ½.
    near(s.lrAt(7), 0.5);
  });

  it('warmup of 0 steps starts at full lr; makeSchedule dispatches by kind', () => {
    expect(linearScheduleWithWarmup({ lr: 3, warmupSteps: 0, totalSteps: 3 }).lrAt(0)).toBe(3);
    expect(makeSchedule({ kind: 'cosine', lr: 1, warmupSteps: 0, totalSteps: 2 }).lrAt(1)).toBeCloseTo(0.5, 15);
    expect(makeSchedule({ kind: 'constant-with-warmup', lr: 1, warmupSteps: 2 }).lrAt(1)).toBe(0.5);
  });
});
