// The one CSV writer of the app (RFC 4180: quotes where needed), for every table a run exports and the CSV outputs
// shaped like the original studies' tables; text cells are guarded against formula injection. The reader is the
// analysis' (workers/analysis/shared/csv.ts).

export interface CsvOptions {
  /** Field separator; ',' by default, '\t' for TSV. */
  delimiter?: string;
}

function quoteField(value: string, sep: string): string {
  return /["\r\n]/.test(value) || value.includes(sep) ? `"${value.replace(/"/g, '""')}"` : value;
}

// A text cell that a spreadsheet would read as a formula (=, +, -, @, or a leading tab/CR that some importers strip
// before looking for one). Numbers written as text ("-0.25", "+3e-5") are left alone: they are values, not formulas.
const FORMULA_START = /^[=+\-@\t\r]/;
const NUMERIC_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Neutralises a text cell that spreadsheet software would evaluate (CSV/formula injection, e.g. a group name like
 * `=HYPERLINK(...)` in a user's data file) by prefixing a single quote, which spreadsheets show but do not run.
 * Numbers and numeric text pass through unchanged so negative values stay numbers.
 */
export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) && !NUMERIC_TEXT.test(value) ? `'${value}` : value;
}

/** One cell as written by every CSV writer of the app: numbers in full precision, text guarded and quoted. */
export function csvCell(value: string | number | null | undefined, sep = ','): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'number' ? String(value) : quoteField(neutraliseFormula(value), sep);
}

/**
 * Writes rows as CSV; numbers are written with full precision (String(x)), text cells are guarded against formula
 * injection (neutraliseFormula) and quoted where needed. Line ends are '\n' unless `lineEnd` says otherwise.
 */
export function formatCsv(
  rows: readonly (readonly (string | number | null)[])[],
  options: CsvOptions & { lineEnd?: '\n' | '\r\n' } = {},
): string {
  const sep = options.delimiter ?? ',';
  const eol = options.lineEnd ?? '\n';
  return rows.map((r) => r.map((v) => csvCell(v, sep)).join(sep)).join(eol) + eol;
}
