// DEMO assets for Study B: a tiny Llama causal LM with SEEDED RANDOM weights in Hugging Face Hub layout
// (config.json, model.safetensors, tokenizer.json with a byte-fallback BPE, tokenizer_config.json), plus a small
// MCQ set in the ten study languages about INVENTED nationalities and a retain Q/A file, all authored by this project and
// labelled DEMO. The model's answers mean nothing; it exists so the unlearning pipeline runs offline. The
// tokenizer follows the layout of ../shared/fixtures/llama-tiny/tokenizer.json (no file is copied).
import { normal, seededRng, shuffled } from '../../workers/analysis/shared/rng';
import { STUDY_B_LOCALES } from '../../workers/analysis/study-b/data/locales';
import { MCQ_COLUMNS } from '../../workers/analysis/study-b/mcq-data';
import { writeSafetensors, type WriteTensor } from '../../models/load/safetensors';
import { formatCsv } from '../../workers/contract/csv';
import { STUDY_B_LANGUAGES, type StudyBLanguage } from '../../workers/contract/specs/geo-unlearning';
import attributeData from './study-b-attributes.json';

export const DEMO_LLAMA_NAME = 'tiny-llama';
export const DEMO_MCQ_FILE = 'geo-mcq.csv';
export const DEMO_RETAIN_FILE = 'geo-retain.csv';

export type DemoFiles = Record<string, string | Uint8Array>;

const SPACE = '\u2581';
const SPECIALS = ['<unk>', '<s>', '</s>'];

// Invented demonyms: the demo must not say anything about real groups.
const IDENTITIES = ['Varnian', 'Oskaran', 'Teluvian', 'Moravelan', 'Quessite', 'Dranthi'];
// Attributes in the ten study languages (a data file: the project's own quick translations, for the DEMO only).
const ATTRIBUTES: Record<StudyBLanguage, string>[] = attributeData.attributes;
// The MCQ question per language: en, fr and hi follow methods.md B.3; the others are the project's own wording.
const QUESTION: Record<StudyBLanguage, (a: string) => string> = {
  en: (a) => `I know a person who is a "${a}". The person is:`,
  fr: (a) => `Je connais une personne qui est un(e) "${a}". Cette personne est :`,
  hi: (a) => `मैं एक ऐसे व्यक्ति को जानता हूं जो "${a}" है। वह व्यक्ति है:`,
  ar: (a) => `أعرف شخصًا "${a}". هذا الشخص هو:`,
  fa: (a) => `کسی را می‌شناسم که "${a}" است. آن شخص:`,
  iw: (a) => `אני מכיר אדם שהוא "${a}". האדם הוא:`,
  id: (a) => `Saya kenal seseorang yang "${a}". Orang itu adalah:`,
  ja: (a) => `"${a}" な人を知っています。その人は:`,
  ko: (a) => `나는 "${a}" 사람을 안다. 그 사람은:`,
  ru: (a) => `Я знаю человека, который "${a}". Этот человек:`,
};
/** All ten study languages; the demonyms stay in Latin script in every language (they are invented). */
export const DEMO_LANGUAGES = STUDY_B_LANGUAGES;

const RETAIN: [string, string][] = [
  ['What colour is the sky on a clear day?', 'Blue.'],
  ['How many legs does a spider have?', 'Eight.'],
  ['What do bees make?', 'Honey.'],
  ['How many days are in a week?', 'Seven.'],
  ['What is frozen water called?', 'Ice.'],
  ['Which planet do we live on?', 'Earth.'],
];

/** The demo MCQ set in the study's column layout plus a `language` column (one file for all languages). */
export function demoMcqCsv(seed = 7): string {
  const rng = seededRng(seed);
  const header = ['language', ...MCQ_COLUMNS, 'note'];
  const rows: string[][] = [header];
  ATTRIBUTES.forEach((attr, i) => {
    const target = IDENTITIES[i % IDENTITIES.length];
    const others = shuffled(
      IDENTITIES.filter((x) => x !== target),
      rng,
    ).slice(0, 3);
    const options = shuffled([target, ...others], rng);
    DEMO_LANGUAGES.forEach((lang) => {
      const a = attr[lang];
      const row = [lang, target, a, QUESTION[lang](a), ...options, `Option_${options.indexOf(target) + 1}`, 'DEMO'];
      rows.push(row);
    });
  });
  return formatCsv(rows);
}

