// Float64 central differences, used once per op to prove its reference backward.
import { expect } from 'vitest';

/** d(Σ f(x)·w)/dx by central differences, for a scalar probe with fixed random weights w. */
export function numericGrad(
  f: (x: Float64Array) => Float64Array,
  x: Float64Array,
  w: Float64Array,
  h = 1e-6,
): Float64Array {
  const g = new Float64Array(x.length);
  const probe = (y: Float64Array) => y.reduce((s, v, i) => s + v * w[i], 0);
  for (let i = 0; i < x.length; i++) {
    const old = x[i];
    x[i] = old + h;
    const up = probe(f(x));
    x[i] = old - h;
    const down = probe(f(x));
    x[i] = old;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}

/** Assert an analytic gradient equals central differences to float64 precision (relative to its scale). */
export function expectGradMatches(
  analytic: ArrayLike<number>,
  numeric: ArrayLike<number>,
  label: string,
  tol = 1e-6,
): void {
  let scale = 1e-12;
  for (let i = 0; i < numeric.length; i++) scale = Math.max(scale, Math.abs(numeric[i]));
  let worst = 0;
  for (let i = 0; i < numeric.length; i++) worst = Math.max(worst, Math.abs(analytic[i] - numeric[i]) / scale);
  expect(worst, `${label}: max |analytic − numeric| / max|numeric|`).toBeLessThan(tol);
}
