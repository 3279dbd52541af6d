// Study A: the resolver that turns a translation table (workers/contract/study-a/translation-table.ts) and the
// English source list into prompts per group, with every group that cannot be used listed with its reason (never
// skipped silently).
import type { EntryFlag, TableTemplate, TranslationTable } from '../../contract/study-a/translation-table';
import { promptsForGroup, type ChoenniTemplates, type CountryPromptMode } from './templates';

export interface ResolvedGroup {
  category: string;
  /** English key shared across languages (alignment for RSA). */
  key: string;
  text: string;
  /** Filled prompts: `{}` replaced by the group text, `<mask>` kept. */
  prompts: string[];
  flag?: EntryFlag;
  note?: string;
}

export interface ResolvedLanguage {
  language: string;
  groups: ResolvedGroup[];
  skipped: { category: string; key: string; reason: string }[];
}

function fill(t: TableTemplate, form: string | undefined, text: string): string {
  const s = (form && t.forms?.[form]) || t.text;
  return s.replace('{}', text);
}

/**
 * Groups of the source list (and any extra groups the table adds), with their prompts in this language.
 * Country prompts follow CountryPromptMode (faithful default: general prompts for everyone, see templates.ts).
 */
export function resolveLanguage(options: {
  table: TranslationTable;
  source: ChoenniTemplates;
  countryMode?: CountryPromptMode;
  categories?: readonly string[];
}): ResolvedLanguage {
  const { table, source } = options;
  const out: ResolvedLanguage = { language: table.language, groups: [], skipped: [] };
  const cats = options.categories ?? [...new Set([...Object.keys(source.groups), ...Object.keys(table.groups)])];
  for (const category of cats) {
    const entries = table.groups[category] ?? {};
    const keys = [...new Set([...(source.groups[category] ?? []), ...Object.keys(entries)])];
    const templates = promptsForGroup({
      category,
      general: table.templates.general,
      country: table.templates.country ?? [],
      mode: options.countryMode,
    });
    for (const key of keys) {
      const e = entries[key] ?? (table.groupsFromSource ? { text: key } : undefined);
      if (!e) out.skipped.push({ category, key, reason: `no ${table.language} translation entry` });
      else if (e.text === null)
        out.skipped.push({
          category,
          key,
          reason: `untranslated in ${table.language}: ${e.note ?? e.flag ?? 'no reason given'}`,
        });
      else
        out.groups.push({
          category,
          key,
          text: e.text,
          prompts: templates.map((t) => fill(t, e.form, e.text!)),
          flag: e.flag,
          note: e.note,
        });
    }
  }
  return out;
}
