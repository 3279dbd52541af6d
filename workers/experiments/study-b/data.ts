// Study B inputs for the runner: the MCQ set per language (one CSV per language as the study ships them, named by
// a URL or file name with `{lang}`; one CSV with a `language` column; or a single-language file), the retain pairs,
// the held-out split that is disjoint by identity–attribute pair across ALL languages (or the study's in-sample
// setup), and the tokenised, right-padded streams of one training step (methods.md B.1; prompts and masks from
// analysis/study-b/prompts.ts).
import type { Tokenizer } from '../../../models/load/tokenizer';

import {
  pairKey,
  parseMcqCsv,
  parseRetainSet,
  splitByPair,
  type McqItem,
  type QaPair,
} from '../../analysis/study-b/mcq-data';
import { trainingExample, unknownTrainingAnswer, type AnswerMaskRule } from '../../analysis/study-b/prompts';
import { perLanguageFiles, type DataSource, type PerLanguageSource } from '../../contract/specs/common';
import type { EvalSplit } from '../../contract/specs/geo-unlearning';
import type { ExperimentContext } from '../experiment-runner';
import { readDataSource } from '../study-a/sources';
import type { TokenStream } from './unlearning-loss';
import { STUDY_B_LANGUAGES, type StudyBLanguage } from '../../contract/specs/geo-unlearning';

export function asStudyLanguage(l: string): StudyBLanguage {
  if (!(STUDY_B_LANGUAGES as readonly string[]).includes(l))
    throw new Error(`Study B has no prompts for language "${l}" (known: ${STUDY_B_LANGUAGES.join(', ')})`);
  return l as StudyBLanguage;
}

/**
 * MCQ items for every language in `languages`, from one file per language (`{lang}` in the URL or file name,
 * each checked against its language's sha256 when the spec pins one), one file with a language column, or a
 * one-language file.
 */
export async function loadMcq(
  src: PerLanguageSource,
  languages: readonly string[],
  ctx: Pick<ExperimentContext, 'checkpoints' | 'signal'>,
): Promise<Map<string, McqItem[]>> {
  const out = new Map<string, McqItem[]>();
  let files: ReturnType<typeof perLanguageFiles>;
  try {
    files = perLanguageFiles(src, languages);
  } catch (e) {
    throw new Error(`MCQ set: ${(e as Error).message}`, { cause: e });
  }
  if (files[0]?.language) {
    for (const { language, source } of files) {
      const where = source.from === 'url' ? source.url : source.name;
      const label = `MCQ set for "${language}"`;
      const text = await readDataSource(source, ctx, label).catch((e: Error) => {
        throw new Error(
          e.message.startsWith(label) ? e.message : `${label}: its file ${where} cannot be read (${e.message})`,
          { cause: e },
        );
      });
      out.set(language!, parseMcqCsv(text, { label: `MCQ ${language} (${where})` }));
    }
    return out;
  }
  const items = parseMcqCsv(await readDataSource(files[0].source, ctx, 'MCQ set'), { label: 'MCQ set' });
  const hasLang = items.length > 0 && ('language' in items[0].raw || 'lang' in items[0].raw);
  if (!hasLang) {
    if (languages.length !== 1)
      throw new Error(
        'MCQ set: the file has no language column; give one file per language (a URL or file name with {lang}), a file with a language column, or evaluate one language',
      );
    out.set(languages[0], items);
    return out;
  }
  for (const l of languages) {
    const rows = items
      .filter((it) => (it.raw.language ?? it.raw.lang).trim() === l)
      .map((it, index) => ({ ...it, index }));
    if (!rows.length) throw new Error(`MCQ set: no rows for language "${l}"`);
    out.set(l, rows);
  }
  return out;
}

export async function loadRetain(
  src: DataSource,
  ctx: Pick<ExperimentContext, 'checkpoints' | 'signal'>,
): Promise<QaPair[]> {
  return parseRetainSet(await readDataSource(src, ctx, 'retain set'), { label: 'retain set' });
}

export interface StudySplit {
  /** Training items in the training language. */
  train: McqItem[];
  /** Evaluation items per language: held-out, never the same row (nor its pair) as a training item; in-sample,
   * every row (the training rows included). */
  evaluation: Map<string, McqItem[]>;
  evalSplit: EvalSplit;
  description: string;
}

/**
 * Held-out: the split is drawn once, on the training language, by identity–attribute pair (seeded). The study's
 * files hold the same rows in every language, so the evaluation rows of the other languages are the rows at the
 * same positions; attributes are translated, so their pair keys could not be compared across languages directly.
 * When the row counts differ, each language is split on its own with the same seed (stated in the results).
 * In-sample (the study's setup): training takes every row of the training language and every language is
 * evaluated on all its rows.
 */
