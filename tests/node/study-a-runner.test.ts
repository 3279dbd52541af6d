// Study A runner end to end in Node on a generated demo XLM-R: profiles of both variants must equal the ones this
// test computes itself from plain full-sequence forwards (float64 log-softmax, sort, decode, lexicon match on the
// CPU), the RSA matrix must follow from them, and LoRA fine-tuning must checkpoint, cancel and resume to the same
// losses as an uninterrupted run.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_FINETUNE_TEXT, DEMO_GROUPS, DEMO_XLMR_NAME, studyADemoTexts } from '../../scripts/demo/study-a-demo';
import { makeDemoXlmr } from '../../scripts/demo/xlmr-demo';
import { importAdapter } from '../../models/common/peft-io';
import { openCheckpoint } from '../../models/load/checkpoint';
import { readPeftAdapter } from '../../models/load/peft';
import { memorySource } from '../../models/load/source';
import { loadTokenizer, type Tokenizer } from '../../models/load/tokenizer';
import { XlmrForMaskedLM } from '../../models/xlmr/model';
import { seededRng } from '../../workers/analysis/shared/rng';
import { DEMO_LEXICON } from '../../workers/analysis/study-a/data/demo-lexicon';
import { NRC_EMOTIONS } from '../../workers/analysis/study-a/emotions';
import { languageMatrix } from '../../workers/analysis/study-a/rsa';
import { demoEmotionProfilesSpec, type EmotionProfilesSpec } from '../../workers/contract/specs/emotion-profiles';
import { parseSpec } from '../../workers/contract/specs/index';
import { emotionProfilesRunner } from '../../workers/experiments/study-a/runner';
import type { ExperimentContext } from '../../workers/experiments/experiment-runner';
import { testBackend } from '../helpers/gpu';
import type { EmotionProfilesResult } from '../../workers/contract/results/emotion-profiles';
import type { ProgressEvent } from '../../workers/contract/progress';
import { parseTable, type TranslationTable } from '../../workers/contract/study-a/translation-table';

const LANGS = ['en', 'fr'];
const tables = LANGS.map((l) => parseTable(readFileSync(join('static/translations/study-a', `${l}.json`), 'utf8')));
const files = makeDemoXlmr({ texts: studyADemoTexts({ tables, lexicon: DEMO_LEXICON }), seed: 11 });
let dir: string;
let tok: Tokenizer;
let pieces: string[];
/** Test lexicon: vocabulary words paired as (English, French) with seeded random emotion vectors. */
let rows: { en: string; fr: string; vec: number[] }[];
const savedEnv = process.env.STEREOSCOPE_STATIC;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'study-a-'));
  const model = join(dir, 'demo', 'models', DEMO_XLMR_NAME);
  mkdirSync(model, { recursive: true });
  mkdirSync(join(dir, 'translations', 'study-a'), { recursive: true });
  for (const [n, d] of Object.entries(files)) writeFileSync(join(model, n), d);
  for (const l of LANGS)
    writeFileSync(
      join(dir, 'translations', 'study-a', `${l}.json`),
      readFileSync(join('static/translations/study-a', `${l}.json`)),
    );
  tok = await loadTokenizer(memorySource(files));
  const V = JSON.parse(files['config.json'] as string).vocab_size;
  pieces = Array.from({ length: V }, (_, i) => tok.decode([i]));
  const words = [...new Set(pieces.filter((p) => /^\p{L}{3,}$/u.test(p)))];
  const rng = seededRng(5);
  rows = Array.from({ length: Math.floor(words.length / 2) }, (_, i) => ({
    en: words[2 * i],
    fr: words[2 * i + 1],
    vec: NRC_EMOTIONS.map(() => (rng() < 0.35 ? 1 : 0)),
  }));
  const tsv = [['English (en)', ...NRC_EMOTIONS, 'French (fr)'], ...rows.map((r) => [r.en, ...r.vec, r.fr])]
    .map((c) => c.join('\t'))
    .join('\n');
  writeFileSync(join(dir, 'demo', 'lexicon.tsv'), tsv + '\n');
  writeFileSync(join(dir, 'demo', 'templates-groups.json'), JSON.stringify(DEMO_GROUPS));
  writeFileSync(join(dir, 'demo', 'study-a-finetune.txt'), DEMO_FINETUNE_TEXT);
  process.env.STEREOSCOPE_STATIC = dir;
});

afterAll(() => {
  if (savedEnv === undefined) delete process.env.STEREOSCOPE_STATIC;
  else process.env.STEREOSCOPE_STATIC = savedEnv;
});

