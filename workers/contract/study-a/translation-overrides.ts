// User edits of Study A's translation tables, kept as differences from the built-in tables so a share link carries
// only what changed: per language a replaced template list, replaced/added group entries, a name for a new
// language; and groups added to the study's group list. Applies them (validating the result) and computes them
// back from an edited table. Groups added to the list are applied by the analysis (templates.ts withAddedGroups).
import {
  parseTable,
  TABLE_FORMAT,
  type GroupEntry,
  type TableTemplate,
  type TranslationTable,
} from './translation-table';

export interface LanguageOverride {
  languageName?: string;
  templates?: { general?: TableTemplate[]; country?: TableTemplate[] };
  groups?: Record<string, Record<string, GroupEntry>>;
}

export interface TranslationOverrides {
  languages?: Record<string, LanguageOverride>;
  addGroups?: Record<string, string[]>;
}

/**
 * The table of one language after the user's edits. `base` is the built-in table (undefined for a language the
 * user adds, which then needs a name and general templates). Throws with every problem listed.
 */
export function applyLanguageOverride(options: {
  language: string;
  base?: TranslationTable;
  override?: LanguageOverride;
}): TranslationTable {
  const { language, base, override: o } = options;
  if (!base && !o)
    throw new Error(
      `no translation table for "${language}": add the language (name and templates) in the translation editor`,
    );
  if (!base && (!o?.languageName || !o.templates?.general?.length))
    throw new Error(`the added language "${language}" needs a name and at least one template`);
  const start: TranslationTable = base ?? {
    format: TABLE_FORMAT,
    language,
    languageName: o!.languageName!,
    origin: 'added by the user',
    templates: { general: [] },
    groups: {},
  };
  if (!o) return start;
  const groups: TranslationTable['groups'] = {};
  for (const [cat, entries] of Object.entries(start.groups)) groups[cat] = { ...entries };
  for (const [cat, entries] of Object.entries(o.groups ?? {})) groups[cat] = { ...(groups[cat] ?? {}), ...entries };
  const table: TranslationTable = {
    ...start,
    languageName: o.languageName ?? start.languageName,
    templates: {
      general: o.templates?.general ?? start.templates.general,
      country: o.templates?.country ?? start.templates.country,
    },
    groups,
  };
  try {
    return parseTable(table);
  } catch (e) {
    throw new Error(`your edits of the ${table.languageName} (${language}) table: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** What `edited` changes relative to `base` (undefined = nothing); applyLanguageOverride(base, result) = edited. */
export function diffLanguage(
  base: TranslationTable | undefined,
  edited: TranslationTable,
): LanguageOverride | undefined {
  const out: LanguageOverride = {};
  if (!base || edited.languageName !== base.languageName) out.languageName = edited.languageName;
  const templates: NonNullable<LanguageOverride['templates']> = {};
  if (!base || !same(edited.templates.general, base.templates.general)) templates.general = edited.templates.general;
  if (
    (edited.templates.country?.length || base?.templates.country?.length) &&
    !same(edited.templates.country ?? [], base?.templates.country ?? [])
  )
    templates.country = edited.templates.country ?? [];
  if (templates.general || templates.country) out.templates = templates;
  const groups: Record<string, Record<string, GroupEntry>> = {};
  for (const [cat, entries] of Object.entries(edited.groups)) {
    for (const [key, e] of Object.entries(entries)) {
      if (!same(e, base?.groups[cat]?.[key])) (groups[cat] ??= {})[key] = e;
    }
  }
  if (Object.keys(groups).length) out.groups = groups;
  return Object.keys(out).length ? out : undefined;
}

/** Sets (or clears, when undefined) one language's override; returns a new overrides object without empty parts. */
export function setLanguageOverride(
  overrides: TranslationOverrides | undefined,
  language: string,
  o: LanguageOverride | undefined,
): TranslationOverrides | undefined {
  const languages = { ...(overrides?.languages ?? {}) };
  if (o) languages[language] = o;
  else delete languages[language];
  const out: TranslationOverrides = {};
  if (Object.keys(languages).length) out.languages = languages;
  if (overrides?.addGroups && Object.keys(overrides.addGroups).length) out.addGroups = overrides.addGroups;
  return Object.keys(out).length ? out : undefined;
}
