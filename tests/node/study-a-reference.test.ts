// Study A runner with a published-scores file (written here with seeded random percentages in Choenni's column
// order, plus a group the run does not have): the result pairs our English profiles with it, Δ and the
// per-category RSA follow from an independent computation; a bad reference file fails before the model loads;
// translation edits in the spec reach the prompts; and the run frees every GPU buffer it allocated.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_FINETUNE_TEXT, DEMO_GROUPS, DEMO_XLMR_NAME, studyADemoTexts } from '../../scripts/demo/study-a-demo';
import { makeDemoXlmr } from '../../scripts/demo/xlmr-demo';
import { memorySource } from '../../models/load/source';
import { loadTokenizer } from '../../models/load/tokenizer';
import { seededRng } from '../../workers/analysis/shared/rng';
import { DEMO_LEXICON } from '../../workers/analysis/study-a/data/demo-lexicon';
import { CHOENNI_EMOTIONS, NRC_EMOTIONS } from '../../workers/analysis/study-a/emotions';

import { demoEmotionProfilesSpec, type EmotionProfilesSpec } from '../../workers/contract/specs/emotion-profiles';
import { emotionProfilesRunner } from '../../workers/experiments/study-a/runner';
import type { ExperimentContext } from '../../workers/experiments/experiment-runner';
import { testBackend } from '../helpers/gpu';
import { parseTable } from '../../workers/contract/study-a/translation-table';

const LANGS = ['en', 'fr'];
const tables = LANGS.map((l) => parseTable(readFileSync(join('static/translations/study-a', `${l}.json`), 'utf8')));
const files = makeDemoXlmr({ texts: studyADemoTexts({ tables, lexicon: DEMO_LEXICON }), seed: 11 });
const savedEnv = process.env.STEREOSCOPE_STATIC;
let dir: string;
/** Published profile per group, in Choenni's order as in the file. */
const published = new Map<string, number[]>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'study-a-ref-'));
  const model = join(dir, 'demo', 'models', DEMO_XLMR_NAME);
  mkdirSync(model, { recursive: true });
  mkdirSync(join(dir, 'translations', 'study-a'), { recursive: true });
  for (const [n, d] of Object.entries(files)) writeFileSync(join(model, n), d);
  for (const l of LANGS)
    writeFileSync(
      join(dir, 'translations', 'study-a', `${l}.json`),
      readFileSync(join('static/translations/study-a', `${l}.json`)),
    );
  // A lexicon over the demo vocabulary's words (seeded random emotions), so most groups get a profile.
  const tok = await loadTokenizer(memorySource(files));
  const V = JSON.parse(files['config.json'] as string).vocab_size;
  const words = [
    ...new Set(Array.from({ length: V }, (_, i) => tok.decode([i])).filter((p) => /^\p{L}{3,}$/u.test(p))),
  ];
  const lexRng = seededRng(5);
  const rows = Array.from({ length: Math.floor(words.length / 2) }, (_, i) => [
    words[2 * i],
    ...NRC_EMOTIONS.map(() => (lexRng() < 0.35 ? 1 : 0)),
    words[2 * i + 1],
  ]);
  const tsv = [['English (en)', ...NRC_EMOTIONS, 'French (fr)'], ...rows].map((c) => c.join('\t'));
  writeFileSync(join(dir, 'demo', 'lexicon.tsv'), tsv.join('\n') + '\n');
  writeFileSync(
    join(dir, 'demo', 'lexicon-en.tsv'),
    tsv.map((l) => l.split('\t').slice(0, 11).join('\t')).join('\n') + '\n',
  );
  writeFileSync(join(dir, 'demo', 'templates-groups.json'), JSON.stringify(DEMO_GROUPS));
  writeFileSync(join(dir, 'demo', 'study-a-finetune.txt'), DEMO_FINETUNE_TEXT);
  const rng = seededRng(77);
  const groups = [
    'muslims',
    'christians',
    'atheists',
    'buddhists',
    'elders',
    'kids',
    'men',
    'women',
    'girls',
    'martians',
  ];
  for (const g of groups)
    published.set(
      g,
      CHOENNI_EMOTIONS.map(() => Math.round(rng() * 1000) / 10),
    );
  writeFileSync(
    join(dir, 'published.json'),
    JSON.stringify(Object.fromEntries([...published].map(([g, p]) => [g, [p, ['word']]]))),
  );
  writeFileSync(join(dir, 'broken.json'), JSON.stringify({ muslims: [[1, 2, 3], []] }));
  process.env.STEREOSCOPE_STATIC = dir;
});

