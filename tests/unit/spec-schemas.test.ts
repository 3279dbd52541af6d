// Experiment spec schemas: demo specs are valid, defaults are filled in, bad fields are named, and the hosts a
// spec downloads from are listed for the confirmation page.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { demoSpec, EXPERIMENT_KINDS, parseSpec, specHosts, SpecError } from '../../workers/contract/specs/index';
import { CATALOG } from '../../workers/contract/specs/catalog';

describe('experiment specs', () => {
  it('accept every demo spec unchanged', () => {
    for (const kind of EXPERIMENT_KINDS) expect(parseSpec(structuredClone(demoSpec(kind)))).toEqual(demoSpec(kind));
  });

  it('fill optional fields with their documented defaults', () => {
    const s = demoSpec('emotion-profiles');
    const { exactPieceMatch: _a, countryPrompts: _b, ...profile } = s.profile;
    const parsed = parseSpec({ ...s, profile, model: { id: 'FacebookAI/xlm-roberta-base' } });
    if (parsed.kind !== 'emotion-profiles') throw new Error('kind changed');
    expect(parsed.profile.exactPieceMatch).toBe(true);
    expect(parsed.profile.countryPrompts).toBe(false);
    expect(parsed.model.revision).toBe('main');
  });

  it('name the offending field', () => {
    const s = { ...demoSpec('geo-unlearning'), languages: ['en', 'EN!'] };
    expect(() => parseSpec(s)).toThrow(/languages\.1/);
    const t = { ...demoSpec('engine-check'), shapes: [[0, 4, 4]] };
    expect(() => parseSpec(t)).toThrow(SpecError);
    const u = { ...demoSpec('emotion-profiles'), model: { id: '../../etc/passwd' } };
    expect(() => parseSpec(u)).toThrow(/model\.id/);
    const w = { ...demoSpec('emotion-profiles'), lexicon: { from: 'url', url: 'javascript:alert(1)' } };
    expect(() => parseSpec(w)).toThrow(/lexicon/);
  });

  it('list the hosts a spec downloads from', () => {
    expect(specHosts(demoSpec('engine-check'))).toEqual([]);
    const s = {
      ...demoSpec('emotion-profiles'),
      model: { id: 'FacebookAI/xlm-roberta-base' },
      lexicon: { from: 'url', url: 'https://saifmohammad.com/lexicon.zip' },
    };
    const hosts = specHosts(parseSpec(s)).map((h) => h.host);
    expect(hosts).toContain('huggingface.co');
    expect(hosts).toContain('saifmohammad.com');
    expect(hosts.some((h) => h.startsWith('none (demo data'))).toBe(true);
  });

  it('accept a file source with or without a sha256 (old specs stay valid), refuse a malformed hash', () => {
    const hash = 'ab'.repeat(32);
    const old = { ...demoSpec('emotion-profiles'), lexicon: { from: 'file', name: 'NRC-Emotion-Lexicon.txt' } };
    expect(parseSpec(old)).toMatchObject({ lexicon: { from: 'file', name: 'NRC-Emotion-Lexicon.txt' } });
    const pinned = { ...old, lexicon: { ...old.lexicon, sha256: hash } };
    expect(parseSpec(pinned)).toMatchObject({ lexicon: { sha256: hash } });
    expect(() => parseSpec({ ...old, lexicon: { ...old.lexicon, sha256: 'ABC' } })).toThrow(
      /lexicon\.sha256: a sha256 as 64 lower-case hex/,
    );
    expect(() => parseSpec({ ...old, lexicon: { ...old.lexicon, bytes: 'x' } })).toThrow(/lexicon/);
    expect(specHosts(parseSpec(pinned)).find((h) => h.what === 'lexicon')?.host).toBe(
      'none (a file you pick: NRC-Emotion-Lexicon.txt)',
    );
  });

  it('geo-unlearning: old MCQ sources stay valid, {lang} sources take a sha256 per language, evalSplit defaults to held-out', () => {
    const hash = (c: string) => c.repeat(64);
    const base = demoSpec('geo-unlearning');
    const { evalSplit: _e, ...old } = base;
    for (const mcq of [
      { from: 'file', name: 'mcq.csv' },
      { from: 'file', name: 'mcq.csv', sha256: hash('a') },
      { from: 'url', url: 'https://example.org/mcq_en.csv', sha256: hash('b') },
    ]) {
      expect(parseSpec({ ...old, mcq })).toMatchObject({ mcq, evalSplit: 'held-out' });
    }
    const perLanguage = {
      from: 'url',
      url: 'https://example.org/mcq_{lang}.csv',
      sha256: { en: hash('c'), fr: hash('d') },
    };
    expect(parseSpec({ ...base, mcq: perLanguage, evalSplit: 'in-sample' })).toMatchObject({
      mcq: perLanguage,
      evalSplit: 'in-sample',
    });
    expect(
      parseSpec({ ...base, mcq: { from: 'file', name: 'mcq_{lang}.csv', sha256: { en: hash('c') } } }),
    ).toMatchObject({ mcq: { name: 'mcq_{lang}.csv' } });
    expect(() => parseSpec({ ...base, mcq: { ...perLanguage, sha256: hash('c') } })).toThrow(
      /mcq: a URL or file name with \{lang\} names one file per language/,
    );
    expect(() => parseSpec({ ...base, mcq: { from: 'file', name: 'mcq.csv', sha256: { en: hash('c') } } })).toThrow(
      /mcq: a URL or file name with \{lang\}/,
    );
    expect(() => parseSpec({ ...base, mcq: { ...perLanguage, sha256: { en: 'x' } } })).toThrow(/mcq/);
    expect(() => parseSpec({ ...base, evalSplit: 'training' })).toThrow(/evalSplit/);
    // Study A: the fine-tuned profiles' priors default to the pretrained model's (seed A's choice).
    const a = demoSpec('emotion-profiles');
    const fineTune = {
      text: { from: 'demo', name: 't.txt' },
      language: 'fr',
      lora: { rank: 4, alpha: 8 },
      lr: 1e-3,
      batch: 4,
      epochs: 1,
    };
    expect(parseSpec({ ...a, fineTune })).toMatchObject({ fineTune: { priors: 'base' } });
    expect(parseSpec({ ...a, fineTune: { ...fineTune, priors: 'same' } })).toMatchObject({
      fineTune: { priors: 'same' },
    });
    expect(() => parseSpec({ ...a, fineTune: { ...fineTune, priors: 'tuned' } })).toThrow(/fineTune\.priors/);
  });

  it('have one catalog entry per kind, studies A–E plus the engine check', () => {
    expect(CATALOG.map((c) => c.kind).sort()).toEqual([...EXPERIMENT_KINDS].sort());
    expect(
      CATALOG.map((c) => c.study)
        .filter(Boolean)
        .sort(),
    ).toEqual(['A', 'B', 'C', 'D', 'E']);
  });

  it('accept every example spec under examples/, one per kind', () => {
    const files = readdirSync('examples').filter((f) => f.endsWith('.json'));
    const kinds = files.map((f) => parseSpec(JSON.parse(readFileSync(`examples/${f}`, 'utf8'))).kind);
    expect([...kinds].sort()).toEqual([...EXPERIMENT_KINDS].sort());
  });
});
