// Choenni's emotion profile (compute_emotion_scores.py, methods.md A.2 last paragraph): per template the top-200
// fills by raw logit, decoded; union over templates; de-duplicated; each stripped word looked up
// case-insensitively in the English column; per emotion count / covered × 100.
import { CHOENNI_EMOTIONS, NRC_EMOTIONS, reorder } from './emotions';
import type { FlatLexicon } from './lexicon';

export interface TopCandidates {
  /** Token ids, any order. */
  ids: ArrayLike<number>;
  /** Raw scores (logits) aligned with ids. */
  scores: ArrayLike<number>;
}

export interface ChoenniProfile {
  /** Percentages in NRC order, or undefined when no word was covered (the original divides by zero). */
  profile: number[] | undefined;
  /** The same in Choenni's published order. */
  profileChoenniOrder: number[] | undefined;
  /** Covered (matched) words as counted, after strip. */
  covered: string[];
  /** Distinct decoded strings considered (the union). */
  candidates: number;
  /** Per template: the top ids by score and their softmax within that top list. The original computes these
   * weights but does not use them for the profile; they are returned for display only. */
  perTemplate: { ids: number[]; weights: number[] }[];
}

/** Top-k ids by score, descending; ties keep the lower id first (torch.topk's order on ties is unspecified). */
export function topKByScore(c: TopCandidates, k: number): { ids: number[]; scores: number[] } {
  if (c.ids.length !== c.scores.length) throw new Error('topKByScore: ids and scores differ in length');
  const idx = Array.from({ length: c.ids.length }, (_, i) => i).sort(
    (a, b) => c.scores[b] - c.scores[a] || c.ids[a] - c.ids[b],
  );
  const keep = idx.slice(0, k);
  return { ids: keep.map((i) => c.ids[i]), scores: keep.map((i) => c.scores[i]) };
}

export function softmax(xs: readonly number[]): number[] {
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

export function choenniProfile(options: {
  perTemplate: readonly TopCandidates[];
  decode: (id: number) => string;
  lookup: FlatLexicon;
  topK?: number;
}): ChoenniProfile {
  const k = options.topK ?? 200;
  const perTemplate: ChoenniProfile['perTemplate'] = [];
  const union: string[] = [];
  for (const t of options.perTemplate) {
    const top = topKByScore(t, k);
    perTemplate.push({ ids: top.ids, weights: softmax(top.scores) });
    for (const id of top.ids) union.push(options.decode(id));
  }
  // list(set(words)): de-duplication happens on the raw decoded strings, before strip, and is case-sensitive,
  // so "Happy" and "happy" both count (visible in the published word lists).
  const distinct = [...new Set(union)];
  const counts = new Array(NRC_EMOTIONS.length).fill(0);
  const covered: string[] = [];
  for (const raw of distinct) {
    const w = raw.trim();
    const vec = options.lookup.get(w.toLowerCase());
    if (!vec) continue;
    vec.forEach((v, i) => (counts[i] += v === 1 ? 1 : 0));
    covered.push(w);
  }
  const profile = covered.length === 0 ? undefined : counts.map((c) => (c / covered.length) * 100);
  return {
    profile,
    profileChoenniOrder: profile && reorder(profile, CHOENNI_EMOTIONS),
    covered,
    candidates: distinct.length,
    perTemplate,
  };
}
