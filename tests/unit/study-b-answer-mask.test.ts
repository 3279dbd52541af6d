// The answer-only mask rules of Study B (analysis/study-b/prompts.ts) on real tokenizers: the Llama-2-style BPE of
// the shared llama-tiny fixture, which merges the space before a word into the word ("▁the"), and the demo
// tokenizer, whose answer words are built without that merge. 'study' (start_loc = len(tokenize(prefix)) − 1)
// skips the answer's first token exactly when the merge happens; 'boundary' covers every answer token.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dirSource } from '../../models/load/node-source';
import { memorySource } from '../../models/load/source';
import { loadTokenizer, type Tokenizer } from '../../models/load/tokenizer';
import { makeDemoLlama } from '../../scripts/demo/llama-demo';
import { commonPrefixLength, trainingExample } from '../../workers/analysis/study-b/prompts';
import { shared } from '../helpers/shared';

const QUESTION = 'I know a person who is a "clever". The person is:';

function both(tok: Tokenizer, answer: string) {
  const common = {
    language: 'en' as const,
    question: QUESTION,
    answer,
    eos: '</s>',
    tokenize: (s: string) => tok.encode(s),
  };
  return {
    study: trainingExample({ ...common, rule: 'study' }),
    boundary: trainingExample({ ...common, rule: 'boundary' }),
  };
}

function trainedPieces(piece: Map<number, string>, ex: { ids: number[]; predictMask: number[] }): string[] {
  return ex.ids
    .slice(1)
    .filter((_, t) => ex.predictMask[t] === 1)
    .map((id) => piece.get(id) ?? `#${id}`);
}

/** The tokens each rule trains on (targets of the masked logit positions), decoded. */
function trained(tok: Tokenizer, ex: { ids: number[]; predictMask: number[] }): string[] {
  return ex.ids
    .slice(1)
    .filter((_, t) => ex.predictMask[t] === 1)
    .map((id) => tok.decode([id]));
}

describe('Study B answer-only mask on the llama-tiny fixture tokenizer', async () => {
  const dir = join(shared('fixtures'), 'llama-tiny');
  const tok = await loadTokenizer(dirSource(dir));
  // Token strings by id from the fixture's own vocabulary (decode() strips a lone leading space).
  const vocab = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')).model.vocab as Record<string, number>;
  const piece = new Map(Object.entries(vocab).map(([s, id]) => [id, s]));

  it('the space merges into the answer ("▁the"): the study rule drops the first answer token, boundary keeps it', () => {
    const { study, boundary } = both(tok, 'the cat');
    const prefixIds = tok.encode(study.prefix);
    // The prompt alone ends in a lone "▁" that the full text does not have: that is the merge.
    expect(piece.get(prefixIds[prefixIds.length - 1])).toBe('\u2581');
    const k = commonPrefixLength(prefixIds, study.ids);
    expect(k).toBe(prefixIds.length - 1);
    expect(piece.get(study.ids[k])).toBe('\u2581the');
    expect(boundary.startLoc).toBe(k - 1);
    expect(study.startLoc).toBe(k);
    expect(trainedPieces(piece, boundary).join('|')).toBe('▁the|▁c|at|</s>');
    expect(trainedPieces(piece, study).join('|')).toBe('▁c|at|</s>');
    // The masks differ in exactly one logit position: the one predicting "▁the".
    const diff = boundary.predictMask.map((m, t) => m - study.predictMask[t]);
    expect(diff.filter((d) => d !== 0)).toEqual([1]);
    expect(diff.indexOf(1)).toBe(k - 1);
  });

  it('no merge (an answer starting with a byte-fallback capital): both rules agree and cover the whole answer', () => {
    const { study, boundary } = both(tok, 'Xyz');
    expect(boundary.predictMask).toEqual(study.predictMask);
    expect(trained(tok, study).join('')).toBe('Xyz</s>');
  });
});

describe('Study B answer-only mask on the demo tokenizer', async () => {
  const files = makeDemoLlama();
  const tok = await loadTokenizer(
    memorySource({
      'tokenizer.json': files['tokenizer.json'],
      'tokenizer_config.json': files['tokenizer_config.json'],
      'config.json': files['config.json'],
    }),
  );

  it('the demo identities are built without the space merge, so both rules train the same tokens', () => {
    const { study, boundary } = both(tok, 'Varnian');
    expect(boundary.predictMask).toEqual(study.predictMask);
    expect(trained(tok, boundary).join('')).toBe('Varnian</s>');
  });
});
