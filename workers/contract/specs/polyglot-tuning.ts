// Spec of Study E: multilingual instruction tuning of an English-centric LLM with a small share of other
// languages (Kew, Schottmann & Sennrich; methods.md section E), LoRA on a Llama-family model.
import * as v from 'valibot';
import { baseEntries, DataSource, Lang, LearningRate, Lora, ModelRef, PositiveInt, Rate } from './common';

/** Keys of each JSON line of the instruction file the Study E runner will read: the Guanaco-format `text` and its
 *  OpenLID language as the language code `mix` uses (methods.md E.1). */
export const INSTRUCTION_KEYS = ['text', 'lang'] as const;

export const PolyglotTuningSpec = v.strictObject({
  ...baseEntries,
  kind: v.literal('polyglot-tuning'),
  model: ModelRef,
  /** JSON lines with INSTRUCTION_KEYS. */
  instructions: DataSource,
  /** Examples per language in the training mix (the study: 3,000 en + 200 es, …, total 3,200). */
  mix: v.pipe(
    v.record(Lang, v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1_000_000))),
    v.check((m) => Object.keys(m).length > 0, 'at least one language in the mix'),
  ),
  train: v.strictObject({
    lora: Lora,
    lr: LearningRate,
    batch: PositiveInt(256),
    epochs: PositiveInt(100),
    warmupRatio: v.optional(Rate, 0.03),
    maxSeqLength: PositiveInt(8192),
  }),
  evaluation: v.strictObject({ task: v.picklist(['xnli', 'chat']), languages: v.pipe(v.array(Lang), v.minLength(1)) }),
});
export type PolyglotTuningSpec = v.InferOutput<typeof PolyglotTuningSpec>;

export function demoPolyglotTuningSpec(): PolyglotTuningSpec {
  return {
    version: 1,
    kind: 'polyglot-tuning',
    title: 'Demo: instruction tuning mix on the tiny demo Llama',
    seed: 0,
    model: { id: 'demo/tiny-llama', revision: 'main', host: 'demo:' },
    instructions: { from: 'demo', name: 'instructions.jsonl' },
    mix: { en: 30, es: 2 },
    train: {
      lora: { rank: 8, alpha: 16, dropout: 0.05 },
      lr: 1e-4,
      batch: 4,
      epochs: 1,
      warmupRatio: 0.03,
      maxSeqLength: 64,
    },
    evaluation: { task: 'xnli', languages: ['en', 'es'] },
  };
}
