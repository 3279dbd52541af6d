// LoRA adapters in Hugging Face PEFT's on-disk form (PeftModel.save_pretrained): adapter_config.json (LoraConfig
// fields) + adapter_model.safetensors with keys `base_model.model.<module>.lora_A.weight` [R, in] and
// `...lora_B.weight` [out, R], so an adapter trained here loads with PeftModel.from_pretrained, and back.
import { openCheckpoint } from './checkpoint';
import { FormatError } from './errors';
import { writeSafetensors } from './safetensors';
import type { ModelSource } from './source';

export interface PeftTensor {
  key: string; // full PEFT key; on input also accepted: "<module>.lora_A" / "<module>.lora_A.weight"
  shape: number[];
  data: Float32Array;
}

export interface PeftAdapter {
  baseModel: string;
  r: number;
  alpha: number;
  targetModules: string[];
  tensors: PeftTensor[];
  taskType?: string | null; // PEFT TaskType, e.g. CAUSAL_LM, SEQ_2_SEQ_LM; null for a bare base model (XLM-R MLM)
  dropout?: number;
}

export interface PeftFiles {
  'adapter_config.json': string;
  'adapter_model.safetensors': Uint8Array;
}

const PREFIX = 'base_model.model.';
// "<module>.lora_A.weight", optionally with the in-memory adapter name (".lora_A.default.weight").
const KEY = /^(?:base_model\.model\.)?(.+)\.lora_([AB])(?:\.[\w-]+)?(?:\.weight)?$/;

export function peftKey(module: string, which: 'A' | 'B'): string {
  return `${PREFIX}${module}.lora_${which}.weight`;
}

function splitKey(key: string): { module: string; which: 'A' | 'B' } {
  const m = KEY.exec(key);
  if (!m) throw new FormatError(`"${key}" is not a LoRA weight key (expected base_model.model.<module>.lora_A.weight)`);
  return { module: m[1], which: m[2] as 'A' | 'B' };
}

/** Checks pairing and shapes: every module has A [R, in] and B [out, R]. Returns tensors with canonical keys. */
function validate(a: Pick<PeftAdapter, 'r' | 'tensors'>): PeftTensor[] {
  if (!Number.isInteger(a.r) || a.r < 1) throw new FormatError(`LoRA rank r must be a positive integer, got ${a.r}`);
  const seen = new Map<string, { A?: PeftTensor; B?: PeftTensor }>();
  for (const t of a.tensors) {
    const { module, which } = splitKey(t.key);
    const entry = seen.get(module) ?? {};
    if (entry[which]) throw new FormatError(`${module}: lora_${which} given twice`);
    if (t.shape.length !== 2) throw new FormatError(`${t.key}: LoRA weights are 2-D, got shape [${t.shape}]`);
    if (t.data.length !== t.shape[0] * t.shape[1])
      throw new FormatError(
        `${t.key}: shape [${t.shape}] needs ${t.shape[0] * t.shape[1]} values, got ${t.data.length}`,
      );
    if (which === 'A' && t.shape[0] !== a.r)
      throw new FormatError(`${t.key}: lora_A must be [r=${a.r}, in], got [${t.shape}]`);
    if (which === 'B' && t.shape[1] !== a.r)
      throw new FormatError(`${t.key}: lora_B must be [out, r=${a.r}], got [${t.shape}]`);
    entry[which] = { key: peftKey(module, which), shape: t.shape, data: t.data };
    seen.set(module, entry);
  }
  if (seen.size === 0) throw new FormatError('the adapter has no LoRA tensors');
  const out: PeftTensor[] = [];
  for (const [module, { A, B }] of seen) {
    if (!A || !B) throw new FormatError(`${module}: has lora_${A ? 'A' : 'B'} but no lora_${A ? 'B' : 'A'}`);
    out.push(A, B);
  }
  return out;
}

export function writePeftAdapter(a: PeftAdapter): PeftFiles {
  const tensors = validate(a);
  // PEFT matches a target name against the whole module path or its trailing components.
  for (const t of tensors) {
    const m = splitKey(t.key).module;
    if (!a.targetModules.some((x) => m === x || m.endsWith(`.${x}`)))
      throw new FormatError(`adapter has weights for "${m}" but targetModules [${a.targetModules}] does not match it`);
  }
  // Only LoraConfig fields that every PEFT release since 0.3 accepts, so older versions can load the file too.
  const config = {
    peft_type: 'LORA',
    task_type: a.taskType ?? null,
    r: a.r,
    lora_alpha: a.alpha,
    lora_dropout: a.dropout ?? 0,
    target_modules: a.targetModules,
    bias: 'none',
    fan_in_fan_out: false,
    modules_to_save: null,
    init_lora_weights: true,
    layers_to_transform: null,
    layers_pattern: null,
    base_model_name_or_path: a.baseModel,
    revision: null,
    inference_mode: true,
  };
  return {
    'adapter_config.json': JSON.stringify(config, null, 2),
    'adapter_model.safetensors': writeSafetensors(
      tensors.map((t) => ({ name: t.key, dtype: 'F32' as const, shape: t.shape, data: t.data })),
      { format: 'pt' },
    ),
  };
}

export async function readPeftAdapter(source: ModelSource): Promise<PeftAdapter> {
  const text = await source.readText('adapter_config.json');
  let c: Record<string, unknown>;
  try {
    c = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new FormatError(`adapter_config.json is not valid JSON (${(e as Error).message})`);
  }
  if (c.peft_type !== 'LORA')
    throw new FormatError(`adapter_config.json: peft_type ${JSON.stringify(c.peft_type)} is not LORA`);
  if (c.fan_in_fan_out)
    throw new FormatError('adapter_config.json: fan_in_fan_out adapters (GPT-2 Conv1D) are not supported');
  if (c.bias !== undefined && c.bias !== 'none')
    throw new FormatError(`adapter_config.json: bias "${c.bias}" is not supported (only "none")`);
  if (c.use_dora) throw new FormatError('adapter_config.json: DoRA adapters are not supported');
  const targets =
    typeof c.target_modules === 'string' ? [c.target_modules] : ((c.target_modules as string[] | null) ?? []);
  const ck = await openCheckpoint(source, { weights: 'adapter_model.safetensors', requireConfig: false });
  const tensors = await Promise.all(
    ck.names().map(async (key) => ({ key, shape: ck.info(key).shape, data: await ck.read(key) })),
  );
  const adapter: PeftAdapter = {
    baseModel: String(c.base_model_name_or_path ?? ''),
    r: Number(c.r),
    alpha: Number(c.lora_alpha ?? 8),
    targetModules: targets,
    tensors: [],
    taskType: (c.task_type as string | null) ?? null,
    dropout: Number(c.lora_dropout ?? 0),
  };
  adapter.tensors = validate({ r: adapter.r, tensors });
  return adapter;
}
