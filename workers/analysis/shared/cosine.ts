// Cosine similarity between the rows of a profile matrix, in the two flavours the studies use:
// seed A's sklearn.metrics.pairwise.cosine_similarity and Choenni's rsa.py `1 − (cdist(cosine) + 1e-11)` / max.

export type Matrix = number[][];

function norm(v: readonly number[]): number {
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s);
}

function dot(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new Error(`cosine: vector lengths differ (${a.length} vs ${b.length})`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Cosine of two vectors; a zero vector gives 0 (sklearn's convention: zero norms are treated as 1). */
export function cosine(a: readonly number[], b: readonly number[]): number {
  const na = norm(a) || 1;
  const nb = norm(b) || 1;
  return dot(a, b) / (na * nb);
}

/** sklearn cosine_similarity(X): rows normalised (zero rows stay zero), then X·Xᵀ. */
export function cosineSimilarityMatrix(rows: Matrix): Matrix {
  return rows.map((a) => rows.map((b) => cosine(a, b)));
}

/**
 * Choenni's rsa.py get_dists: C = 1 − (cdist(X, X, 'cosine') + 1e-11), then C /= C.max().
 * scipy's cosine distance of a zero vector is NaN; np.max of an array holding NaN is NaN, so one zero row makes
 * the whole matrix NaN. That is reproduced on purpose (faithful); callers drop undefined profiles beforehand.
 */
export function choenniSimilarityMatrix(rows: Matrix): Matrix {
  const c = rows.map((a) =>
    rows.map((b) => {
      const na = norm(a);
      const nb = norm(b);
      const dist = na === 0 || nb === 0 ? NaN : 1 - dot(a, b) / (na * nb);
      return 1 - (dist + 1e-11);
    }),
  );
  let max = -Infinity;
  for (const r of c) for (const v of r) max = Number.isNaN(v) || Number.isNaN(max) ? NaN : Math.max(max, v);
  return c.map((r) => r.map((v) => v / max));
}
