// The NRC "for various languages" lexicon as users download it, in both published header styles (2022: "English
// Word", ten emotion columns, then "French", "German", …; 2017: "English (en)", "French (fr)", …, emotion columns
// capitalised at the end), written here to a small file and read back: the importer keeps every column, and the
// runner's helpers pick each language's column by code or name (never "Malayalam" for "Malay").
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NRC_EMOTIONS } from '../../workers/analysis/study-a/emotions';
import { choenniLookup, languageWords, lexiconColumn, parseLexicon } from '../../workers/analysis/study-a/inputs';

// word, its 10 emotions (NRC order), then fr, de, el, hr, es, Malayalam, Malay
const ENTRIES: [string, string, string[]][] = [
  ['happy', '0000101000', ['heureux', 'glücklich', 'χαρούμενος', 'sretan', 'feliz', 'santhosham', 'gembira']],
  ['angry', '1000010000', ['fâché', 'wütend', 'θυμωμένος', 'ljut', 'enojado', 'deshyam', 'marah']],
  ['trust', '0000001001', ['confiance', 'Vertrauen', 'εμπιστοσύνη', 'povjerenje', 'confianza', 'viswasam', 'amanah']],
];
const LANGS = ['French', 'German', 'Greek', 'Croatian', 'Spanish', 'Malayalam', 'Malay'];
const CODES = ['fr', 'de', 'el', 'hr', 'es', 'ml', 'ms'];

function write(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'nrc-')), 'NRC-Emotion-Lexicon-ForVariousLanguages.txt');
  writeFileSync(file, text);
  return readFileSync(file, 'utf8');
}

const style2022 = () =>
  write(
    [['English Word', ...NRC_EMOTIONS, ...LANGS], ...ENTRIES.map(([w, e, t]) => [w, ...e, ...t])]
      .map((r) => r.join('\t'))
      .join('\n') + '\n',
  );

// 2017 style: translations first, emotions last, in another order and capitalised.
const ORDER_2017 = [
  'Positive',
  'Negative',
  'Anger',
  'Anticipation',
  'Disgust',
  'Fear',
  'Joy',
  'Sadness',
  'Surprise',
  'Trust',
];
const style2017 = () =>
  write(
    [
      ['English (en)', ...LANGS.map((l, i) => `${l} (${CODES[i]})`), ...ORDER_2017],
      ...ENTRIES.map(([w, e, t]) => [
        w,
        ...t,
        ...ORDER_2017.map((h) => e[NRC_EMOTIONS.indexOf(h.toLowerCase() as (typeof NRC_EMOTIONS)[number])]),
      ]),
    ]
      .map((r) => r.join('\t'))
      .join('\r\n'),
  );

describe('NRC lexicon for various languages', () => {
  for (const [style, text] of [
    ['2022 headers', style2022],
    ['2017 headers', style2017],
  ] as const) {
    it(`${style}: every column read, each language's column picked by code or name`, () => {
      const lex = parseLexicon(text(), 'user NRC file', false);
      expect(lex.rows).toHaveLength(3);
      expect(lex.rows[0].vector).toEqual([...'0000101000'].map(Number));
      expect(lex.rows[1].vector).toEqual([...'1000010000'].map(Number));
      expect(lex.languages).toHaveLength(LANGS.length);
      const names: Record<string, string> = {
        fr: 'French',
        de: 'German',
        el: 'Greek',
        hr: 'Croatian',
        es: 'Spanish',
        ml: 'Malayalam',
        ms: 'Malay',
      };
      CODES.forEach((code, i) => {
        const col = lexiconColumn(lex, code, names[code])!;
        expect(col, code).toBeDefined();
        // The column holds this language's words.
        expect(lex.rows.map((r) => r.translations[col])).toEqual(ENTRIES.map(([, , t]) => t[i]));
      });
      expect([...languageWords(lex, 'el', 'Greek', 'exact')].sort()).toEqual([
        'εμπιστοσύνη',
        'θυμωμένος',
        'χαρούμενος',
      ]);
      expect([...languageWords(lex, 'en', 'English', 'exact')].sort()).toEqual(['angry', 'happy', 'trust']);
      // Choenni's case-insensitive lookup on the German column.
      expect(choenniLookup(lex, 'de', 'German').get('vertrauen')).toEqual([...'0000001001'].map(Number));
      expect(choenniLookup(lex, 'hr', 'Croatian').get('ljut')).toEqual([...'1000010000'].map(Number));
      expect(lexiconColumn(lex, 'it', 'Italian')).toBeUndefined();
    });
  }
  it('a name that only starts another language name does not match it', () => {
    const lex = parseLexicon(
      write(
        [
          ['English Word', ...NRC_EMOTIONS, 'Malayalam'],
          ['happy', ...'0000101000', 'santhosham'],
        ]
          .map((r) => r.join('\t'))
          .join('\n'),
      ),
      'x',
      false,
    );
    expect(lexiconColumn(lex, 'ms', 'Malay')).toBeUndefined();
  });
});
