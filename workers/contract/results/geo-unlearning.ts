// Study B's result (geo-unlearning): rates per language before and after unlearning with Wilson intervals,
// the transfer matrix, loss curves, the memory the training step needed and run facts.
import type { EvalSplit } from '../specs/geo-unlearning';
import type { ResultBase } from './base';
import type { MemoryEstimate } from '../memory';

export type EvalMode = 'likelihood' | 'generation';

export interface Proportion {
  successes: number;
  total: number;
  rate: number;
  low: number;
  high: number;
}

export interface Rates {
  n: number;
  stereotype: Proportion;
  unknown: Proportion;
  other: Proportion;
}

export type Phase = 'before' | 'after';

export interface RateRow {
  phase: Phase;
  mode: EvalMode;
  language: string; // 'overall' for the pooled row
  rates: Rates;
}

export interface GeoUnlearningResult extends ResultBase {
  kind: 'geo-unlearning';
  trainLanguage: string;
  loss: 'grad-diff-kl' | 'npo';
  /** The answer-only mask rule used in training (absent in results from before the option existed). */
  answerMask?: 'boundary' | 'study';
  languages: string[];
  modes: EvalMode[];
  /** Which rows were evaluated: held out of training, or the training rows themselves (the study's setup).
   *  Absent in results from before the option existed (they are all held-out). */
  evalSplit?: EvalSplit;
  /** Rows of the training language trained on (absent in older results). */
  trainRows?: number;
  split: string;
  rates: RateRow[];
  /** Rows: 'none' (baseline) and the training language; columns: evaluated languages; per mode. */
  transfer: {
    mode: EvalMode;
    trainLanguages: string[];
    evalLanguages: string[];
    stereotype: (number | null)[][];
    delta: (number | null)[][];
  }[];
  curves: { name: string; points: [number, number][] }[];
  memory: MemoryEstimate;
  stepMs: number | null;
  steps: number;
  model: string;
}
