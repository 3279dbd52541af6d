// Pure parts of the Study B runner: the memory check refuses with a reason, likelihood scoring covers every
// option token even when the boundary space merges into the option, right padding of streams, the cross-language
// split keeps evaluation rows out of training (or, in-sample, evaluates the training rows), and the MCQ loader reads
// a language column, one file per language ({lang}, each sha256-checked) and refuses what it cannot read.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLlamaConfig } from '../../models/llama/config';
import { demoMcqCsv } from '../../scripts/demo/llama-demo';
import { parseMcqCsv, pairKey } from '../../workers/analysis/study-b/mcq-data';
import { loadMcq, overlappingPairs, padStream, splitStudy } from '../../workers/experiments/study-b/data';
import { optionExample } from '../../workers/experiments/study-b/evaluate';
import { estimateLoraMemory } from '../../models/common/memory-estimate';
import {
  checkFits,
  decoderShapeOf,
  estimateMemory,
  frozenFormat,
  STUDY_B_LORA_TARGETS,
} from '../../workers/experiments/study-b/memory';

import { writePerLanguageMcq } from '../helpers/study-b-files';
import type { GpuInfo } from '../../workers/contract/device';

// Llama-3.1-8B shapes (config.json of the public model card).
const L8B = parseLlamaConfig({
  vocab_size: 128256,
  hidden_size: 4096,
  intermediate_size: 14336,
  num_hidden_layers: 32,
  num_attention_heads: 32,
  num_key_value_heads: 8,
  rms_norm_eps: 1e-5,
  rope_theta: 500000,
  max_position_embeddings: 131072,
  tie_word_embeddings: false,
});
const device = (maxBinding: number) =>
  ({ limits: { maxBufferSize: 2 ** 31, maxStorageBufferBindingSize: maxBinding } }) as unknown as GpuInfo;

describe('Study B memory check', () => {
  it('takes its byte counts from the shared estimator, with 3 logits copies and one layer of backward workspace', () => {
    const common = estimateLoraMemory({
      shape: decoderShapeOf(L8B),
      lora: { r: 8, targets: STUDY_B_LORA_TARGETS },
      batch: 6,
      seqLen: 64,
    });
    const e = estimateMemory({ config: L8B, format: 'q4', rank: 8, targets: 'qv', batch: 6, seqLen: 64 });
    expect(e.weights).toBe(common.weightBytes.q4);
    expect(e.lora).toBe(common.loraBytes + common.gradBytes);
    expect(e.optimizer).toBe(common.adamBytes);
    expect(e.logits).toBe((common.logitsBytes / 2) * 3); // adapted + reference logits + gradient
    expect(e.activations).toBe(common.activations.full + 6 * 64 * common.activations.perTokenPerLayer);
    expect(e.total).toBe(e.weights + e.lora + e.optimizer + e.activations + e.logits);
    const ck = estimateMemory({
      config: L8B,
      format: 'q4',
      rank: 8,
      targets: 'qv',
      batch: 6,
      seqLen: 64,
      checkpointing: true,
    });
    expect(ck.activations).toBe(common.activations.checkpointed + 6 * 64 * common.activations.perTokenPerLayer);
  });

  it('keeps f16 frozen weights in f16 only where the device has shader-f16, and counts 2 bytes per linear weight', () => {
    expect(frozenFormat('f16', true)).toBe('f16');
    expect(frozenFormat('f16', false)).toBe('f32');
    expect(frozenFormat('q4', true)).toBe('q4');
    const f16 = estimateMemory({ config: L8B, format: 'f16', rank: 8, targets: 'qv', batch: 1, seqLen: 64 });
    const f32 = estimateMemory({ config: L8B, format: 'f32', rank: 8, targets: 'qv', batch: 1, seqLen: 64 });
    const common = estimateLoraMemory({
      shape: decoderShapeOf(L8B),
      lora: { r: 8, targets: STUDY_B_LORA_TARGETS },
      batch: 1,
      seqLen: 64,
    });
    // Linear weights halve; embeddings and norms stay f32 in both.
    expect(f32.weights - f16.weights).toBe(common.params.linear * 2);
  });

  it('counts f32 weights of an 8B model at ~32 GB and refuses it with the reason', () => {
    const e = estimateMemory({ config: L8B, format: 'f32', rank: 8, targets: 'qv', batch: 6, seqLen: 64 });
    expect(e.weights / 2 ** 30).toBeGreaterThan(28);
    expect(e.weights / 2 ** 30).toBeLessThan(32);
    const v = checkFits(e, device(2 ** 32), 16 * 2 ** 30);
    expect(v.fits).toBe(false);
    expect(v.reason).toMatch(/needs about .* MB .* budget is 16384 MB/);
  });

  it('q4 weights are ~7× smaller; a logits buffer over the binding limit is refused by name', () => {
    const f = estimateMemory({ config: L8B, format: 'f32', rank: 8, targets: 'qv', batch: 6, seqLen: 64 });
    const q = estimateMemory({ config: L8B, format: 'q4', rank: 8, targets: 'qv', batch: 6, seqLen: 64 });
    expect(f.weights / q.weights).toBeGreaterThan(4);
    const big = estimateMemory({ config: L8B, format: 'q4', rank: 8, targets: 'qv', batch: 6, seqLen: 1024 });
    const v = checkFits(big, device(2 ** 27), 64 * 2 ** 30);
    expect(v.fits).toBe(false);
    expect(v.reason).toMatch(/^the logits \[B·T, V\] need .*\(maxStorageBufferBindingSize\)/);
    // The 8B embedding table alone is 2 GB in f32: refused under a 1 GiB binding limit, accepted under 4 GiB.
    const small = estimateMemory({ config: L8B, format: 'q4', rank: 8, targets: 'qv', batch: 1, seqLen: 16 });
    expect(checkFits(small, device(2 ** 30), 64 * 2 ** 30).reason).toMatch(/token embeddings/);
    expect(checkFits(small, device(2 ** 32), 64 * 2 ** 30).fits).toBe(true);
  });
});

