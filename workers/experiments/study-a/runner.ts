// Study A runner (issue 5; methods.md A): emotion profiles of social groups in several languages from an XLM-R
// family masked LM, both published profile variants, RSA between languages, and optional LoRA fine-tuning with
// re-profiling and baseline-vs-fine-tuned correlations and shift vectors. Same code in the worker and the CLI.
import { openCheckpoint } from '../../../models/load/checkpoint';
import { loadTokenizer, type Tokenizer } from '../../../models/load/tokenizer';
import { XlmrForMaskedLM } from '../../../models/xlmr/model';
import { NRC_EMOTIONS } from '../../analysis/study-a/emotions';

import { sha256Hex } from '../../contract/sha256';
import type { EmotionProfilesSpec } from '../../contract/specs/index';
import { NeedsWebGpuError, type ExperimentContext, type ExperimentRunner } from '../experiment-runner';
import { fineTune } from './fine-tune';
import {
  choenniEnglishPrompts,
  languagePrompts,
  lexiconColumn,
  parseGroups,
  parseLexicon,
  parseTranslationTable,
  type LanguagePrompts,
} from '../../analysis/study-a/inputs';
import { decodePieces, profileLanguages, type ProfileRunResult } from './profile-run';
import {
  compareFineTuned,
  correlations,
  coverageTable,
  matrixTable,
  profileTables,
} from '../../analysis/study-a/results';
import { appFiles, downloadProgress, modelSource, readDataSource } from './sources';
import { compareWithPublished, loadReference, referenceTables } from './reference';
import { disposeModelWeights } from '../../../models/common/dispose-weights';
import type {
  Correlations,
  EmotionProfilesResult,
  FineTuneComparison,
  GroupProfile,
  ProfilingSpeed,
  ReferenceResult,
} from '../../contract/results/emotion-profiles';
import type { ResultBase, ResultTable } from '../../contract/results/base';
import { applyLanguageOverride } from '../../contract/study-a/translation-overrides';
import { withAddedGroups } from '../../analysis/study-a/templates';
import { requireFamily } from '../model-family';

/** Decoded pieces per tokenizer (decoding a 250k vocabulary takes a moment; do it once per model). */
const piecesCache = new Map<string, string[]>();
const BATCH = 32;

function speedOf(r: ProfileRunResult): ProfilingSpeed {
  return {
    prompts: r.prompts,
    seconds: r.seconds,
    promptsPerSecond: r.prompts / Math.max(r.seconds, 1e-9),
    priorsComputed: r.priorsComputed,
    priorsReused: r.priorsReused,
  };
}

function flat(byLanguage: Map<string, GroupProfile[]>): GroupProfile[] {
  return [...byLanguage.values()].flat();
}

async function loadModel(
  spec: EmotionProfilesSpec,
  ctx: ExperimentContext,
): Promise<{ model: XlmrForMaskedLM; tok: Tokenizer; key: string }> {
  ctx.progress({ type: 'phase', label: `loading ${spec.model.id}` });
  const source = modelSource(spec.model);
  const ckpt = await openCheckpoint(source, { onProgress: downloadProgress(ctx, `${spec.model.id} weights`) });
  requireFamily('emotion-profiles', spec.model.id, ckpt.config);
  const tok = await loadTokenizer(source);
  if (tok.mask_token_id === undefined || tok.mask_token_id === null)
    throw new Error(`${spec.model.id}: the tokenizer has no <mask> token; Study A needs a masked LM`);
  const model = await XlmrForMaskedLM.load(ctx.backend!, ckpt);
  return { model, tok, key: `${spec.model.host ?? 'hub'}|${spec.model.id}@${spec.model.revision ?? 'main'}` };
}

