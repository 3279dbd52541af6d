// Study A lexicons and both profile variants against hand-computed small cases: NRC multilingual TSV parsing
// (last row wins, skipped rows), Choenni's case-insensitive English lookup, the prior-corrected top-k with the
// sentinel vs exclude prior, exact vs normalised piece matching, and groups with no lexicon match.
import { describe, expect, it } from 'vitest';
import { DEMO_LEXICON } from '../../workers/analysis/study-a/data/demo-lexicon';
import { CHOENNI_EMOTIONS, NRC_EMOTIONS, reorder } from '../../workers/analysis/study-a/emotions';
import {
  englishLookup,
  flatLexicon,
  parseNrcMultilingual,
  parseSimpleLexicon,
} from '../../workers/analysis/study-a/lexicon';
import { choenniProfile } from '../../workers/analysis/study-a/profile-choenni';
import {
  buildPrior,
  priorCorrectedProfile,
  priorCorrectedTopK,
  PRIOR_SENTINEL,
} from '../../workers/analysis/study-a/profile-prior';

const v = (bits: string) => [...bits].map(Number);
const HEAD = ['English Word', ...NRC_EMOTIONS, 'French', 'Spanish'].join('\t');
// Row "Good" (2nd) and "bon" collide: bon appears as French of good and of kind → last row (kind) wins.
const NRC_TSV = [
  HEAD,
  ['good', ...'0100101001', 'bon', 'bueno'].join('\t'),
  ['kind', ...'0000001001', 'bon', 'amable'].join('\t'),
  ['Good', ...'0000100000', 'bien', ''].join('\t'), // trailing empty cell: stripped away → skipped, like data.py
  ['sad', ...'0000010100', 'triste', 'triste'].join('\t'),
  '',
].join('\n');

describe('lexicon importers', () => {
  const lex = parseNrcMultilingual(NRC_TSV);
  it('parses the wide NRC layout and skips ragged rows like data.py', () => {
    expect(lex.languages).toEqual(['French', 'Spanish']);
    expect(lex.rows.map((r) => r.english)).toEqual(['good', 'kind', 'sad']);
    expect(lex.skippedRows).toBe(1);
  });
  it("flat dict: every translation gets the entry's vector, the LAST row wins", () => {
    const flat = flatLexicon(lex);
    expect(flat.get('bon')).toEqual(v('0000001001'));
    expect(flat.get('bueno')).toEqual(v('0100101001'));
    expect(flat.get('triste')).toEqual(v('0000010100'));
    expect(flatLexicon(lex, { columns: ['Spanish'] }).has('bon')).toBe(false);
  });
  it('accepts capitalised, reordered emotion headers (xlsx export style) by name', () => {
    const head = [
      'English (en)',
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
      'French (fr)',
    ].join('\t');
    const l = parseNrcMultilingual(`${head}\nhappy\t1\t0\t0\t1\t0\t0\t1\t0\t0\t1\theureux\n`);
    expect(l.rows[0].vector).toEqual(v('0100101001'));
    expect(() => parseNrcMultilingual('word\tanger\nx\t1\n')).toThrow(/lacks emotion/);
  });
  it('simple lexicons: wide header and NRC word-level long form', () => {
    const wide = parseSimpleLexicon(`word\t${NRC_EMOTIONS.join('\t')}\nfoo\t${[...'1000000000'].join('\t')}\n`);
    expect(wide.rows[0]).toMatchObject({ english: 'foo', vector: v('1000000000') });
    const long = parseSimpleLexicon('bar\tjoy\t1\nbar\tanger\t0\nbar\tpositive\t1\n');
    expect(long.rows[0].vector).toEqual(v('0000101000'));
    expect(() => parseSimpleLexicon('bar\tjoyful\t1\n')).toThrow();
  });
  it('Choenni lookup is lower-cased English, FIRST row wins', () => {
    const l = parseNrcMultilingual(
      [HEAD, ['Bad', ...'1000000000', 'x', 'y'].join('\t'), ['bad', ...'0000010000', 'z', 'w'].join('\t')].join('\n'),
    );
    expect(englishLookup(l).get('bad')).toEqual(v('1000000000'));
  });
  it('the demo lexicon is labelled as demo', () => {
    expect(DEMO_LEXICON.demo).toBe(true);
    expect(DEMO_LEXICON.name).toMatch(/DEMO/);
  });
});