function context(
  store = new Map<string, Uint8Array>(),
  onProgress?: (ev: ProgressEvent) => void,
  signal = new AbortController().signal,
): ExperimentContext & { events: ProgressEvent[] } {
  const events: ProgressEvent[] = [];
  return {
    events,
    progress: (ev) => {
      events.push(ev);
      onProgress?.(ev);
    },
    signal,
    checkpoints: { save: async (k, b) => void store.set(k, b.slice()), load: async (k) => store.get(k) ?? null },
  };
}

function spec(
  profile: Partial<EmotionProfilesSpec['profile']>,
  extra: Partial<EmotionProfilesSpec> = {},
): EmotionProfilesSpec {
  const s = demoEmotionProfilesSpec();
  return { ...s, languages: LANGS, profile: { ...s.profile, ...profile }, ...extra };
}

/** Mask-position logits of each text from ONE plain forward over all positions (no row selection). */
async function maskLogits(
  model: XlmrForMaskedLM,
  inputs: { text: string; maskIndex: number }[],
): Promise<Float64Array[]> {
  const be = model.be;
  const V = model.config.vocab_size;
  const enc = inputs.map((i) => tok.encode(i.text) as number[]);
  const T = Math.max(...enc.map((e) => e.length));
  const out = await model.forward({
    inputIds: enc.map((e) => [...e, ...new Array(T - e.length).fill(1)]),
    attentionMask: enc.map((e) => Array.from({ length: T }, (_, t) => (t < e.length ? 1 : 0))),
  });
  const all = (await be.download(out.logits!)) as Float32Array;
  model.dispose(out);
  return enc.map((e, b) => {
    const pos = e.flatMap((id, t) => (id === tok.mask_token_id ? [t] : []))[inputs[b].maskIndex];
    return Float64Array.from(all.subarray((b * T + pos) * V, (b * T + pos + 1) * V));
  });
}

const logSumExp = (xs: ArrayLike<number>, keep: (i: number) => boolean = () => true) => {
  let m = -Infinity;
  for (let i = 0; i < xs.length; i++) if (keep(i)) m = Math.max(m, xs[i]);
  let s = 0;
  for (let i = 0; i < xs.length; i++) if (keep(i)) s += Math.exp(xs[i] - m);
  return m + Math.log(s);
};

/** Top-k ids by score, asserting a gap at the cut larger than the float32 rounding of logits of magnitude ~10
 * (~1e-6; the two forward paths round differently), so the selection cannot flip between them. */
function topIds(score: Float64Array, k: number): number[] {
  const order = Array.from(score.keys()).sort((a, b) => score[b] - score[a]);
  expect(score[order[k - 1]] - score[order[k]], 'gap at the top-k boundary').toBeGreaterThan(1e-5);
  return order.slice(0, k);
}

/** The expected profiles of one language, computed from scratch; `priorModel` gives the priors (default: `model`). */
async function expected(
  model: XlmrForMaskedLM,
  table: TranslationTable,
  variant: 'choenni' | 'prior-corrected',
  k: number,
  priorModel = model,
) {
  const groups = Object.entries(DEMO_GROUPS.target_groups).flatMap(([category, keys]) =>
    keys.map((key) => ({
      category,
      key,
      text: table.groupsFromSource ? key : table.groups[category][key].text!,
      form: table.groups[category]?.[key]?.form,
    })),
  );
  const col = table.language === 'en' ? 'en' : 'fr';
  const out = new Map<string, Map<string, number[] | undefined>>();
  for (const g of groups) {
    const templates = table.templates.general.map((t) => (g.form && t.forms?.[g.form]) || t.text);
    // Choenni's variant in English reads her own templates and sequence (compute_emotion_scores.py), written out here.
    const choenniEnglish = variant === 'choenni' && table.language === 'en';
    const texts = choenniEnglish
      ? DEMO_GROUPS.templates.map((t) => `<s> ${t.replace('term_to_use', g.key)} <mask> ? </s>`)
      : templates.map((t) => t.replace('{}', g.text));
    const post = await maskLogits(
      model,
      texts.map((text) => ({ text, maskIndex: 0 })),
    );
    let profile: number[] | undefined;
    if (variant === 'prior-corrected') {
      const words = new Set(rows.map((r) => r[col]));
      const flat = new Map<string, number[]>();
      for (const r of rows) [r.en, r.fr].forEach((w) => flat.set(w, r.vec));
      const prior = await maskLogits(
        priorModel,
        templates.map((t) => ({ text: t.replace('{}', '<mask>'), maskIndex: 1 })),
      );
      const sum = new Array(10).fill(0);
      let n = 0;
      post.forEach((p, ti) => {
        const keep = (i: number) => words.has(pieces[i]);
        const lseK = logSumExp(prior[ti], keep);
        const lse = logSumExp(p);
        const s = p.map((x, i) => x - lse - (keep(i) ? prior[ti][i] - lseK : Math.log(100)));
        for (const id of topIds(s, k)) {
          const v = flat.get(pieces[id]);
          if (v) (n++, v.forEach((x, j) => (sum[j] += x)));
        }
      });
      profile = n ? sum.map((x) => x / n) : undefined;
    } else {
      const lookup = new Map<string, number[]>();
      for (const r of rows) if (!lookup.has(r[col].toLowerCase())) lookup.set(r[col].toLowerCase(), r.vec);
      const distinct = new Set(post.flatMap((p) => topIds(p, k).map((id) => pieces[id])));
      const counts = new Array(10).fill(0);
      let covered = 0;
      for (const w of distinct) {
        const v = lookup.get(w.trim().toLowerCase());
        if (v) (covered++, v.forEach((x, j) => (counts[j] += x)));
      }
      profile = covered ? counts.map((c) => (100 * c) / covered) : undefined;
    }
    (out.get(g.category) ?? out.set(g.category, new Map()).get(g.category)!).set(g.key, profile);
  }
  return out;
}

