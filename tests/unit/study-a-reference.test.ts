// Study A comparison with published scores: per-group deltas, per-category RSA against hand-computed cases, the
// scaling of fraction profiles, groups outside the run, and which runs compare with Choenni's XLMR-B by default.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHOENNI_EMOTIONS, NRC_EMOTIONS, reorder } from '../../workers/analysis/study-a/emotions';
import {
  compareReferenceByCategory,
  parseReferenceScores,
  type ReferenceProfile,
} from '../../workers/analysis/study-a/reference-scores';
import {
  CHOENNI_XLMR_B,
  demoEmotionProfilesSpec,
  referenceSource,
  type EmotionProfilesSpec,
} from '../../workers/contract/specs/emotion-profiles';
import { parseSpec, specHosts } from '../../workers/contract/specs/index';
import { sha256Hex } from '../../workers/contract/sha256';
import { shared } from '../helpers/shared';

/** A 10-vector with the given leading values, zeros after. */
const v = (...xs: number[]) => [...xs, ...new Array(10 - xs.length).fill(0)];
const ref = (group: string, profile: number[]): ReferenceProfile => ({ group, profile, matchedWords: [] });

describe('compareReferenceByCategory', () => {
  it('pairs each published group with ours, scaled, with Δ = ours − published and the mean |Δ|', () => {
    const ours = new Map([
      [
        'cat',
        new Map<string, number[] | undefined>([
          ['a', v(0.5, 0.25)],
          ['b', undefined],
        ]),
      ],
    ]);
    const r = compareReferenceByCategory({
      ours,
      reference: [ref('a', v(40, 30)), ref('b', v(10)), ref('zz', v(1))],
      scale: 100,
    });
    expect(r.notInRun).toEqual(['zz']);
    const a = r.groups.find((g) => g.group === 'a')!;
    expect(a.ours).toEqual(v(50, 25));
    expect(a.delta).toEqual(v(10, -5));
    expect(a.meanAbsDiff).toBeCloseTo(1.5, 15);
    const b = r.groups.find((g) => g.group === 'b')!;
    expect([b.ours, b.delta, b.meanAbsDiff]).toEqual([null, null, null]);
  });

  it('per-category RSA: 1 for proportional profiles, a hand-computed value otherwise, null below 3 groups', () => {
    // Category x: ours e1, e2, (e1+e2); published the same directions scaled → identical cosine RSMs → ρ = 1.
    // Category y: 3 groups whose published RSM reverses one pair of ours (computed by hand below).
    const ours = new Map([
      [
        'x',
        new Map([
          ['p', v(1, 0)],
          ['q', v(0, 1)],
          ['r', v(1, 1)],
        ]),
      ],
      [
        'y',
        new Map([
          ['s', v(1, 0, 0)],
          ['t', v(1, 1, 0)],
          ['u', v(0, 0, 1)],
        ]),
      ],
      [
        'z',
        new Map([
          ['w', v(1)],
          ['k', v(0, 1)],
        ]),
      ],
    ]);
    const published = [
      ref('p', v(7, 0)),
      ref('q', v(0, 3)),
      ref('r', v(5, 5)),
      ref('s', v(1, 0, 0)),
      ref('t', v(0, 0, 1)),
      ref('u', v(1, 1, 0)),
      ref('w', v(1)),
      ref('k', v(1)),
    ];
    const r = compareReferenceByCategory({ ours, reference: published });
    const cat = (c: string) => r.perCategory.find((x) => x.category === c)!;
    expect(cat('x').rsa).toBeCloseTo(1, 12);
    // ours RSM rows (s,t,u): s [1, .707, 0], t [.707, 1, 0], u [0, 0, 1]
    // published (s=e1, t=e3, u=e1+e2): s [1, 0, .707], t [0, 1, 0], u [.707, 0, 1]
    // ranks: s ours [3,2,1] vs pub [3,1,2] → ρ = 1/2; t ours [2,3,1] vs pub [1.5,3,1.5] → centred [0,1,−1] ·
    // [−.5,1,−.5] = 1.5 over √2·√1.5 → √3/2; u ours [1.5,1.5,3] vs pub [2,1,3] → also √3/2. Mean (1/2 + √3)/3.
    expect(cat('y').rsa).toBeCloseTo((0.5 + Math.sqrt(3)) / 3, 12);
    expect(cat('y').groups).toBe(3);
    expect(cat('z')).toMatchObject({ groups: 2, rsa: null });
    expect(cat('z').reason).toMatch(/at least 3/);
    expect(r.overall.groups).toBe(8);
    expect(r.overall.rsa).not.toBeNull();
  });

  it('groups without a lexicon match leave the RSA and are counted out', () => {
    const ours = new Map([
      [
        'c',
        new Map<string, number[] | undefined>([
          ['a', v(1)],
          ['b', v(0, 1)],
          ['c', v(1, 1)],
          ['d', undefined],
        ]),
      ],
    ]);
    const r = compareReferenceByCategory({
      ours,
      reference: ['a', 'b', 'c', 'd'].map((g, i) => ref(g, v(i + 1, 4 - i))),
    });
    expect(r.perCategory[0].groups).toBe(3);
  });

  it('runs on the published XLMR-B file against itself: Δ = 0, RSA 1 where a category has 3 groups', () => {
    const published = parseReferenceScores(
      readFileSync(shared('data/choenni-stereotypes/aggregate_emotion_scores/XLMR-B.json'), 'utf8'),
    );
    const cats = JSON.parse(readFileSync(shared('data/choenni-stereotypes/templates_and_groups.json'), 'utf8'))
      .target_groups as Record<string, string[]>;
    const byGroup = new Map(published.map((p) => [p.group, p.profile]));
    const ours = new Map(Object.entries(cats).map(([c, gs]) => [c, new Map(gs.map((g) => [g, byGroup.get(g)]))]));
    const r = compareReferenceByCategory({ ours, reference: published });
    expect(r.groups).toHaveLength(12);
    expect(r.groups.every((g) => g.delta!.every((d) => d === 0))).toBe(true);
    expect(r.perCategory.find((c) => c.category === 'race')).toMatchObject({ groups: 3 });
    expect(r.perCategory.find((c) => c.category === 'race')!.rsa).toBeCloseTo(1, 12);
    expect(r.overall.rsa).toBeCloseTo(1, 12);
    // The file's first column is Negative; in NRC order that is index 5.
    expect(reorder(r.groups[0].published, CHOENNI_EMOTIONS)[0]).toBe(
      r.groups[0].published[NRC_EMOTIONS.indexOf('negative')],
    );
  });
});

