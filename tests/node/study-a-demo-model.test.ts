// The generated DEMO XLM-R (scripts/demo/xlmr-demo.ts): its files open with the same loaders as a Hub model, the
// tokenizer spells demo prompts and lexicon words as whole pieces, and a forward at the mask gives finite logits.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_GROUPS, studyADemoTexts } from '../../scripts/demo/study-a-demo';
import { makeDemoXlmr } from '../../scripts/demo/xlmr-demo';
import { openCheckpoint } from '../../models/load/checkpoint';
import { memorySource } from '../../models/load/source';
import { loadTokenizer } from '../../models/load/tokenizer';
import { XlmrForMaskedLM } from '../../models/xlmr/model';
import { DEMO_LEXICON } from '../../workers/analysis/study-a/data/demo-lexicon';

import { testBackend } from '../helpers/gpu';
import { parseTable } from '../../workers/contract/study-a/translation-table';

const tables = ['en', 'fr'].map((l) =>
  parseTable(readFileSync(join('static/translations/study-a', `${l}.json`), 'utf8')),
);
const texts = studyADemoTexts({ tables, lexicon: DEMO_LEXICON });

describe('demo XLM-R generator', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = makeDemoXlmr({ texts, seed: 7 });
    const b = makeDemoXlmr({ texts, seed: 7 });
    const c = makeDemoXlmr({ texts, seed: 8 });
    expect(a['model.safetensors']).toEqual(b['model.safetensors']);
    expect(a['tokenizer.json']).toBe(b['tokenizer.json']);
    expect(a['model.safetensors']).not.toEqual(c['model.safetensors']);
  });

  it('loads like a Hub model, tokenises demo prompts into whole words, and runs a masked forward', async () => {
    const source = memorySource(makeDemoXlmr({ texts, seed: 3 }));
    const ckpt = await openCheckpoint(source);
    const tok = await loadTokenizer(source);
    const V = ckpt.config.vocab_size as number;
    expect(tok.mask_token_id).toBe(V - 1);
    // A lexicon word is one piece that decodes to itself: the lexicon is matched against single pieces.
    for (const w of ['happy', 'heureux', 'glücklich']) {
      const ids = tok.encode(w, { add_special_tokens: false });
      expect(ids.length, w).toBe(1);
      expect(tok.decode(ids)).toBe(w);
    }
    const group = DEMO_GROUPS.target_groups.religion[0];
    const prompts = [
      tables[0].templates.general[0].text.replace('{}', group),
      tables[1].templates.general[2].text.replace('{}', 'aînés'),
    ];
    const enc = prompts.map((p) => tok.encode(p));
    for (const ids of enc) {
      expect(ids).not.toContain(tok.unk_token_id);
      expect(ids.filter((i) => i === tok.mask_token_id).length).toBe(1);
    }
    const T = Math.max(...enc.map((e) => e.length));
    const inputIds = enc.map((e) => [...e, ...new Array(T - e.length).fill(tok.pad_token_id)]);
    const attentionMask = enc.map((e) => inputIds[0].map((_, t) => (t < e.length ? 1 : 0)));
    const rows = enc.map((e, b) => b * T + e.indexOf(tok.mask_token_id!));
    const be = await testBackend();
    const model = await XlmrForMaskedLM.load(be, ckpt);
    const out = await model.forward({ inputIds, attentionMask }, { rows });
    expect(out.logits!.shape).toEqual([2, V]);
    const logits = (await be.download(out.logits!)) as Float32Array;
    model.dispose(out);
    expect(logits.every(Number.isFinite)).toBe(true);
    // Random weights still give group-dependent predictions (the two rows differ), or the demo would be flat.
    const diff = logits.slice(0, V).reduce((m, x, i) => Math.max(m, Math.abs(x - logits[V + i])), 0);
    expect(diff).toBeGreaterThan(0.1);
  });
});
