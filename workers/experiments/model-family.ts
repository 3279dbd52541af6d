// Which model families each experiment kind can run, and the two checks that hold a spec's model to them: by the
// registry (known ids, before anything is downloaded) and by the checkpoint's own config.json (every id, before
// any weight is uploaded). A spec naming a model of the wrong family is refused with both names in the message.
import { architectureOf } from '../../models/auto';
import { findModel, type ModelFamily, type StudyId } from '../../models/registry';
import { CATALOG } from '../contract/specs/catalog';
import type { ExperimentKind } from '../contract/specs/index';

/** The families a kind's model must be of (engine-check has no model). Bloom and FlauBERT are listed for C and D
 *  because the studies use them, although this build has no loader for them (registry `loadable`). */
export const KIND_FAMILIES: Record<ExperimentKind, readonly ModelFamily[]> = {
  'emotion-profiles': ['xlmr'],
  'geo-unlearning': ['llama'],
  'bias-mitigation': ['t5', 'bloom'],
  'embedding-stats': ['xlmr', 'flaubert'],
  'polyglot-tuning': ['llama'],
  'engine-check': [],
};

const WORDS: Record<ModelFamily, string> = {
  xlmr: 'an XLM-R / RoBERTa / CamemBERT encoder',
  llama: 'a Llama-family causal LM',
  t5: 'a T5 seq2seq model',
  bloom: 'a BLOOM causal LM',
  flaubert: 'a FlauBERT encoder',
};

const needs = (kind: ExperimentKind) => KIND_FAMILIES[kind].map((f) => WORDS[f]).join(' or ');

/**
 * Problems of a spec's model that the registry can tell before any download: a known id of another family, or one
 * not meant for this study. Unknown ids pass here; `requireFamily` checks them against their config.json.
 */
export function registryModelProblem(kind: ExperimentKind, modelId: string): string | null {
  const entry = findModel(modelId);
  if (!entry) return null;
  if (!KIND_FAMILIES[kind].includes(entry.family))
    return `${modelId} is ${WORDS[entry.family]}; ${kind} needs ${needs(kind)}`;
  const study = CATALOG.find((c) => c.kind === kind)?.study as StudyId | null | undefined;
  if (study && !entry.studies.includes(study))
    return `${modelId} is not a model for study ${study} in the registry (it serves ${entry.studies.join(', ')})`;
  return null;
}

/** Throws unless the checkpoint's config.json (`model_type`) is of a family the kind runs. */
export function requireFamily(kind: ExperimentKind, modelId: string, config: Record<string, unknown>): void {
  const problem = registryModelProblem(kind, modelId);
  if (problem) throw new Error(problem);
  const arch = architectureOf(config);
  if (!KIND_FAMILIES[kind].includes(arch))
    throw new Error(
      `${modelId} has model_type ${JSON.stringify(config.model_type)} (${WORDS[arch]}); ${kind} needs ${needs(kind)}`,
    );
}