afterAll(() => {
  if (savedEnv === undefined) delete process.env.STEREOSCOPE_STATIC;
  else process.env.STEREOSCOPE_STATIC = savedEnv;
});

function context(): ExperimentContext {
  const store = new Map<string, Uint8Array>();
  return {
    progress: () => {},
    signal: new AbortController().signal,
    checkpoints: { save: async (k, b) => void store.set(k, b.slice()), load: async (k) => store.get(k) ?? null },
  };
}

function spec(
  over: Partial<EmotionProfilesSpec> = {},
  profile: Partial<EmotionProfilesSpec['profile']> = {},
): EmotionProfilesSpec {
  const s = demoEmotionProfilesSpec();
  return { ...s, languages: LANGS, profile: { ...s.profile, variant: 'choenni', topK: 30, ...profile }, ...over };
}

function ranks(xs: number[]): number[] {
  const order = xs.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(xs.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    for (let k = i; k <= j; k++) r[order[k][1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}
function pearson(a: number[], b: number[]): number {
  const ma = a.reduce((s, x) => s + x, 0) / a.length;
  const mb = b.reduce((s, x) => s + x, 0) / b.length;
  let n = 0,
    da = 0,
    db = 0;
  a.forEach((x, i) => ((n += (x - ma) * (b[i] - mb)), (da += (x - ma) ** 2), (db += (b[i] - mb) ** 2)));
  return n / Math.sqrt(da * db);
}
const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0) / Math.hypot(...a) / Math.hypot(...b);
/** Row-wise Spearman between the cosine RSMs of two lists of profiles, averaged over rows. */
function rsa(xs: number[][], ys: number[][]): number {
  const rx = xs.map((a) => xs.map((b) => cos(a, b)));
  const ry = ys.map((a) => ys.map((b) => cos(a, b)));
  return rx.reduce((s, row, i) => s + pearson(ranks(row), ranks(ry[i])), 0) / rx.length;
}

describe('Study A: comparison with published scores', () => {
  it('pairs our English profiles with the file: values, Δ and per-category RSA computed independently', async () => {
    const be = await testBackend();
    const pool = be.runner.pool;
    const before = pool.getStats().liveBytes;
    const result = await emotionProfilesRunner.run(
      spec({ reference: { from: 'file', name: join(dir, 'published.json') } }),
      { ...context(), backend: be },
    );
    // Every weight, activation, prior row and mask the run allocated is back in the pool.
    expect(pool.getStats().liveBytes).toBe(before);
    const ref = result.reference!;
    expect(ref.error).toBeUndefined();
    expect(ref.notInRun).toEqual(['martians']);
    expect(ref.oursScaledBy).toBe(1);
    expect(ref.groups.map((g) => g.group).sort()).toEqual([...published.keys()].filter((g) => g !== 'martians').sort());
    const en = new Map(result.profiles.filter((p) => p.language === 'en').map((p) => [p.key, p]));
    let withProfile = 0;
    for (const g of ref.groups) {
      const nrc = NRC_EMOTIONS.map((e) => published.get(g.group)![CHOENNI_EMOTIONS.indexOf(e)]);
      expect(g.published).toEqual(nrc);
      expect(g.category).toBe(en.get(g.group)!.category);
      const ours = en.get(g.group)!.profile;
      expect(g.ours).toEqual(ours);
      if (ours) {
        withProfile++;
        g.delta!.forEach((d, i) => expect(d).toBeCloseTo(ours[i] - nrc[i], 12));
      }
    }
    expect(withProfile).toBeGreaterThanOrEqual(6);
    for (const c of ref.perCategory) {
      const rows = ref.groups.filter((g) => g.category === c.category && g.ours);
      expect(c.groups).toBe(rows.length);
      if (rows.length < 3) expect(c.rsa).toBeNull();
      else
        expect(c.rsa).toBeCloseTo(
          rsa(
            rows.map((g) => g.ours!),
            rows.map((g) => g.published),
          ),
          9,
        );
    }
    expect(ref.perCategory.some((c) => c.rsa !== null)).toBe(true);
    expect(result.tables['reference/rsa'].rows.length).toBe(ref.perCategory.length + 1);
    expect(result.summary).toMatch(/RSA with published published/);
  });

  it('prior-corrected fractions are compared in per cent; a broken file or no English fails before the model loads', async () => {
    const be = await testBackend();
    const r = await emotionProfilesRunner.run(
      spec(
        { reference: { from: 'file', name: join(dir, 'published.json') } },
        { variant: 'prior-corrected', topK: 30 },
      ),
      { ...context(), backend: be },
    );
    expect(r.reference!.oursScaledBy).toBe(100);
    const g = r.reference!.groups.find((x) => x.ours)!;
    const p = r.profiles.find((x) => x.language === 'en' && x.key === g.group)!;
    g.ours!.forEach((x, i) => expect(x).toBeCloseTo(100 * p.profile![i], 10));
    const before = be.runner.pool.getStats().liveBytes;
    await expect(
      emotionProfilesRunner.run(spec({ reference: { from: 'file', name: join(dir, 'broken.json') } }), {
        ...context(),
        backend: be,
      }),
    ).rejects.toThrow(/muslims.*10 numbers/);
    await expect(
      emotionProfilesRunner.run(
        spec({ languages: ['fr'], reference: { from: 'file', name: join(dir, 'published.json') } }),
        { ...context(), backend: be },
      ),
    ).rejects.toThrow(/English/);
    // Choenni's variant in French with a lexicon that has no French column: said before anything loads.
    await expect(
      emotionProfilesRunner.run(spec({ lexicon: { from: 'demo', name: 'lexicon-en.tsv' }, reference: 'none' }), {
        ...context(),
        backend: be,
      }),
    ).rejects.toThrow(/no column for French \(fr\)/);
    expect(be.runner.pool.getStats().liveBytes).toBe(before);
  });

  it('translation edits in the spec reach the prompts (a changed group text, an added group and language)', async () => {
    const be = await testBackend();
    const translations = {
      languages: {
        fr: { groups: { religion: { muslims: { text: 'femmes', form: 'f' } } } },
        xx: {
          languageName: 'Demo-English',
          templates: { general: [{ text: 'Why are {} so <mask>?' }] },
          groups: { gender: { men: { text: 'men' }, grandmas: { text: 'women' } } },
        },
      },
      addGroups: { gender: ['grandmas'] },
    };
    // Prior-corrected: Choenni's variant would (rightly) refuse a language without its own lexicon column.
    const r = await emotionProfilesRunner.run(
      spec({ languages: ['fr', 'xx'], translations, reference: 'none' }, { variant: 'prior-corrected' }),
      { ...context(), backend: be },
    );
    const fr = (key: string) => r.profiles.find((p) => p.language === 'fr' && p.key === key)!;
    expect(fr('muslims').text).toBe('femmes');
    // Same prompts (text and feminine template forms) → same profile as "women", written "femmes" /f built in.
    expect(fr('muslims').profile).toEqual(fr('women').profile);
    expect(
      r.profiles
        .filter((p) => p.language === 'xx')
        .map((p) => p.key)
        .sort(),
    ).toEqual(['grandmas', 'men']);
    expect(r.skipped.some((s) => s.language === 'fr' && s.key === 'grandmas')).toBe(true);
    expect(r.reference).toBeUndefined();
  });
});
