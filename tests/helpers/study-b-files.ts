// Small per-language MCQ files in the shape of the study's mcq_stereotype_dataset_<lang>.csv (no language column,
// one file per language, the same rows in each), cut from the DEMO MCQ set, with the sha256 of every file.
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { demoMcqCsv } from '../../scripts/demo/llama-demo';
import { parseCsvRows } from '../../workers/analysis/shared/csv';
import { formatCsv } from '../../workers/contract/csv';

/** Writes `template` with {lang} filled in for each language into `dir`; returns each file's sha256 and row count. */
export async function writePerLanguageMcq(
  dir: string,
  languages: readonly string[],
  template = 'mcq_{lang}.csv',
): Promise<{ sha256: Record<string, string>; rows: Record<string, number> }> {
  const [header, ...records] = parseCsvRows(demoMcqCsv());
  const langCol = header.indexOf('language');
  const sha256: Record<string, string> = {};
  const rows: Record<string, number> = {};
  for (const l of languages) {
    const mine = records.filter((r) => r[langCol] === l).map((r) => r.filter((_, i) => i !== langCol));
    if (!mine.length) throw new Error(`the demo MCQ set has no rows in ${l}`);
    const text = formatCsv([header.filter((_, i) => i !== langCol), ...mine]);
    await writeFile(join(dir, template.replace('{lang}', l)), text);
    sha256[l] = createHash('sha256').update(text).digest('hex');
    rows[l] = mine.length;
  }
  return { sha256, rows };
}
