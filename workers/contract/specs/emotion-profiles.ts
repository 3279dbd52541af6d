// Spec of Study A: emotion profiles of social groups across languages from a masked LM (Choenni et al. 2021 and
// the multilingual follow-up; methods.md section A), with optional LoRA fine-tuning that shifts them.
import * as v from 'valibot';
import { baseEntries, DataSource, Lang, LearningRate, Lora, ModelRef, PositiveInt, Rate } from './common';

const Text = (max: number) => v.pipe(v.string(), v.maxLength(max));
const Name = v.pipe(v.string(), v.minLength(1), v.maxLength(120));
const TemplateEdit = v.strictObject({
  text: Text(300),
  forms: v.optional(v.record(v.pipe(v.string(), v.regex(/^[\w-]{1,16}$/)), Text(300))),
  note: v.optional(Text(500)),
});
const EntryEdit = v.strictObject({
  text: v.nullable(Text(200)),
  form: v.optional(v.pipe(v.string(), v.regex(/^[\w-]{1,16}$/))),
  flag: v.optional(v.picklist(['approximate', 'gendered', 'no-equivalent', 'slur'])),
  note: v.optional(Text(500)),
});
const LanguageEdit = v.strictObject({
  /** Required when the language has no built-in table. */
  languageName: v.optional(Name),
  /** A list given here replaces the built-in list of that kind. */
  templates: v.optional(
    v.strictObject({
      general: v.optional(v.pipe(v.array(TemplateEdit), v.maxLength(50))),
      country: v.optional(v.pipe(v.array(TemplateEdit), v.maxLength(50))),
    }),
  ),
  /** category → English group key → entry (replaces the built-in entry). */
  groups: v.optional(v.record(Name, v.record(Name, EntryEdit))),
});

/** Differences from the built-in translation tables (workers/contract/study-a/translation-overrides.ts applies them). */
export const TranslationOverrides = v.strictObject({
  languages: v.optional(v.record(Lang, LanguageEdit)),
  /** Groups added to the study's group list: category → English names. */
  addGroups: v.optional(v.record(Name, v.pipe(v.array(Name), v.maxLength(200)))),
});

export const EmotionProfilesSpec = v.strictObject({
  ...baseEntries,
  kind: v.literal('emotion-profiles'),
  model: ModelRef,
  languages: v.pipe(v.array(Lang), v.minLength(1), v.maxLength(24)),
  /** Templates and target groups per language (JSON in the shape of choenni-stereotypes/templates_and_groups). */
  groups: DataSource,
  /** word → 10 NRC emotions TSV (the NRC file the user downloads, or any file of that shape). */
  lexicon: DataSource,
  profile: v.strictObject({
    variant: v.picklist(['choenni', 'prior-corrected']),
    /** Fills kept per template: 200 in Choenni, 300 in the prior-corrected follow-up. */
    topK: PositiveInt(5000),
    /** Faithful quirk of the follow-up: each vocabulary piece is matched alone against the lexicon. */
    exactPieceMatch: v.optional(v.boolean(), true),
    /** The original never uses the country-specific prompts (it looks them up by group); true = use them. */
    countryPrompts: v.optional(v.boolean(), false),
    /**
     * Choenni's variant in English reads her own inputs (faithful): the groups file's lower-case templates, country
     * templates for countries, `<s> … <mask> ? </s>` with the tokenizer's specials added again. false = the English
     * translation table's templates (seed A's, and any edits to them), as every other language uses.
     */
    choenniInput: v.optional(v.boolean(), true),
  }),
  /**
   * Published per-group scores compared with our English profiles: a URL (sha256-checked) or a file in the shape
   * of Choenni's aggregate_emotion_scores/<model>.json. Absent = her XLMR-B file when referenceDefault() applies;
   * 'none' = no comparison.
   */
  reference: v.optional(v.union([DataSource, v.literal('none')])),
  /** Edits of the built-in translation tables (differences only, so share links stay small). */
  translations: v.optional(TranslationOverrides),
  fineTune: v.optional(
    v.strictObject({
      text: DataSource,
      language: Lang,
      lora: Lora,
      lr: LearningRate,
      batch: PositiveInt(256),
      epochs: PositiveInt(100),
      /** Masked-LM masking rate with the 80/10/10 rule. */
      maskProb: v.optional(Rate, 0.15),
      /**
       * Priors of the fine-tuned prior-corrected profiles: 'base' (default) = the pretrained model's, as seed A
       * (run_test_normalization.py reads one prior_probs/<language>_priors.json, made by create_priors.py with
       * xlm-roberta-base, for every fine-tuned model); 'same' = the fine-tuned model's own. Choenni's variant has no prior.
       */
      priors: v.optional(v.picklist(['base', 'same']), 'base'),
    }),
  ),
});
export type EmotionProfilesSpec = v.InferOutput<typeof EmotionProfilesSpec>;

/** Choenni's published XLM-R base scores at the snapshot commit recorded in shared/data/SOURCES.md. */
export const CHOENNI_XLMR_B: DataSource = {
  from: 'url',
  url: 'https://raw.githubusercontent.com/RochelleChoenni/stereotypes_in_lms/09a1c379620bd0548ab51fe524d92717af95453e/aggregate_emotion_scores/XLMR-B.json',
  sha256: '561b7f46a836841e794f7374fb746063ced4ac3aca5e5e9a79779cfaf078a9df',
};

/** Is this run the setting the published XLMR-B numbers come from (xlm-roberta-base, English, Choenni's variant)? */
export function referenceDefault(spec: Pick<EmotionProfilesSpec, 'model' | 'languages' | 'profile'>): boolean {
  return (
    spec.model.host !== 'demo:' &&
    /(^|\/)xlm-roberta-base$/i.test(spec.model.id) &&
    spec.languages.includes('en') &&
    spec.profile.variant === 'choenni'
  );
}

/** The reference source a run uses, or null for none. */
export function referenceSource(
  spec: Pick<EmotionProfilesSpec, 'model' | 'languages' | 'profile' | 'reference'>,
): DataSource | null {
  if (spec.reference === 'none') return null;
  return spec.reference ?? (referenceDefault(spec) ? CHOENNI_XLMR_B : null);
}

export function demoEmotionProfilesSpec(): EmotionProfilesSpec {
  return {
    version: 1,
    kind: 'emotion-profiles',
    title: 'Demo: emotion profiles on the tiny demo model',
    seed: 42,
    model: { id: 'demo/tiny-xlmr', revision: 'main', host: 'demo:' },
    languages: ['en', 'fr'],
    groups: { from: 'demo', name: 'templates-groups.json' },
    lexicon: { from: 'demo', name: 'lexicon.tsv' },
    profile: {
      variant: 'prior-corrected',
      topK: 300,
      exactPieceMatch: true,
      countryPrompts: false,
      choenniInput: true,
    },
  };
}
