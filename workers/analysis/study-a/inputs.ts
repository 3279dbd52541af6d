// Study A inputs as the runner uses them: the group list (Choenni's templates_and_groups shape), a translation
// table per language (static/translations/study-a), the lexicon (NRC "for various languages" or a simple
// word→emotions TSV), and from those the prompts per language with the template each one was filled from.
import {
  flatLexicon,
  englishLookup,
  parseNrcMultilingual,
  parseSimpleLexicon,
  type FlatLexicon,
  type Lexicon,
} from './lexicon';
import {
  choenniInput,
  parseChoenniTemplates,
  promptsForGroup,
  seedAPriorInput,
  type ChoenniTemplates,
} from './templates';

import { NRC_EMOTIONS } from './emotions';
import { pieceKey, type PieceMatch } from './profile-prior';
import { parseTable, type TranslationTable } from '../../contract/study-a/translation-table';
import { resolveLanguage } from './resolve-language';

export interface PromptItem {
  language: string;
  category: string;
  /** English group name: the key shared across languages. */
  key: string;
  /** The group as written in this language. */
  text: string;
  /** Index of the template in the table's list (profiles aggregate over templates). */
  template: number;
  /** The template actually used (after the group's grammatical form), `{}` = group slot. */
  templateText: string;
  /** The filled prompt with one <mask>. */
  prompt: string;
}

export interface LanguagePrompts {
  language: string;
  languageName: string;
  items: PromptItem[];
  skipped: { category: string; key: string; reason: string }[];
}

export function parseGroups(text: string): ChoenniTemplates {
  return parseChoenniTemplates(text);
}

/** Either lexicon shape: a header with the ten emotion columns (NRC wide, with or without translation
 * columns), or NRC's long word-level form. */
export function parseLexicon(text: string, name: string, demo: boolean): Lexicon {
  const header = text
    .replace(/^\ufeff/, '')
    .split(/\r?\n/, 1)[0]
    .toLowerCase()
    .split('\t');
  const wide = NRC_EMOTIONS.every((e) => header.includes(e));
  const lex = wide ? parseNrcMultilingual(text, { name }) : parseSimpleLexicon(text, { name });
  return { ...lex, demo };
}

/** The prompts of one language, in table order: every resolved group × every template it gets. */
export function languagePrompts(options: {
  table: TranslationTable;
  source: ChoenniTemplates;
  countryPrompts: boolean;
  categories?: readonly string[];
}): LanguagePrompts {
  const { table, source } = options;
  const countryMode = options.countryPrompts ? 'countryPrompts' : 'faithful';
  const categories = options.categories ?? Object.keys(source.groups);
  const resolved = resolveLanguage({
    table,
    source: { ...source, groups: Object.fromEntries(categories.map((c) => [c, source.groups[c] ?? []])) },
    countryMode,
    categories,
  });
  const items: PromptItem[] = [];
  // The group list defines the study's groups; groups a translation table adds on its own are left out, so all
  // languages profile the same list (RSA compares groups by their English key).
  const wanted = (g: { category: string; key: string }) => (source.groups[g.category] ?? []).includes(g.key);
  for (const g of resolved.groups.filter(wanted)) {
    const templates = promptsForGroup({
      category: g.category,
      general: table.templates.general,
      country: table.templates.country ?? [],
      mode: countryMode,
    });
    const form = table.groups[g.category]?.[g.key]?.form;
    templates.forEach((t, i) => {
      const templateText = (form && t.forms?.[form]) || t.text;
      const prompt = templateText.replace('{}', g.text);
      // Must agree with resolveLanguage's fill, or priors would be computed for another template.
      if (prompt !== g.prompts[i]) throw new Error(`prompt mismatch for ${g.key}: "${prompt}" vs "${g.prompts[i]}"`);
      items.push({
        language: table.language,
        category: g.category,
        key: g.key,
        text: g.text,
        template: i,
        templateText,
        prompt,
      });
    });
  }
  return {
    language: table.language,
    languageName: table.languageName,
    items,
    skipped: resolved.skipped.filter(wanted),
  };
}

