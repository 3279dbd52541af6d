// Emotion lexicons for Study A: importer for the NRC Emotion Lexicon "for various languages" TSV (the user's own
// download; never shipped) and for simple word→emotions TSVs, plus the two lookups the studies build from them:
// seed A's flat all-languages dict (data.py) and Choenni's case-insensitive English column.
import { NRC_EMOTIONS, type Emotion } from './emotions';

export interface LexiconRow {
  /** The entry's English word (first column). */
  english: string;
  /** 0/1 per emotion, NRC order. */
  vector: number[];
  /** Translations by column header (e.g. "French" or "French (fr)"); may contain empty strings. */
  translations: Record<string, string>;
}

export interface Lexicon {
  name: string;
  /** True for the project's demo lexicon: invented values, for tests and the offline demo only. */
  demo: boolean;
  /** Translation column headers in file order. */
  languages: string[];
  rows: LexiconRow[];
}

const EMOTION_SET = new Set<string>(NRC_EMOTIONS);

/** Splits a line the way data.py does: strip surrounding whitespace (trailing empty cells vanish), split on tabs. */
function pySplit(line: string): string[] {
  return line.trim().split('\t');
}

/**
 * Parses the NRC "ForVariousLanguages" TSV: header = English word column, the 10 emotion columns (any order, any
 * case, e.g. `anger` or `Anger`), then one column per language. Like data.py, rows whose cell count differs
 * from the header are skipped (after stripping, so rows ending in empty translations are skipped too); the
 * number skipped is returned so the app can show it.
 */
export function parseNrcMultilingual(text: string, options: { name?: string } = {}): Lexicon & { skippedRows: number } {
  const lines = text.replace(/^\ufeff/, '').split(/\r?\n/);
  const header = pySplit(lines[0] ?? '');
  const emotionCols = new Map<Emotion, number>();
  header.forEach((h, i) => {
    const key = h.trim().toLowerCase();
    if (EMOTION_SET.has(key)) emotionCols.set(key as Emotion, i);
  });
  const missing = NRC_EMOTIONS.filter((e) => !emotionCols.has(e));
  if (missing.length > 0) throw new Error(`NRC lexicon: header lacks emotion column(s) ${missing.join(', ')}`);
  if ([...emotionCols.values()].includes(0)) throw new Error('NRC lexicon: the first column must be the English word');
  const langCols = header.map((_, i) => i).filter((i) => i > 0 && ![...emotionCols.values()].includes(i));
  const rows: LexiconRow[] = [];
  let skippedRows = 0;
  for (let li = 1; li < lines.length; li++) {
    if (lines[li].trim() === '') continue;
    const cells = pySplit(lines[li]);
    if (cells.length !== header.length) {
      skippedRows++;
      continue;
    }
    const vector = NRC_EMOTIONS.map((e) => {
      const v = Number(cells[emotionCols.get(e)!]);
      if (v !== 0 && v !== 1)
        throw new Error(`NRC lexicon: line ${li + 1}: ${e} must be 0 or 1, got "${cells[emotionCols.get(e)!]}"`);
      return v;
    });
    const translations: Record<string, string> = {};
    for (const i of langCols) translations[header[i]] = cells[i];
    rows.push({ english: cells[0], vector, translations });
  }
  return {
    name: options.name ?? 'NRC Emotion Lexicon (user file)',
    demo: false,
    languages: langCols.map((i) => header[i]),
    rows,
    skippedRows,
  };
}

/**
 * A simple lexicon, either wide (`word<TAB>anger<TAB>…<TAB>trust` header, one row per word) or NRC's word-level
 * long form (`word<TAB>emotion<TAB>0|1`, no header). Words listed only with 0s still get a (zero) entry.
 */
export function parseSimpleLexicon(text: string, options: { name?: string; demo?: boolean } = {}): Lexicon {
  const lines = text
    .replace(/^\ufeff/, '')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new Error('lexicon: empty file');
  const first = lines[0].split('\t').map((h) => h.trim().toLowerCase());
  const rows: LexiconRow[] = [];
  if (first.filter((h) => EMOTION_SET.has(h)).length === NRC_EMOTIONS.length) {
    const cols = NRC_EMOTIONS.map((e) => first.indexOf(e));
    lines.slice(1).forEach((line, i) => {
      const cells = line.split('\t');
      const vector = cols.map((c) => Number(cells[c]));
      if (vector.some((v) => v !== 0 && v !== 1))
        throw new Error(`lexicon: line ${i + 2}: emotion values must be 0 or 1`);
      rows.push({ english: cells[0].trim(), vector, translations: {} });
    });
  } else {
    const index = new Map<string, LexiconRow>();
    lines.forEach((line, i) => {
      const [word, emotion, flag] = line.split('\t').map((c) => c.trim());
      const e = (emotion ?? '').toLowerCase();
      if (!EMOTION_SET.has(e) || (flag !== '0' && flag !== '1'))
        throw new Error(
          `lexicon: line ${i + 1} is neither a wide header with 10 emotion columns nor "word<TAB>emotion<TAB>0|1"`,
        );
      let row = index.get(word);
      if (!row) {
        row = { english: word, vector: new Array(NRC_EMOTIONS.length).fill(0), translations: {} };
        index.set(word, row);
        rows.push(row);
      }
      row.vector[NRC_EMOTIONS.indexOf(e as Emotion)] = Number(flag);
    });
  }
  return { name: options.name ?? 'word→emotions lexicon', demo: options.demo ?? false, languages: [], rows };
}

export type FlatLexicon = Map<string, number[]>;

/**
 * Seed A's flat dict (data.py, emolex_all_nostemmed.json): for every row in file order, the English word and each
 * selected translation map to the row's vector; a string seen in several rows keeps the LAST row's vector.
 * `columns` = translation headers to include (default: all). Empty cells are kept as the key "" (faithful:
 * a piece that decodes to "" then matches) unless `skipEmpty` is set.
 */
export function flatLexicon(
  lex: Lexicon,
  options: { columns?: readonly string[]; includeEnglish?: boolean; skipEmpty?: boolean } = {},
): FlatLexicon {
  const cols = options.columns ?? lex.languages;
  const unknown = cols.filter((c) => !lex.languages.includes(c));
  if (unknown.length > 0) throw new Error(`flatLexicon: no column(s) ${unknown.join(', ')}`);
  const out: FlatLexicon = new Map();
  for (const row of lex.rows) {
    const words = options.includeEnglish === false ? [] : [row.english];
    for (const c of cols) words.push(row.translations[c] ?? '');
    for (const w of words) if (!(options.skipEmpty && w === '')) out.set(w, row.vector);
  }
  return out;
}

/**
 * Choenni's lookup: `df[df['English (en)'].str.lower() == w.lower()]`, first matching row. Keys are lower-cased
 * English words; the FIRST row wins (unlike the flat dict). JS toLowerCase stands in for Python's str.lower.
 */
export function englishLookup(lex: Lexicon): FlatLexicon {
  const out: FlatLexicon = new Map();
  for (const row of lex.rows) {
    const key = row.english.toLowerCase();
    if (!out.has(key)) out.set(key, row.vector);
  }
  return out;
}
