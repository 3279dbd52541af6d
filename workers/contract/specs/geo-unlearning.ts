// Spec of Study B: unlearning geo-cultural stereotypes (gradient ascent + "unknown" + KL, or NPO) with LoRA on a
// Llama-family model, and multiple-choice evaluation in ten languages (methods.md section B).
import * as v from 'valibot';
import {
  baseEntries,
  DataSource,
  Lang,
  LearningRate,
  Lora,
  ModelRef,
  PerLanguageSource,
  PositiveInt,
  Rate,
} from './common';

/** The ten languages of the study's data set (its file suffixes; `iw` is Hebrew as the data names it). */
export const STUDY_B_LANGUAGES = ['en', 'fr', 'hi', 'ar', 'fa', 'iw', 'id', 'ja', 'ko', 'ru'] as const;
export type StudyBLanguage = (typeof STUDY_B_LANGUAGES)[number];

export const GeoUnlearningSpec = v.strictObject({
  ...baseEntries,
  kind: v.literal('geo-unlearning'),
  model: ModelRef,
  /** Frozen weights in 4-bit for 8B-class models where memory allows. */
  weights: v.optional(v.picklist(['f32', 'f16', 'q4']), 'f16'),
  /**
   * The MCQ set: one file with a `language` column, a one-language file, or one file per language — a URL or file
   * name with `{lang}` (the study's mcq_stereotype_dataset_{lang}.csv), optionally pinned by a sha256 per language.
   */
  mcq: PerLanguageSource,
  retain: DataSource,
  /** Languages evaluated before and after; training uses `train.language`. */
  languages: v.pipe(v.array(Lang), v.minLength(1), v.maxLength(16)),
  /**
   * Which rows are evaluated. 'held-out' (default): `evalFraction` of the identity–attribute pairs are kept out of
   * training and every language is evaluated on them. 'in-sample': the study's setup — train on every row of the
   * training language and evaluate every language on all its rows (`evalFraction` is not used).
   */
  evalSplit: v.optional(v.picklist(['held-out', 'in-sample']), 'held-out'),
  /** Share of identity–attribute pairs held out ('held-out' split only). */
  evalFraction: v.optional(Rate, 0.2),
  train: v.strictObject({
    language: Lang,
    loss: v.picklist(['grad-diff-kl', 'npo']),
    /** The study's weights: kl 1.0, unlearn 0.25, unk 0.5. */
    weights: v.strictObject({ kl: v.number(), unlearn: v.number(), unk: v.number() }),
    lora: Lora,
    lr: LearningRate,
    batch: PositiveInt(64),
    steps: PositiveInt(100_000),
    /**
     * Which tokens the answer-only loss covers. 'boundary' (default) trains every answer token: the answer starts
     * where the ids of prompt + answer leave the ids of the prompt alone. 'study' is the original rule
     * start_loc = len(tokenize(prefix)) − 1, which skips the answer's first token whenever the tokenizer merges
     * the space before it into that token (Llama 3's " French", Llama 2's "▁the") — for a one-token identity it
     * trains only the EOS. Kept for faithful reproductions (analysis/study-b/prompts.ts AnswerMaskRule).
     */
    answerMask: v.optional(v.picklist(['boundary', 'study']), 'boundary'),
  }),
  evaluation: v.pipe(v.array(v.picklist(['generation', 'likelihood'])), v.minLength(1)),
  /**
   * Which answer extraction of a generated answer feeds the rates. 'corrected' (default) matches an option only
   * when the output names it unambiguously; 'study' keeps the original script's quirks (analysis/study-b/extract.ts)
   * so rates can be compared with its outputs. Both classes are in the per-item table either way; likelihood
   * evaluation has no extraction and is unaffected.
   */
  extraction: v.optional(v.picklist(['corrected', 'study']), 'corrected'),
});
export type GeoUnlearningSpec = v.InferOutput<typeof GeoUnlearningSpec>;
/** Which rows a Study B run evaluates (see `evalSplit` above). */
export type EvalSplit = GeoUnlearningSpec['evalSplit'];

export function demoGeoUnlearningSpec(): GeoUnlearningSpec {
  return {
    version: 1,
    kind: 'geo-unlearning',
    title: 'Demo: unlearn in English on the tiny demo Llama, evaluate in all ten languages',
    seed: 42,
    model: { id: 'demo/tiny-llama', revision: 'main', host: 'demo:' },
    weights: 'f32',
    mcq: { from: 'demo', name: 'geo-mcq.csv' },
    retain: { from: 'demo', name: 'geo-retain.csv' },
    // All ten study languages (DEMO data, 12 invented items each): unlearn in one, see the effect in all.
    languages: [...STUDY_B_LANGUAGES],
    evalSplit: 'held-out',
    evalFraction: 0.2,
    train: {
      language: 'en',
      loss: 'grad-diff-kl',
      weights: { kl: 1, unlearn: 0.25, unk: 0.5 },
      lora: { rank: 8, alpha: 16, dropout: 0 },
      lr: 1e-4,
      batch: 6,
      steps: 20,
      answerMask: 'boundary',
    },
    evaluation: ['likelihood'],
    extraction: 'corrected',
  };
}
