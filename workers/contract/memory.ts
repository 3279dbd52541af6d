// What the engine tells the page about memory before a run: the Study B runner's own check (bytes by part, the
// budget, the verdict) for a spec and its model's config.json, so the page disables Run with the same reason the
// runner would refuse with. The numbers come from the worker (LabApi.memoryPreview); these are their shapes.
import type { ExperimentSpec } from './specs/index';

/** The bytes one Study B training step needs, by part (workers/experiments/study-b/memory.ts). */
export interface MemoryEstimate {
  weights: number;
  /** LoRA values + gradients. */
  lora: number;
  /** AdamW m and v. */
  optimizer: number;
  /** Kept for backward (one stream at a time) + one layer's backward workspace. */
  activations: number;
  logits: number;
  total: number;
  /** Largest single buffer (a weight matrix or the [B·T, V] logits) and what it holds. */
  largestBuffer: number;
  largestName: string;
}

export type FrozenFormat = 'f32' | 'f16' | 'q8' | 'q4';

export interface MemoryVerdict {
  estimate: MemoryEstimate;
  fits: boolean;
  reason?: string;
  budget: number;
}

/** Rows shorter than this are counted at this length (kernels and caches are sized for it anyway). */
export const MIN_CHECK_SEQ_LEN = 64;

export interface StudyBMemoryCheck extends MemoryVerdict {
  format: FrozenFormat;
  /** The sequence length counted (the longest row, at least MIN_CHECK_SEQ_LEN). */
  seqLen: number;
}

export interface MemoryPart {
  label: string;
  bytes: number;
}

export interface MemoryPreview {
  check: StudyBMemoryCheck;
  parts: MemoryPart[];
  /** One line for the page: "needs 6.2 GiB, budget 4 GiB: …" or "needs 0.1 GiB of the 4 GiB budget". */
  summary: string;
}

export function formatGiB(bytes: number): string {
  const g = bytes / 2 ** 30;
  return `${g >= 10 ? g.toFixed(0) : g >= 0.1 ? g.toFixed(1) : g.toFixed(3)} GiB`;
}

export type ConfigOrigin = 'registry' | 'demo' | 'host';

/** Where a model's config.json came from. */
export interface ModelConfigAnswer {
  config: Record<string, unknown>;
  origin: ConfigOrigin;
}

/** Whether the spec's runner checks memory before it trains (so a preview means something): Study B's. */
export function previewsMemory(spec: ExperimentSpec): spec is Extract<ExperimentSpec, { kind: 'geo-unlearning' }> {
  return spec.kind === 'geo-unlearning';
}