/**
 * Choenni's own English inputs (compute_emotion_scores.py): her lower-case templates from the groups file, the
 * country templates for the country category (her script does use them, unlike seed A's), and the sequence
 * `<s> {template with the group} <mask> ? </s>` that the tokenizer wraps in its own specials again. Groups a
 * translation override adds are profiled too, with the general templates.
 */
export function choenniEnglishPrompts(options: {
  source: ChoenniTemplates;
  categories?: readonly string[];
}): LanguagePrompts {
  const { source } = options;
  const items: PromptItem[] = [];
  for (const category of options.categories ?? Object.keys(source.groups)) {
    const templates =
      category === 'country' && source.countryTemplates.length ? source.countryTemplates : source.templates;
    for (const key of source.groups[category] ?? [])
      templates.forEach((templateText, template) => {
        const prompt = choenniInput({ template: templateText, group: key }).text;
        items.push({ language: 'en', category, key, text: key, template, templateText, prompt });
      });
  }
  return { language: 'en', languageName: 'English', items, skipped: [] };
}

/** The double-mask prompt of a template and which mask is read (create_priors.py). */
export function priorPrompt(templateText: string): { text: string; maskIndex: number } {
  const p = seedAPriorInput({ prompt: templateText });
  return { text: p.text, maskIndex: p.maskIndex };
}

/**
 * Translation column of a lexicon for a language. NRC's files name them "French (fr)" (2017 translations) or
 * "French" (2022); other files may use the code. Tried in order, so "Malay" never picks "Malayalam": the code
 * alone, "(code)", the name alone, then a header starting with the name followed by a space or "(".
 */
export function lexiconColumn(lex: Lexicon, language: string, languageName: string): string | undefined {
  const name = languageName.trim().toLowerCase();
  const headers = lex.languages.map((h) => [h, h.trim().toLowerCase()] as const);
  const tests: ((h: string) => boolean)[] = [
    (h) => h === language.toLowerCase(),
    (h) => h.includes(`(${language.toLowerCase()})`),
    (h) => h === name,
    (h) => h.startsWith(`${name} `) || h.startsWith(`${name}(`),
  ];
  for (const t of tests) {
    const hit = headers.find(([, h]) => t(h));
    if (hit) return hit[0];
  }
  return undefined;
}

/** The language's word list for the prior: its lexicon column (English words for "en"). */
export function languageWords(lex: Lexicon, language: string, languageName: string, match: PieceMatch): Set<string> {
  const col = lexiconColumn(lex, language, languageName);
  const words = new Set<string>();
  for (const row of lex.rows) {
    const w = language === 'en' ? row.english : col ? row.translations[col] : undefined;
    if (w) words.add(pieceKey(w, match));
  }
  return words;
}

/**
 * Choenni's case-insensitive lookup. English: the first matching row of the English column (faithful). Other
 * languages (Choenni's script is English-only): the same rule on the language's column.
 */
export function choenniLookup(lex: Lexicon, language: string, languageName: string): FlatLexicon {
  if (language === 'en') return englishLookup(lex);
  const col = lexiconColumn(lex, language, languageName);
  const out: FlatLexicon = new Map();
  if (col)
    for (const row of lex.rows)
      if (row.translations[col] && !out.has(row.translations[col].toLowerCase()))
        out.set(row.translations[col].toLowerCase(), row.vector);
  return out;
}

/** Seed A's flat dict over every column (data.py); `faithful` keeps empty cells as the key "" as data.py does. */
export function priorLookup(lex: Lexicon, faithful: boolean): FlatLexicon {
  return flatLexicon(lex, { skipEmpty: !faithful });
}

export function parseTranslationTable(text: string): TranslationTable {
  return parseTable(text);
}
