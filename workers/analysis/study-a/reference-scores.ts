// Choenni's published per-group results (aggregate_emotion_scores/<model>.json: group → [10 percentages in her
// order, matched words]) and the comparison of our profiles with them: per-emotion |Δ| and a row-wise RSA.
import type { NanPolicy } from '../shared/correlation';
import { CHOENNI_EMOTIONS, toNrcOrder } from './emotions';
import { compareCategory, type CategoryComparison, type CategoryProfiles } from './rsa';
import type { ReferenceCategoryRsa, ReferenceGroupRow, ReferenceReport } from '../../contract/results/emotion-profiles';

export interface ReferenceProfile {
  group: string;
  /** Percentages in NRC order. */
  profile: number[];
  matchedWords: string[];
}

export function parseReferenceScores(input: unknown): ReferenceProfile[] {
  const obj = typeof input === 'string' ? JSON.parse(input) : input;
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj))
    throw new Error('reference scores: expected an object group → [scores, words]');
  return Object.entries(obj as Record<string, unknown>).map(([group, v]) => {
    if (!Array.isArray(v) || v.length !== 2 || !Array.isArray(v[0]) || v[0].length !== 10 || !Array.isArray(v[1]))
      throw new Error(`reference scores: "${group}" must be [[10 numbers], [words]]`);
    const scores = v[0].map(Number);
    if (scores.some((x: number) => !Number.isFinite(x)))
      throw new Error(`reference scores: "${group}" has a non-numeric score`);
    return { group, profile: toNrcOrder(scores, CHOENNI_EMOTIONS), matchedWords: v[1].map(String) };
  });
}

export interface ReferenceComparison {
  /** Per group present on both sides with a defined profile: |ours − theirs| per emotion (NRC order), max and mean. */
  perGroup: { group: string; absDiff: number[]; maxAbsDiff: number; meanAbsDiff: number }[];
  /** RSA between our and the published profiles over the common groups (Choenni's RSM by default). */
  rsa: CategoryComparison;
}

export function compareWithReference(options: {
  ours: ReadonlyMap<string, readonly number[] | undefined>;
  reference: readonly ReferenceProfile[];
  method?: 'sklearn' | 'choenni';
  nanPolicy?: NanPolicy;
}): ReferenceComparison {
  const ref = new Map(options.reference.map((r) => [r.group, r.profile] as const));
  const perGroup: ReferenceComparison['perGroup'] = [];
  for (const [group, theirs] of ref) {
    const ours = options.ours.get(group);
    if (!ours) continue;
    const absDiff = ours.map((v, i) => Math.abs(v - theirs[i]));
    perGroup.push({
      group,
      absDiff,
      maxAbsDiff: Math.max(...absDiff),
      meanAbsDiff: absDiff.reduce((a, b) => a + b, 0) / absDiff.length,
    });
  }
  const rsa = compareCategory({
    a: options.ours,
    b: ref,
    method: options.method ?? 'choenni',
    nanPolicy: options.nanPolicy,
    labels: ['ours', 'published'],
  });
  return { perGroup, rsa };
}

function rsaOf(
  category: string,
  a: CategoryProfiles,
  b: CategoryProfiles,
  minGroups: number,
  method: 'sklearn' | 'choenni',
  nanPolicy?: NanPolicy,
): ReferenceCategoryRsa {
  const cmp = compareCategory({ a, b, method, nanPolicy, labels: ['ours', 'published'] });
  const n = cmp.groups.length;
  // With one group the RSM is [1]; with two every row holds 1 and one other value, so ρ is ±1 or undefined:
  // neither says anything about agreement.
  if (n < minGroups)
    return { category, groups: n, rsa: null, reason: `${n} common group(s); at least ${minGroups} needed` };
  const m = cmp.spearman.mean;
  return Number.isFinite(m)
    ? { category, groups: n, rsa: m }
    : { category, groups: n, rsa: null, reason: 'a similarity row is constant (Spearman undefined)' };
}

/**
 * Our profiles (category → group → NRC-order vector) against a published file, per group and per category.
 * `scale` multiplies our values first (100 for profiles given as fractions, 1 for Choenni's percentages).
 */
export function compareReferenceByCategory(options: {
  ours: ReadonlyMap<string, CategoryProfiles>;
  reference: readonly ReferenceProfile[];
  scale?: number;
  minGroups?: number;
  method?: 'sklearn' | 'choenni';
  nanPolicy?: NanPolicy;
}): ReferenceReport {
  const scale = options.scale ?? 1;
  const minGroups = options.minGroups ?? 3;
  const method = options.method ?? 'choenni';
  const categoryOf = new Map<string, string>();
  for (const [cat, m] of options.ours) for (const g of m.keys()) if (!categoryOf.has(g)) categoryOf.set(g, cat);
  const groups: ReferenceGroupRow[] = [];
  const notInRun: string[] = [];
  const oursBy = new Map<string, Map<string, number[] | undefined>>();
  const refBy = new Map<string, Map<string, number[]>>();
  for (const r of options.reference) {
    const category = categoryOf.get(r.group);
    if (!category) {
      notInRun.push(r.group);
      continue;
    }
    const raw = options.ours.get(category)!.get(r.group);
    const ours = raw ? raw.map((x) => x * scale) : null;
    const delta = ours ? ours.map((x, i) => x - r.profile[i]) : null;
    groups.push({
      category,
      group: r.group,
      ours,
      published: [...r.profile],
      delta,
      meanAbsDiff: delta ? delta.reduce((s, d) => s + Math.abs(d), 0) / delta.length : null,
    });
    (oursBy.get(category) ?? oursBy.set(category, new Map()).get(category)!).set(r.group, ours ?? undefined);
    (refBy.get(category) ?? refBy.set(category, new Map()).get(category)!).set(r.group, r.profile);
  }
  const perCategory = [...oursBy.keys()].map((c) =>
    rsaOf(c, oursBy.get(c)!, refBy.get(c)!, minGroups, method, options.nanPolicy),
  );
  const allOurs = new Map(groups.map((g) => [g.group, g.ours ?? undefined] as const));
  const allRef = new Map(groups.map((g) => [g.group, g.published] as const));
  return {
    groups,
    notInRun,
    perCategory,
    overall: rsaOf('all', allOurs, allRef, minGroups, method, options.nanPolicy),
  };
}
