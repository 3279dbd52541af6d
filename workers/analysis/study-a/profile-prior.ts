// Seed A's prior-corrected emotion profile (run_test_normalization.py + create_priors.py, methods.md A.2):
// s(w) = log p_post(w) − log p_prior(w), top-k by s, each piece decoded alone and matched against the flat
// lexicon, profile = mean of the matched 10-d vectors over all templates (duplicates counted).
import { NRC_EMOTIONS } from './emotions';
import type { FlatLexicon } from './lexicon';

/** Sentinel prior of excluded tokens in the original: log p − log 100 pushes them down, but not out. */
export const PRIOR_SENTINEL = 100;

export type PriorMode = 'sentinel' | 'exclude';

/**
 * The prior over the vocabulary: `probs` = distribution at the answer mask of the double-mask prompt; tokens for
 * which `keep(id)` holds (decoded string in the language word list) keep their probability, renormalised to sum 1
 * over the kept tokens. Others get PRIOR_SENTINEL ('sentinel', faithful default) or NaN ('exclude': the token can
 * never be selected).
 */
export function buildPrior(options: {
  probs: ArrayLike<number>;
  keep: (id: number) => boolean;
  mode?: PriorMode;
}): Float64Array {
  const { probs, keep } = options;
  const out = new Float64Array(probs.length);
  let total = 0;
  for (let i = 0; i < probs.length; i++) if (keep(i)) total += probs[i];
  if (!(total > 0)) throw new Error('buildPrior: no probability mass on the kept tokens');
  const other = options.mode === 'exclude' ? NaN : PRIOR_SENTINEL;
  for (let i = 0; i < probs.length; i++) out[i] = keep(i) ? probs[i] / total : other;
  return out;
}

/** keep() from a word list: the id's decoded string (as decode returns it) is in the set. */
export function wordListKeep(options: {
  decode: (id: number) => string;
  words: ReadonlySet<string>;
}): (id: number) => boolean {
  return (id) => options.words.has(options.decode(id));
}

/**
 * Top-k token ids by s = logPost − log(prior), descending. NaN scores (excluded tokens, or log 0 − log 0) are
 * skipped. Ties: larger id first, which is what reversing a stable ascending argsort gives.
 */
export function priorCorrectedTopK(options: {
  logPost: ArrayLike<number>;
  prior: ArrayLike<number>;
  k?: number;
}): number[] {
  const { logPost, prior } = options;
  if (logPost.length !== prior.length)
    throw new Error(`priorCorrectedTopK: ${logPost.length} log-probs vs ${prior.length} priors`);
  const k = options.k ?? 300;
  const ids: number[] = [];
  const s = new Float64Array(logPost.length);
  for (let i = 0; i < logPost.length; i++) {
    s[i] = logPost[i] - Math.log(prior[i]);
    if (!Number.isNaN(s[i])) ids.push(i);
  }
  ids.sort((a, b) => s[b] - s[a] || b - a);
  return ids.slice(0, k);
}

export type PieceMatch = 'exact' | 'normalized';

/** 'exact' (faithful): the decoded piece must be a key as is. 'normalized': strip ▁ and spaces, lower-case. */
export function pieceKey(piece: string, match: PieceMatch): string {
  return match === 'exact'
    ? piece
    : piece
        .replace(/\u2581/g, ' ')
        .trim()
        .toLowerCase();
}

export interface PriorProfile {
  /** Fractions 0..1 in NRC order; undefined when no piece matched (the original produces 0/0 = NaN). */
  profile: number[] | undefined;
  matched: string[];
  /** Number of pieces considered (k per template). */
  considered: number;
}

/**
 * Profile from the selected ids of each template. With match 'normalized', the lexicon keys are normalised the
 * same way (first key wins on collisions after normalisation, in the flat dict's insertion order).
 */
export function priorCorrectedProfile(options: {
  perTemplateIds: readonly (readonly number[])[];
  decode: (id: number) => string;
  lexicon: FlatLexicon;
  match?: PieceMatch;
}): PriorProfile {
  const match = options.match ?? 'exact';
  let lex = options.lexicon;
  if (match === 'normalized') {
    lex = new Map();
    for (const [w, v] of options.lexicon) {
      const key = pieceKey(w, match);
      if (!lex.has(key)) lex.set(key, v);
    }
  }
  const sum = new Array(NRC_EMOTIONS.length).fill(0);
  const matched: string[] = [];
  let considered = 0;
  for (const ids of options.perTemplateIds) {
    for (const id of ids) {
      considered++;
      const piece = options.decode(id);
      const vec = lex.get(pieceKey(piece, match));
      if (!vec) continue;
      vec.forEach((v, i) => (sum[i] += v));
      matched.push(piece);
    }
  }
  return { profile: matched.length === 0 ? undefined : sum.map((x) => x / matched.length), matched, considered };
}
