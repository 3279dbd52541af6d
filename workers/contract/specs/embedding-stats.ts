// Spec of Study D: statistics of hidden embeddings per layer of a French encoder (FlauBERT / CamemBERT) before
// and after fine-tuning on FLUE CLS sentiment (methods.md section D).
import * as v from 'valibot';
import { baseEntries, DataSource, LearningRate, ModelRef, PositiveInt } from './common';

/** Columns of the tab-separated review file the Study D runner will read: one FLUE CLS review and its 0/1
 *  sentiment label per row (the `text` and `label` of HF `flue`/`CLS`; methods.md D.1). */
export const CLS_REVIEW_COLUMNS = ['text', 'label'] as const;

export const EmbeddingStatsSpec = v.strictObject({
  ...baseEntries,
  kind: v.literal('embedding-stats'),
  model: ModelRef,
  /** Tab-separated reviews with CLS_REVIEW_COLUMNS. */
  dataset: DataSource,
  trainSize: PositiveInt(100_000),
  testSize: PositiveInt(100_000),
  maxLength: PositiveInt(512),
  /** Absent = statistics of the pretrained model only. */
  fineTune: v.optional(v.strictObject({ lr: LearningRate, batch: PositiveInt(256), epochs: PositiveInt(20) })),
  statistics: v.pipe(v.array(v.picklist(['norm', 'mean', 'variance', 'cosine', 'anisotropy'])), v.minLength(1)),
});
export type EmbeddingStatsSpec = v.InferOutput<typeof EmbeddingStatsSpec>;

export function demoEmbeddingStatsSpec(): EmbeddingStatsSpec {
  return {
    version: 1,
    kind: 'embedding-stats',
    title: 'Demo: layer statistics of the tiny demo encoder',
    seed: 42,
    model: { id: 'demo/tiny-xlmr', revision: 'main', host: 'demo:' },
    dataset: { from: 'demo', name: 'reviews.tsv' },
    trainSize: 64,
    testSize: 32,
    maxLength: 32,
    statistics: ['norm', 'cosine'],
  };
}