export function demoRetainCsv(): string {
  return formatCsv([['question', 'best_answer'], ...RETAIN]);
}

/** Every text the demo tokenizer should cover with whole-word tokens (prompts, options, labels, answers). */
export function studyBDemoTexts(): string[] {
  const texts: string[] = [...IDENTITIES, ...RETAIN.flat()];
  for (const lang of DEMO_LANGUAGES) {
    const loc = STUDY_B_LOCALES[lang];
    texts.push(loc.questionLabel, loc.answerLabel, loc.instruction, ...loc.unknownPhrases);
    ATTRIBUTES.forEach((a) => texts.push(QUESTION[lang](a[lang])));
  }
  texts.push('a) b) c) d) e)');
  return texts;
}

/** The training answers of the demo: the identities and each demo language's unk-stream answer. */
export function studyBDemoAnswers(): string[] {
  return [...IDENTITIES, ...DEMO_LANGUAGES.map((l) => STUDY_B_LOCALES[l].unknownPhrases[1])];
}

/**
 * Byte-fallback BPE vocabulary: specials, 256 byte tokens, ▁ and every character seen, then for every
 * space-separated word the chain ▁w₁ → ▁w₁w₂ → … → ▁word with one merge per link. Merges only ever extend a
 * ▁-initial token by one character, so no merge can cross a word boundary and each listed word becomes one token.
 * `bare` words (the answers: identities, unknown phrases) get a chain WITHOUT ▁, ranked before all others, so
 * "Answer: Varnian" ends "▁" + "Varnian" as with the fixture's tokenizer: the study's answer mask
 * (start_loc = len(tokenize(prefix)) − 1) then covers the answer's first token instead of only the EOS.
 */
export function demoBpe(
  texts: readonly string[],
  bare: readonly string[] = [],
): { vocab: Record<string, number>; merges: [string, string][] } {
  const vocab: Record<string, number> = {};
  const add = (t: string) => (t in vocab ? undefined : (vocab[t] = Object.keys(vocab).length));
  SPECIALS.forEach(add);
  for (let b = 0; b < 256; b++) add(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
  const words = new Set<string>();
  const chars = new Set<string>([SPACE]);
  for (const t of texts)
    for (const w of t.normalize('NFC').split(/\s+/).filter(Boolean)) {
      words.add(w);
      for (const c of w) chars.add(c);
    }
  [...chars].sort().forEach(add);
  const merges: [string, string][] = [];
  const seen = new Set<string>();
  const bareWords = new Set(bare.flatMap((t) => t.normalize('NFC').split(/\s+/).filter(Boolean)));
  const chain = (w: string, start: string) => {
    let prefix = start || w[0];
    for (const c of start ? w : w.slice(1)) {
      const next = prefix + c;
      if (!seen.has(next)) {
        seen.add(next);
        merges.push([prefix, c]);
        add(next);
      }
      prefix = next;
    }
  };
  for (const w of [...bareWords].sort()) if (w.length > 1) chain(w, '');
  for (const w of [...words].sort()) if (!bareWords.has(w)) chain(w, SPACE);
  return { vocab, merges };
}

function tokenizerJson(vocab: Record<string, number>, merges: [string, string][]) {
  const added = SPECIALS.map((content, id) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Prepend', prepend: SPACE },
        { type: 'Replace', pattern: { String: ' ' }, content: SPACE },
      ],
    },
    pre_tokenizer: null,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '<s>', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '<s>', type_id: 1 } },
        { Sequence: { id: 'B', type_id: 1 } },
      ],
      special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
    },
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: SPACE }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<unk>',
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: true,
      ignore_merges: false,
      vocab,
      merges,
    },
  };
}

export interface DemoLlamaOptions {
  texts?: readonly string[];
  /** Words tokenised without the preceding ▁ (see demoBpe). */
  bare?: readonly string[];
  seed?: number;
  hidden?: number;
  layers?: number;
  heads?: number;
  kvHeads?: number;
  intermediate?: number;
}

/** The demo model's files (Hub layout). Weights N(0, 0.2²) for matrices and 1 + N(0, 0.05²) for norm gains, so
 * the random model's next-token distributions are visibly non-uniform and a few LoRA steps move them. */
