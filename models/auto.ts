// Pick the architecture from config.json's model_type, as transformers' Auto classes do.
import type { Backend } from '../workers/backend/backend';
import type { WeightFormatOption } from './common/weights';
import type { Checkpoint } from './load/checkpoint';
import { LlamaForCausalLM } from './llama/model';
import { XlmrForMaskedLM } from './xlmr/model';

export type Architecture = 'xlmr' | 'llama' | 't5';

const TYPES: Record<string, Architecture> = {
  'xlm-roberta': 'xlmr',
  roberta: 'xlmr',
  camembert: 'xlmr',
  llama: 'llama',
  qwen2: 'llama',
  mistral: 'llama',
  t5: 't5',
  mt5: 't5',
};

export class UnsupportedModelError extends Error {
  override readonly name = 'UnsupportedModelError';
}

export function architectureOf(config: Record<string, unknown>): Architecture {
  const type = String(config.model_type ?? '');
  const arch = TYPES[type];
  if (!arch)
    throw new UnsupportedModelError(
      `model_type ${JSON.stringify(type)} is not supported; supported: ${Object.keys(TYPES).join(', ')} (XLM-R/RoBERTa/CamemBERT, Llama-family, T5)`,
    );
  return arch;
}

export type LoadedModel =
  | { arch: 'xlmr'; model: XlmrForMaskedLM }
  | { arch: 'llama'; model: LlamaForCausalLM }
  | { arch: 't5'; model: import('./t5/model').T5ForConditionalGeneration };

export async function loadModel(
  be: Backend,
  ckpt: Checkpoint,
  opts: { format?: WeightFormatOption } = {},
): Promise<LoadedModel> {
  const arch = architectureOf(ckpt.config);
  if (arch === 'xlmr') return { arch, model: await XlmrForMaskedLM.load(be, ckpt, opts) };
  if (arch === 'llama') return { arch, model: await LlamaForCausalLM.load(be, ckpt, opts) };
  const { T5ForConditionalGeneration } = await import('./t5/model');
  return { arch, model: await T5ForConditionalGeneration.load(be, ckpt, opts) };
}
