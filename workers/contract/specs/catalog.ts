// What each experiment kind reproduces and where it comes from, for the gallery and the CLI's `list`.
// Sources: shared/docs/methods.md (the five seed studies).
import type { ExperimentKind } from './index';

export interface CatalogEntry {
  kind: ExperimentKind;
  /** Study letter A–E, or null for the engine check (not a study). */
  study: 'A' | 'B' | 'C' | 'D' | 'E' | null;
  title: string;
  summary: string;
  source: string;
  sourceUrl: string;
  /**
   * True when every run of this kind trains (LoRA, unlearning, fine-tuning): training needs WebGPU. Inference
   * runs on the CPU backend without it, so kinds whose runs may be inference-only are false (lab-host.ts
   * `cpuRefusal` refuses a particular spec that trains, e.g. Study A with its fine-tuning step).
   */
  needsWebGpu: boolean;
}

export const CATALOG: readonly CatalogEntry[] = [
  {
    kind: 'emotion-profiles',
    study: 'A',
    title: 'Emotion profiles of social groups',
    summary:
      'Fill-in prompts about 374 social groups in six languages; the emotions of an XLM-R model’s completions, compared across languages (RSA) and after LoRA fine-tuning on one language.',
    source:
      'Choenni, Shutova & van Rooij (EMNLP 2021) and the multilingual follow-up “Stereotype Shifts in Multilingual Language Models”',
    sourceUrl: 'https://github.com/RochelleChoenni/stereotypes_in_lms',
    needsWebGpu: false,
  },
  {
    kind: 'geo-unlearning',
    study: 'B',
    title: 'Unlearning geo-cultural stereotypes',
    summary:
      'Gradient ascent + “unknown” + KL (or NPO) with LoRA on a Llama-family model; SeeGULL multiple-choice evaluation in ten languages before and after.',
    source: 'Unlearning Geo-Cultural Stereotypes in Multilingual LLMs / Multilingual Amnesia (arXiv 2601.05641)',
    sourceUrl: 'https://github.com/alirezafarashah/multilingual_unlearning',
    needsWebGpu: true,
  },
  {
    kind: 'bias-mitigation',
    study: 'C',
    title: 'Scalability of bias mitigation',
    summary:
      'Fine-tune FLAN-T5 or Bloomz to rewrite CrowS-Pairs sentences neutrally; evaluate on StereoSet in prompt form and with bias metrics.',
    source: 'Bias Mitigation in LLMs (UQAC report on Bloomz / FLAN-T5)',
    sourceUrl: 'https://github.com/Wazzabeee/Bias-Mitigation-In-LLM',
    needsWebGpu: true,
  },
  {
    kind: 'embedding-stats',
    study: 'D',
    title: 'Hidden-embedding statistics',
    summary:
      'Per-layer statistics of FlauBERT / CamemBERT embeddings on French reviews, before and after sentiment fine-tuning.',
    source: 'PIR IRISA / INSA project on FlauBERT and CamemBERT (FLUE CLS)',
    sourceUrl: 'https://github.com/lolofo/pir_irisa_insa',
    needsWebGpu: false,
  },
  {
    kind: 'polyglot-tuning',
    study: 'E',
    title: 'Turning English-centric LLMs into polyglots',
    summary:
      'Instruction tuning with a few hundred non-English examples; how much multilinguality transfers (XNLI, chat).',
    source: 'Kew, Schottmann & Sennrich, arXiv 2312.12683',
    sourceUrl: 'https://github.com/ZurichNLP/multilingual-instruction-tuning',
    needsWebGpu: true,
  },
  {
    kind: 'engine-check',
    study: null,
    title: 'Engine self-check (not a study)',
    summary:
      'Runs matrix multiplications on your GPU with the lab’s own WGSL kernels (or on the CPU backend without WebGPU) and compares them with a float64 reference: maximum error and speed per shape.',
    source: 'Stereoscope engine',
    sourceUrl: '',
    needsWebGpu: false,
  },
];

export function catalogEntry(kind: ExperimentKind): CatalogEntry {
  const e = CATALOG.find((c) => c.kind === kind);
  if (!e) throw new Error(`no catalog entry for ${kind}`);
  return e;
}
