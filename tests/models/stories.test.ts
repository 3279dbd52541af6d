// The trained stories260K model (llama2.c format) through our Llama implementation: greedy decoding from BOS with
// the KV cache must reproduce the golden continuation token for token.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate } from '../../models/llama/generate';
import { LlamaForCausalLM } from '../../models/llama/model';
import { openLlama2c } from '../../models/load/llama2c';
import { loadLlama2cTokenizer } from '../../models/load/llama2c-tokenizer';
import { dirSource } from '../../models/load/node-source';
import { testBackend } from '../helpers/gpu';
import { shared } from '../helpers/shared';

const DIR = shared('models/stories260K');

describe('stories260K (llama2.c)', () => {
  it('greedy continuation equals golden_greedy_200.json', async () => {
    const golden = JSON.parse(readFileSync(resolve(DIR, 'golden_greedy_200.json'), 'utf8'));
    const be = await testBackend();
    const source = dirSource(DIR);
    const model = await LlamaForCausalLM.load(be, await openLlama2c({ source, file: 'stories260K.bin' }));
    const tok = await loadLlama2cTokenizer({ source, file: 'tok512.bin', vocabSize: model.config.vocab_size });
    // llama2.c stops only on BOS; the golden run never emits it within its steps, so no stop ids here.
    const [ids] = await generate(model, [[golden.start_token]], { maxNewTokens: golden.steps, eosTokenIds: [] });
    expect(ids).toEqual(golden.token_ids);
    expect(tok.decode(ids)).toBe(golden.text);
  }, 600_000);
});