type Expected = Map<string, Map<string, Map<string, number[] | undefined>>>;

function checkProfiles(profiles: EmotionProfilesResult['profiles'], want: Expected) {
  let defined = 0;
  for (const p of profiles) {
    const w = want.get(p.language)!.get(p.category)!.get(p.key);
    if (!w) expect(p.profile, `${p.language}/${p.key}`).toBeNull();
    else {
      defined++;
      p.profile!.forEach((x, i) => expect(x, `${p.language}/${p.key}[${i}]`).toBeCloseTo(w[i], 12));
    }
  }
  // A run where nothing matched would compare nulls with nulls and prove nothing.
  expect(defined).toBeGreaterThan(profiles.length / 2);
}

function checkAgainst(result: EmotionProfilesResult, want: Expected) {
  checkProfiles(result.profiles, want);
  const m = languageMatrix({ runs: want });
  m.matrix.forEach((r, i) =>
    r.forEach((x, j) =>
      Number.isFinite(x)
        ? expect(result.correlations.languages.values[i][j]).toBeCloseTo(x, 12)
        : expect(result.correlations.languages.values[i][j]).toBeNull(),
    ),
  );
}

describe('Study A runner on the demo XLM-R', () => {
  for (const [variant, k] of [
    ['prior-corrected', 40],
    ['choenni', 30],
  ] as const) {
    it(`${variant}: profiles and RSA equal an independent CPU computation`, async () => {
      const be = await testBackend();
      const ctx = { ...context(), backend: be };
      const result = await emotionProfilesRunner.run(spec({ variant, topK: k }), ctx);
      const model = await XlmrForMaskedLM.load(be, await openCheckpoint(memorySource(files)));
      const want = new Map<string, Map<string, Map<string, number[] | undefined>>>();
      for (const t of tables) want.set(t.language, await expected(model, t, variant, k));
      checkAgainst(result, want);
      expect(result.profiles).toHaveLength(LANGS.length * 12);
      expect(result.demo).toBe(true);
      expect(result.speed.promptsPerSecond).toBeGreaterThan(0);
      expect(result.tables['emotion_profiles/French/religion'].rows).toHaveLength(4);
      expect(ctx.events.some((e) => e.type === 'download')).toBe(true);
    });
  }

  it('fine-tunes with LoRA, checkpoints, resumes after a cancel to the same losses, and re-profiles', async () => {
    const be = await testBackend();
    const fineTune = {
      text: { from: 'demo' as const, name: 'study-a-finetune.txt' },
      language: 'fr',
      lora: { rank: 4, alpha: 8, dropout: 0 },
      lr: 5e-3,
      batch: 4,
      epochs: 1,
      maskProb: 0.3,
      priors: 'base' as const,
    };
    const s = spec({ variant: 'prior-corrected', topK: 40 }, { fineTune });
    const live = be.runner.pool.getStats().liveBytes;
    const full = await emotionProfilesRunner.run(s, { ...context(), backend: be });
    // Weights, LoRA matrices, their gradients and the optimizer's moments are all freed after the run.
    expect(be.runner.pool.getStats().liveBytes).toBe(live);
    expect(full.fineTune!.losses.map(([st]) => st)).toEqual([1, 2, 3]);
    full.fineTune!.losses.forEach(([, l]) => expect(Number.isFinite(l) && l > 0).toBe(true));
    // The adapter must change the profiles, or the fine-tuned comparison would be vacuous.
    const moved = full.fineTune!.profiles.some(
      (p, i) => JSON.stringify(p.profile) !== JSON.stringify(full.profiles[i].profile),
    );
    expect(moved).toBe(true);
    expect(full.fineTune!.comparison.perLanguage.map((p) => p.language)).toEqual(LANGS);

    const store = new Map<string, Uint8Array>();
    const ac = new AbortController();
    const first = emotionProfilesRunner.run(s, {
      ...context(store, (ev) => ev.type === 'metric' && ev.step === 2 && ac.abort(), ac.signal),
      backend: be,
    });
    await expect(first).rejects.toThrow();
    const resumed = await emotionProfilesRunner.run(s, { ...context(store), backend: be });
    expect(resumed.fineTune!.resumedFrom).toBeGreaterThanOrEqual(1);
    resumed.fineTune!.losses.forEach(([st, l], i) => {
      expect(st).toBe(full.fineTune!.losses[i][0]);
      expect(l).toBeCloseTo(full.fineTune!.losses[i][1], 5);
    });
    expect(resumed.speed.priorsReused).toBeGreaterThan(0);
    expect([...store.keys()].some((k) => k.endsWith('adapter_model.safetensors'))).toBe(true);
  });

  it("fine-tuned priors: 'base' divides by the pretrained model's priors, 'same' by the fine-tuned model's; each equals a CPU computation", async () => {
    const be = await testBackend();
    const fineTune = {
      text: { from: 'demo' as const, name: 'study-a-finetune.txt' },
      language: 'fr',
      lora: { rank: 4, alpha: 8, dropout: 0 },
      lr: 2e-2,
      batch: 4,
      epochs: 1,
      maskProb: 0.3,
    };
    const k = 40;
    // One store: the second run resumes the finished fine-tuning, so both options profile the very same adapter.
    const store = new Map<string, Uint8Array>();
    const byBase = await emotionProfilesRunner.run(
      spec({ variant: 'prior-corrected', topK: k }, { fineTune: { ...fineTune, priors: 'base' } }),
      { ...context(store), backend: be },
    );
    const bySame = await emotionProfilesRunner.run(
      spec({ variant: 'prior-corrected', topK: k }, { fineTune: { ...fineTune, priors: 'same' } }),
      { ...context(store), backend: be },
    );
    expect([byBase.fineTune!.priors, bySame.fineTune!.priors]).toEqual(['base', 'same']);
    // The option is the default when absent (seed A's choice).
    expect(parseSpec({ ...spec({ variant: 'prior-corrected', topK: k }), fineTune })).toMatchObject({
      fineTune: { priors: 'base' },
    });

    // Independent models: the pretrained one, and a second copy with the stored adapter imported.
    const base = await XlmrForMaskedLM.load(be, await openCheckpoint(memorySource(files)));
    const tuned = await XlmrForMaskedLM.load(be, await openCheckpoint(memorySource(files)));
    const dec = (b: Uint8Array) => new TextDecoder().decode(b);
    const adapter = await readPeftAdapter(
      memorySource({
        'adapter_config.json': dec(store.get('study-a/fine-tune/adapter_config.json')!),
        'adapter_model.safetensors': store.get('study-a/fine-tune/adapter_model.safetensors')!,
      }),
    );
    tuned.adapters = importAdapter(be, tuned.slots(), adapter);
    // The two models' priors differ (else the option could not matter).
    const prompt = [{ text: tables[1].templates.general[0].text.replace('{}', '<mask>'), maskIndex: 1 }];
    const [pb, pt] = [(await maskLogits(base, prompt))[0], (await maskLogits(tuned, prompt))[0]];
    expect(Math.max(...pb.map((x, i) => Math.abs(x - pt[i])))).toBeGreaterThan(1e-3);

    const wantBase: Expected = new Map();
    const wantSame: Expected = new Map();
    for (const t of tables) {
      wantBase.set(t.language, await expected(tuned, t, 'prior-corrected', k, base));
      wantSame.set(t.language, await expected(tuned, t, 'prior-corrected', k, tuned));
    }
    checkProfiles(byBase.fineTune!.profiles, wantBase);
    checkProfiles(bySame.fineTune!.profiles, wantSame);
    // Baseline profiles are the same in both runs; the fine-tuned ones differ with the priors.
    expect(bySame.profiles).toEqual(byBase.profiles);
    expect(
      bySame.fineTune!.profiles.some(
        (p, i) => JSON.stringify(p.profile) !== JSON.stringify(byBase.fineTune!.profiles[i].profile),
      ),
    ).toBe(true);
  });
});
