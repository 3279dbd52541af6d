// Tokenizers built from files read through a ModelSource must reproduce transformers.js' ids stored in each
// fixture's reference.json (tokenizer_check.encodings), exactly; plus chat templates.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dirSource } from '../../models/load/node-source';
import { memorySource } from '../../models/load/source';
import { applyChatTemplate, encodeText, loadTokenizer } from '../../models/load/tokenizer';
import { shared } from '../helpers/shared';

const FIXTURES = shared('fixtures');
const all = readdirSync(FIXTURES).filter((d) => existsSync(join(FIXTURES, d, 'reference.json')));
const fixtures = all.filter((d) => existsSync(join(FIXTURES, d, 'tokenizer.json')));
// Families with no tokenizer.json at all (FlauBERT: transformers has no fast FlauBERT tokenizer) need their own
// tokenizer; until one exists, loading them must fail by naming the missing file, never silently pass.
const withoutJson = all.filter((d) => !fixtures.includes(d));

interface Encoding {
  text: string;
  /** The second text of a pair (HF `tokenizer(text, text_pair)`), absent for a single text. */
  text_pair?: string;
  input_ids: number[];
  /** Present exactly for the tokenizers whose models read segment ids (BERT). */
  token_type_ids?: number[];
  tokens: string[];
  ids_no_special: number[];
  decoded: string;
}

describe('loadTokenizer', () => {
  it.each(fixtures)(
    '%s: ids, segment ids, pieces and decoding of texts and text pairs match reference.json exactly',
    async (name) => {
      const ref = JSON.parse(readFileSync(join(FIXTURES, name, 'reference.json'), 'utf8')).tokenizer_check;
      const tok = await loadTokenizer(dirSource(join(FIXTURES, name)));
      expect(tok.constructor.name).toBe(ref.tokenizer_class);
      expect(ref.encodings.length).toBeGreaterThan(0);
      for (const e of ref.encodings as Encoding[]) {
        const label = e.text_pair === undefined ? e.text : `${e.text} | ${e.text_pair}`;
        const full = encodeText(tok, e.text, { textPair: e.text_pair });
        expect(full.inputIds, label).toEqual(e.input_ids);
        expect(full.tokenTypeIds, label).toEqual(e.token_type_ids);
        expect(encodeText(tok, e.text, { textPair: e.text_pair, addSpecialTokens: false }).inputIds, label).toEqual(
          e.ids_no_special,
        );
        expect(tok.tokenize(e.text, { pair: e.text_pair ?? null }), label).toEqual(e.tokens);
        expect(tok.decode(e.input_ids, { skip_special_tokens: true }), label).toBe(e.decoded);
        if (e.text_pair === undefined) expect(tok.encode(e.text), label).toEqual(e.input_ids);
      }
    },
  );

  it.runIf(withoutJson.length > 0).each(withoutJson)(
    '%s: no tokenizer.json, and loadTokenizer says so by name',
    async (name) => {
      await expect(loadTokenizer(dirSource(join(FIXTURES, name)))).rejects.toThrow(/tokenizer\.json/);
    },
  );

  it('applies a chat template from tokenizer_config.json, and refuses without one', async () => {
    const dir = join(FIXTURES, fixtures.find((f) => f.includes('llama')) ?? fixtures[0]);
    const config = JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8'));
    const json = readFileSync(join(dir, 'tokenizer.json'), 'utf8');
    const template =
      "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}\n{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}";
    const chat = await loadTokenizer(
      memorySource({
        'tokenizer.json': json,
        'tokenizer_config.json': JSON.stringify({ ...config, chat_template: template }),
      }),
    );
    const messages = [
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'hello there' },
    ];
    const out = applyChatTemplate(chat, messages);
    expect(out.text).toBe('<|system|>be brief\n<|user|>hello there\n<|assistant|>');
    expect(out.inputIds).toEqual(chat.encode(out.text, { add_special_tokens: false }));
    expect(applyChatTemplate(chat, messages, { addGenerationPrompt: false }).text).toBe(
      '<|system|>be brief\n<|user|>hello there\n',
    );
    const plain = await loadTokenizer(
      memorySource({ 'tokenizer.json': json, 'tokenizer_config.json': JSON.stringify(config) }),
    );
    expect(() => applyChatTemplate(plain, messages)).toThrow(/no chat_template/);
  });
});
