// Study B evaluation of one model state in one language (methods.md B.3). Likelihood: log-probability of each of
// the five option texts after the prompt, softmax over the five, the arg-max is the answer (eval_prob.py); each
// prompt of a chunk of items runs once and the options reuse its KV cache (cached-likelihood.ts). Generation:
// greedy decoding with the KV cache (rows of equal prompt length are batched), then answer extraction in both
// modes (analysis/study-b/extract.ts).
import { generate } from '../../../models/llama/generate';
import type { LlamaForCausalLM } from '../../../models/llama/model';
import { STUDY_B_LOCALES } from '../../analysis/study-b/data/locales';
import { extractAnswer, type AnswerClass } from '../../analysis/study-b/extract';
import type { McqItem } from '../../analysis/study-b/mcq-data';
import { evalPrompt } from '../../analysis/study-b/prompts';
import { padStream, type Encoder } from './data';
import { cachedOptionLogLikelihoods, type ScoredItem } from './cached-likelihood';
import { answerNll } from './unlearning-loss';
import type { EvalMode } from '../../contract/results/geo-unlearning';
import type { StudyBLanguage } from '../../contract/specs/geo-unlearning';

export interface ItemPrediction {
  language: string;
  mode: EvalMode;
  item: number;
  identity: string;
  attribute: string;
  options: string[];
  targetIndex: number;
  unknownIndex: number;
  /** Display index chosen (null: nothing extracted). */
  chosen: number | null;
  cls: AnswerClass;
  /** The study's extraction quirks (generation only; equal to cls for likelihood). */
  clsStudy: AnswerClass;
  /** Softmax over the five option log-likelihoods (likelihood mode). */
  probs?: number[];
  output?: string;
}

/** Text scored for an option: the prompt, a newline, the localised answer label, then the option. Our reading of
 * eval_prob.py's "option text after the prompt"; the label makes the option a natural continuation. */
function scoredPrefix(prompt: string, lang: StudyBLanguage): string {
  return `${prompt}\n${STUDY_B_LOCALES[lang].answerLabel}`;
}

/**
 * The option's tokens are those after the longest common prefix of the prompt's and the full text's ids, so a
 * merge across the boundary (the space after the label joining the option's first word) never drops the first
 * option token: every option is scored on all of its own tokens. Logit position t predicts token t + 1.
 */
export function optionExample(prefixIds: readonly number[], ids: number[]): { ids: number[]; predictMask: number[] } {
  let k = 0;
  while (k < prefixIds.length && k < ids.length && prefixIds[k] === ids[k]) k++;
  if (k >= ids.length) throw new Error('likelihood scoring: the option adds no token to the prompt');
  return { ids, predictMask: ids.slice(1).map((_, t) => (t + 1 >= k ? 1 : 0)) };
}

/** The ids scored for one item: the prompt alone (trailing space left to the options) and prompt + each option. */
export function scoredItem(enc: Encoder, prefix: string, options: readonly string[]): ScoredItem {
  return { promptIds: enc.encode(prefix.trimEnd()), optionIds: options.map((o) => enc.encode(prefix + o)) };
}

/** log p(option | prompt) per item and option, with the KV-cache path or one full forward per option row. */
export async function optionLogLikelihoods(
  model: LlamaForCausalLM,
  enc: Encoder,
  items: readonly ScoredItem[],
  cached: boolean,
): Promise<number[][]> {
  if (cached) return cachedOptionLogLikelihoods(model, items);
  const examples = items.flatMap((it) => it.optionIds.map((ids) => optionExample(it.promptIds, ids)));
  const nll = await answerNll(model, padStream(examples, enc.pad));
  let r = 0;
  return items.map((it) => it.optionIds.map(() => -nll[r++].reduce((a, b) => a + b, 0)));
}

/** One item to score in one language (the runner scores all languages' items in shared chunks). */
export interface LikelihoodEntry {
  item: McqItem;
  language: StudyBLanguage;
  unknownPhrase: string;
}

/**
 * Likelihood predictions for entries of any languages, `chunk` items per batched pass: with small models the
 * cost is mostly per pass, so chunks span languages.
 */
