// Every spec under examples/ (and examples/demo/) can run, or is ready to once its runner lands: it parses; its
// model is a registry model of the family its kind needs (and the runners refuse any other family by config.json);
// the demo specs are run to completion through the CLI by a *cli* test; and each data source of the others is read
// through the loaders the runner uses — the public files themselves where ../shared has a copy (served by a local
// HTTP server, each checked against the sha256 the example pins), else a small synthetic file of the same shape.
// Studies C, D and E have no runner yet: their examples parse and their sources hold the columns their spec
// files declare (CROWS_PAIRS_COLUMNS, CLS_REVIEW_COLUMNS, INSTRUCTION_KEYS) for the future runners.
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDemoLlama } from '../../scripts/demo/llama-demo';
import { makeDemoXlmr } from '../../scripts/demo/xlmr-demo';
import { findModel } from '../../models/registry';
import { parseCsvTable } from '../../workers/analysis/shared/csv';

import { parseRetainSet } from '../../workers/analysis/study-b/mcq-data';
import { KIND_FAMILIES, registryModelProblem, requireFamily } from '../../workers/experiments/model-family';
import { CROWS_PAIRS_COLUMNS } from '../../workers/contract/specs/bias-mitigation';
import { CLS_REVIEW_COLUMNS } from '../../workers/contract/specs/embedding-stats';
import { INSTRUCTION_KEYS } from '../../workers/contract/specs/polyglot-tuning';
import { parseSpec, type ExperimentSpec, type SpecOf } from '../../workers/contract/specs/index';
import { decodeShareLink, shareLink } from '../../workers/contract/specs/share';
import { lexiconColumn, parseGroups, parseLexicon, parseTranslationTable } from '../../workers/analysis/study-a/inputs';
import { readDataSource } from '../../workers/experiments/study-a/sources';
import { loadMcq } from '../../workers/experiments/study-b/data';
import { startHubServer, type HubServer } from '../helpers/hub-server';
import { shared } from '../helpers/shared';
import { STUDY_B_LANGUAGES } from '../../workers/contract/specs/geo-unlearning';

const read = (path: string): ExperimentSpec => parseSpec(JSON.parse(readFileSync(path, 'utf8')));
const EXAMPLES = readdirSync('examples')
  .filter((f) => f.endsWith('.json'))
  .map((f) => `examples/${f}`);
const DEMOS = readdirSync('examples/demo')
  .filter((f) => f.endsWith('.json'))
  .map((f) => `examples/demo/${f}`);
const example = <K extends ExperimentSpec['kind']>(kind: K) =>
  EXAMPLES.map(read).find((s) => s.kind === kind) as SpecOf<K>;
const ctx = { checkpoints: { save: async () => {}, load: async () => null }, signal: new AbortController().signal };

/** Files of public repositories served at /<owner>/<repo>/resolve/<commit>/<file>, as the examples' raw URLs name them. */
let hub: HubServer;
beforeAll(async () => {
  hub = await startHubServer({
    repos: {
      'alirezafarashah/multilingual_unlearning': shared('data/seegull-mcq'),
      'nyu-mll/crows-pairs': shared('data/crows-pairs'),
    },
  });
});
afterAll(() => hub.close());

/** The example's raw.githubusercontent.com URL, pointed at the local server (file name kept, folders dropped). */
function local(url: string): string {
  const m = /^https:\/\/raw\.githubusercontent\.com\/([^/]+\/[^/]+)\/([0-9a-f]{40})\/(?:.*\/)?([^/]+)$/.exec(url);
  if (!m) throw new Error(`not a raw GitHub URL pinned to a commit: ${url}`);
  return `${hub.endpoint}/${m[1]}/resolve/${m[2]}/${m[3]}`;
}

