// Memory preview before a run (issue 6), served to the page by the lab worker (LabApi.memoryPreview and
// .modelConfig): for a spec and its model's config.json, what the runner's own memory check will say, shown
// before Run. The numbers come from the very function the runner calls (study-b/memory.ts checkStudyBMemory); only
// the row length is assumed, because the real one needs the tokenizer and the data. Only kinds whose runner checks
// memory are previewed (contract/memory.ts previewsMemory): Study B. Study A's fine-tuning is not, because the
// shared estimator (models/common/memory-estimate.ts) models Llama-family decoders only.
// Where the config comes from: the model registry's shape keys, the app's demo files, or the model's host
// (config.json only, a few KB: never the weights).
import { hubSource } from '../../models/load/source';
import { findModel, hasLocalConfig } from '../../models/registry';
import type { GpuInfo } from '../contract/device';
import {
  formatGiB,
  MIN_CHECK_SEQ_LEN,
  previewsMemory,
  type MemoryPreview,
  type ModelConfigAnswer,
} from '../contract/memory';
import type { ModelRef } from '../contract/specs/common';
import type { ExperimentSpec } from '../contract/specs/index';
import { checkStudyBMemory } from './study-b/memory';

/**
 * The runner's check for this spec and config, with rows assumed `seqLen` tokens long (the runner counts its
 * longest tokenised row, at least MIN_CHECK_SEQ_LEN). Null for kinds that are not previewed.
 */
export function memoryPreview(options: {
  spec: ExperimentSpec;
  config: Record<string, unknown>;
  device?: GpuInfo;
  budget?: number;
  seqLen?: number;
}): MemoryPreview | null {
  const { spec } = options;
  if (!previewsMemory(spec)) return null;
  const check = checkStudyBMemory({
    spec,
    config: options.config,
    seqLen: options.seqLen ?? MIN_CHECK_SEQ_LEN,
    device: options.device,
    budget: options.budget,
  });
  const e = check.estimate;
  const parts = [
    { label: `weights (${check.format})`, bytes: e.weights },
    { label: 'LoRA + optimizer', bytes: e.lora + e.optimizer },
    { label: 'activations', bytes: e.activations },
    { label: 'logits', bytes: e.logits },
  ];
  const summary = check.fits
    ? `needs ${formatGiB(e.total)} of the ${formatGiB(check.budget)} budget`
    : `needs ${formatGiB(e.total)}, budget ${formatGiB(check.budget)}: ${check.reason}`;
  return { check, parts, summary };
}

/**
 * The model's config.json, parsed: the registry's shape for a known model on its main revision, the app's demo
 * file (`appBaseUrl` = where the app is served, ending in /), or config.json alone from the model's host.
 */
export async function modelConfig(options: {
  ref: ModelRef;
  appBaseUrl: string;
  fetch?: typeof fetch;
}): Promise<ModelConfigAnswer> {
  const { ref } = options;
  const doFetch = options.fetch ?? fetch;
  if (ref.host === 'demo:') {
    const url = new URL(`demo/models/${ref.id.split('/').pop()}/config.json`, options.appBaseUrl).href;
    const res = await doFetch(url);
    if (!res.ok) throw new Error(`the demo model's config.json (${url}) answered HTTP ${res.status}`);
    return { config: asObject(await res.json(), url), origin: 'demo' };
  }
  const known = findModel(ref.id)?.shape;
  if (known && hasLocalConfig(ref)) return { config: { ...known }, origin: 'registry' };
  const source = hubSource({ id: ref.id, revision: ref.revision, endpoint: ref.host, fetch: options.fetch });
  return { config: asObject(JSON.parse(await source.readText('config.json')), source.describe()), origin: 'host' };
}

function asObject(v: unknown, where: string): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v))
    throw new Error(`config.json from ${where} is not a JSON object`);
  return v as Record<string, unknown>;
}