export function splitStudy(options: {
  mcq: Map<string, McqItem[]>;
  trainLanguage: string;
  evalSplit?: EvalSplit;
  evalFraction: number;
  seed: number;
}): StudySplit {
  const base = options.mcq.get(options.trainLanguage);
  if (!base) throw new Error(`training language ${options.trainLanguage} must be one of the evaluated languages`);
  if (options.evalSplit === 'in-sample') {
    const sizes = [...options.mcq].map(([l, items]) => `${items.length} in ${l}`).join(', ');
    return {
      train: [...base],
      evaluation: new Map([...options.mcq].map(([l, items]) => [l, [...items]])),
      evalSplit: 'in-sample',
      description: `in-sample (the study's setup): trained on all ${base.length} rows in ${options.trainLanguage} and evaluated on every row (${sizes}); evalFraction is not used`,
    };
  }
  const s = splitByPair({ items: base, evalFraction: options.evalFraction, seed: options.seed });
  if (!s.eval.length)
    throw new Error(
      `evalFraction ${options.evalFraction} holds out no identity–attribute pair, so nothing would be evaluated; raise it, or set evalSplit to "in-sample" to evaluate on the training rows as the study does`,
    );
  const evalRows = new Set(s.eval.map((it) => it.index));
  const aligned = [...options.mcq.values()].every((items) => items.length === base.length);
  const evaluation = new Map<string, McqItem[]>();
  for (const [l, items] of options.mcq) {
    evaluation.set(
      l,
      aligned
        ? items.filter((it) => evalRows.has(it.index))
        : splitByPair({ items, evalFraction: options.evalFraction, seed: options.seed }).eval,
    );
  }
  const how = aligned
    ? 'rows aligned across languages: one split on the training language applied to all'
    : 'row counts differ between languages: each language split on its own with the same seed';
  return {
    train: s.train,
    evaluation,
    evalSplit: 'held-out',
    description: `held-out: seed ${options.seed}, ${s.trainPairs} training / ${s.evalPairs} evaluation identity–attribute pairs (${s.train.length} / ${s.eval.length} rows in ${options.trainLanguage}); ${how}`,
  };
}

/** Sanity check used by tests and the results: no evaluation row of the training language shares a pair with training. */
export function overlappingPairs(split: StudySplit, trainLanguage: string): number {
  const train = new Set(split.train.map(pairKey));
  return (split.evaluation.get(trainLanguage) ?? []).filter((it) => train.has(pairKey(it))).length;
}

export interface Encoder {
  encode(text: string): number[];
  eos: string;
  pad: number;
}

export function encoderOf(tok: Tokenizer, opts: { padId?: number | null; eosId?: number | null } = {}): Encoder {
  const t = tok as unknown as {
    eos_token?: string;
    eos_token_id?: number;
    pad_token_id?: number;
    encode(s: string): number[];
  };
  const eosId = t.eos_token_id ?? opts.eosId ?? 2;
  // Padding never reaches a loss (attention and answer masks are 0 there): any valid id will do.
  const pad = t.pad_token_id ?? opts.padId ?? eosId;
  return { encode: (s) => t.encode(s), eos: t.eos_token ?? '', pad };
}

/** Right-pads examples (ids + per-logit answer mask of length ids.length − 1) into one stream. */
export function padStream(examples: { ids: number[]; predictMask: number[] }[], pad: number): TokenStream {
  const T = Math.max(...examples.map((e) => e.ids.length));
  return {
    inputIds: examples.map((e) => [...e.ids, ...Array<number>(T - e.ids.length).fill(pad)]),
    attentionMask: examples.map((e) => Array.from({ length: T }, (_, t) => (t < e.ids.length ? 1 : 0))),
    answerMask: examples.map((e) => Array.from({ length: T }, (_, t) => e.predictMask[t] ?? 0)),
  };
}

/** The three streams of step `step`: items and retain pairs are taken in a seeded order, cycled. */
export function stepStreams(options: {
  language: StudyBLanguage;
  train: readonly McqItem[];
  retain: readonly QaPair[];
  order: readonly number[];
  retainOrder: readonly number[];
  step: number;
  batch: number;
  enc: Encoder;
  answerMask?: AnswerMaskRule;
}) {
  const { language, enc, batch, step } = options;
  const ex = (question: string, answer: string) =>
    trainingExample({ language, question, answer, eos: enc.eos, tokenize: enc.encode, rule: options.answerMask });
  const items = Array.from(
    { length: batch },
    (_, i) => options.train[options.order[(step * batch + i) % options.order.length]],
  );
  const pairs = Array.from(
    { length: batch },
    (_, i) => options.retain[options.retainOrder[(step * batch + i) % options.retainOrder.length]],
  );
  return {
    forget: padStream(
      items.map((it) => ex(it.question, it.target)),
      enc.pad,
    ),
    unknown: padStream(
      items.map((it) => ex(it.question, unknownTrainingAnswer(language))),
      enc.pad,
    ),
    retain: padStream(
      pairs.map((p) => ex(p.question, p.answer)),
      enc.pad,
    ),
    items,
  };
}
