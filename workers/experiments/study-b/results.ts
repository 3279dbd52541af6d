// The Study B result: per-item predictions and per-language rates before/after (with Wilson intervals), the
// transfer matrix, loss curves and run facts, plus the CSV tables shaped like the study's evaluation outputs
// (one row per item with the three classes; one row per language with stereotype/"Accuracy", unknown, other).
import { ratesByLanguage, stereotypeDelta, transferMatrix } from '../../analysis/study-b/rates';
import type { EvalSplit } from '../../contract/specs/geo-unlearning';
import type { ItemPrediction } from './evaluate';
import type { EvalMode, GeoUnlearningResult, Phase, RateRow, Rates } from '../../contract/results/geo-unlearning';
import type { ResultBase, ResultTable } from '../../contract/results/base';
import type { MemoryEstimate } from '../../contract/memory';

/** Rates per language and overall; `extraction` picks which class of a generated answer counts (likelihood rows
 *  carry the same class in both). */
export function rateRows(
  preds: readonly ItemPrediction[],
  phase: Phase,
  modes: readonly EvalMode[],
  extraction: 'corrected' | 'study' = 'corrected',
): RateRow[] {
  const rows: RateRow[] = [];
  for (const mode of modes) {
    const r = ratesByLanguage(
      preds
        .filter((p) => p.mode === mode)
        .map((p) => ({ language: p.language, cls: extraction === 'study' ? p.clsStudy : p.cls })),
    );
    for (const [language, rates] of r.perLanguage) rows.push({ phase, mode, language, rates });
    rows.push({ phase, mode, language: 'overall', rates: r.overall });
  }
  return rows;
}

export function transferOf(
  rows: readonly RateRow[],
  trainLanguage: string,
  languages: readonly string[],
  modes: readonly EvalMode[],
): GeoUnlearningResult['transfer'] {
  return modes.map((mode) => {
    const pick = (phase: Phase) => rows.filter((r) => r.mode === mode && r.phase === phase && r.language !== 'overall');
    const runs = [
      ...pick('before').map((r) => ({ trainLanguage: 'none', evalLanguage: r.language, rates: r.rates })),
      ...pick('after').map((r) => ({ trainLanguage, evalLanguage: r.language, rates: r.rates })),
    ];
    const m = transferMatrix({ runs, trainLanguages: ['none', trainLanguage], evalLanguages: languages });
    const baseline = new Map(pick('before').map((r) => [r.language, r.rates] as const));
    return {
      mode,
      trainLanguages: m.trainLanguages,
      evalLanguages: m.evalLanguages,
      stereotype: m.cells.map((row) => row.map((c) => (c ? c.stereotype.rate : null))),
      delta: stereotypeDelta(m, baseline).map((row) => row.map((d) => d ?? null)),
    };
  });
}

const LETTERS = ['a', 'b', 'c', 'd', 'e'];

export function predictionTable(preds: readonly (ItemPrediction & { phase: Phase })[]): ResultTable {
  return {
    columns: [
      'phase',
      'mode',
      'language',
      'item',
      'identity',
      'attribute',
      'option_a',
      'option_b',
      'option_c',
      'option_d',
      'option_e',
      'target',
      'unknown_option',
      'chosen',
      'class',
      'class_study_extraction',
      'p_chosen',
      'output',
    ],
    rows: preds.map((p) => [
      p.phase,
      p.mode,
      p.language,
      p.item,
      p.identity,
      p.attribute,
      ...p.options,
      LETTERS[p.targetIndex],
      LETTERS[p.unknownIndex],
      p.chosen === null ? null : LETTERS[p.chosen],
      p.cls,
      p.clsStudy,
      p.probs && p.chosen !== null ? p.probs[p.chosen] : null,
      p.output ?? null,
    ]),
  };
}

/** The `evaluated_on` column of the rates and transfer tables: says on which rows every rate was counted. */
export function evaluatedOn(split: EvalSplit): string {
  return split === 'in-sample' ? 'in-sample (training rows)' : 'held-out rows';
}

export function ratesTable(rows: readonly RateRow[], split: EvalSplit = 'held-out'): ResultTable {
  const cols = (k: 'stereotype' | 'unknown' | 'other') => [`${k}_rate`, `${k}_low`, `${k}_high`];
  return {
    columns: [
      'phase',
      'mode',
      'language',
      'evaluated_on',
      'n',
      ...cols('stereotype'),
      ...cols('unknown'),
      ...cols('other'),
    ],
    rows: rows.map((r) => [
      r.phase,
      r.mode,
      r.language,
      evaluatedOn(split),
      r.rates.n,
      ...(['stereotype', 'unknown', 'other'] as const).flatMap((k) => [
        r.rates[k].rate,
        r.rates[k].low,
        r.rates[k].high,
      ]),
    ]),
  };
}

export function transferTable(t: GeoUnlearningResult['transfer'], split: EvalSplit = 'held-out'): ResultTable {
  return {
    columns: ['mode', 'unlearned_in', 'evaluated_in', 'evaluated_on', 'stereotype_rate', 'change_vs_baseline'],
    rows: t.flatMap((m) =>
      m.trainLanguages.flatMap((tl, i) =>
        m.evalLanguages.map((el, j) => [m.mode, tl, el, evaluatedOn(split), m.stereotype[i][j], m.delta[i][j]]),
      ),
    ),
  };
}

export function summaryOf(
  rows: readonly RateRow[],
  trainLanguage: string,
  mode: EvalMode,
  split: EvalSplit = 'held-out',
): string {
  const get = (phase: Phase, language: string) =>
    rows.find((r) => r.phase === phase && r.mode === mode && r.language === language)?.rates.stereotype.rate;
  const pct = (x: number | undefined) => (x === undefined ? '—' : `${(100 * x).toFixed(1)}%`);
  return `stereotype rate (${mode}, ${evaluatedOn(split)}) in ${trainLanguage}: ${pct(get('before', trainLanguage))} → ${pct(get('after', trainLanguage))}; overall ${pct(get('before', 'overall'))} → ${pct(get('after', 'overall'))}`;
}
