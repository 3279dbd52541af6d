// transformers.js tokenizers built from JSON text in the browser bundle (no network): a hand-written WordLevel
// tokenizer with a template post-processor, so the expected ids can be read off the vocabulary below.
import { describe, expect, it } from 'vitest';
import { memorySource } from '../../models/load/source';
import { applyChatTemplate, encodeText, loadTokenizer } from '../../models/load/tokenizer';

const vocab = { '[UNK]': 0, '[CLS]': 1, '[SEP]': 2, hello: 3, world: 4, '!': 5, '<|user|>': 6 };
const tokenizerJson = {
  version: '1.0',
  truncation: null,
  padding: null,
  added_tokens: [
    { id: 0, content: '[UNK]', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
    { id: 1, content: '[CLS]', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
    { id: 2, content: '[SEP]', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
    { id: 6, content: '<|user|>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
  ],
  normalizer: { type: 'Lowercase' },
  pre_tokenizer: { type: 'WhitespaceSplit' },
  post_processor: {
    type: 'TemplateProcessing',
    single: [
      { SpecialToken: { id: '[CLS]', type_id: 0 } },
      { Sequence: { id: 'A', type_id: 0 } },
      { SpecialToken: { id: '[SEP]', type_id: 0 } },
    ],
    pair: [{ Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
    special_tokens: {
      '[CLS]': { id: '[CLS]', ids: [1], tokens: ['[CLS]'] },
      '[SEP]': { id: '[SEP]', ids: [2], tokens: ['[SEP]'] },
    },
  },
  decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
  model: { type: 'WordLevel', vocab, unk_token: '[UNK]' },
};
const config = {
  tokenizer_class: 'BertTokenizer',
  unk_token: '[UNK]',
  cls_token: '[CLS]',
  sep_token: '[SEP]',
  chat_template: '{% for m in messages %}<|user|> {{ m.content }} {% endfor %}',
};

describe('loadTokenizer in the browser', () => {
  it('encodes texts and text pairs (with segment ids), decodes and applies a chat template from source-read JSON', async () => {
    const tok = await loadTokenizer(
      memorySource({
        'tokenizer.json': JSON.stringify(tokenizerJson),
        'tokenizer_config.json': JSON.stringify(config),
      }),
    );
    expect(tok.constructor.name).toBe('BertTokenizer');
    expect(tok.encode('Hello world !')).toEqual([1, 3, 4, 5, 2]);
    expect(tok.encode('hello planet', { add_special_tokens: false })).toEqual([3, 0]);
    expect(tok.decode([1, 3, 4, 2], { skip_special_tokens: true })).toBe('hello world');
    expect(applyChatTemplate(tok, [{ role: 'user', content: 'hello' }]).inputIds).toEqual([6, 3]);
    // The pair template above has no specials and puts B in segment 1.
    expect(encodeText(tok, 'Hello world', { textPair: 'planet !' })).toEqual({
      inputIds: [3, 4, 0, 5],
      tokenTypeIds: [0, 0, 1, 1],
    });
    expect(encodeText(tok, 'Hello')).toEqual({ inputIds: [1, 3, 2], tokenTypeIds: [0, 0, 0] });
  });
});