describe('Study B likelihood scoring span', () => {
  it('scores every option token after the longest common prefix', () => {
    // prompt ids end with a lone "▁" (9) that the full text merges into the option's first token (42).
    expect(optionExample([1, 5, 9], [1, 5, 42, 43]).predictMask).toEqual([0, 1, 1]);
    expect(optionExample([1, 5], [1, 5, 42]).predictMask).toEqual([0, 1]);
    expect(() => optionExample([1, 5, 9], [1, 5, 9])).toThrow(/no token/);
  });

  it('right-pads streams with zero attention and answer mask', () => {
    const s = padStream(
      [
        { ids: [1, 2, 3], predictMask: [0, 1] },
        { ids: [1, 2], predictMask: [1] },
      ],
      0,
    );
    expect(s.inputIds).toEqual([
      [1, 2, 3],
      [1, 2, 0],
    ]);
    expect(s.attentionMask).toEqual([
      [1, 1, 1],
      [1, 1, 0],
    ]);
    expect(s.answerMask).toEqual([
      [0, 1, 0],
      [1, 0, 0],
    ]);
  });
});

describe('Study B data for the runner', () => {
  const ctx = { checkpoints: { save: async () => {}, load: async () => null }, signal: new AbortController().signal };

  it('groups a language column and splits all languages on the training language rows', async () => {
    const items = parseMcqCsv(demoMcqCsv());
    const byLang = new Map(
      ['en', 'fr', 'id'].map((l) => [
        l,
        items.filter((i) => i.raw.language === l).map((it, index) => ({ ...it, index })),
      ]),
    );
    const split = splitStudy({ mcq: byLang, trainLanguage: 'en', evalFraction: 0.25, seed: 5 });
    expect(split.train).toHaveLength(9);
    expect(overlappingPairs(split, 'en')).toBe(0);
    const evalIdx = split.evaluation.get('en')!.map((i) => i.index);
    for (const l of ['fr', 'id']) expect(split.evaluation.get(l)!.map((i) => i.index)).toEqual(evalIdx);
    expect(split.train.some((t) => split.evaluation.get('en')!.some((e) => pairKey(e) === pairKey(t)))).toBe(false);
  });

  it('refuses a file without a language column for several languages, and a {lang} URL with one sha256', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'study-b-mcq-'));
    await writePerLanguageMcq(dir, ['en']);
    const oneLanguage = { from: 'file' as const, name: join(dir, 'mcq_en.csv') };
    await expect(loadMcq(oneLanguage, ['en', 'fr'], ctx)).rejects.toThrow(
      /MCQ set: the file has no language column; give one file per language/,
    );
    expect((await loadMcq(oneLanguage, ['en'], ctx)).get('en')).toHaveLength(12);
    await expect(
      loadMcq({ from: 'url', url: 'https://example.org/mcq_{lang}.csv', sha256: 'a'.repeat(64) }, ['en', 'fr'], ctx),
    ).rejects.toThrow(/single sha256 cannot check them/);
  });

  it('reads one file per language from a {lang} file name, checks each sha256, and names a missing file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'study-b-mcq-'));
    const { sha256 } = await writePerLanguageMcq(dir, ['en', 'fr', 'ja']);
    const name = join(dir, 'mcq_{lang}.csv');
    const byLang = await loadMcq({ from: 'file', name, sha256 }, ['en', 'fr', 'ja'], ctx);
    expect([...byLang.keys()]).toEqual(['en', 'fr', 'ja']);
    // Each language's own file: the same 12 rows, its own question text.
    for (const l of ['en', 'fr', 'ja']) expect(byLang.get(l)!.map((it) => it.index)).toEqual([...Array(12).keys()]);
    expect(byLang.get('fr')![0].question).not.toBe(byLang.get('en')![0].question);
    const all = parseMcqCsv(demoMcqCsv());
    expect(byLang.get('ja')!.map((it) => it.question)).toEqual(
      all.filter((it) => it.raw.language === 'ja').map((it) => it.question),
    );

    await expect(
      loadMcq({ from: 'file', name, sha256: { ...sha256, fr: sha256.en } }, ['en', 'fr', 'ja'], ctx),
    ).rejects.toThrow(/MCQ set for "fr" \(.*mcq_fr\.csv\): sha256 [0-9a-f]{64} does not match the expected/);
    await expect(loadMcq({ from: 'file', name }, ['en', 'ko'], ctx)).rejects.toThrow(
      /MCQ set for "ko": its file .*mcq_ko\.csv cannot be read \(mcq_ko\.csv not found/,
    );
    await expect(loadMcq({ from: 'file', name, sha256 }, ['en', 'ko'], ctx)).rejects.toThrow(
      /pins en, fr, ja but not ko; pin every evaluated language or none/,
    );
    await expect(loadMcq({ from: 'file', name: join(dir, 'mcq_en.csv'), sha256 }, ['en'], ctx)).rejects.toThrow(
      /names one file: pin it with a single sha256/,
    );
  });
});

