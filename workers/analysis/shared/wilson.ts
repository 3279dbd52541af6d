// Wilson score interval for a binomial proportion (Wilson 1927): the confidence interval reported with every
// stereotype / unknown / other rate of Study B. Unlike the normal approximation it stays inside [0, 1].
import type { Proportion } from '../../contract/results/geo-unlearning';

/** z for a two-sided 95% interval (the 0.975 quantile of the standard normal). */
export const Z95 = 1.959963984540054;

export function wilsonInterval(options: { successes: number; total: number; z?: number }): Proportion {
  const { successes: k, total: n } = options;
  const z = options.z ?? Z95;
  if (!Number.isInteger(k) || !Number.isInteger(n) || k < 0 || n < 0 || k > n)
    throw new Error(`wilsonInterval: need integers 0 ≤ successes ≤ total, got ${k}/${n}`);
  // No observations: the rate is undefined and the interval is the whole range.
  if (n === 0) return { successes: 0, total: 0, rate: NaN, low: 0, high: 1 };
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { successes: k, total: n, rate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}