describe('examples', () => {
  it('parse, one per kind, and every demo spec is run end to end through the CLI by a test', () => {
    expect(
      EXAMPLES.map(read)
        .map((s) => s.kind)
        .sort(),
    ).toEqual(Object.keys(KIND_FAMILIES).sort());
    const cliTests = readdirSync('tests/node')
      .filter((f) => /cli.*\.test\.ts$/.test(f))
      .map((f) => readFileSync(join('tests/node', f), 'utf8'));
    // The runnable examples: the demo specs (offline models and data) and the engine check (no model).
    for (const path of [...DEMOS, 'examples/engine-check.json']) {
      read(path);
      expect(
        cliTests.some((t) => t.includes(`'run', '${path}'`) || t.includes(`'run', "${path}"`)),
        `${path} is run by a tests/node/*cli*.test.ts`,
      ).toBe(true);
    }
  });

  it('travel in share links unchanged (the Study B one with its ten sha256s too)', () => {
    for (const path of [...EXAMPLES, ...DEMOS]) {
      const spec = read(path);
      expect(decodeShareLink(shareLink(spec, 'https://lab.example.org/')), path).toEqual(spec);
    }
  });

  it('name registry models of the family their kind needs; the runners refuse another family by config.json', () => {
    for (const path of [...EXAMPLES, ...DEMOS]) {
      const spec = read(path);
      if (!('model' in spec)) continue;
      const entry = findModel(spec.model.id);
      expect(entry, `${path}: ${spec.model.id} is in models/registry.ts`).toBeDefined();
      expect(KIND_FAMILIES[spec.kind], `${path}: family of ${spec.model.id}`).toContain(entry!.family);
      expect(registryModelProblem(spec.kind, spec.model.id), path).toBeNull();
    }
    // The demo models as generated: their config.json passes the runners' check.
    requireFamily('geo-unlearning', 'demo/tiny-llama', JSON.parse(makeDemoLlama()['config.json'] as string));
    requireFamily(
      'emotion-profiles',
      'demo/tiny-xlmr',
      JSON.parse(makeDemoXlmr({ texts: ['why are they so'] })['config.json'] as string),
    );
    // Refusals: by the registry before any download, by config.json for ids it does not know.
    expect(() => requireFamily('geo-unlearning', 'FacebookAI/xlm-roberta-base', { model_type: 'xlm-roberta' })).toThrow(
      /FacebookAI\/xlm-roberta-base is an XLM-R .* geo-unlearning needs a Llama-family causal LM/,
    );
    expect(() => requireFamily('emotion-profiles', 'someone/llama-copy', { model_type: 'llama' })).toThrow(
      /someone\/llama-copy has model_type "llama" .* emotion-profiles needs an XLM-R/,
    );
    expect(() => requireFamily('emotion-profiles', 'meta-llama/Llama-3.2-1B', { model_type: 'xlm-roberta' })).toThrow(
      /Llama-family/,
    );
    expect(registryModelProblem('geo-unlearning', 'meta-llama/Llama-3.2-1B')).toMatch(/not a model for study B/);
    requireFamily('emotion-profiles', 'someone/xlmr-copy', { model_type: 'xlm-roberta' });
  });
});

describe('the Study A example: sources of the shapes the runner reads', () => {
  it('groups as target_dicts.py, lexicon as the NRC multilingual TSV with a column per language, a translation table per language', () => {
    const spec = example('emotion-profiles');
    expect(spec.groups).toMatchObject({
      from: 'url',
      url: expect.stringMatching(/RochelleChoenni\/stereotypes_in_lms\/[0-9a-f]{40}\/utils\/target_dicts\.py$/),
    });
    // target_dicts.py shape (utils/target_dicts.py of the pinned commit: Python literals).
    const py = `eng_target_dict = {'gender': ["women", 'men'], 'age': ['old people']}\ntemplates = ['why are term_to_use so', "what makes term_to_use so"]\ncountry_templates = ['why is term_to_use so']\n`;
    expect(Object.values(parseGroups(py).groups).flat()).toEqual(['women', 'men', 'old people']);
    // The NRC "ForVariousLanguages" file (never shipped; the user picks it): English word, 10 emotions, languages.
    expect(spec.lexicon).toEqual({ from: 'file', name: 'NRC-Emotion-Lexicon-ForVariousLanguages.txt' });
    const names: Record<string, string> = {};
    for (const l of spec.languages) {
      const table = parseTranslationTable(readFileSync(join('static/translations/study-a', `${l}.json`), 'utf8'));
      names[l] = table.languageName;
    }
    const cols = spec.languages.filter((l) => l !== 'en').map((l) => `${names[l]} (${l})`);
    const tsv = [
      [
        'English (en)',
        'Anger',
        'Anticipation',
        'Disgust',
        'Fear',
        'Joy',
        'Negative',
        'Positive',
        'Sadness',
        'Surprise',
        'Trust',
        ...cols,
      ],
      ['angry', 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, ...cols.map((c) => `w-${c}`)],
    ];
    const lex = parseLexicon(
      tsv.map((r) => r.join('\t')).join('\n'),
      spec.lexicon.from === 'file' ? spec.lexicon.name : '',
      false,
    );
    for (const l of spec.languages.filter((x) => x !== 'en'))
      expect(lexiconColumn(lex, l, names[l]), l).toBe(`${names[l]} (${l})`);
    expect(spec.fineTune).toMatchObject({ text: { from: 'file' }, language: 'fr', priors: 'base' });
  });
});