describe('Study B evaluation split', () => {
  const byLang = () => {
    const items = parseMcqCsv(demoMcqCsv());
    return new Map(
      ['en', 'fr', 'id'].map((l) => [
        l,
        items.filter((i) => i.raw.language === l).map((it, index) => ({ ...it, index })),
      ]),
    );
  };

  it('in-sample trains on every row of the training language and evaluates every language on all its rows', () => {
    const mcq = byLang();
    const split = splitStudy({ mcq, trainLanguage: 'en', evalSplit: 'in-sample', evalFraction: 0.25, seed: 5 });
    expect(split.evalSplit).toBe('in-sample');
    expect(split.train.map((i) => i.index)).toEqual([...Array(12).keys()]);
    for (const l of ['en', 'fr', 'id']) expect(split.evaluation.get(l)).toEqual(mcq.get(l));
    // Every evaluated row of the training language was trained on: the opposite of the held-out split.
    expect(overlappingPairs(split, 'en')).toBe(12);
    expect(split.description).toMatch(
      /^in-sample \(the study's setup\): trained on all 12 rows in en and evaluated on every row \(12 in en, 12 in fr, 12 in id\); evalFraction is not used$/,
    );
    const held = splitStudy({ mcq, trainLanguage: 'en', evalFraction: 0.25, seed: 5 });
    expect(held.evalSplit).toBe('held-out');
    expect(held.description).toMatch(/^held-out: /);
  });

  it('refuses a held-out split that holds out nothing, pointing to in-sample', () => {
    expect(() => splitStudy({ mcq: byLang(), trainLanguage: 'en', evalFraction: 0, seed: 5 })).toThrow(
      /evalFraction 0 holds out no identity–attribute pair.*evalSplit to "in-sample"/,
    );
  });
});
