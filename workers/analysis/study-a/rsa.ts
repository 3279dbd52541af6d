// Study A correlations (methods.md A.3): per category the group×group cosine similarity matrix (RSM), row-wise
// Spearman between two RSMs averaged over rows then categories; the language × language matrix; baseline vs
// fine-tuned; shift vectors Δ = FT − base and the cosine of mean Δ between languages.
import { aggregateMean, spearman, type NanPolicy } from '../shared/correlation';
import { choenniSimilarityMatrix, cosine, cosineSimilarityMatrix, type Matrix } from '../shared/cosine';

export type RsmMethod = 'sklearn' | 'choenni';

/** Profiles of one category: group key (the English name, shared across languages) → profile or undefined. */
export type CategoryProfiles = ReadonlyMap<string, readonly number[] | undefined>;

export interface Exclusion {
  group: string;
  reason: string;
}

export function similarityMatrix(rows: Matrix, method: RsmMethod): Matrix {
  return method === 'choenni' ? choenniSimilarityMatrix(rows) : cosineSimilarityMatrix(rows);
}

export interface RowwiseSpearman {
  /** ρ per row (NaN where a row is constant). */
  rows: number[];
  mean: number;
  nanCount: number;
}

/** Seed A's spearman_correlation: ρ(R1[i,:], R2[i,:]) over full rows (diagonal included), then the mean. */
export function rowwiseSpearman(r1: Matrix, r2: Matrix, nanPolicy: NanPolicy = 'propagate'): RowwiseSpearman {
  if (r1.length !== r2.length) throw new Error(`rowwiseSpearman: ${r1.length} vs ${r2.length} rows`);
  const rows = r1.map((row, i) => spearman(row, r2[i]));
  return { rows, ...aggregateMean(rows, nanPolicy) };
}

export interface CategoryComparison {
  /** Groups used, in the order of `a`. */
  groups: string[];
  excluded: Exclusion[];
  rsmA: Matrix;
  rsmB: Matrix;
  spearman: RowwiseSpearman;
}

/**
 * Compares one category between two runs (two languages, or baseline vs fine-tuned). Only groups with a defined
 * profile on both sides enter; every other group is listed with the reason, never dropped silently.
 */
export function compareCategory(options: {
  a: CategoryProfiles;
  b: CategoryProfiles;
  method?: RsmMethod;
  nanPolicy?: NanPolicy;
  labels?: [string, string];
}): CategoryComparison {
  const [la, lb] = options.labels ?? ['a', 'b'];
  const groups: string[] = [];
  const excluded: Exclusion[] = [];
  for (const [g, pa] of options.a) {
    const pb = options.b.get(g);
    if (!options.b.has(g)) excluded.push({ group: g, reason: `missing in ${lb}` });
    else if (!pa) excluded.push({ group: g, reason: `no lexicon match in ${la}` });
    else if (!pb) excluded.push({ group: g, reason: `no lexicon match in ${lb}` });
    else groups.push(g);
  }
  for (const g of options.b.keys()) if (!options.a.has(g)) excluded.push({ group: g, reason: `missing in ${la}` });
  const method = options.method ?? 'sklearn';
  const rsmA = similarityMatrix(
    groups.map((g) => [...options.a.get(g)!]),
    method,
  );
  const rsmB = similarityMatrix(
    groups.map((g) => [...options.b.get(g)!]),
    method,
  );
  return { groups, excluded, rsmA, rsmB, spearman: rowwiseSpearman(rsmA, rsmB, options.nanPolicy) };
}

/** Profiles of one run: category → group profiles. */
export type RunProfiles = ReadonlyMap<string, CategoryProfiles>;

export interface RunComparison {
  perCategory: Map<string, CategoryComparison>;
  /** Mean of the category scores (report Table 2), aggregated with the same NaN policy. */
  mean: number;
  nanCategories: number;
}

/** All categories present in both runs, then the mean over categories. */
export function compareRuns(options: {
  a: RunProfiles;
  b: RunProfiles;
  method?: RsmMethod;
  nanPolicy?: NanPolicy;
  labels?: [string, string];
}): RunComparison {
  const perCategory = new Map<string, CategoryComparison>();
  for (const [cat, pa] of options.a) {
    const pb = options.b.get(cat);
    if (pb) perCategory.set(cat, compareCategory({ ...options, a: pa, b: pb }));
  }
  const agg = aggregateMean(
    [...perCategory.values()].map((c) => c.spearman.mean),
    options.nanPolicy ?? 'propagate',
  );
  return { perCategory, mean: agg.mean, nanCategories: agg.nanCount };
}

/** Language × language matrix of compareRuns means (symmetric; the diagonal is computed too, ≈ 1). */
export function languageMatrix(options: {
  runs: ReadonlyMap<string, RunProfiles>;
  method?: RsmMethod;
  nanPolicy?: NanPolicy;
}): { languages: string[]; matrix: Matrix } {
  const languages = [...options.runs.keys()];
  const matrix = languages.map((la) =>
    languages.map(
      (lb) =>
        compareRuns({
          a: options.runs.get(la)!,
          b: options.runs.get(lb)!,
          method: options.method,
          nanPolicy: options.nanPolicy,
          labels: [la, lb],
        }).mean,
    ),
  );
  return { languages, matrix };
}

export interface Shift {
  /** Δ = FT − base per group (NRC order), for groups defined in both. */
  perGroup: Map<string, number[]>;
  /** Mean Δ over those groups; undefined when no group qualifies. */
  mean: number[] | undefined;
  excluded: Exclusion[];
}

/** Shift vectors of one category or a whole run flattened to group → profile. */
export function shiftVectors(options: { base: CategoryProfiles; finetuned: CategoryProfiles }): Shift {
  const perGroup = new Map<string, number[]>();
  const excluded: Exclusion[] = [];
  for (const [g, pb] of options.base) {
    const pf = options.finetuned.get(g);
    if (!pb || !pf)
      excluded.push({
        group: g,
        reason: !pb
          ? 'no lexicon match in baseline'
          : options.finetuned.has(g)
            ? 'no lexicon match in fine-tuned'
            : 'missing in fine-tuned',
      });
    else
      perGroup.set(
        g,
        pf.map((v, i) => v - pb[i]),
      );
  }
  const deltas = [...perGroup.values()];
  const mean =
    deltas.length === 0 ? undefined : deltas[0].map((_, i) => deltas.reduce((s, d) => s + d[i], 0) / deltas.length);
  return { perGroup, mean, excluded };
}

/** Cosine between the mean shift vectors of every pair of languages (report Tables 4, 5). */
export function shiftCosineMatrix(meanShifts: ReadonlyMap<string, readonly number[] | undefined>): {
  languages: string[];
  matrix: Matrix;
} {
  const languages = [...meanShifts.keys()];
  const matrix = languages.map((a) =>
    languages.map((b) => {
      const da = meanShifts.get(a);
      const db = meanShifts.get(b);
      return da && db ? cosine(da, db) : NaN;
    }),
  );
  return { languages, matrix };
}
