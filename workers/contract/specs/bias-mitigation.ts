// Spec of Study C: bias mitigation by fine-tuning FLAN-T5 / Bloomz on CrowS-Pairs, evaluated with StereoSet in
// prompt form and the HF `evaluate` bias metrics (methods.md section C).
import * as v from 'valibot';
import { baseEntries, DataSource, LearningRate, Lora, ModelRef, PositiveInt, Rate } from './common';

/** Columns the Study C runner will read from the CrowS-Pairs CSV (crows_pairs_anonymized.csv; methods.md C.1). */
export const CROWS_PAIRS_COLUMNS = ['sent_more', 'sent_less', 'stereo_antistereo', 'bias_type'] as const;

export const BiasMitigationSpec = v.strictObject({
  ...baseEntries,
  kind: v.literal('bias-mitigation'),
  model: ModelRef,
  /** CrowS-Pairs as a CSV with CROWS_PAIRS_COLUMNS (the public crows_pairs_anonymized.csv). */
  crowsPairs: DataSource,
  /** Share of pairs held out (0.075 in the study: 1,394 train / 114 test). */
  testSize: v.optional(Rate, 0.075),
  train: v.strictObject({
    lr: LearningRate,
    batch: PositiveInt(256),
    epochs: PositiveInt(200),
    /** Absent = full fine-tuning as in the study; present = LoRA. */
    lora: v.optional(Lora),
  }),
  evaluation: v.pipe(v.array(v.picklist(['stereoset', 'toxicity', 'regard', 'honest'])), v.minLength(1)),
});
export type BiasMitigationSpec = v.InferOutput<typeof BiasMitigationSpec>;

export function demoBiasMitigationSpec(): BiasMitigationSpec {
  return {
    version: 1,
    kind: 'bias-mitigation',
    title: 'Demo: neutral rewriting on the tiny demo T5',
    seed: 42,
    model: { id: 'demo/tiny-t5', revision: 'main', host: 'demo:' },
    crowsPairs: { from: 'demo', name: 'crows-pairs.csv' },
    testSize: 0.075,
    train: { lr: 1e-3, batch: 8, epochs: 2, lora: { rank: 8, alpha: 16, dropout: 0 } },
    evaluation: ['stereoset'],
  };
}
