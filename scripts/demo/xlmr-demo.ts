// DEMO model generator: a tiny XLM-R masked LM with SEEDED RANDOM weights, written in Hugging Face Hub layout
// (config.json, model.safetensors, tokenizer.json, tokenizer_config.json) so the lab loads it exactly like a Hub
// model. Its predictions mean nothing; it exists so the Study A pipeline runs offline. Follows the layout of
// ../shared/fixtures/xlmr-tiny (its README describes the tokenizer and tensor names; no file is copied).
import { normal, seededRng } from '../../workers/analysis/shared/rng';
import { writeSafetensors, type WriteTensor } from '../../models/load/safetensors';

export interface DemoXlmrOptions {
  /** Every text the vocabulary must cover with whole-word pieces (prompts, group names, lexicon words). */
  texts: readonly string[];
  seed?: number;
  hidden?: number;
  layers?: number;
  heads?: number;
  intermediate?: number;
  maxPositions?: number;
}

export type DemoFiles = Record<string, string | Uint8Array>;

const SPECIALS = ['<s>', '<pad>', '</s>', '<unk>'];
const MASK = '<mask>';
const SPACE = '\u2581';

/** Pieces of a Unigram vocabulary: specials, ▁, every character, then ▁word for every space-separated word. */
export function demoVocabulary(texts: readonly string[]): [string, number][] {
  const chars = new Set<string>();
  const words = new Map<string, number>();
  for (const raw of texts) {
    const text = raw.normalize('NFKC').split(MASK).join(' ').split('{}').join(' ');
    for (const w of text.split(/\s+/).filter(Boolean)) {
      words.set(w, (words.get(w) ?? 0) + 1);
      for (const c of w) chars.add(c);
    }
  }
  const vocab: [string, number][] = SPECIALS.map((s) => [s, 0]);
  // Whole words score far above a spelling in characters, so Unigram keeps each listed word as one piece
  // (the lexicon is matched against single decoded pieces, methods.md A.2 step 5).
  vocab.push([SPACE, -6]);
  for (const c of [...chars].sort()) vocab.push([c, -9]);
  const sorted = [...words].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  sorted.forEach(([w], i) => vocab.push([SPACE + w, -3 - i / sorted.length]));
  vocab.push([MASK, 0]);
  return vocab;
}

function addedToken(id: number, content: string, lstrip = false) {
  return { id, content, single_word: false, lstrip, rstrip: false, normalized: false, special: true };
}

function tokenizerJson(vocab: [string, number][]): object {
  const maskId = vocab.length - 1;
  const metaspace = { type: 'Metaspace', replacement: SPACE, prepend_scheme: 'always', split: true };
  const special = (id: string) => ({ SpecialToken: { id, type_id: 0 } });
  const seq = (id: string) => ({ Sequence: { id, type_id: 0 } });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [...SPECIALS.map((s, i) => addedToken(i, s)), addedToken(maskId, MASK, true)],
    normalizer: {
      type: 'Sequence',
      normalizers: [{ type: 'NFKC' }, { type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' ' }],
    },
    pre_tokenizer: metaspace,
    post_processor: {
      type: 'TemplateProcessing',
      single: [special('<s>'), seq('A'), special('</s>')],
      pair: [special('<s>'), seq('A'), special('</s>'), special('</s>'), seq('B'), special('</s>')],
      special_tokens: {
        '<s>': { id: '<s>', ids: [0], tokens: ['<s>'] },
        '</s>': { id: '</s>', ids: [2], tokens: ['</s>'] },
      },
    },
    decoder: metaspace,
    model: { type: 'Unigram', unk_id: 3, vocab, byte_fallback: false },
  };
}

function tokenizerConfig(maskId: number, maxLength: number): object {
  const decoder: Record<string, object> = {};
  [...SPECIALS.map((s, i) => [i, s] as const), [maskId, MASK] as const].forEach(([id, s]) => {
    const { id: _id, ...rest } = addedToken(id, s, s === MASK);
    decoder[String(id)] = rest;
  });
  return {
    tokenizer_class: 'XLMRobertaTokenizer',
    bos_token: '<s>',
    eos_token: '</s>',
    sep_token: '</s>',
    cls_token: '<s>',
    unk_token: '<unk>',
    pad_token: '<pad>',
    mask_token: MASK,
    model_max_length: maxLength,
    clean_up_tokenization_spaces: true,
    added_tokens_decoder: decoder,
  };
}

