// From downloaded top-k rows to Study A's results: profiles per language × category × group (both variants from
// workers/analysis/study-a), the language × language RSA matrix and its per-category parts, baseline vs
// fine-tuned comparisons and shift cosines, and the CSV-shaped tables (rows = groups, 10 emotion columns).
import { NRC_EMOTIONS } from './emotions';
import type { FlatLexicon } from './lexicon';
import { choenniProfile } from './profile-choenni';
import { priorCorrectedProfile, type PieceMatch } from './profile-prior';
import { compareRuns, languageMatrix, shiftCosineMatrix, shiftVectors, type RunProfiles } from './rsa';

import type { PromptItem } from './inputs';
import type {
  Correlations,
  FineTuneComparison,
  GroupProfile,
  LabelledMatrix,
} from '../../contract/results/emotion-profiles';
import type { ResultTable } from '../../contract/results/base';

const json = (m: number[][]): (number | null)[][] => m.map((r) => r.map((x) => (Number.isFinite(x) ? x : null)));

/** One prompt's top-k answer: token ids and their scores, best first (the scoring step's output). */
export interface TopRow {
  ids: Int32Array;
  /** Raw logits (Choenni) or s = log p_post − log p_prior (prior-corrected), descending. */
  scores: Float32Array;
}

export function groupProfiles(options: {
  items: readonly PromptItem[];
  tops: readonly TopRow[];
  variant: 'choenni' | 'prior-corrected';
  decode: (id: number) => string;
  lookup: FlatLexicon;
  topK: number;
  match: PieceMatch;
}): GroupProfile[] {
  const byGroup = new Map<string, { item: PromptItem; rows: TopRow[] }>();
  options.items.forEach((item, i) => {
    const k = `${item.category}\u0000${item.key}`;
    const g = byGroup.get(k) ?? byGroup.set(k, { item, rows: [] }).get(k)!;
    g.rows.push(options.tops[i]);
  });
  return [...byGroup.values()].map(({ item, rows }) => {
    const base = { language: item.language, category: item.category, key: item.key, text: item.text };
    if (options.variant === 'choenni') {
      const p = choenniProfile({
        perTemplate: rows.map((r) => ({ ids: r.ids, scores: r.scores })),
        decode: options.decode,
        lookup: options.lookup,
        topK: options.topK,
      });
      return { ...base, profile: p.profile ?? null, matched: p.covered, considered: p.candidates };
    }
    const p = priorCorrectedProfile({
      perTemplateIds: rows.map((r) => Array.from(r.ids)),
      decode: options.decode,
      lexicon: options.lookup,
      match: options.match,
    });
    return { ...base, profile: p.profile ?? null, matched: p.matched, considered: p.considered };
  });
}

export function runProfiles(profiles: readonly GroupProfile[]): RunProfiles {
  const out = new Map<string, Map<string, number[] | undefined>>();
  for (const p of profiles)
    (out.get(p.category) ?? out.set(p.category, new Map()).get(p.category)!).set(p.key, p.profile ?? undefined);
  return out;
}

export function correlations(byLanguage: ReadonlyMap<string, readonly GroupProfile[]>): Correlations {
  const runs = new Map([...byLanguage].map(([l, ps]) => [l, runProfiles(ps)] as const));
  const langs = [...runs.keys()];
  const all = languageMatrix({ runs });
  const categories = [...new Set([...runs.values()].flatMap((r) => [...r.keys()]))];
  const pair = langs.map((a) => langs.map((b) => compareRuns({ a: runs.get(a)!, b: runs.get(b)!, labels: [a, b] })));
  return {
    languages: { labels: all.languages, values: json(all.matrix) },
    perCategory: categories.map((c) => ({
      category: c,
      matrix: {
        labels: langs,
        values: json(pair.map((row) => row.map((cmp) => cmp.perCategory.get(c)?.spearman.mean ?? NaN))),
      },
    })),
  };
}

export function compareFineTuned(
  base: ReadonlyMap<string, readonly GroupProfile[]>,
  tuned: ReadonlyMap<string, readonly GroupProfile[]>,
): FineTuneComparison {
  const perLanguage: FineTuneComparison['perLanguage'] = [];
  const meanShift = new Map<string, number[] | undefined>();
  for (const [lang, ps] of base) {
    const a = runProfiles(ps);
    const b = runProfiles(tuned.get(lang) ?? []);
    const cmp = compareRuns({ a, b, labels: ['baseline', 'fine-tuned'] });
    const perCategory: Record<string, number | null> = {};
    for (const [c, r] of cmp.perCategory) perCategory[c] = Number.isFinite(r.spearman.mean) ? r.spearman.mean : null;
    perLanguage.push({ language: lang, mean: Number.isFinite(cmp.mean) ? cmp.mean : null, perCategory });
    const flat = (r: RunProfiles) =>
      new Map([...r].flatMap(([c, m]) => [...m].map(([k, v]) => [`${c}/${k}`, v] as const)));
    meanShift.set(lang, shiftVectors({ base: flat(a), finetuned: flat(b) }).mean);
  }
  const cos = shiftCosineMatrix(meanShift);
  return {
    perLanguage,
    meanShift: [...meanShift].map(([language, d]) => ({ language, delta: d ?? null })),
    shiftCosine: { labels: cos.languages, values: json(cos.matrix) },
  };
}

/** One table per language and category, like emotion_profiles/<Language>/<category>.csv. */
export function profileTables(
  profiles: readonly GroupProfile[],
  prefix: string,
  languageNames: Record<string, string>,
): Record<string, ResultTable> {
  const tables: Record<string, ResultTable> = {};
  for (const p of profiles) {
    const name = `${prefix}/${languageNames[p.language] ?? p.language}/${p.category}`;
    const t = (tables[name] ??= { columns: ['group', ...NRC_EMOTIONS], rows: [] });
    t.rows.push([p.key, ...(p.profile ?? NRC_EMOTIONS.map(() => null))]);
  }
  return tables;
}

export function coverageTable(profiles: readonly GroupProfile[]): ResultTable {
  return {
    columns: ['language', 'category', 'group', 'text', 'matched', 'considered', 'matched_words'],
    rows: profiles.map((p) => [
      p.language,
      p.category,
      p.key,
      p.text,
      p.matched.length,
      p.considered,
      [...new Set(p.matched)].join(' '),
    ]),
  };
}

export function matrixTable(m: LabelledMatrix): ResultTable {
  return { columns: ['', ...m.labels], rows: m.values.map((r, i) => [m.labels[i], ...r]) };
}
