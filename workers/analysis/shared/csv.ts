// A small RFC 4180 CSV/TSV reader (quoted fields, doubled quotes, newlines inside quotes, CRLF, BOM), used for the
// MCQ data of Study B and user files. The writer is the contract's (workers/contract/csv.ts): exports are its.
import type { CsvOptions } from '../../contract/csv';

export class CsvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvError';
  }
}

/** Parses text into rows of fields. Blank lines are skipped; an unterminated quote is an error with its line. */
export function parseCsvRows(text: string, options: CsvOptions = {}): string[][] {
  const sep = options.delimiter ?? ',';
  if (sep.length !== 1 || sep === '"' || sep === '\n' || sep === '\r')
    throw new CsvError(`bad delimiter ${JSON.stringify(sep)}`);
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let inQuotes = false;
  let quoteLine = 0;
  let line = 1;
  let rowHasContent = false;
  const endRow = () => {
    row.push(field);
    field = '';
    if (rowHasContent || row.length > 1 || row[0] !== '') rows.push(row);
    row = [];
    rowHasContent = false;
  };
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (inQuotes) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && field === '') {
      inQuotes = true;
      quoteLine = line;
      rowHasContent = true;
    } else if (c === sep) {
      row.push(field);
      field = '';
      rowHasContent = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      endRow();
      line++;
    } else field += c;
  }
  if (inQuotes) throw new CsvError(`unterminated quoted field starting on line ${quoteLine}`);
  if (field !== '' || row.length > 0 || rowHasContent) endRow();
  return rows;
}

export interface CsvTable {
  header: string[];
  records: Record<string, string>[];
}

/**
 * Parses a CSV with a header row into records keyed by column name. `required` columns must all be present
 * (the error lists every missing one); rows whose field count differs from the header are errors.
 */
export function parseCsvTable(
  text: string,
  options: CsvOptions & { required?: readonly string[]; label?: string } = {},
): CsvTable {
  const label = options.label ?? 'CSV';
  const rows = parseCsvRows(text, options);
  if (rows.length === 0) throw new CsvError(`${label}: empty file`);
  const header = rows[0].map((h) => h.trim());
  const missing = (options.required ?? []).filter((c) => !header.includes(c));
  if (missing.length > 0)
    throw new CsvError(
      `${label}: missing column(s) ${missing.map((m) => `"${m}"`).join(', ')}; found ${header.join(', ')}`,
    );
  const records = rows.slice(1).map((r, i) => {
    if (r.length !== header.length)
      throw new CsvError(`${label}: record ${i + 1} has ${r.length} fields, header has ${header.length}`);
    const rec: Record<string, string> = {};
    header.forEach((h, j) => (rec[h] = r[j]));
    return rec;
  });
  return { header, records };
}
