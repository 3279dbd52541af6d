// Study A translation tables (static/translations/study-a/<lang>.json): the format, a validator and a merge for
// user edits/additions. Part of the contract because a spec's `translations` are edits of these tables, which the
// page's editor shows and the runner applies; turning a table into prompts is the analysis' (resolve-language.ts).

export const TABLE_FORMAT = 'stereoscope/study-a-translations@1';

/** A template: `{}` = group slot, `<mask>` = answer slot. `forms` = variants for grammatical forms (f, n, …). */
export interface TableTemplate {
  text: string;
  forms?: Record<string, string>;
  note?: string;
}

export type EntryFlag = 'approximate' | 'gendered' | 'no-equivalent' | 'slur';

/** A group's translation; `text: null` = deliberately untranslated (flag/note say why). */
export interface GroupEntry {
  text: string | null;
  /** Grammatical form selecting template variants (default form when absent). */
  form?: string;
  flag?: EntryFlag;
  note?: string;
}

export interface TranslationTable {
  format: typeof TABLE_FORMAT;
  language: string;
  languageName: string;
  origin?: string;
  /** How the group names were written (grammatical number, forms, articles), for whoever edits them. */
  groupConventions?: string;
  /** English only: group text = the source's English name. */
  groupsFromSource?: boolean;
  untranslatedCategories?: string[];
  templates: { general: TableTemplate[]; country?: TableTemplate[] };
  /** category → English group name (key shared by all languages) → entry. */
  groups: Record<string, Record<string, GroupEntry>>;
}

const FLAGS = new Set(['approximate', 'gendered', 'no-equivalent', 'slur']);

function count(s: string, sub: string): number {
  return s.split(sub).length - 1;
}

function checkTemplate(t: unknown, where: string, errors: string[]): Set<string> {
  const forms = new Set<string>();
  if (typeof t !== 'object' || t === null || typeof (t as TableTemplate).text !== 'string') {
    errors.push(`${where}: needs a "text" string`);
    return forms;
  }
  const tt = t as TableTemplate;
  const texts: [string, string][] = [
    [where, tt.text],
    ...Object.entries(tt.forms ?? {}).map(([f, s]) => [`${where}.forms.${f}`, s] as [string, string]),
  ];
  for (const [w, s] of texts) {
    if (typeof s !== 'string') errors.push(`${w}: must be a string`);
    else if (count(s, '{}') !== 1 || count(s, '<mask>') !== 1)
      errors.push(`${w}: "${s}" must contain exactly one {} and one <mask>`);
  }
  for (const f of Object.keys(tt.forms ?? {})) forms.add(f);
  return forms;
}

/** Returns a list of problems (empty when the table is valid). */
export function validateTable(input: unknown): string[] {
  const errors: string[] = [];
  if (typeof input !== 'object' || input === null) return ['table: not an object'];
  const t = input as Partial<TranslationTable>;
  if (t.format !== TABLE_FORMAT) errors.push(`format: expected "${TABLE_FORMAT}"`);
  if (typeof t.language !== 'string' || !/^[a-z]{2,3}(-[A-Za-z0-9]+)?$/.test(t.language))
    errors.push('language: expected a code like "fr" or "pt-BR"');
  if (typeof t.languageName !== 'string' || t.languageName === '') errors.push('languageName: required');
  const general = t.templates?.general;
  if (!Array.isArray(general) || general.length === 0) errors.push('templates.general: needs at least one template');
  (general ?? []).forEach((x, i) => checkTemplate(x, `templates.general[${i}]`, errors));
  (t.templates?.country ?? []).forEach((x, i) => checkTemplate(x, `templates.country[${i}]`, errors));
  if (typeof t.groups !== 'object' || t.groups === null) errors.push('groups: required (may be empty)');
  for (const [cat, entries] of Object.entries(t.groups ?? {})) {
    for (const [key, e] of Object.entries(entries ?? {})) {
      const where = `groups.${cat}["${key}"]`;
      if (typeof e !== 'object' || e === null) {
        errors.push(`${where}: must be an object`);
        continue;
      }
      if (e.text !== null && (typeof e.text !== 'string' || e.text.trim() === ''))
        errors.push(`${where}: text must be a non-empty string or null`);
      if (e.text === null && !e.note) errors.push(`${where}: an untranslated entry needs a note saying why`);
      if (e.text && (e.text.includes('{}') || e.text.includes('<mask>')))
        errors.push(`${where}: text must not contain {} or <mask>`);
      if (e.flag !== undefined && !FLAGS.has(e.flag)) errors.push(`${where}: unknown flag "${e.flag}"`);
    }
  }
  return errors;
}

/** Things that are allowed but likely mistakes: a group form no general template has a variant for. */
export function tableWarnings(t: TranslationTable): string[] {
  const forms = new Set(t.templates.general.flatMap((x) => Object.keys(x.forms ?? {})));
  const out: string[] = [];
  for (const [cat, entries] of Object.entries(t.groups)) {
    if (cat === 'country') continue;
    for (const [key, e] of Object.entries(entries))
      if (e.form !== undefined && !forms.has(e.form))
        out.push(`${cat} "${key}": form "${e.form}" has no variant in any general template`);
  }
  return out;
}

/** Validates and returns the typed table; throws with every problem listed. */
export function parseTable(input: unknown): TranslationTable {
  const obj = typeof input === 'string' ? JSON.parse(input) : input;
  const errors = validateTable(obj);
  if (errors.length > 0) throw new Error(`translation table invalid:\n- ${errors.join('\n- ')}`);
  return obj as TranslationTable;
}

/**
 * Overlays a user's edits on a base table of the same language: templates given in the overlay replace the base
 * lists; group entries are merged per category (overlay wins); new categories and groups are added.
 */
export function mergeTables(
  base: TranslationTable,
  overlay: Partial<TranslationTable> & { language: string },
): TranslationTable {
  if (overlay.language !== base.language)
    throw new Error(`mergeTables: cannot merge ${overlay.language} into ${base.language}`);
  const groups: TranslationTable['groups'] = {};
  for (const [cat, entries] of Object.entries(base.groups)) groups[cat] = { ...entries };
  for (const [cat, entries] of Object.entries(overlay.groups ?? {}))
    groups[cat] = { ...(groups[cat] ?? {}), ...entries };
  const merged: TranslationTable = {
    ...base,
    ...overlay,
    format: TABLE_FORMAT,
    templates: {
      general: overlay.templates?.general ?? base.templates.general,
      country: overlay.templates?.country ?? base.templates.country,
    },
    groups,
  };
  parseTable(merged);
  return merged;
}
