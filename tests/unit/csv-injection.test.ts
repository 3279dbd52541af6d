// CSV formula-injection guard: every CSV writer of the app (formatCsv, the run page's tableToCsv, Study A's profile
// tables) neutralises text cells a spreadsheet would evaluate, and leaves numbers — negative ones too — as numbers.
import { describe, expect, it } from 'vitest';
import { parseCsvRows } from '../../workers/analysis/shared/csv';
import { tableToCsv } from '../../workers/contract/run-bundle';
import { profileTableCsv } from '../../workers/analysis/study-a/csv-out';
import { csvCell, formatCsv, neutraliseFormula } from '../../workers/contract/csv';

describe('CSV formula-injection guard', () => {
  it('prefixes text starting with = + - @ tab or CR with a single quote', () => {
    expect(neutraliseFormula('=HYPERLINK("http://x","y")')).toBe(`'=HYPERLINK("http://x","y")`);
    expect(neutraliseFormula('+cmd|calc')).toBe(`'+cmd|calc`);
    expect(neutraliseFormula('-2+3+cmd|calc')).toBe(`'-2+3+cmd|calc`);
    expect(neutraliseFormula('@SUM(A1:A9)')).toBe(`'@SUM(A1:A9)`);
    expect(neutraliseFormula('\t=1+1')).toBe(`'\t=1+1`);
    expect(neutraliseFormula('\r=1+1')).toBe(`'\r=1+1`);
  });

  it('leaves ordinary text, numeric text and text with a sign inside alone', () => {
    for (const s of ['French', 'a=b', 'x-y', 'mail@example.org', '', '-0.25', '+3', '-1e-5', '.5', '-7.'])
      expect(neutraliseFormula(s)).toBe(s);
  });

  it('writes numbers as numbers, including negative ones and exponents', () => {
    expect(csvCell(-0.125)).toBe('-0.125');
    expect(csvCell(-1e-7)).toBe('-1e-7');
    expect(csvCell(null)).toBe('');
    expect(
      formatCsv([
        ['a', 'b'],
        [-1, '-1'],
        ['=1+2', -2.5],
      ]),
    ).toBe("a,b\n-1,-1\n'=1+2,-2.5\n");
  });

  it('quotes a guarded cell that also needs quoting, and the result parses back to the guarded text', () => {
    const out = formatCsv([['=A1,B1', '-"x"']]);
    expect(out).toBe(`"'=A1,B1","'-""x"""\n`);
    expect(parseCsvRows(out)).toEqual([["'=A1,B1", `'-"x"`]]);
  });

  it('guards the run page export (tableToCsv) with CRLF line ends and numbers untouched', () => {
    const csv = tableToCsv({
      columns: ['group', 'score', '@note'],
      rows: [
        ['=cmd|calc', -0.5, null],
        ['Scots', 1.25, '+x'],
      ],
    });
    expect(csv).toBe("group,score,'@note\r\n'=cmd|calc,-0.5,\r\nScots,1.25,'+x\r\n");
  });

  it('guards Study A profile tables (group names come from user data) and keeps negative profile values', () => {
    const csv = profileTableCsv({
      groups: ['=evil()', 'ok'],
      profiles: new Map([
        ['=evil()', Array(10).fill(-0.5)],
        ['ok', undefined],
      ]),
    });
    const rows = parseCsvRows(csv);
    expect(rows[1][0]).toBe("'=evil()");
    expect(rows[1].slice(1)).toEqual(Array(10).fill('-0.5'));
    expect(rows[2]).toEqual(['ok', ...Array(10).fill('')]);
  });
});