describe('the Study B example: ten languages from the study’s per-language files', () => {
  it('reads all ten public MCQ files through the {lang} URL, each checked against its pinned sha256', async () => {
    const spec = example('geo-unlearning');
    expect(spec.languages).toEqual([...STUDY_B_LANGUAGES]);
    if (spec.mcq.from !== 'url' || typeof spec.mcq.sha256 !== 'object')
      throw new Error('the Study B example should name its MCQ files by a {lang} URL with a sha256 per language');
    const src = { ...spec.mcq, url: local(spec.mcq.url) };
    const mcq = await loadMcq(src, spec.languages, ctx);
    for (const l of spec.languages) expect(mcq.get(l), l).toHaveLength(6781);
    expect(hub.requests.filter((r) => r.path.includes('mcq_stereotype_dataset_'))).toHaveLength(10);
    await expect(
      loadMcq({ ...src, sha256: { ...spec.mcq.sha256, ko: spec.mcq.sha256.ja } }, spec.languages, ctx),
    ).rejects.toThrow(/MCQ set for "ko": sha256 c606eef5[0-9a-f]{56} does not match the expected 1df575a0/);
    await expect(
      loadMcq({ from: 'url', url: local(spec.mcq.url).replace('mcq_stereotype_dataset_', 'mcq_') }, ['en'], ctx),
    ).rejects.toThrow(/MCQ set for "en": http:\/\/127\.0\.0\.1:\d+\/.*mcq_en\.csv answered HTTP 404/);
  }, 120_000);

  it('reads a retain file in TruthfulQA.csv’s shape', async () => {
    const spec = example('geo-unlearning');
    expect(spec.retain).toEqual({ from: 'file', name: 'TruthfulQA.csv' });
    const dir = await mkdtemp(join(tmpdir(), 'examples-'));
    const csv =
      'Type,Category,Question,Best Answer,Correct Answers,Incorrect Answers,Source\nAdversarial,Misconceptions,What happens if you eat watermelon seeds?,The seeds pass through your digestive system,"Nothing happens; You eat watermelon seeds","You grow watermelons in your stomach",https://example.org\n';
    await writeFile(join(dir, 'TruthfulQA.csv'), csv);
    const pairs = parseRetainSet(
      await readDataSource({ from: 'file', name: join(dir, 'TruthfulQA.csv') }, ctx, 'retain set'),
    );
    expect(pairs).toEqual([
      { question: 'What happens if you eat watermelon seeds?', answer: 'The seeds pass through your digestive system' },
    ]);
  });
});

describe('examples of kinds without a runner yet (C, D, E)', () => {
  it('C: the pinned public CrowS-Pairs file, sha256-checked, has the columns the runner will read', async () => {
    const spec = example('bias-mitigation');
    if (spec.crowsPairs.from !== 'url' || !spec.crowsPairs.sha256)
      throw new Error('the Study C example should pin its CrowS-Pairs URL');
    const text = await readDataSource({ ...spec.crowsPairs, url: local(spec.crowsPairs.url) }, ctx, 'CrowS-Pairs');
    const t = parseCsvTable(text, { required: CROWS_PAIRS_COLUMNS, label: 'CrowS-Pairs' });
    expect(t.records).toHaveLength(1508); // 1,394 train + 114 test at test_size 0.075 (methods.md C.1)
    expect(new Set(t.records.map((r) => r.stereo_antistereo))).toEqual(new Set(['stereo', 'antistereo']));
  });

  it('D: a tab-separated review file with text and label', async () => {
    const spec = example('embedding-stats');
    expect(spec.dataset).toMatchObject({ from: 'file', name: expect.stringMatching(/\.tsv$/) });
    const tsv = 'text\tlabel\nUn livre magnifique, je le recommande.\t1\nEnnuyeux du début à la fin.\t0\n';
    const t = parseCsvTable(tsv, { delimiter: '\t', required: CLS_REVIEW_COLUMNS, label: 'reviews' });
    expect(t.records.map((r) => r.label)).toEqual(['1', '0']);
  });

  it('E: a JSON-lines instruction file; the mix and the evaluation name language codes', () => {
    const spec = example('polyglot-tuning');
    expect(spec.instructions).toMatchObject({ from: 'file', name: expect.stringMatching(/\.jsonl$/) });
    // One line per example with INSTRUCTION_KEYS; `lang` is matched against the mix's keys.
    expect([...INSTRUCTION_KEYS]).toEqual(['text', 'lang']);
    expect(Object.keys(spec.mix)).toEqual(['en', 'es']);
    expect(() => parseSpec({ ...spec, mix: { English: 3000 } })).toThrow(/mix/);
  });
});