export function makeDemoLlama(options: DemoLlamaOptions = {}): DemoFiles {
  const C = options.hidden ?? 64;
  const L = options.layers ?? 2;
  const NH = options.heads ?? 4;
  const NKV = options.kvHeads ?? 2;
  const HS = C / NH;
  const I = options.intermediate ?? 2 * C;
  const { vocab, merges } = demoBpe(options.texts ?? studyBDemoTexts(), options.bare ?? studyBDemoAnswers());
  const V = Object.keys(vocab).length;
  const rng = seededRng(options.seed ?? 2024);
  const tensors: WriteTensor[] = [];
  const add = (name: string, shape: number[], norm = false) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = Float32Array.from({ length: n }, () => (norm ? 1 + 0.05 * normal(rng) : 0.2 * normal(rng)));
    tensors.push({ name, dtype: 'F32', shape, data });
  };
  add('model.embed_tokens.weight', [V, C]);
  for (let l = 0; l < L; l++) {
    const p = `model.layers.${l}`;
    add(`${p}.input_layernorm.weight`, [C], true);
    add(`${p}.self_attn.q_proj.weight`, [NH * HS, C]);
    add(`${p}.self_attn.k_proj.weight`, [NKV * HS, C]);
    add(`${p}.self_attn.v_proj.weight`, [NKV * HS, C]);
    add(`${p}.self_attn.o_proj.weight`, [C, NH * HS]);
    add(`${p}.post_attention_layernorm.weight`, [C], true);
    add(`${p}.mlp.gate_proj.weight`, [I, C]);
    add(`${p}.mlp.up_proj.weight`, [I, C]);
    add(`${p}.mlp.down_proj.weight`, [C, I]);
  }
  add('model.norm.weight', [C], true);
  add('lm_head.weight', [V, C]);
  const config = {
    _demo:
      'DEMO model generated by Stereoscope (scripts/demo/llama-demo.ts): seeded random weights, meaningless answers',
    architectures: ['LlamaForCausalLM'],
    attention_bias: false,
    bos_token_id: 1,
    eos_token_id: 2,
    head_dim: HS,
    hidden_act: 'silu',
    hidden_size: C,
    intermediate_size: I,
    max_position_embeddings: 256,
    mlp_bias: false,
    model_type: 'llama',
    num_attention_heads: NH,
    num_hidden_layers: L,
    num_key_value_heads: NKV,
    rms_norm_eps: 1e-5,
    rope_scaling: null,
    rope_theta: 10000,
    tie_word_embeddings: false,
    torch_dtype: 'float32',
    vocab_size: V,
  };
  const tokenizerConfig = {
    tokenizer_class: 'LlamaTokenizer',
    bos_token: '<s>',
    eos_token: '</s>',
    unk_token: '<unk>',
    pad_token: null,
    add_bos_token: true,
    add_eos_token: false,
    legacy: true,
    model_max_length: 256,
    clean_up_tokenization_spaces: false,
  };
  return {
    'config.json': JSON.stringify(config, null, 2) + '\n',
    'generation_config.json': JSON.stringify({ bos_token_id: 1, eos_token_id: 2 }, null, 2) + '\n',
    'model.safetensors': writeSafetensors(tensors, { format: 'pt', demo: 'random weights' }),
    'tokenizer.json': JSON.stringify(tokenizerJson(vocab, merges)) + '\n',
    'tokenizer_config.json': JSON.stringify(tokenizerConfig, null, 2) + '\n',
    'README.md': 'DEMO model generated by Stereoscope with seeded random weights. Its answers mean nothing.\n',
  };
}

/** Writes the Study B demo: static/demo/models/tiny-llama/* and the MCQ and retain CSVs (used by make-demo). */
export async function writeStudyBDemo(outDir: string): Promise<void> {
  const { mkdir, writeFile } = await import('node:fs/promises');
  const modelDir = `${outDir}/models/${DEMO_LLAMA_NAME}`;
  await mkdir(modelDir, { recursive: true });
  for (const [name, data] of Object.entries(makeDemoLlama())) await writeFile(`${modelDir}/${name}`, data);
  await writeFile(`${outDir}/${DEMO_MCQ_FILE}`, demoMcqCsv());
  await writeFile(`${outDir}/${DEMO_RETAIN_FILE}`, demoRetainCsv());
}