async function loadPrompts(spec: EmotionProfilesSpec, ctx: ExperimentContext) {
  ctx.progress({ type: 'phase', label: 'loading groups, translations and lexicon' });
  const source = withAddedGroups(
    parseGroups(await readDataSource(spec.groups, ctx, 'templates and groups')),
    spec.translations?.addGroups,
  );
  const lexText = await readDataSource(spec.lexicon, ctx, 'lexicon');
  const lexicon = parseLexicon(
    lexText,
    spec.lexicon.from === 'demo' ? 'DEMO lexicon' : spec.lexicon.from === 'file' ? spec.lexicon.name : spec.lexicon.url,
    spec.lexicon.from === 'demo',
  );
  const tables = appFiles('translations/study-a');
  const languages: LanguagePrompts[] = [];
  for (const lang of spec.languages) {
    const override = spec.translations?.languages?.[lang];
    const text = await tables.readText(`${lang}.json`).catch((e: Error) => {
      // A language the user added in the translation editor has no built-in table.
      if (override?.languageName) return null;
      throw new Error(`no Study A translation table for "${lang}" (translations/study-a/${lang}.json): ${e.message}`, {
        cause: e,
      });
    });
    const base = text === null ? undefined : parseTranslationTable(text);
    const table = applyLanguageOverride({ language: lang, base, override });
    // Choenni's variant looks words up in the language's own column only: without one every profile is empty.
    if (spec.profile.variant === 'choenni' && lang !== 'en' && !lexiconColumn(lexicon, lang, table.languageName))
      throw new Error(
        `the lexicon "${lexicon.name}" has no column for ${table.languageName} (${lang}); its translation columns: ${lexicon.languages.join(', ') || 'none'}`,
      );
    const choenniEnglish = spec.profile.variant === 'choenni' && lang === 'en' && (spec.profile.choenniInput ?? true);
    languages.push(
      choenniEnglish
        ? choenniEnglishPrompts({ source })
        : languagePrompts({ table, source, countryPrompts: spec.profile.countryPrompts ?? false }),
    );
  }
  return { source, lexicon, languages };
}

export const emotionProfilesRunner: ExperimentRunner<EmotionProfilesSpec, EmotionProfilesResult> = {
  kind: 'emotion-profiles',
  needsWebGpu: true,
  async run(spec, ctx) {
    if (!ctx.backend) throw new NeedsWebGpuError('Study A runs XLM-R on our WebGPU kernels and needs WebGPU.');
    // Inputs first: a bad group list, table edit or reference file fails before any weight is downloaded.
    const { source, lexicon, languages } = await loadPrompts(spec, ctx);
    const reference = await loadReference(spec, ctx);
    const { model, tok, key } = await loadModel(spec, ctx);
    try {
      return await profileAndCompare({ spec, ctx, model, tok, key, source, lexicon, languages, reference });
    } finally {
      disposeModelWeights(model);
    }
  },
};

