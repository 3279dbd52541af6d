// Spec of Study A: emotion profiles of social groups across languages from a masked LM (Choenni et al. 2021 and
// the multilingual follow-up; methods.md section A), with optional LoRA fine-tuning that shifts them.
import * as v from 'valibot';
import { baseEntries, DataSource, Lang, LearningRate, Lora, ModelRef, PositiveInt, Rate } from './common';

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
  }),
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
    }),
  ),
});
export type EmotionProfilesSpec = v.InferOutput<typeof EmotionProfilesSpec>;

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
    profile: { variant: 'prior-corrected', topK: 300, exactPieceMatch: true, countryPrompts: false },
  };
}
