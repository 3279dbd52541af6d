// Rank statistics of the RSA (workers/analysis/shared/correlation.ts) against hand-computed values, scipy's
// conventions for ties (average ranks) and constant inputs (NaN), and the two NaN aggregation policies.
import { describe, expect, it } from 'vitest';
import { aggregateMean, averageRanks, pearson, spearman } from '../../workers/analysis/shared/correlation';

describe('averageRanks', () => {
  it('gives tied values the mean of their ranks', () => {
    // sorted: 1(idx3) 2(idx1) 2(idx4) 3(idx0) 5(idx2) → ranks 1, 2.5, 2.5, 4, 5
    expect([...averageRanks([3, 2, 5, 1, 2])]).toEqual([4, 2.5, 5, 1, 2.5]);
    expect([...averageRanks([7, 7, 7])]).toEqual([2, 2, 2]);
  });
  it('returns NaN ranks when an input is NaN', () => {
    expect(averageRanks([1, NaN]).every(Number.isNaN)).toBe(true);
  });
});

describe('spearman', () => {
  it('matches a hand computation with ties', () => {
    // x = [1,2,2,3] → ranks [1,2.5,2.5,4]; y = [1,3,2,4] → ranks [1,3,2,4].
    // centred: x [-1.5,0,0,1.5], y [-1.5,0.5,-0.5,1.5]; Σxy = 4.5; Σx² = 4.5; Σy² = 5 → ρ = 4.5/√22.5
    expect(spearman([1, 2, 2, 3], [1, 3, 2, 4])).toBeCloseTo(4.5 / Math.sqrt(22.5), 14);
  });
  it('is ±1 for monotone relations and NaN for a constant input (scipy)', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 25, 100])).toBe(1);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
    expect(spearman([1, 2, 3], [5, 5, 5])).toBeNaN();
  });
  it('pearson of a small case by hand', () => {
    // x [1,2,3], y [2,4,7]: centred y [-2.333,-0.333,2.667]; Σxy = 5; Σx² = 2; Σy² = 12.6667
    expect(pearson([1, 2, 3], [2, 4, 7])).toBeCloseTo(5 / Math.sqrt(2 * (38 / 3)), 14);
  });
});

describe('aggregateMean', () => {
  it("'propagate' is np.mean (NaN wins); 'omit' is np.nanmean with the count", () => {
    expect(aggregateMean([0.5, NaN, 1], 'propagate')).toEqual({ mean: NaN, nanCount: 1 });
    expect(aggregateMean([0.5, NaN, 1], 'omit')).toEqual({ mean: 0.75, nanCount: 1 });
    expect(aggregateMean([NaN], 'omit').mean).toBeNaN();
  });
});