export async function evaluateLikelihoodEntries(options: {
  model: LlamaForCausalLM;
  enc: Encoder;
  entries: readonly LikelihoodEntry[];
  seed: number;
  /** Items per batched pass (5 option rows each); default: as many as keep the option logits near 64 MB. */
  chunk?: number;
  /** true (default): each item's prompt runs once and its five options reuse the KV cache
   *  (cached-likelihood.ts); false: one full forward per option row (the reference path). */
  cached?: boolean;
  signal?: AbortSignal;
  onItems?: (done: number) => void;
}): Promise<ItemPrediction[]> {
  const { model, enc } = options;
  // About 8 positions per option row: 5 · 8 · V f32 logits per item (128k-token vocabularies: 3 items a pass).
  const chunk = options.chunk ?? Math.max(1, Math.min(32, Math.floor(2 ** 26 / (5 * 8 * model.config.vocab_size * 4))));
  const out: ItemPrediction[] = [];
  for (let s = 0; s < options.entries.length; s += chunk) {
    options.signal?.throwIfAborted();
    const entries = options.entries.slice(s, s + chunk);
    const prompts = entries.map((e) =>
      evalPrompt({ item: e.item, language: e.language, unknownPhrase: e.unknownPhrase, seed: options.seed }),
    );
    const logps = await optionLogLikelihoods(
      model,
      enc,
      prompts.map((p, i) => scoredItem(enc, scoredPrefix(p.prompt, entries[i].language), p.options)),
      options.cached ?? true,
    );
    prompts.forEach((p, i) => {
      const logp = logps[i];
      const m = Math.max(...logp);
      const z = logp.reduce((a, x) => a + Math.exp(x - m), 0);
      const probs = logp.map((x) => Math.exp(x - m) / z);
      const chosen = probs.indexOf(Math.max(...probs));
      const cls: AnswerClass =
        chosen === p.targetIndex ? 'stereotype' : chosen === p.unknownIndex ? 'unknown' : 'other';
      const { item: it, language } = entries[i];
      out.push({
        language,
        mode: 'likelihood',
        item: it.index,
        identity: it.identity,
        attribute: it.attribute,
        options: p.options,
        targetIndex: p.targetIndex,
        unknownIndex: p.unknownIndex,
        chosen,
        cls,
        clsStudy: cls,
        probs,
      });
    });
    options.onItems?.(out.length);
  }
  return out;
}

export async function evaluateGeneration(options: {
  model: LlamaForCausalLM;
  enc: Encoder;
  decode: (ids: number[]) => string;
  items: readonly McqItem[];
  language: StudyBLanguage;
  unknownPhrase: string;
  seed: number;
  maxNewTokens: number;
  /** Rows per decoding batch (equal prompt lengths only). */
  batch?: number;
  signal?: AbortSignal;
  onItems?: (done: number) => void;
}): Promise<ItemPrediction[]> {
  const { model, enc, language } = options;
  const prompts = options.items.map((item) => ({
    item,
    p: evalPrompt({ item, language, unknownPhrase: options.unknownPhrase, seed: options.seed }),
  }));
  const encoded = prompts.map((x) => ({ ...x, ids: enc.encode(x.p.prompt) }));
  // Group by prompt length: the KV-cache decoder needs equal-length rows (no padding).
  const groups = new Map<number, typeof encoded>();
  for (const e of encoded) groups.set(e.ids.length, [...(groups.get(e.ids.length) ?? []), e]);
  const byItem = new Map<number, ItemPrediction>();
  const batch = options.batch ?? 8;
  for (const group of groups.values()) {
    for (let s = 0; s < group.length; s += batch) {
      options.signal?.throwIfAborted();
      const rows = group.slice(s, s + batch);
      const gen = await generate(
        model,
        rows.map((r) => r.ids),
        { maxNewTokens: options.maxNewTokens, temperature: 0, signal: options.signal },
      );
      rows.forEach((r, i) => {
        const output = options.decode(gen[i]);
        const args = { output, options: r.p.options, targetIndex: r.p.targetIndex, language };
        const c = extractAnswer({ ...args, mode: 'corrected' });
        const st = extractAnswer({ ...args, mode: 'study' });
        byItem.set(r.item.index, {
          language,
          mode: 'generation',
          item: r.item.index,
          identity: r.item.identity,
          attribute: r.item.attribute,
          options: r.p.options,
          targetIndex: r.p.targetIndex,
          unknownIndex: r.p.unknownIndex,
          chosen: c.optionIndex,
          cls: c.cls,
          clsStudy: st.cls,
          output,
        });
      });
      options.onItems?.(byItem.size);
    }
  }
  return options.items.map((it) => byItem.get(it.index)!);
}
