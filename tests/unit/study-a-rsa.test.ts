// Study A correlations against hand-computed cases: RSMs (sklearn/Choenni), row-wise Spearman with ties, a group
// with no lexicon match excluded with its reason, the NaN policy, shifts; Choenni's published XLMR-B numbers
// (read from ../shared); CSV tables; and the MLM 80/10/10 masking rule.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCsvRows } from '../../workers/analysis/shared/csv';
import { seededRng } from '../../workers/analysis/shared/rng';
import { profileTableCsv } from '../../workers/analysis/study-a/csv-out';
import { maskForMlm } from '../../workers/analysis/study-a/mlm-masking';
import { compareWithReference, parseReferenceScores } from '../../workers/analysis/study-a/reference-scores';
import {
  compareCategory,
  compareRuns,
  languageMatrix,
  rowwiseSpearman,
  shiftCosineMatrix,
  shiftVectors,
} from '../../workers/analysis/study-a/rsa';
import { shared } from '../helpers/shared';

const e = (...xs: number[]) => [...xs, ...new Array(10 - xs.length).fill(0)];

describe('RSA', () => {
  it('row-wise Spearman of two hand-made RSMs, with ties', () => {
    const r1 = [
      [1, 0.5, 0.5],
      [0.5, 1, 0.2],
      [0.5, 0.2, 1],
    ];
    const r2 = [
      [1, 0.9, 0.1],
      [0.9, 1, 0.3],
      [0.1, 0.3, 1],
    ];
    // row 0: ranks [3,1.5,1.5] vs [3,2,1] → ρ = 1.5/√(1.5·2) = √3/2; row 1: [2,3,1] vs [2,3,1] → 1;
    // row 2: [2,1,3] vs [1,2,3] → 1 − 6·2/(3·8) = 0.5
    const r = rowwiseSpearman(r1, r2);
    expect(r.rows[0]).toBeCloseTo(Math.sqrt(3) / 2, 14);
    expect(r.rows[1]).toBeCloseTo(1, 14);
    expect(r.rows[2]).toBeCloseTo(0.5, 14);
    expect(r.mean).toBeCloseTo((Math.sqrt(3) / 2 + 1.5) / 3, 14);
  });
  it('excludes a group with no lexicon match (with the reason) and compares the rest', () => {
    const a = new Map([
      ['x', e(1, 0)],
      ['y', e(0, 1)],
      ['z', e(1, 1)],
      ['w', undefined],
    ]);
    const b = new Map([
      ['x', e(2, 0)],
      ['y', e(0, 3)],
      ['z', e(1, 1)],
      ['w', e(1)],
    ]);
    const c = compareCategory({ a, b, labels: ['en', 'fr'] });
    expect(c.groups).toEqual(['x', 'y', 'z']);
    expect(c.excluded).toEqual([{ group: 'w', reason: 'no lexicon match in en' }]);
    // scaling rows does not change cosines → identical RSMs → ρ = 1 per row
    expect(c.spearman.rows).toEqual([1, 1, 1]);
    expect(c.rsmA[0][2]).toBeCloseTo(Math.SQRT1_2, 15);
  });
  it("a constant row gives NaN: 'propagate' (faithful) → NaN mean, 'omit' → mean of the rest", () => {
    const a = new Map([
      ['x', e(1)],
      ['y', e(1)],
      ['z', e(0, 1)],
    ]);
    const b = new Map([
      ['x', e(1)],
      ['y', e(1)],
      ['z', e(1, 1)],
    ]);
    // Two identical groups: every RSM row is [1, 1], constant → ρ is NaN for each row.
    const same = new Map([
      ['p', e(1)],
      ['q', e(1)],
    ]);
    const c = compareCategory({ a: same, b: same });
    expect(c.spearman.rows.every(Number.isNaN)).toBe(true);
    expect(c.spearman.mean).toBeNaN();
    const runA = new Map([
      ['k1', same],
      ['k2', a],
    ]);
    const runB = new Map([
      ['k1', same],
      ['k2', b],
    ]);
    expect(compareRuns({ a: runA, b: runB }).mean).toBeNaN();
    const omit = compareRuns({ a: runA, b: runB, nanPolicy: 'omit' });
    expect(omit.nanCategories).toBe(1);
    expect(omit.mean).toBeCloseTo(omit.perCategory.get('k2')!.spearman.mean, 15);
    const lm = languageMatrix({
      runs: new Map([
        ['en', runA],
        ['fr', runB],
      ]),
      nanPolicy: 'omit',
    });
    expect(lm.matrix[0][1]).toBeCloseTo(omit.mean, 15);
  });
  it('shift vectors Δ = FT − base, their mean, and the cosine between languages', () => {
    const base = new Map([
      ['x', e(1, 0)],
      ['y', e(0, 1)],
      ['n', undefined],
    ]);
    const ft = new Map([
      ['x', e(2, 0)],
      ['y', e(0, 3)],
      ['n', e(1)],
    ]);
    const s = shiftVectors({ base, finetuned: ft });
    expect(s.perGroup.get('y')).toEqual(e(0, 2));
    expect(s.mean).toEqual(e(0.5, 1));
    expect(s.excluded).toEqual([{ group: 'n', reason: 'no lexicon match in baseline' }]);
    const m = shiftCosineMatrix(
      new Map([
        ['en', e(1, 0)],
        ['fr', e(1, 1)],
        ['el', undefined],
      ]),
    );
    expect(m.matrix[0][1]).toBeCloseTo(Math.SQRT1_2, 15);
    expect(m.matrix[0][2]).toBeNaN();
  });
});