async function profileAndCompare(o: {
  spec: EmotionProfilesSpec;
  ctx: ExperimentContext;
  model: XlmrForMaskedLM;
  tok: Tokenizer;
  key: string;
  source: Awaited<ReturnType<typeof loadPrompts>>['source'];
  lexicon: Awaited<ReturnType<typeof loadPrompts>>['lexicon'];
  languages: LanguagePrompts[];
  reference: Awaited<ReturnType<typeof loadReference>>;
}): Promise<EmotionProfilesResult> {
  const { spec, ctx, model, tok, key, source, lexicon, languages } = o;
  const V = model.config.vocab_size;
  ctx.progress({ type: 'phase', label: 'decoding the vocabulary' });
  const pieces = piecesCache.get(key) ?? decodePieces(tok, V);
  piecesCache.set(key, pieces);
  const common = {
    model,
    tok,
    pieces,
    languages,
    lexicon,
    variant: spec.profile.variant,
    topK: spec.profile.topK,
    exactPieceMatch: spec.profile.exactPieceMatch ?? true,
    batchSize: BATCH,
    ctx,
  };
  const base = await profileLanguages({ ...common, modelKey: key, label: 'baseline' });
  const names = Object.fromEntries(languages.map((l) => [l.language, l.languageName]));
  const baseProfiles = flat(base.byLanguage);
  const baseCorr = correlations(base.byLanguage);
  const tables: Record<string, ResultTable> = {
    ...profileTables(baseProfiles, 'emotion_profiles', names),
    'rsa/languages': matrixTable(baseCorr.languages),
    coverage: coverageTable(baseProfiles),
    ...Object.fromEntries(baseCorr.perCategory.map((c) => [`rsa/${c.category}`, matrixTable(c.matrix)])),
  };
  const reference = o.reference
    ? compareWithPublished({ loaded: o.reference, profiles: baseProfiles, variant: spec.profile.variant })
    : undefined;
  if (reference) Object.assign(tables, referenceTables(reference));
  let fine: EmotionProfilesResult['fineTune'];
  if (spec.fineTune) {
    const text = await readDataSource(spec.fineTune.text, ctx, 'fine-tuning text');
    const ft = await fineTune({
      model,
      tok,
      spec: spec.fineTune,
      text,
      seed: spec.seed,
      baseModel: spec.model.id,
      ctx,
    });
    const adapterHash = await sha256Hex(ft.adapterFiles['adapter_model.safetensors']);
    const priors = spec.fineTune.priors ?? 'base';
    if (spec.profile.variant === 'prior-corrected')
      ctx.progress({
        type: 'log',
        message: `fine-tuned profiles divide by the ${priors === 'base' ? 'pretrained model’s priors (as seed A)' : 'fine-tuned model’s own priors'}`,
      });
    const tuned = await profileLanguages({
      ...common,
      modelKey: `${key}|lora:${adapterHash}`,
      priors: priors === 'base' ? { from: 'base', baseModelKey: key } : { from: 'same' },
      label: 'fine-tuned',
    });
    const tunedProfiles = flat(tuned.byLanguage);
    const comparison = compareFineTuned(base.byLanguage, tuned.byLanguage);
    fine = {
      language: spec.fineTune.language,
      priors,
      losses: ft.losses,
      steps: ft.steps,
      resumedFrom: ft.resumedFrom,
      profiles: tunedProfiles,
      correlations: correlations(tuned.byLanguage),
      comparison,
      speed: speedOf(tuned),
    };
    Object.assign(tables, profileTables(tunedProfiles, 'emotion_profiles_finetuned', names), {
      'fine-tune/loss': { columns: ['step', 'loss'], rows: ft.losses },
      'fine-tune/baseline_vs_finetuned': {
        columns: ['language', 'mean', ...Object.keys(source.groups)],
        rows: comparison.perLanguage.map((p) => [
          p.language,
          p.mean,
          ...Object.keys(source.groups).map((c) => p.perCategory[c] ?? null),
        ]),
      },
      'fine-tune/shift_cosine': matrixTable(comparison.shiftCosine),
    });
  }
  const speed = speedOf(base);
  const demo = spec.model.host === 'demo:' || lexicon.demo;
  const cross = baseCorr.languages.values.flatMap((r, i) => r.filter((x, j) => j !== i && x !== null) as number[]);
  const meanCross = cross.length ? cross.reduce((a, b) => a + b, 0) / cross.length : NaN;
  const defined = baseProfiles.filter((p) => p.profile).length;
  const summary =
    `${demo ? 'DEMO (random model or invented lexicon, meaningless numbers): ' : ''}` +
    `${defined} of ${baseProfiles.length} group profiles across ${languages.length} language(s), ${spec.profile.variant}` +
    (languages.length > 1
      ? `; mean cross-language RSA ${Number.isFinite(meanCross) ? meanCross.toFixed(3) : 'n/a'}`
      : '') +
    `; ${speed.promptsPerSecond.toFixed(1)} prompts/s` +
    (reference?.overall.rsa != null
      ? `; RSA with published ${reference.label} ${reference.overall.rsa.toFixed(3)} (${reference.overall.groups} groups)`
      : '') +
    (fine ? `; fine-tuned ${fine.steps} steps, final loss ${fine.losses.at(-1)?.[1].toFixed(3)}` : '');
  return {
    kind: 'emotion-profiles',
    summary,
    model: spec.model.id,
    demo,
    variant: spec.profile.variant,
    scale: spec.profile.variant === 'choenni' ? 'percent' : 'fraction',
    emotions: [...NRC_EMOTIONS],
    languages: languages.map((l) => ({ code: l.language, name: l.languageName })),
    categories: Object.keys(source.groups),
    profiles: baseProfiles,
    correlations: baseCorr,
    skipped: languages.flatMap((l) => l.skipped.map((s) => ({ language: l.language, ...s }))),
    speed,
    reference,
    fineTune: fine,
    tables,
  };
}
