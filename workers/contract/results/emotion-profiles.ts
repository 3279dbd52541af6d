// Study A's result (emotion-profiles): profiles per language × category × group, RSA between languages,
// the comparison with published scores and, after fine-tuning, baseline vs fine-tuned.
import type { ResultBase } from './base';

export interface GroupProfile {
  language: string;
  category: string;
  key: string;
  text: string;
  /** NRC order; percentages (Choenni) or fractions 0..1 (prior-corrected); null when nothing matched. */
  profile: number[] | null;
  matched: string[];
  /** Pieces (prior-corrected) or distinct words (Choenni) considered. */
  considered: number;
}

/** A square matrix with NaN written as null (JSON has no NaN). */
export interface LabelledMatrix {
  labels: string[];
  values: (number | null)[][];
}

export interface Correlations {
  /** Language × language mean over categories of the row-wise Spearman between RSMs. */
  languages: LabelledMatrix;
  perCategory: { category: string; matrix: LabelledMatrix }[];
}

export interface FineTuneComparison {
  /** Per language: RSA baseline vs fine-tuned (mean over categories) and per category. */
  perLanguage: { language: string; mean: number | null; perCategory: Record<string, number | null> }[];
  /** Mean shift Δ = FT − base per language (NRC order), null when no group qualifies. */
  meanShift: { language: string; delta: number[] | null }[];
  shiftCosine: LabelledMatrix;
}

/** One published group beside ours (both in NRC order, ours scaled to per cent). */
export interface ReferenceGroupRow {
  category: string;
  group: string;
  /** Null when our run has the group but nothing of it matched the lexicon. */
  ours: number[] | null;
  published: number[];
  /** ours − published per emotion; null with `ours`. */
  delta: number[] | null;
  meanAbsDiff: number | null;
}

export interface ReferenceCategoryRsa {
  category: string;
  /** Groups with a profile on both sides. */
  groups: number;
  /** Row-wise Spearman between our RSM and the published one; null with `reason` when it cannot say anything. */
  rsa: number | null;
  reason?: string;
}

export interface ReferenceReport {
  groups: ReferenceGroupRow[];
  /** Published groups our run does not profile (other group list, or a category left out). */
  notInRun: string[];
  perCategory: ReferenceCategoryRsa[];
  /** The same RSA over every common group regardless of category (the published file has 12 groups only). */
  overall: ReferenceCategoryRsa;
}

export interface ReferenceResult extends ReferenceReport {
  /** URL or file name of the published scores. */
  source: string;
  /** Short name for charts, from the file name ("XLMR-B"). */
  label: string;
  language: string;
  /** Both sides are per cent; prior-corrected profiles (fractions) were multiplied by this. */
  oursScaledBy: number;
  /** Set when the default reference could not be read (offline): the run keeps its profiles. */
  error?: string;
}

export interface ProfilingSpeed {
  prompts: number;
  seconds: number;
  promptsPerSecond: number;
  priorsComputed: number;
  priorsReused: number;
}

export interface EmotionProfilesResult extends ResultBase {
  kind: 'emotion-profiles';
  model: string;
  /** True when the model or the lexicon is the app's demo: the numbers then mean nothing. */
  demo: boolean;
  variant: 'choenni' | 'prior-corrected';
  /** Choenni's profiles are percentages; the prior-corrected ones fractions 0..1. */
  scale: 'percent' | 'fraction';
  emotions: string[];
  languages: { code: string; name: string }[];
  categories: string[];
  profiles: GroupProfile[];
  correlations: Correlations;
  skipped: { language: string; category: string; key: string; reason: string }[];
  speed: ProfilingSpeed;
  /** Our English profiles beside published ones (Choenni's XLMR-B by default for xlm-roberta-base). */
  reference?: ReferenceResult;
  fineTune?: {
    language: string;
    /** Whose priors the fine-tuned prior-corrected profiles used (absent in results made before the option: 'same'). */
    priors?: 'base' | 'same';
    losses: [number, number][];
    steps: number;
    resumedFrom: number;
    profiles: GroupProfile[];
    correlations: Correlations;
    comparison: FineTuneComparison;
    speed: ProfilingSpeed;
  };
}
