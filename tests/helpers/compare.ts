// |actual − expected| ≤ atol + rtol·|expected|, elementwise, reporting the worst offender.
import { expect } from 'vitest';

export interface Tolerance {
  atol: number;
  rtol: number;
}

export function maxViolation(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance) {
  let worst = { index: -1, excess: -Infinity, actual: 0, expected: 0, maxAbs: 0 };
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const diff = Math.abs(a - e);
    const excess = Number.isNaN(diff) ? Infinity : diff - (tol.atol + tol.rtol * Math.abs(e));
    worst.maxAbs = Math.max(worst.maxAbs, Number.isNaN(diff) ? Infinity : diff);
    if (excess > worst.excess) worst = { ...worst, index: i, excess, actual: a, expected: e };
  }
  return worst;
}

export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tolerance,
  label = '',
): number {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  const w = maxViolation(actual, expected, tol);
  if (w.excess > 0)
    throw new Error(
      `${label}: element ${w.index} is ${w.actual}, expected ${w.expected} (|diff| ${Math.abs(w.actual - w.expected)} > atol ${tol.atol} + rtol ${tol.rtol}·|ref|)`,
    );
  return w.maxAbs;
}