describe("Choenni's published XLMR-B scores", () => {
  const ref = parseReferenceScores(
    readFileSync(shared('data/choenni-stereotypes/aggregate_emotion_scores/XLMR-B.json'), 'utf8'),
  );
  it('parses 12 groups into NRC order', () => {
    expect(ref).toHaveLength(12);
    const rp = ref.find((r) => r.group === 'religious people')!;
    // published order Negative, Positive, …: first value 26.737… is Negative → NRC index 5
    expect(rp.profile[5]).toBeCloseTo(26.737967914438503, 12);
    expect(rp.matchedWords).toContain('loyal');
  });
  it('comparison with itself: zero differences and RSA 1; a perturbed copy shows its differences', () => {
    const ours = new Map(ref.map((r) => [r.group, r.profile] as const));
    const same = compareWithReference({ ours, reference: ref });
    expect(same.perGroup.every((g) => g.maxAbsDiff === 0)).toBe(true);
    expect(same.rsa.spearman.mean).toBeCloseTo(1, 12);
    const shifted = new Map(ours);
    shifted.set(
      'liberals',
      ours.get('liberals')!.map((x, i) => (i === 0 ? x + 5 : x)),
    );
    const d = compareWithReference({ ours: shifted, reference: ref });
    expect(d.perGroup.find((g) => g.group === 'liberals')!.maxAbsDiff).toBeCloseTo(5, 12);
  });
});

describe('CSV tables', () => {
  it('rows = groups, 10 emotion columns, empty cells for an undefined profile (pandas NaN)', () => {
    const csv = profileTableCsv({
      groups: ['a', 'b'],
      profiles: new Map([
        ['a', e(0.5)],
        ['b', undefined],
      ]),
    });
    const rows = parseCsvRows(csv);
    expect(rows[0]).toEqual([
      '',
      'anger',
      'anticipation',
      'disgust',
      'fear',
      'joy',
      'negative',
      'positive',
      'sadness',
      'surprise',
      'trust',
    ]);
    expect(rows[1]).toEqual(['a', '0.5', ...new Array(9).fill('0')]);
    expect(rows[2]).toEqual(['b', ...new Array(10).fill('')]);
    expect(
      parseCsvRows(
        profileTableCsv({ groups: ['a'], profiles: new Map([['a', e(0, 0, 0, 0, 0, 7)]]), order: 'choenni' }),
      )[1][1],
    ).toBe('7');
  });
});

describe('MLM masking (80/10/10)', () => {
  const MASK = 4;
  it('tiny case: specials never selected, labels −100 where not selected', () => {
    const ids = [0, 10, 11, 12, 2, 1];
    const special = [true, false, false, false, true, true];
    const r = maskForMlm({ ids, special, maskTokenId: MASK, vocabSize: 100, rng: () => 0.01 });
    // rng 0.01: every non-special is selected (< .15) and masked (< .8)
    expect(r.inputIds).toEqual([0, MASK, MASK, MASK, 2, 1]);
    expect(r.labels).toEqual([-100, 10, 11, 12, -100, -100]);
    const keep = maskForMlm({ ids, special, maskTokenId: MASK, vocabSize: 100, rng: () => 0.9 });
    expect(keep.labels.every((l) => l === -100)).toBe(true);
  });
  it('proportions on 200k tokens: 15% selected; of those 80% mask, 10% random, 10% kept', () => {
    const n = 200_000;
    const ids = Array.from({ length: n }, (_, i) => 5 + (i % 1000));
    const special = ids.map((_, i) => i % 50 === 0);
    const r = maskForMlm({ ids, special, maskTokenId: MASK, vocabSize: 250_002, rng: seededRng(1234) });
    let sel = 0,
      masked = 0,
      kept = 0,
      random = 0,
      specialSel = 0;
    r.labels.forEach((l, i) => {
      if (l === -100) return;
      sel++;
      if (special[i]) specialSel++;
      if (r.inputIds[i] === MASK) masked++;
      else if (r.inputIds[i] === ids[i]) kept++;
      else random++;
    });
    const eligible = n - n / 50;
    // 5σ binomial bounds so the test fails only on a real rule error, not on sampling noise
    const within = (k: number, m: number, p: number) => Math.abs(k - m * p) < 5 * Math.sqrt(m * p * (1 - p));
    expect(specialSel).toBe(0);
    expect(within(sel, eligible, 0.15)).toBe(true);
    expect(within(masked, sel, 0.8)).toBe(true);
    expect(within(random + kept, sel, 0.2)).toBe(true);
    expect(within(random, sel, 0.1)).toBe(true);
  });
});