describe('Choenni profile', () => {
  const lookup = englishLookup(parseNrcMultilingual(NRC_TSV));
  const vocab = ['good', ' Good', 'sad', 'xyz', 'GOOD', 'kind'];
  const decode = (id: number) => vocab[id];
  it('top-k per template, union, raw-string de-dup, strip + case-insensitive lookup, count/covered × 100', () => {
    const r = choenniProfile({
      perTemplate: [
        { ids: [0, 1, 2, 3], scores: [5, 4, 3, -9] },
        { ids: [0, 4, 5, 3], scores: [1, 2, 3, 4] },
      ],
      decode,
      lookup,
      topK: 3,
    });
    // template 1 top-3: good, ' Good', sad; template 2 top-3: xyz, kind, GOOD → distinct raw strings: 6;
    // covered: good, Good (stripped), sad, kind, GOOD = 5 words (case variants count separately, as published).
    expect(r.candidates).toBe(6);
    expect(r.covered.sort()).toEqual(['GOOD', 'Good', 'good', 'kind', 'sad']);
    // sums in NRC order: good ×3 = 0100101001 ×3, kind 0000001001, sad 0000010100
    const sums = [0, 3, 0, 0, 3, 1, 4, 1, 0, 4];
    expect(r.profile).toEqual(sums.map((s) => (s / 5) * 100));
    expect(r.profileChoenniOrder).toEqual(reorder(r.profile!, CHOENNI_EMOTIONS));
    expect(r.perTemplate[0].weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 15);
  });
  it('no covered word → undefined profile', () => {
    expect(choenniProfile({ perTemplate: [{ ids: [3], scores: [1] }], decode, lookup }).profile).toBeUndefined();
  });
});

describe('prior-corrected profile', () => {
  // vocab: 0 '▁good', 1 'good', 2 'sad', 3 'the', 4 'Good'
  const vocab = ['\u2581good', 'good', 'sad', 'the', 'Good'];
  const decode = (id: number) => vocab[id];
  const lex = new Map([
    ['good', v('0100101001')],
    ['sad', v('0000010100')],
  ]);
  it('sentinel prior (faithful) vs exclude, then top-k by log p_post − log p_prior', () => {
    const probs = [0.1, 0.2, 0.3, 0.4, 0.0];
    const keep = (id: number) => id === 1 || id === 2;
    const prior = buildPrior({ probs, keep });
    expect([...prior]).toEqual([PRIOR_SENTINEL, 0.4, 0.6, PRIOR_SENTINEL, PRIOR_SENTINEL]);
    const logPost = [Math.log(0.5), Math.log(0.1), Math.log(0.3), Math.log(0.05), Math.log(0.05)];
    // s: 0: log .5 − log 100 = −5.30; 1: log(.1/.4) = −1.386; 2: log(.3/.6) = −0.693; 3,4: log .05 − log 100 = −7.6
    expect(priorCorrectedTopK({ logPost, prior, k: 3 })).toEqual([2, 1, 0]);
    // ties between 3 and 4: larger id first
    expect(priorCorrectedTopK({ logPost, prior, k: 5 })).toEqual([2, 1, 0, 4, 3]);
    const excl = buildPrior({ probs, keep, mode: 'exclude' });
    expect(priorCorrectedTopK({ logPost, prior: excl, k: 3 })).toEqual([2, 1]);
  });
  it('profile = sum of matched vectors over templates / number matched; exact vs normalised matching', () => {
    const exact = priorCorrectedProfile({
      perTemplateIds: [
        [0, 1, 2],
        [1, 3, 4],
      ],
      decode,
      lexicon: lex,
    });
    // matched (exact): good, sad, good → (2·good + sad)/3
    expect(exact.matched).toEqual(['good', 'sad', 'good']);
    expect(exact.profile).toEqual([0, 2, 0, 0, 2, 1, 2, 1, 0, 2].map((x) => x / 3));
    const norm = priorCorrectedProfile({
      perTemplateIds: [
        [0, 1, 2],
        [1, 3, 4],
      ],
      decode,
      lexicon: lex,
      match: 'normalized',
    });
    // normalised: ▁good, good, sad, good, Good all match → 4·good + sad over 5
    expect(norm.matched).toHaveLength(5);
    expect(norm.profile).toEqual([0, 4, 0, 0, 4, 1, 4, 1, 0, 4].map((x) => x / 5));
  });
  it('no matched piece → undefined profile', () => {
    expect(priorCorrectedProfile({ perTemplateIds: [[3]], decode, lexicon: lex }).profile).toBeUndefined();
  });
});
