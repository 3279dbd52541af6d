// Shared analysis utilities: Wilson intervals (hand-computed), cosine matrices (sklearn / Choenni conventions),
// the CSV reader/writer (quotes, newlines, CRLF, missing columns), sha256 via WebCrypto, seeded shuffles.
import { describe, expect, it } from 'vitest';
import { choenniSimilarityMatrix, cosineSimilarityMatrix } from '../../workers/analysis/shared/cosine';
import { CsvError, parseCsvRows, parseCsvTable } from '../../workers/analysis/shared/csv';
import { seededRng, shuffled } from '../../workers/analysis/shared/rng';
import { ChecksumError, sha256Hex, verifySha256 } from '../../workers/contract/sha256';
import { wilsonInterval } from '../../workers/analysis/shared/wilson';
import { formatCsv } from '../../workers/contract/csv';

describe('wilsonInterval', () => {
  it('matches the closed form on 3/10 with z = 2 (hand-computed)', () => {
    // p = .3, z² = 4: denom 1.4; centre (.3 + .2)/1.4; half 2·√(.021 + .01)/1.4
    const w = wilsonInterval({ successes: 3, total: 10, z: 2 });
    expect(w.low).toBeCloseTo((0.5 - 2 * Math.sqrt(0.031)) / 1.4, 14);
    expect(w.high).toBeCloseTo((0.5 + 2 * Math.sqrt(0.031)) / 1.4, 14);
  });
  it('95% interval of 0/20 starts at 0 and of n = 0 is [0, 1] with NaN rate', () => {
    const w = wilsonInterval({ successes: 0, total: 20 });
    expect(w.low).toBe(0);
    expect(w.high).toBeCloseTo(0.16113, 4); // z²/(n+z²) = 3.8415/23.8415
    const e = wilsonInterval({ successes: 0, total: 0 });
    expect(e.rate).toBeNaN();
    expect([e.low, e.high]).toEqual([0, 1]);
    expect(() => wilsonInterval({ successes: 3, total: 2 })).toThrow();
  });
});

describe('cosine matrices', () => {
  it('sklearn convention: zero rows give 0 similarity; Choenni: −1e-11 then divided by max', () => {
    const s = cosineSimilarityMatrix([
      [1, 0],
      [1, 1],
      [0, 0],
    ]);
    expect(s[0][1]).toBeCloseTo(Math.SQRT1_2, 15);
    expect(s[2]).toEqual([0, 0, 0]);
    const c = choenniSimilarityMatrix([
      [1, 0],
      [0, 1],
    ]);
    // raw: diag 1 − 1e-11, off-diagonal 0 − 1e-11 (cos distance 1); max = 1 − 1e-11
    expect(c[0][0]).toBe(1);
    // 1 − (1 + 1e-11) loses digits in float64 (as in numpy): compare relatively, to 1e-6.
    expect(Math.abs(c[0][1] / -1e-11 - 1)).toBeLessThan(1e-6);
    expect(
      choenniSimilarityMatrix([
        [1, 0],
        [0, 0],
      ])
        .flat()
        .every(Number.isNaN),
    ).toBe(true);
  });
});

describe('csv', () => {
  it('reads quotes, doubled quotes, embedded newlines, CRLF and a BOM', () => {
    const text = '\ufeffa,b\r\n"x, y","say ""hi"""\r\n"two\nlines",z\n\n';
    expect(parseCsvRows(text)).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
      ['two\nlines', 'z'],
    ]);
  });
  it('round-trips through formatCsv', () => {
    const rows = [
      ['g', 'v'],
      ['a "b"', '1,5'],
      ['line\nbreak', ''],
    ];
    expect(parseCsvRows(formatCsv(rows))).toEqual(rows);
  });
  it('reports missing columns, ragged records and unterminated quotes', () => {
    expect(() => parseCsvTable('a,b\n1,2\n', { required: ['a', 'c', 'd'] })).toThrow(/"c", "d"/);
    expect(() => parseCsvTable('a,b\n1\n')).toThrow(/record 1 has 1 fields/);
    expect(() => parseCsvRows('a\n"open\n')).toThrow(CsvError);
  });
});

describe('sha256', () => {
  it('hashes "abc" to the FIPS 180-2 test vector and verifies prefixes', async () => {
    const abc = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    expect(await sha256Hex('abc')).toBe(abc);
    await expect(
      verifySha256({ data: new TextEncoder().encode('abc'), expected: abc.slice(0, 16).toUpperCase() }),
    ).resolves.toBe(abc);
    await expect(verifySha256({ data: 'abd', expected: abc.slice(0, 16) })).rejects.toBeInstanceOf(ChecksumError);
    await expect(verifySha256({ data: 'abc', expected: 'ba78' })).rejects.toThrow(/16–64 hex/);
  });
});

describe('seeded shuffle', () => {
  it('is a reproducible permutation', () => {
    const a = shuffled([...Array(50).keys()], seededRng(7));
    expect(shuffled([...Array(50).keys()], seededRng(7))).toEqual(a);
    expect([...a].sort((x, y) => x - y)).toEqual([...Array(50).keys()]);
    expect(shuffled([...Array(50).keys()], seededRng(8))).not.toEqual(a);
  });
});