describe('which runs compare with published scores', () => {
  const base = demoEmotionProfilesSpec();
  const xlmr = (
    over: Partial<EmotionProfilesSpec> = {},
    profile: Partial<EmotionProfilesSpec['profile']> = {},
  ): EmotionProfilesSpec => ({
    ...base,
    model: { id: 'FacebookAI/xlm-roberta-base', revision: 'main' },
    languages: ['en', 'fr'],
    profile: { ...base.profile, variant: 'choenni', topK: 200, ...profile },
    ...over,
  });
  it('defaults to Choenni XLMR-B for xlm-roberta-base, English, her variant — and only then', () => {
    expect(referenceSource(xlmr())).toEqual(CHOENNI_XLMR_B);
    expect(referenceSource(xlmr({}, { variant: 'prior-corrected' }))).toBeNull();
    expect(referenceSource(xlmr({ languages: ['fr'] }))).toBeNull();
    expect(referenceSource(xlmr({ model: { id: 'FacebookAI/xlm-roberta-large', revision: 'main' } }))).toBeNull();
    expect(referenceSource(base)).toBeNull();
    expect(referenceSource(xlmr({ reference: 'none' }))).toBeNull();
    const file = { from: 'file' as const, name: 'XLMR-L.json' };
    expect(referenceSource(xlmr({ reference: file }, { variant: 'prior-corrected' }))).toEqual(file);
  });
  it('the default URL is the snapshot of SOURCES.md and its sha256 is that of the shared copy', async () => {
    expect(CHOENNI_XLMR_B.from === 'url' && CHOENNI_XLMR_B.url).toMatch(
      /RochelleChoenni\/stereotypes_in_lms\/09a1c379620bd0548ab51fe524d92717af95453e\/aggregate_emotion_scores\/XLMR-B\.json$/,
    );
    const bytes = readFileSync(shared('data/choenni-stereotypes/aggregate_emotion_scores/XLMR-B.json'));
    expect(CHOENNI_XLMR_B.from === 'url' && CHOENNI_XLMR_B.sha256).toBe(await sha256Hex(new Uint8Array(bytes)));
  });
  it('the default reference host is listed among the downloads a user sees before running', () => {
    expect(specHosts(xlmr())).toContainEqual({ what: 'published reference scores', host: 'raw.githubusercontent.com' });
    expect(specHosts(xlmr({ reference: 'none' })).some((h) => h.what === 'published reference scores')).toBe(false);
  });
  it('the spec accepts a reference source or "none" and refuses anything else', () => {
    expect(() => parseSpec(xlmr({ reference: 'none' }))).not.toThrow();
    expect(() => parseSpec(xlmr({ reference: CHOENNI_XLMR_B }))).not.toThrow();
    expect(() => parseSpec({ ...xlmr(), reference: 'XLMR-B' })).toThrow();
  });
});
