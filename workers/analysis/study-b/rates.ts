// Study B rates (methods.md B.3): stereotype / unknown / other rates (they sum to 1) per language and overall,
// each with a Wilson 95% interval, and the transfer matrix (unlearned in language X, evaluated in language Y).
import { wilsonInterval } from '../shared/wilson';
import type { AnswerClass } from './extract';
import type { Proportion, Rates } from '../../contract/results/geo-unlearning';

export function ratesOf(classes: readonly AnswerClass[]): Rates {
  const n = classes.length;
  const count = (c: AnswerClass) => classes.filter((x) => x === c).length;
  return {
    n,
    stereotype: wilsonInterval({ successes: count('stereotype'), total: n }),
    unknown: wilsonInterval({ successes: count('unknown'), total: n }),
    other: wilsonInterval({ successes: count('other'), total: n }),
  };
}

export interface LanguageRates {
  perLanguage: Map<string, Rates>;
  /** Pooled over all items of all languages (micro average); with equal item counts per language, as in the
   * data set (6,781 each), this equals the mean of the per-language rates. */
  overall: Rates;
}

export function ratesByLanguage(items: readonly { language: string; cls: AnswerClass }[]): LanguageRates {
  const by = new Map<string, AnswerClass[]>();
  for (const it of items) {
    if (!by.has(it.language)) by.set(it.language, []);
    by.get(it.language)!.push(it.cls);
  }
  const perLanguage = new Map([...by].map(([l, cs]) => [l, ratesOf(cs)] as const));
  return { perLanguage, overall: ratesOf(items.map((i) => i.cls)) };
}

export interface TransferMatrix {
  /** Rows: language the model was unlearned in ('none' for the baseline). */
  trainLanguages: string[];
  /** Columns: language evaluated. */
  evalLanguages: string[];
  /** cells[i][j] = rates of trainLanguages[i] evaluated in evalLanguages[j]; undefined = not run. */
  cells: (Rates | undefined)[][];
}

export function transferMatrix(options: {
  runs: readonly { trainLanguage: string; evalLanguage: string; rates: Rates }[];
  trainLanguages?: readonly string[];
  evalLanguages?: readonly string[];
}): TransferMatrix {
  const trainLanguages = [...(options.trainLanguages ?? new Set(options.runs.map((r) => r.trainLanguage)))];
  const evalLanguages = [...(options.evalLanguages ?? new Set(options.runs.map((r) => r.evalLanguage)))];
  const cells = trainLanguages.map(() => evalLanguages.map(() => undefined as Rates | undefined));
  for (const r of options.runs) {
    const i = trainLanguages.indexOf(r.trainLanguage);
    const j = evalLanguages.indexOf(r.evalLanguage);
    if (i < 0 || j < 0) continue;
    if (cells[i][j]) throw new Error(`transferMatrix: two runs for ${r.trainLanguage} → ${r.evalLanguage}`);
    cells[i][j] = r.rates;
  }
  return { trainLanguages, evalLanguages, cells };
}

/** Change of the stereotype rate against a baseline row, per cell (after − before), for the transfer heatmap. */
export function stereotypeDelta(
  matrix: TransferMatrix,
  baseline: ReadonlyMap<string, Rates>,
): (number | undefined)[][] {
  return matrix.cells.map((row) =>
    row.map((cell, j) => {
      const base = baseline.get(matrix.evalLanguages[j]);
      return cell && base ? cell.stereotype.rate - base.stereotype.rate : undefined;
    }),
  );
}
