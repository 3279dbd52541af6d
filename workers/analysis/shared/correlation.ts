// Rank statistics used by the RSA of Study A: average ranks with ties (as scipy.stats.rankdata 'average'),
// Pearson, and Spearman = Pearson of the average ranks (as scipy.stats.spearmanr on two 1-D arrays).

/** Ranks 1..n; tied values share the mean of the ranks they span. Any NaN in the input gives all-NaN ranks. */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) if (Number.isNaN(values[i])) return out.fill(NaN);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]] === values[order[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[order[k]] = rank;
    i = j + 1;
  }
  return out;
}

/** Pearson correlation; NaN when either input is constant (zero variance) or contains NaN, like scipy. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) throw new Error(`pearson: lengths differ (${x.length} vs ${y.length})`);
  const n = x.length;
  if (n < 2) return NaN;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return NaN;
  // Clamp: rounding can push |r| a hair above 1 for perfectly (anti)correlated data.
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/** Spearman's rho with average ranks for ties; a constant input gives NaN (scipy warns and returns nan). */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  return pearson(averageRanks(x), averageRanks(y));
}

/** How NaN row correlations are aggregated: 'propagate' = np.mean (one NaN row makes the mean NaN, as the
 * original scripts do); 'omit' = mean over the finite rows only (np.nanmean), with the count reported. */
export type NanPolicy = 'propagate' | 'omit';

export interface MeanResult {
  mean: number;
  /** Number of values that were NaN. */
  nanCount: number;
}

export function aggregateMean(values: readonly number[], policy: NanPolicy): MeanResult {
  let sum = 0;
  let finite = 0;
  let nanCount = 0;
  for (const v of values) {
    if (Number.isNaN(v)) nanCount++;
    else {
      sum += v;
      finite++;
    }
  }
  if (policy === 'propagate' && nanCount > 0) return { mean: NaN, nanCount };
  return { mean: finite === 0 ? NaN : sum / finite, nanCount };
}