/** Every file of the demo model. Same seed and texts → byte-identical files. */
export function makeDemoXlmr(options: DemoXlmrOptions): DemoFiles {
  const C = options.hidden ?? 48;
  const L = options.layers ?? 2;
  const NH = options.heads ?? 4;
  const I = options.intermediate ?? 2 * C;
  const P = options.maxPositions ?? 130;
  const vocab = demoVocabulary(options.texts);
  const V = vocab.length;
  const rng = seededRng(options.seed ?? 1234);
  const tensors: WriteTensor[] = [];
  // Same scheme as the fixtures: matrices N(0, 0.25²), norm weights 1 + N(0, 0.1²), biases N(0, 0.1²), so the
  // random model gives peaked, group-dependent fill-mask distributions rather than near-uniform ones.
  const add = (name: string, shape: number[], kind: 'matrix' | 'norm' | 'bias') => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++)
      data[i] = kind === 'matrix' ? 0.25 * normal(rng) : kind === 'norm' ? 1 + 0.1 * normal(rng) : 0.1 * normal(rng);
    tensors.push({ name, dtype: 'F32', shape, data });
  };
  const e = 'roberta.embeddings';
  add(`${e}.word_embeddings.weight`, [V, C], 'matrix');
  add(`${e}.position_embeddings.weight`, [P, C], 'matrix');
  add(`${e}.token_type_embeddings.weight`, [1, C], 'matrix');
  add(`${e}.LayerNorm.weight`, [C], 'norm');
  add(`${e}.LayerNorm.bias`, [C], 'bias');
  const linear = (name: string, out: number, inp: number) => {
    add(`${name}.weight`, [out, inp], 'matrix');
    add(`${name}.bias`, [out], 'bias');
  };
  const norm = (name: string) => {
    add(`${name}.weight`, [C], 'norm');
    add(`${name}.bias`, [C], 'bias');
  };
  for (let l = 0; l < L; l++) {
    const p = `roberta.encoder.layer.${l}`;
    for (const m of ['query', 'key', 'value']) linear(`${p}.attention.self.${m}`, C, C);
    linear(`${p}.attention.output.dense`, C, C);
    norm(`${p}.attention.output.LayerNorm`);
    linear(`${p}.intermediate.dense`, I, C);
    linear(`${p}.output.dense`, C, I);
    norm(`${p}.output.LayerNorm`);
  }
  linear('lm_head.dense', C, C);
  add('lm_head.layer_norm.weight', [C], 'norm');
  add('lm_head.layer_norm.bias', [C], 'bias');
  add('lm_head.bias', [V], 'bias');
  const config = {
    _demo:
      'DEMO model generated by Stereoscope (scripts/demo/xlmr-demo.ts): seeded random weights, meaningless predictions',
    architectures: ['XLMRobertaForMaskedLM'],
    attention_probs_dropout_prob: 0,
    bos_token_id: 0,
    eos_token_id: 2,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0,
    hidden_size: C,
    intermediate_size: I,
    layer_norm_eps: 1e-5,
    max_position_embeddings: P,
    model_type: 'xlm-roberta',
    num_attention_heads: NH,
    num_hidden_layers: L,
    pad_token_id: 1,
    position_embedding_type: 'absolute',
    type_vocab_size: 1,
    vocab_size: V,
  };
  return {
    'config.json': JSON.stringify(config, null, 2) + '\n',
    'model.safetensors': writeSafetensors(tensors, { format: 'pt', demo: 'random weights' }),
    'tokenizer.json': JSON.stringify(tokenizerJson(vocab)) + '\n',
    'tokenizer_config.json': JSON.stringify(tokenizerConfig(V - 1, P - 2), null, 2) + '\n',
    'README.md': 'DEMO model generated by Stereoscope with seeded random weights. Its emotion profiles mean nothing.\n',
  };
}
