// Choenni's published per-group results (aggregate_emotion_scores/<model>.json: group → [10 percentages in her
// order, matched words]) and the comparison of our profiles with them: per-emotion |Δ| and a row-wise RSA.
import type { NanPolicy } from '../shared/correlation';
import { CHOENNI_EMOTIONS, toNrcOrder } from './emotions';
import { compareCategory, type CategoryComparison } from './rsa';

export interface ReferenceProfile {
  group: string;
  /** Percentages in NRC order. */
  profile: number[];
  matchedWords: string[];
}

export function parseReferenceScores(input: unknown): ReferenceProfile[] {
  const obj = typeof input === 'string' ? JSON.parse(input) : input;
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new Error('reference scores: expected an object group → [scores, words]');
  return Object.entries(obj as Record<string, unknown>).map(([group, v]) => {
    if (!Array.isArray(v) || v.length !== 2 || !Array.isArray(v[0]) || v[0].length !== 10 || !Array.isArray(v[1]))
      throw new Error(`reference scores: "${group}" must be [[10 numbers], [words]]`);
    const scores = v[0].map(Number);
    if (scores.some((x: number) => !Number.isFinite(x))) throw new Error(`reference scores: "${group}" has a non-numeric score`);
    return { group, profile: toNrcOrder(scores, CHOENNI_EMOTIONS), matchedWords: v[1].map(String) };
  });
}

export interface ReferenceComparison {
  /** Per group present on both sides with a defined profile: |ours − theirs| per emotion (NRC order), max and mean. */
  perGroup: { group: string; absDiff: number[]; maxAbsDiff: number; meanAbsDiff: number }[];
  /** RSA between our and the published profiles over the common groups (Choenni's RSM by default). */
  rsa: CategoryComparison;
}

export function compareWithReference(options: { ours: ReadonlyMap<string, readonly number[] | undefined>; reference: readonly ReferenceProfile[]; method?: 'sklearn' | 'choenni'; nanPolicy?: NanPolicy }): ReferenceComparison {
  const ref = new Map(options.reference.map((r) => [r.group, r.profile] as const));
  const perGroup: ReferenceComparison['perGroup'] = [];
  for (const [group, theirs] of ref) {
    const ours = options.ours.get(group);
    if (!ours) continue;
    const absDiff = ours.map((v, i) => Math.abs(v - theirs[i]));
    perGroup.push({ group, absDiff, maxAbsDiff: Math.max(...absDiff), meanAbsDiff: absDiff.reduce((a, b) => a + b, 0) / absDiff.length });
  }
  const rsa = compareCategory({ a: options.ours, b: ref, method: options.method ?? 'choenni', nanPolicy: options.nanPolicy, labels: ['ours', 'published'] });
  return { perGroup, rsa };
}
