// Study B prompts (methods.md B.1/B.3): the training text `Question: {q} \nAnswer: {a}{eos}` with localised labels
// and its answer-only token mask (the study's start_loc = len(tokenize(prefix)) − 1, or the exact token boundary), and the five-option evaluation prompt
// (4 identities + one "unknown" phrase, shuffled per item with a seed).
import { randIndex, seededRng, shuffled } from '../shared/rng';
import { STUDY_B_LOCALES } from './data/locales';
import type { McqItem } from './mcq-data';
import type { StudyBLanguage } from '../../contract/specs/geo-unlearning';

/**
 * Which tokens the answer-only loss covers.
 * - 'study': the original's rule, start_loc = len(tokenize(prefix)) − 1 (data_utils.py). When the tokenizer
 *   merges the space before the answer into the answer's first piece ("Answer: French" → … ":", " French" with
 *   Llama 3, or "▁the" with Llama 2's byte-fallback BPE), the prefix alone ends in a lone space token that the
 *   full text does not have, so the rule starts one token late and the answer's FIRST token is not trained —
 *   for a one-token identity only the EOS is.
 * - 'boundary': the answer starts at the first position where the ids of prefix + answer leave the ids of the
 *   prefix alone (their longest common prefix), i.e. the first token that holds an answer character, for
 *   tokenizers whose merges stay inside a word (Llama 2 and Llama 3 do). Every answer token is trained; equal to
 *   'study' when nothing merges across the boundary.
 */
export type AnswerMaskRule = 'study' | 'boundary';

export interface TrainingExample {
  text: string;
  prefix: string;
  ids: number[];
  /** First logit position whose prediction is an answer token ('study': len(tokenize(prefix)) − 1). */
  startLoc: number;
  /** Per input position: 1 when that token is an answer token (i ≥ startLoc + 1), else 0. */
  targetMask: number[];
  /** Per logit position t (predicting token t+1), length ids.length − 1: 1 when t ≥ startLoc. */
  predictMask: number[];
}

/** Length of the longest common prefix of two id lists. */
export function commonPrefixLength(a: readonly number[], b: readonly number[]): number {
  let k = 0;
  while (k < a.length && k < b.length && a[k] === b[k]) k++;
  return k;
}

/**
 * Builds one training example. `tokenize` must behave like the study's tokenizer call on the full text (e.g. add
 * BOS). The prefix is tokenised separately, as in the study; `rule` says where the answer starts (see
 * AnswerMaskRule; 'study' by default here, the spec chooses for a run).
 */
export function trainingExample(options: {
  language: StudyBLanguage;
  question: string;
  answer: string;
  eos: string;
  tokenize: (text: string) => number[];
  rule?: AnswerMaskRule;
}): TrainingExample {
  const loc = STUDY_B_LOCALES[options.language];
  const prefix = `${loc.questionLabel}${options.question} \n${loc.answerLabel}`;
  const text = `${prefix}${options.answer}${options.eos}`;
  const ids = options.tokenize(text);
  const prefixIds = options.tokenize(prefix);
  // 'boundary': the first answer token is ids[k]; logit k − 1 predicts it.
  const startLoc =
    (options.rule ?? 'study') === 'boundary' ? commonPrefixLength(prefixIds, ids) - 1 : prefixIds.length - 1;
  if (startLoc < 0 || startLoc >= ids.length - 1)
    throw new Error(`trainingExample: prefix covers the whole text (startLoc ${startLoc}, ${ids.length} tokens)`);
  const targetMask = ids.map((_, i) => (i > startLoc ? 1 : 0));
  const predictMask = ids.slice(1).map((_, t) => (t >= startLoc ? 1 : 0));
  return { text, prefix, ids, startLoc, targetMask, predictMask };
}

/** The unk-stream answer: the language's 2nd unknown phrase (en Unknown, fr Inconnu, hi अज्ञात). */
export function unknownTrainingAnswer(language: StudyBLanguage): string {
  return STUDY_B_LOCALES[language].unknownPhrases[1];
}

/** The unknown phrase used in evaluation prompts: drawn once per run from the language's four, with the seed. */
export function unknownPhraseForRun(options: { language: StudyBLanguage; seed: number }): string {
  const phrases = STUDY_B_LOCALES[options.language].unknownPhrases;
  return phrases[randIndex(seededRng(options.seed), phrases.length)];
}

export const OPTION_LETTERS = ['a', 'b', 'c', 'd', 'e'] as const;

export interface EvalPrompt {
  prompt: string;
  /** The five option texts in display order (a..e). */
  options: string[];
  /** Display index of the stereotyped identity and of the unknown phrase. */
  targetIndex: number;
  unknownIndex: number;
}

/** Per-item generator derived from the run seed and the item index, so a subset gets the same shuffles. */
function itemRng(seed: number, index: number) {
  return seededRng((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
}

/**
 * `{question}\n` + `a) …` … `e) …` one per line + `\n{instruction}`. The exact whitespace around the option
 * lines is our reading of methods.md B.3 (lines joined by '\n', no blank line).
 */
export function evalPrompt(options: {
  item: McqItem;
  language: StudyBLanguage;
  unknownPhrase: string;
  seed: number;
}): EvalPrompt {
  const { item } = options;
  const texts = [...item.options, options.unknownPhrase];
  const order = shuffled([0, 1, 2, 3, 4], itemRng(options.seed, item.index));
  const shown = order.map((i) => texts[i]);
  const lines = shown.map((t, i) => `${OPTION_LETTERS[i]}) ${t}`);
  const prompt = `${item.question}\n${lines.join('\n')}\n${STUDY_B_LOCALES[options.language].instruction}`;
  return { prompt, options: shown, targetIndex: order.indexOf(item.correct), unknownIndex: order.indexOf(4) };
}
