// What the Study A translation editor does to a spec, as plain functions: the built-in tables (the app's static
// tables plus the project's group translations), the table a spec sees for a language (built-in + its
// overrides), and edits that store only the differences in spec.translations so share links stay small.
import de from '../../../../static/translations/study-a/de.json';
import el from '../../../../static/translations/study-a/el.json';
import en from '../../../../static/translations/study-a/en.json';
import es from '../../../../static/translations/study-a/es.json';
import fr from '../../../../static/translations/study-a/fr.json';
import hr from '../../../../static/translations/study-a/hr.json';

import type { EmotionProfilesSpec } from '../../../../workers/contract/specs/emotion-profiles';
import {
  applyLanguageOverride,
  diffLanguage,
  setLanguageOverride,
} from '../../../../workers/contract/study-a/translation-overrides';
import { parseTable, type TranslationTable } from '../../../../workers/contract/study-a/translation-table';

/** The tables the runner starts from, by language code. */
export const BUILT_IN_TABLES: Readonly<Record<string, TranslationTable>> = Object.fromEntries(
  [en, fr, es, el, hr, de].map((j) => {
    const t = parseTable(j);
    return [t.language, t];
  }),
);

/** Deep copy of JSON data; works on Svelte state proxies too (structuredClone refuses them). */
const copy = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

/** Languages the editor shows: the spec's, then any other built-in one. */
export function editorLanguages(spec: EmotionProfilesSpec): string[] {
  return [...new Set([...spec.languages, ...Object.keys(spec.translations?.languages ?? {})])];
}

/** The table a run of this spec uses for `language` (throws when the language has neither table nor override). */
export function specTable(spec: EmotionProfilesSpec, language: string): TranslationTable {
  return applyLanguageOverride({
    language,
    base: BUILT_IN_TABLES[language],
    override: spec.translations?.languages?.[language],
  });
}

/** Applies `edit` to a copy of the language's table and stores the difference; throws if the result is invalid. */
export function editTable(
  spec: EmotionProfilesSpec,
  language: string,
  edit: (t: TranslationTable) => void,
): EmotionProfilesSpec {
  const table = copy(specTable(spec, language));
  edit(table);
  parseTable(table);
  const base = BUILT_IN_TABLES[language];
  const translations = setLanguageOverride(
    spec.translations,
    language,
    diffLanguage(base, table) ?? (base ? undefined : { languageName: table.languageName }),
  );
  const out: EmotionProfilesSpec = { ...spec, translations };
  if (!translations) delete out.translations;
  return out;
}

/** Adds a language: its name and, to start from, the English templates (the user translates them next). */
export function addLanguage(spec: EmotionProfilesSpec, code: string, name: string): EmotionProfilesSpec {
  if (!/^[a-z]{2,3}(-[A-Za-z]{2,4})?$/.test(code))
    throw new Error(`"${code}" is not a language code such as "it" or "pt-BR"`);
  if (!name.trim()) throw new Error('the language needs a name');
  if (spec.languages.includes(code)) throw new Error(`${code} is already in this experiment`);
  const languages = [...spec.languages, code];
  if (BUILT_IN_TABLES[code]) return { ...spec, languages };
  const override = { languageName: name.trim(), templates: { general: copy(BUILT_IN_TABLES.en.templates.general) } };
  return { ...spec, languages, translations: setLanguageOverride(spec.translations, code, override) };
}

/** Adds a group (English name) to a category of the study's list; each language can then translate it. */
export function addGroup(spec: EmotionProfilesSpec, category: string, key: string): EmotionProfilesSpec {
  const c = category.trim();
  const k = key.trim();
  if (!c || !k) throw new Error('a new group needs a category and an English name');
  if (groupKeys(spec, c).includes(k)) throw new Error(`"${k}" is already a group of ${c}`);
  const addGroups = { ...(spec.translations?.addGroups ?? {}) };
  addGroups[c] = [...(addGroups[c] ?? []), k];
  return { ...spec, translations: { ...(spec.translations ?? {}), addGroups } };
}

/** Categories known to the built-in tables plus those the spec adds. */
export function categories(spec: EmotionProfilesSpec): string[] {
  const all = Object.values(BUILT_IN_TABLES).flatMap((t) => Object.keys(t.groups));
  return [...new Set([...all, ...Object.keys(spec.translations?.addGroups ?? {})])];
}

/** English group keys of a category: those any built-in table translates, then the spec's additions. */
export function groupKeys(spec: EmotionProfilesSpec, category: string): string[] {
  const keys = Object.values(BUILT_IN_TABLES).flatMap((t) => Object.keys(t.groups[category] ?? {}));
  return [...new Set([...keys, ...(spec.translations?.addGroups?.[category] ?? [])])];
}
