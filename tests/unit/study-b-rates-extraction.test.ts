// Which extraction feeds Study B's rates: the corrected one by default, the study's quirks on request; likelihood
// rows carry one class and do not change.
import { describe, expect, it } from 'vitest';
import type { ItemPrediction } from '../../workers/experiments/study-b/evaluate';
import { rateRows } from '../../workers/experiments/study-b/results';

const pred = (
  mode: ItemPrediction['mode'],
  cls: ItemPrediction['cls'],
  clsStudy: ItemPrediction['clsStudy'],
): ItemPrediction => ({
  language: 'fr',
  mode,
  item: 0,
  identity: 'x',
  attribute: 'y',
  options: [],
  targetIndex: 0,
  unknownIndex: 4,
  chosen: null,
  cls,
  clsStudy,
});

describe('Study B rates by extraction', () => {
  // Two generated answers the study's extraction reads as the stereotype and the corrected one does not.
  const preds = [
    pred('generation', 'other', 'stereotype'),
    pred('generation', 'unknown', 'stereotype'),
    pred('generation', 'stereotype', 'stereotype'),
    pred('likelihood', 'unknown', 'unknown'),
  ];
  const fr = (rows: ReturnType<typeof rateRows>, mode: string) =>
    rows.find((r) => r.mode === mode && r.language === 'fr')!.rates;
  it('counts the corrected classes by default', () => {
    const rows = rateRows(preds, 'before', ['generation', 'likelihood']);
    expect(fr(rows, 'generation').stereotype.successes).toBe(1);
    expect(fr(rows, 'generation').unknown.successes).toBe(1);
    expect(fr(rows, 'generation').n).toBe(3);
  });
  it("counts the study's classes when asked, and leaves likelihood alone", () => {
    const rows = rateRows(preds, 'before', ['generation', 'likelihood'], 'study');
    expect(fr(rows, 'generation').stereotype.successes).toBe(3);
    expect(fr(rows, 'likelihood').unknown.successes).toBe(1);
  });
});
