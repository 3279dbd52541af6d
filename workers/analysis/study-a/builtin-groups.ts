// The project's own translations of the Study A groups that the static tables (static/translations/study-a) leave
// out — profession, race and country — kept in data/groups-<lang>.ts as one line per group, and their merge into
// a language's table. One line: `key = text [/form] [!flag] [# note]`; `key = - !flag # note` = deliberately
// untranslated; `[category]` starts a category.
import { DE_GROUPS } from './data/groups-de';
import { EL_GROUPS } from './data/groups-el';
import { ES_GROUPS } from './data/groups-es';
import { FR_GROUPS } from './data/groups-fr';
import { HR_GROUPS } from './data/groups-hr';
import type { EntryFlag, GroupEntry, TranslationTable } from './translation-table';

export type GroupEntries = Record<string, Record<string, GroupEntry>>;

const FLAGS: readonly EntryFlag[] = ['approximate', 'gendered', 'no-equivalent', 'slur'];
const LINE = /^(.+?) = (.+?)(?: \/([\w-]+))?(?: !([\w-]+))?(?: # (.+))?$/;

/** Parses the compact line format; throws with the line number on anything it cannot read. */
export function parseGroupLines(text: string, what = 'groups'): GroupEntries {
  const out: GroupEntries = {};
  let category: string | null = null;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const head = /^\[(.+)\]$/.exec(line);
    if (head) {
      category = head[1];
      out[category] ??= {};
      return;
    }
    const m = LINE.exec(line);
    if (!m || !category) throw new Error(`${what} line ${i + 1}: cannot read "${line}"${category ? '' : ' (no [category] before it)'}`);
    const [, key, text, form, flag, note] = m;
    if (flag && !FLAGS.includes(flag as EntryFlag)) throw new Error(`${what} line ${i + 1}: unknown flag "${flag}"`);
    if (text === '-' && !note) throw new Error(`${what} line ${i + 1}: an untranslated group needs a # note`);
    if (out[category][key]) throw new Error(`${what} line ${i + 1}: "${key}" appears twice in [${category}]`);
    const e: GroupEntry = { text: text === '-' ? null : text };
    if (form) e.form = form;
    if (flag) e.flag = flag as EntryFlag;
    if (note) e.note = note;
    out[category][key] = e;
  });
  return out;
}

/** language → category → English key → entry. */
export const BUILT_IN_GROUPS: Readonly<Record<string, GroupEntries>> = {
  fr: parseGroupLines(FR_GROUPS, 'groups-fr'),
  es: parseGroupLines(ES_GROUPS, 'groups-es'),
  el: parseGroupLines(EL_GROUPS, 'groups-el'),
  hr: parseGroupLines(HR_GROUPS, 'groups-hr'),
  de: parseGroupLines(DE_GROUPS, 'groups-de'),
};

/** The table with the built-in group translations added (entries already in the table win). */
export function withBuiltInGroups(table: TranslationTable): TranslationTable {
  const extra = BUILT_IN_GROUPS[table.language];
  if (!extra) return table;
  const groups: TranslationTable['groups'] = { ...table.groups };
  for (const [cat, entries] of Object.entries(extra)) groups[cat] = { ...entries, ...(table.groups[cat] ?? {}) };
  const untranslated = table.untranslatedCategories?.filter((c) => !extra[c]);
  return { ...table, groups, untranslatedCategories: untranslated?.length ? untranslated : undefined };
}
