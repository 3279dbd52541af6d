// Tokenizers from @huggingface/transformers, built from the tokenizer.json / tokenizer_config.json TEXT that we
// read through a ModelSource (so caching, progress and offline sources apply, and transformers.js never fetches
// anything itself). The class is chosen from `tokenizer_class` as transformers.js' AutoTokenizer does.
import * as hf from '@huggingface/transformers';
import { PreTrainedTokenizer } from '@huggingface/transformers';
import { FormatError } from './errors';
import type { ModelSource } from './source';

export type Tokenizer = PreTrainedTokenizer;

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | string;
  content: string;
}

type TokenizerClass = new (tokenizerJSON: object, tokenizerConfig: object) => PreTrainedTokenizer;

export async function loadTokenizer(source: ModelSource): Promise<Tokenizer> {
  const [json, config] = await Promise.all([
    readJson(source, 'tokenizer.json'),
    source.exists('tokenizer_config.json').then((has) => (has ? readJson(source, 'tokenizer_config.json') : {})),
  ]);
  return tokenizerFromJson({ tokenizerJSON: json, tokenizerConfig: config });
}

/** Builds the tokenizer from already-parsed objects; unknown classes fall back to the base class. */
export function tokenizerFromJson(opts: {
  tokenizerJSON: object;
  tokenizerConfig: Record<string, unknown>;
}): Tokenizer {
  const name = String(opts.tokenizerConfig.tokenizer_class ?? 'PreTrainedTokenizer').replace(/Fast$/, '');
  const candidate = (hf as unknown as Record<string, unknown>)[name];
  const cls =
    typeof candidate === 'function' &&
    (candidate === PreTrainedTokenizer || candidate.prototype instanceof PreTrainedTokenizer)
      ? (candidate as TokenizerClass)
      : (PreTrainedTokenizer as unknown as TokenizerClass);
  return new cls(opts.tokenizerJSON, opts.tokenizerConfig);
}

/** One encoded text or text pair, as the model reads it. */
export interface Encoding {
  inputIds: number[];
  /** Segment ids (0 for the first text and its specials, 1 for the second), only for tokenizers whose models read
   *  them (BERT-style); undefined for the others (RoBERTa, XLM-R, Llama…), as `tokenizer(text)` returns in HF. */
  tokenTypeIds?: number[];
}

/**
 * Encodes `text`, or the pair (`text`, `textPair`) as HF's `tokenizer(text, text_pair)` does: the pair template of the
 * tokenizer's post-processor (`[CLS] A [SEP] B [SEP]`, `<s> A </s></s> B </s>`, …) and its segment ids.
 */
export function encodeText(
  tokenizer: Tokenizer,
  text: string,
  opts: { textPair?: string | null; addSpecialTokens?: boolean } = {},
): Encoding {
  const enc = tokenizer(text, {
    text_pair: opts.textPair ?? null,
    add_special_tokens: opts.addSpecialTokens ?? true,
    return_tensor: false,
  }) as { input_ids: number[]; token_type_ids?: number[] };
  return enc.token_type_ids
    ? { inputIds: enc.input_ids, tokenTypeIds: enc.token_type_ids }
    : { inputIds: enc.input_ids };
}

/** Renders `messages` with the model's chat template and tokenises the result (no extra special tokens). */
export function applyChatTemplate(
  tokenizer: Tokenizer,
  messages: ChatMessage[],
  opts: { addGenerationPrompt?: boolean } = {},
): { text: string; inputIds: number[] } {
  if (!tokenizer.chat_template)
    throw new FormatError('This tokenizer has no chat_template in tokenizer_config.json; it is not a chat model.');
  const text = tokenizer.apply_chat_template(messages, {
    tokenize: false,
    add_generation_prompt: opts.addGenerationPrompt ?? true,
  }) as string;
  return { text, inputIds: tokenizer.encode(text, { add_special_tokens: false }) };
}

async function readJson(source: ModelSource, file: string): Promise<Record<string, unknown>> {
  const text = await source.readText(file);
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new FormatError(`${file} of ${source.describe()} is not valid JSON (${(e as Error).message})`);
  }
}
