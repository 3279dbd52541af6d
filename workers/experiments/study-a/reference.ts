// Study A's comparison with published per-group scores (Choenni's aggregate_emotion_scores/<model>.json): the
// source comes from the spec (by default her XLMR-B file for an xlm-roberta-base run in English with her
// variant), is read before the model loads, and our English profiles are set beside it per group and per category.
import { NRC_EMOTIONS } from '../../analysis/study-a/emotions';
import {
  parseReferenceScores,
  compareReferenceByCategory,
  type ReferenceProfile,
} from '../../analysis/study-a/reference-scores';
import { referenceSource, type EmotionProfilesSpec } from '../../contract/specs/emotion-profiles';
import type { DataSource } from '../../contract/specs/common';
import type { ExperimentContext } from '../experiment-runner';
import { runProfiles } from '../../analysis/study-a/results';
import { readDataSource } from './sources';
import type { GroupProfile, ReferenceReport, ReferenceResult } from '../../contract/results/emotion-profiles';
import type { ResultTable } from '../../contract/results/base';

export const REFERENCE_LANGUAGE = 'en';

export interface LoadedReference {
  source: string;
  label: string;
  profiles: ReferenceProfile[] | null;
  error?: string;
}

function describe(src: DataSource): string {
  return src.from === 'url' ? src.url : src.name;
}

/** Reads and parses the reference the spec asks for (null = no comparison). */
export async function loadReference(
  spec: EmotionProfilesSpec,
  ctx: Pick<ExperimentContext, 'checkpoints' | 'signal' | 'progress'>,
): Promise<LoadedReference | null> {
  const src = referenceSource(spec);
  if (!src) return null;
  const explicit = spec.reference !== undefined;
  const source = describe(src);
  const label = source
    .split('/')
    .pop()!
    .replace(/\.json$/i, '');
  if (!spec.languages.includes(REFERENCE_LANGUAGE))
    throw new Error(
      `the comparison with published scores needs English ("en") among the languages: the published scores are English profiles`,
    );
  try {
    return {
      source,
      label,
      profiles: parseReferenceScores(await readDataSource(src, ctx, 'published reference scores')),
    };
  } catch (e) {
    if (explicit) throw e;
    // The default comparison is a bonus: an offline run still produces its profiles, and says why it has none.
    ctx.progress({
      type: 'log',
      message: `comparison with the published ${label} scores skipped: ${(e as Error).message}`,
    });
    return { source, label, profiles: null, error: (e as Error).message };
  }
}

export function compareWithPublished(o: {
  loaded: LoadedReference;
  profiles: readonly GroupProfile[];
  variant: 'choenni' | 'prior-corrected';
}): ReferenceResult {
  const oursScaledBy = o.variant === 'choenni' ? 1 : 100;
  const base = { source: o.loaded.source, label: o.loaded.label, language: REFERENCE_LANGUAGE, oursScaledBy };
  if (!o.loaded.profiles)
    return {
      ...base,
      groups: [],
      notInRun: [],
      perCategory: [],
      overall: { category: 'all', groups: 0, rsa: null, reason: 'not loaded' },
      error: o.loaded.error,
    };
  const ours = runProfiles(o.profiles.filter((p) => p.language === REFERENCE_LANGUAGE));
  return { ...base, ...compareReferenceByCategory({ ours, reference: o.loaded.profiles, scale: oursScaledBy }) };
}

/** reference/groups (one row per group and emotion side by side) and reference/rsa. */
export function referenceTables(r: ReferenceResult): Record<string, ResultTable> {
  if (r.error) return {};
  return {
    'reference/groups': {
      columns: ['category', 'group', 'side', ...NRC_EMOTIONS, 'mean_abs_diff'],
      rows: r.groups.flatMap((g) => [
        [g.category, g.group, 'ours', ...(g.ours ?? new Array(NRC_EMOTIONS.length).fill(null)), g.meanAbsDiff],
        [g.category, g.group, `published ${r.label}`, ...g.published, null],
      ]),
    },
    'reference/rsa': {
      columns: ['category', 'groups', 'rsa', 'note'],
      rows: [...r.perCategory, r.overall].map((c) => [c.category, c.groups, c.rsa, c.reason ?? '']),
    },
  };
}
