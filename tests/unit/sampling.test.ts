// models/common/sampling.ts: greedy ties, seeded reproducibility, top-k, top-p on a hand-computed case, the
// temperature limit, and empirical frequencies against the renormalised distribution (chi-square bound).
import { describe, expect, it } from 'vitest';
import { argmax, Sampler } from '../../models/common/sampling';
import { seededRng } from '../../workers/analysis/shared/rng';

const draws = (s: Sampler, row: ArrayLike<number>, n: number) => Array.from({ length: n }, () => s.next(row));
const counts = (ids: number[], V: number) => ids.reduce((c, i) => (c[i]++, c), new Array<number>(V).fill(0));

/** Pearson's statistic Σ (observed − expected)² / expected over the cells with expected mass. */
function chiSquare(observed: number[], probs: number[], n: number): number {
  return probs.reduce((s, p, i) => (p > 0 ? s + (observed[i] - n * p) ** 2 / (n * p) : s), 0);
}

/** Softmax of logits / t restricted to `keep` (the distribution the sampler should draw from), in float64. */
function renormalised(logits: number[], t: number, keep: number[]): number[] {
  const m = Math.max(...keep.map((i) => logits[i] / t));
  const w = logits.map((l, i) => (keep.includes(i) ? Math.exp(l / t - m) : 0));
  const z = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / z);
}

describe('Sampler', () => {
  it('greedy is argmax and the lowest id wins ties', () => {
    expect(argmax([1, 3, 3, 2])).toBe(1);
    expect(argmax([-5, -1, -1])).toBe(1);
    expect(argmax([7])).toBe(0);
    const g = new Sampler();
    expect(g.greedy).toBe(true);
    expect(g.next([0.5, 2, -1, 2])).toBe(1);
    expect(new Sampler({ temperature: 0, seed: 9 }).next([0, 0, 4, 4])).toBe(2);
  });

  it('draws are reproducible from the seed, and the seed matters', () => {
    const rand = seededRng(11);
    const rows = Array.from({ length: 300 }, () => Array.from({ length: 17 }, () => 4 * rand() - 2));
    const run = (seed: number) => {
      const s = new Sampler({ temperature: 0.9, topK: 10, topP: 0.95, seed });
      return rows.map((r) => s.next(r));
    };
    const a = run(5);
    expect(run(5)).toEqual(a);
    expect(run(6)).not.toEqual(a);
    // Not degenerate: a fair share of distinct ids over 300 draws.
    expect(new Set(a).size).toBeGreaterThan(5);
  });

  it('top-k = 1 is greedy at any temperature (ties included)', () => {
    const rand = seededRng(3);
    const s = new Sampler({ temperature: 5, topK: 1, seed: 1 });
    for (let i = 0; i < 200; i++) {
      const row = Array.from({ length: 31 }, () => Math.round(6 * rand())); // small integers: many ties
      expect(s.next(row)).toBe(argmax(row));
    }
  });

  it('top-k keeps exactly the k largest logits', () => {
    const logits = [0.1, 2.0, -1.0, 1.5, 1.9, 0.0];
    const got = new Set(draws(new Sampler({ temperature: 10, topK: 3, seed: 2 }), logits, 3000));
    expect([...got].sort()).toEqual([1, 3, 4]);
  });

  it('top-p keeps the smallest prefix whose mass reaches p (hand-computed)', () => {
    // p = [.5, .3, .15, .05] at temperature 1. Cumulative: .5, .8, .95, 1.
    const probs = [0.5, 0.3, 0.15, 0.05];
    const logits = probs.map(Math.log);
    const n = 20000;
    // top_p .45: .5 already reaches it → only id 0.
    expect(new Set(draws(new Sampler({ temperature: 1, topP: 0.45, seed: 1 }), logits, 500))).toEqual(new Set([0]));
    // top_p .7: {0, 1} (mass .8), renormalised to .625 / .375.
    const c7 = counts(draws(new Sampler({ temperature: 1, topP: 0.7, seed: 2 }), logits, n), 4);
    expect(c7[2] + c7[3]).toBe(0);
    // Binomial sd = √(.625·.375/n) ≈ 0.0034; 4 sd allowed.
    expect(Math.abs(c7[0] / n - 0.625)).toBeLessThan(4 * Math.sqrt((0.625 * 0.375) / n));
    // top_p .9: {0, 1, 2} (mass .95): id 3 never appears; the other three in proportion .5 : .3 : .15.
    const c9 = counts(draws(new Sampler({ temperature: 1, topP: 0.9, seed: 3 }), logits, n), 4);
    expect(c9[3]).toBe(0);
    // df = 2; the 0.999 quantile of χ²(2) is 13.8.
    expect(chiSquare(c9, [0.5 / 0.95, 0.3 / 0.95, 0.15 / 0.95, 0], n)).toBeLessThan(13.8);
  });

  it('temperature → 0+ approaches greedy', () => {
    const logits = [0.3, 1.0, 0.99, -2, 0.5];
    const share = (t: number) => counts(draws(new Sampler({ temperature: t, seed: 4 }), logits, 4000), 5)[1] / 4000;
    const shares = [1, 0.1, 0.01, 1e-4].map(share);
    // The argmax's share grows as the temperature falls (at 1e-4 the runner-up is e^−100 less likely).
    for (let i = 1; i < shares.length; i++) expect(shares[i]).toBeGreaterThanOrEqual(shares[i - 1]);
    expect(shares[0]).toBeLessThan(0.5);
    expect(shares[3]).toBe(1);
  });

  it('empirical frequencies match the renormalised distribution (temperature then top-k; chi-square)', () => {
    const logits = [1.2, -0.4, 0.8, 2.1, 0.0, -3.0, 1.7];
    const n = 30000;
    const cases: { t: number; topK?: number; keep: number[] }[] = [
      { t: 1, keep: [0, 1, 2, 3, 4, 5, 6] },
      { t: 1.5, topK: 4, keep: [3, 6, 0, 2] },
      { t: 0.6, topK: 5, keep: [3, 6, 0, 2, 4] },
    ];
    cases.forEach(({ t, topK, keep }, i) => {
      const c = counts(draws(new Sampler({ temperature: t, topK, seed: 100 + i }), logits, n), logits.length);
      const p = renormalised(logits, t, keep);
      logits.forEach((_, id) => !keep.includes(id) && expect(c[id], `excluded id ${id}`).toBe(0));
      // 0.999 quantiles of χ²: df 6 → 22.46, df 3 → 16.27, df 4 → 18.47. A sampler that ignored the temperature
      // (case 2 or 3) would score ≈ 690 and ≈ 4,700 here (expected counts worked out at temperature 1).
      const bound = { 6: 22.46, 3: 16.27, 4: 18.47 }[keep.length - 1]!;
      expect(chiSquare(c, p, n), `case ${i}`).toBeLessThan(bound);
    });
  });
});
