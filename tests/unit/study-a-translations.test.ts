// Study A translations: every group of Choenni's English list has an entry (or a deliberate "untranslated" with
// a note) in the fr, es, el, hr and de tables; and the user's overrides (differences only) applied to and
// computed from the tables.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseChoenniTemplates } from '../../workers/analysis/study-a/templates';

import { shared } from '../helpers/shared';
import {
  applyLanguageOverride,
  diffLanguage,
  setLanguageOverride,
} from '../../workers/contract/study-a/translation-overrides';
import { parseTable, tableWarnings, type TranslationTable } from '../../workers/contract/study-a/translation-table';
import { withAddedGroups } from '../../workers/analysis/study-a/templates';
import { resolveLanguage } from '../../workers/analysis/study-a/resolve-language';

const source = parseChoenniTemplates(
  readFileSync(shared('data/choenni-stereotypes/templates_and_groups.json'), 'utf8'),
);
const staticTable = (lang: string): TranslationTable =>
  parseTable(readFileSync(`static/translations/study-a/${lang}.json`, 'utf8'));
const LANGS = ['fr', 'es', 'el', 'hr', 'de'];

describe('built-in translations cover the English group list', () => {
  for (const lang of LANGS) {
    it(`${lang}: every group has a translation or an explicit untranslated entry with a note`, () => {
      const table = staticTable(lang);
      expect(() => parseTable(table)).not.toThrow();
      const missing: string[] = [];
      for (const [cat, keys] of Object.entries(source.groups)) {
        for (const key of keys) {
          const e = table.groups[cat]?.[key];
          if (!e) missing.push(`${cat}/${key}`);
          else if (e.text === null) expect(e.note, `${lang} ${cat}/${key}`).toBeTruthy();
          else expect(e.text.trim().length, `${lang} ${cat}/${key}`).toBeGreaterThan(0);
        }
      }
      expect(missing).toEqual([]);
      expect(table.untranslatedCategories ?? []).toEqual([]);
      const r = resolveLanguage({ table, source });
      expect(r.skipped.filter((s) => s.reason.startsWith('no '))).toEqual([]);
      // Every prompt has its group filled in and the answer slot kept.
      for (const g of r.groups)
        for (const p of g.prompts) expect(p.includes('<mask>') && !p.includes('{}') && p.includes(g.text)).toBe(true);
    });
  }

  it('the tables hold exactly the source groups of the categories they translate (no stray or misspelt keys)', () => {
    for (const lang of LANGS) {
      for (const [cat, entries] of Object.entries(staticTable(lang).groups)) {
        expect(Object.keys(entries).sort(), `${lang}/${cat}`).toEqual([...source.groups[cat]].sort());
      }
    }
  });

  it('feminine/neuter forms only where the language has such template variants', () => {
    for (const lang of LANGS) {
      const table = staticTable(lang);
      const forms = new Set(table.templates.general.flatMap((t) => Object.keys(t.forms ?? {})));
      for (const entries of Object.values(table.groups))
        for (const e of Object.values(entries)) if (e.form) expect(forms.has(e.form), `${lang} ${e.text}`).toBe(true);
    }
  });
});

describe('translation overrides', () => {
  const fr = staticTable('fr');
  it('changes a cell, replaces the templates, and leaves the rest as built in', () => {
    const t = applyLanguageOverride({
      language: 'fr',
      base: fr,
      override: {
        templates: { general: [{ text: 'Pourquoi les {} sont-ils <mask> ?' }] },
        groups: {
          profession: { doctors: { text: 'toubibs', note: 'familier' } },
          extra: { robots: { text: 'robots' } },
        },
      },
    });
    expect(t.groups.profession.doctors).toEqual({ text: 'toubibs', note: 'familier' });
    expect(t.groups.profession.nurses).toEqual(fr.groups.profession.nurses);
    expect(t.groups.extra.robots.text).toBe('robots');
    expect(t.templates.general).toHaveLength(1);
    expect(t.templates.country).toEqual(fr.templates.country);
    // Feminine groups now have no feminine template: allowed, but reported.
    expect(tableWarnings(fr)).toEqual([]);
    expect(tableWarnings(t)).toContain('profession "nurses": form "f" has no variant in any general template');
  });
  it('adds a language from a name and templates, and refuses one without', () => {
    const t = applyLanguageOverride({
      language: 'it',
      override: {
        languageName: 'Italian',
        templates: { general: [{ text: 'Perché i {} sono così <mask>?' }] },
        groups: { age: { kids: { text: 'bambini' } } },
      },
    });
    expect([t.language, t.languageName, t.groups.age.kids.text]).toEqual(['it', 'Italian', 'bambini']);
    expect(() => applyLanguageOverride({ language: 'it' })).toThrow(/no translation table for "it"/);
    expect(() => applyLanguageOverride({ language: 'it', override: { languageName: 'Italian' } })).toThrow(
      /needs a name and at least one template/,
    );
  });
  it('reports an invalid edit with the language and the problem', () => {
    expect(() =>
      applyLanguageOverride({ language: 'fr', base: fr, override: { templates: { general: [{ text: 'no slots' }] } } }),
    ).toThrow(/French \(fr\).*exactly one \{\} and one <mask>/s);
    expect(() =>
      applyLanguageOverride({ language: 'fr', base: fr, override: { groups: { age: { kids: { text: null } } } } }),
    ).toThrow(/needs a note/);
  });
  it('diffLanguage keeps only the differences, and applying them gives the edited table back', () => {
    expect(diffLanguage(fr, fr)).toBeUndefined();
    const edited: TranslationTable = structuredClone(fr);
    edited.groups.race.blacks = { text: 'Noirs', note: 'checked' };
    edited.templates.general = [...edited.templates.general, { text: 'Les {} sont-ils vraiment <mask> ?' }];
    const d = diffLanguage(fr, edited)!;
    expect(d).toEqual({
      templates: { general: edited.templates.general },
      groups: { race: { blacks: { text: 'Noirs', note: 'checked' } } },
    });
    expect(applyLanguageOverride({ language: 'fr', base: fr, override: d })).toEqual(edited);
    // A small edit stays small: the JSON of the override is a tiny fraction of the table's.
    expect(JSON.stringify({ groups: d.groups }).length).toBeLessThan(JSON.stringify(fr).length / 100);
  });
  it('setLanguageOverride drops empty parts; withAddedGroups appends new keys once', () => {
    expect(setLanguageOverride({ languages: { fr: { languageName: 'F' } } }, 'fr', undefined)).toBeUndefined();
    expect(setLanguageOverride(undefined, 'de', { languageName: 'D' })).toEqual({
      languages: { de: { languageName: 'D' } },
    });
    const s = withAddedGroups(source, { age: ['toddlers', 'kids', ' toddlers '], robots: ['androids'] });
    expect(s.groups.age.filter((g) => g === 'toddlers')).toHaveLength(1);
    expect(s.groups.age.length).toBe(source.groups.age.length + 1);
    expect(s.groups.robots).toEqual(['androids']);
    expect(source.groups.robots).toBeUndefined();
  });
});
