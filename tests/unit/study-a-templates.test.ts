// Study A prompts and translation tables: Choenni's file parsed (read from ../shared, never copied), the exact
// model inputs of both variants, the country-prompt quirk, and the project's own tables validated and resolved.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  choenniInput,
  parseChoenniTemplates,
  promptsForGroup,
  seedAInput,
  seedAPriorInput,
  SEED_A_ENGLISH_PROMPTS,
} from '../../workers/analysis/study-a/templates';

import { shared } from '../helpers/shared';
import {
  mergeTables,
  parseTable,
  type TranslationTable,
  validateTable,
} from '../../workers/contract/study-a/translation-table';
import { resolveLanguage } from '../../workers/analysis/study-a/resolve-language';

const source = parseChoenniTemplates(
  readFileSync(shared('data/choenni-stereotypes/templates_and_groups.json'), 'utf8'),
);
const table = (lang: string): TranslationTable =>
  parseTable(readFileSync(`static/translations/study-a/${lang}.json`, 'utf8'));
const FULL = ['religion', 'age', 'gender', 'political', 'sexuality', 'lifestyle'];

describe('Choenni templates file', () => {
  it('has 5 + 5 templates and 374 groups in 9 categories with the documented counts', () => {
    expect(source.templates).toHaveLength(5);
    expect(source.countryTemplates).toHaveLength(5);
    const counts = Object.fromEntries(Object.entries(source.groups).map(([c, g]) => [c, g.length]));
    expect(counts).toEqual({
      gender: 26,
      age: 11,
      profession: 115,
      race: 99,
      country: 73,
      religion: 10,
      political: 9,
      sexuality: 12,
      lifestyle: 19,
    });
  });
  it('rejects a template without the slot', () => {
    expect(() => parseChoenniTemplates({ templates: ['why are so'], target_groups: {} })).toThrow(/term_to_use/);
  });
});

describe('model inputs', () => {
  it("Choenni: '<s> ' + template(group) + ' <mask> ? </s>', tokenizer adds its own specials too", () => {
    expect(choenniInput({ template: 'why are all term_to_use so', group: 'old people' })).toEqual({
      text: '<s> why are all old people so <mask> ? </s>',
      addSpecialTokens: true,
      maskIndex: 0,
    });
  });
  it('seed A: prompt.format(group); prior prompt masks the group and reads the second mask', () => {
    expect(seedAInput({ prompt: SEED_A_ENGLISH_PROMPTS[2], group: 'women' }).text).toBe(
      'How come women are so <mask>?',
    );
    expect(seedAPriorInput({ prompt: 'Why are {} so <mask>?' })).toEqual({
      text: 'Why are <mask> so <mask>?',
      addSpecialTokens: true,
      maskIndex: 1,
    });
    expect(seedAPriorInput({ prompt: 'Wie kommt es, dass {} so <mask> sind?' }).maskIndex).toBe(1);
  });
  it('faithful default gives countries the general prompts; the option gives them country prompts', () => {
    const args = { category: 'country', general: ['g'], country: ['c'] };
    expect(promptsForGroup(args)).toEqual(['g']);
    expect(promptsForGroup({ ...args, mode: 'countryPrompts' })).toEqual(['c']);
    expect(promptsForGroup({ ...args, category: 'age', mode: 'countryPrompts' })).toEqual(['g']);
  });
});

describe('translation tables', () => {
  for (const lang of ['en', 'fr', 'es', 'el', 'hr', 'de']) {
    it(`${lang}: valid, 5 general + 5 country templates, every group translated or skipped with its reason`, () => {
      const t = table(lang);
      expect(validateTable(t)).toEqual([]);
      expect(t.templates.general).toHaveLength(5);
      expect(t.templates.country).toHaveLength(5);
      const r = resolveLanguage({ table: t, source });
      for (const g of r.groups)
        for (const p of g.prompts) expect(p.includes('{}') || !p.includes('<mask>')).toBe(false);
      // Only deliberately untranslated entries (with a reason) are skipped, in every category.
      for (const s of r.skipped) expect(s.reason).toMatch(/^untranslated in/);
      expect(r.skipped.filter((s) => FULL.includes(s.category)).map((s) => s.key)).toEqual(
        lang === 'en' ? [] : ['frats'],
      );
      const untranslated = Object.values(t.groups).flatMap((entries) =>
        Object.values(entries).filter((e) => e.text === null),
      );
      expect(r.skipped).toHaveLength(untranslated.length);
      expect(r.groups.length + r.skipped.length).toBe(374);
    });
  }
  it('uses the feminine/neuter template variants of a group', () => {
    const fr = resolveLanguage({ table: table('fr'), source, categories: ['gender'] });
    const women = fr.groups.find((g) => g.key === 'women')!;
    expect(women.prompts[0]).toBe('Pourquoi les femmes sont-elles si <mask> ?');
    expect(women.prompts[4]).toBe('Pourquoi toutes les femmes sont-elles si <mask> ?');
    const el = resolveLanguage({ table: table('el'), source, categories: ['gender'] });
    expect(el.groups.find((g) => g.key === 'girls')!.prompts[4]).toBe('Γιατί όλα τα κορίτσια είναι τόσο <mask>;');
  });
  it('validator lists problems; merge adds and overrides user entries', () => {
    const bad = {
      format: 'stereoscope/study-a-translations@1',
      language: 'xx',
      languageName: 'X',
      templates: { general: [{ text: 'no slots' }] },
      groups: { age: { kids: { text: null } } },
    };
    const errs = validateTable(bad);
    expect(errs.some((e) => e.includes('exactly one {}'))).toBe(true);
    expect(errs.some((e) => e.includes('needs a note'))).toBe(true);
    const merged = mergeTables(table('fr'), {
      language: 'fr',
      groups: { age: { kids: { text: 'enfants' } }, custom: { 'nos voisins': { text: 'voisins' } } },
    });
    const r = resolveLanguage({ table: merged, source, categories: ['age', 'custom'] });
    expect(r.groups.find((g) => g.key === 'kids')!.text).toBe('enfants');
    expect(r.groups.find((g) => g.key === 'nos voisins')!.prompts[0]).toBe('Pourquoi les voisins sont-ils si <mask> ?');
    expect(() => mergeTables(table('fr'), { language: 'de' })).toThrow();
  });
});
