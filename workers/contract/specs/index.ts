// The experiment spec union: one validated, versioned JSON shape per experiment kind, read the same way by the
// app, the worker and the CLI. `parseSpec` turns anything (a file, a share link's payload) into a typed spec or a
// SpecError whose message a user can act on.
import * as v from 'valibot';
import { BiasMitigationSpec, demoBiasMitigationSpec } from './bias-mitigation';
import { modelHost, SPEC_VERSION, sourceHost } from './common';
import { demoEmbeddingStatsSpec, EmbeddingStatsSpec } from './embedding-stats';
import { demoEmotionProfilesSpec, EmotionProfilesSpec, referenceSource } from './emotion-profiles';
import { demoEngineCheckSpec, EngineCheckSpec } from './engine-check';
import { demoGeoUnlearningSpec, GeoUnlearningSpec } from './geo-unlearning';
import { demoPolyglotTuningSpec, PolyglotTuningSpec } from './polyglot-tuning';

export { SPEC_VERSION };
export type {
  BiasMitigationSpec,
  EmbeddingStatsSpec,
  EmotionProfilesSpec,
  EngineCheckSpec,
  GeoUnlearningSpec,
  PolyglotTuningSpec,
};

export const ExperimentSpec = v.variant('kind', [
  EmotionProfilesSpec,
  GeoUnlearningSpec,
  BiasMitigationSpec,
  EmbeddingStatsSpec,
  PolyglotTuningSpec,
  EngineCheckSpec,
]);
export type ExperimentSpec = v.InferOutput<typeof ExperimentSpec>;
export type ExperimentKind = ExperimentSpec['kind'];
export type SpecOf<K extends ExperimentKind> = Extract<ExperimentSpec, { kind: K }>;

export const EXPERIMENT_KINDS: readonly ExperimentKind[] = [
  'emotion-profiles',
  'geo-unlearning',
  'bias-mitigation',
  'embedding-stats',
  'polyglot-tuning',
  'engine-check',
];

export function isExperimentKind(k: unknown): k is ExperimentKind {
  return typeof k === 'string' && (EXPERIMENT_KINDS as readonly string[]).includes(k);
}

const DEMOS: { [K in ExperimentKind]: () => SpecOf<K> } = {
  'emotion-profiles': demoEmotionProfilesSpec,
  'geo-unlearning': demoGeoUnlearningSpec,
  'bias-mitigation': demoBiasMitigationSpec,
  'embedding-stats': demoEmbeddingStatsSpec,
  'polyglot-tuning': demoPolyglotTuningSpec,
  'engine-check': demoEngineCheckSpec,
};

/** The spec a new experiment of this kind starts from: runs on the app's demo models and data. */
export function demoSpec<K extends ExperimentKind>(kind: K): SpecOf<K> {
  return DEMOS[kind]();
}

/** A spec that cannot be used, with a message for the user. */
export class SpecError extends Error {
  override readonly name = 'SpecError';
}

/** Validate untrusted JSON as a spec. Refuses newer versions and unknown kinds with their own messages. */
export function parseSpec(input: unknown): ExperimentSpec {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new SpecError('An experiment spec must be a JSON object.');
  const { version, kind } = input as { version?: unknown; kind?: unknown };
  if (typeof version !== 'number' || !Number.isInteger(version)) throw new SpecError('The spec has no version number.');
  if (version > SPEC_VERSION)
    throw new SpecError(
      `This spec was made by a newer version of Stereoscope (spec version ${version}; this app reads up to ${SPEC_VERSION}). Open it in an up-to-date copy of the lab.`,
    );
  if (version < 1) throw new SpecError(`Spec version ${version} does not exist.`);
  if (!isExperimentKind(kind))
    throw new SpecError(`Unknown experiment kind ${JSON.stringify(String(kind).slice(0, 40))}.`);
  const r = v.safeParse(ExperimentSpec, input);
  if (!r.success) {
    const lines = r.issues.slice(0, 5).map((i) => `${v.getDotPath(i) ?? '(spec)'}: ${i.message}`);
    throw new SpecError(`The ${kind} spec is not valid:\n${lines.join('\n')}`);
  }
  return r.output;
}

/** Every host the spec will download from (models, data), for the confirmation shown before a run. */
export function specHosts(spec: ExperimentSpec): { what: string; host: string }[] {
  const out: { what: string; host: string }[] = [];
  if ('model' in spec) out.push({ what: `model ${spec.model.id}`, host: modelHost(spec.model) });
  const sources: [string, import('./common').DataSource | import('./common').PerLanguageSource | undefined][] = [];
  switch (spec.kind) {
    case 'emotion-profiles':
      // The published scores are fetched by default for xlm-roberta-base runs, so their host is listed too.
      sources.push(
        ['templates and groups', spec.groups],
        ['lexicon', spec.lexicon],
        ['fine-tuning text', spec.fineTune?.text],
        ['published reference scores', referenceSource(spec) ?? undefined],
      );
      break;
    case 'geo-unlearning':
      sources.push(['MCQ data', spec.mcq], ['retain set', spec.retain]);
      break;
    case 'bias-mitigation':
      sources.push(['CrowS-Pairs', spec.crowsPairs]);
      break;
    case 'embedding-stats':
      sources.push(['data set', spec.dataset]);
      break;
    case 'polyglot-tuning':
      sources.push(['instructions', spec.instructions]);
      break;
    case 'engine-check':
      break;
  }
  for (const [what, s] of sources) if (s) out.push({ what, host: sourceHost(s) });
  return out;
}
