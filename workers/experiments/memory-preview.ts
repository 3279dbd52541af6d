// Memory preview before a run (issue 6): the app asks, for a spec and its model's config.json, what the runner's
// own memory check will say, and shows it before Run. The numbers come from the very function the runner calls
// (study-b/memory.ts checkStudyBMemory); only the row length is assumed, because the real one needs the
// tokenizer and the data. Only kinds whose runner checks memory are previewed: Study B. Study A's fine-tuning is
// not, because the shared estimator (models/common/memory-estimate.ts) models Llama-family decoders only.
// Where the config comes from: the model registry's shape keys, the app's demo files, or the model's host
// (config.json only, a few KB: never the weights). Pure apart from that one fetch; safe on the main thread.
import { findModel } from '../../models/registry';
import { hubSource } from '../../models/load/source';
import type { GpuInfo } from '../gpu/device';
import type { ModelRef } from './specs/common';
import type { ExperimentSpec } from './specs/index';
import { checkStudyBMemory, MIN_CHECK_SEQ_LEN, type StudyBMemoryCheck } from './study-b/memory';

export { MIN_CHECK_SEQ_LEN };

export interface MemoryPart {
  label: string;
  bytes: number;
}

export interface MemoryPreview {
  check: StudyBMemoryCheck;
  parts: MemoryPart[];
  /** One line for the page: "needs 6.2 GiB, budget 4 GiB: …" or "needs 0.1 GiB of the 4 GiB budget". */
  summary: string;
}

/** Whether the spec's runner checks memory before it trains (so a preview means something). */
export function previewsMemory(spec: ExperimentSpec): spec is Extract<ExperimentSpec, { kind: 'geo-unlearning' }> {
  return spec.kind === 'geo-unlearning';
}

export function formatGiB(bytes: number): string {
  const g = bytes / 2 ** 30;
  return `${g >= 10 ? g.toFixed(0) : g >= 0.1 ? g.toFixed(1) : g.toFixed(3)} GiB`;
}

/**
 * The runner's check for this spec and config, with rows assumed `seqLen` tokens long (the runner counts its
 * longest tokenised row, at least MIN_CHECK_SEQ_LEN). Null for kinds that are not previewed.
 */
export function memoryPreview(options: { spec: ExperimentSpec; config: Record<string, unknown>; device?: GpuInfo; budget?: number; seqLen?: number }): MemoryPreview | null {
  const { spec } = options;
  if (!previewsMemory(spec)) return null;
  const check = checkStudyBMemory({ spec, config: options.config, seqLen: options.seqLen ?? MIN_CHECK_SEQ_LEN, device: options.device, budget: options.budget });
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

export type ConfigOrigin = 'registry' | 'demo' | 'host';

/** Whether the config is at hand without asking a remote host (registry shape or the app's demo files). */
export function configIsLocal(ref: ModelRef): boolean {
  return ref.host === 'demo:' || (!!findModel(ref.id)?.shape && (ref.revision ?? 'main') === 'main' && !ref.host);
}

/**
 * The model's config.json, parsed: the registry's shape for a known model on its main revision, the app's demo
 * file (`appBaseUrl` = where the app is served, ending in /), or config.json alone from the model's host.
 */
export async function modelConfig(options: { ref: ModelRef; appBaseUrl: string; fetch?: typeof fetch }): Promise<{ config: Record<string, unknown>; origin: ConfigOrigin }> {
  const { ref } = options;
  const doFetch = options.fetch ?? fetch;
  if (ref.host === 'demo:') {
    const url = new URL(`demo/models/${ref.id.split('/').pop()}/config.json`, options.appBaseUrl).href;
    const res = await doFetch(url);
    if (!res.ok) throw new Error(`the demo model's config.json (${url}) answered HTTP ${res.status}`);
    return { config: asObject(await res.json(), url), origin: 'demo' };
  }
  const known = findModel(ref.id)?.shape;
  if (known && configIsLocal(ref)) return { config: { ...known }, origin: 'registry' };
  const source = hubSource({ id: ref.id, revision: ref.revision, endpoint: ref.host, fetch: options.fetch });
  return { config: asObject(JSON.parse(await source.readText('config.json')), source.describe()), origin: 'host' };
}

function asObject(v: unknown, where: string): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error(`config.json from ${where} is not a JSON object`);
  return v as Record<string, unknown>;
}
