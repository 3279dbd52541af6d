// Moving LoRA adapters between the engine and PEFT's files: export what was trained (PeftModel.from_pretrained
// loads it), import an adapter trained here or with Python PEFT.
import type { Backend } from '../../workers/backend/backend';
import type { LoraLinear } from '../../workers/nn/lora-linear';
import { peftKey, writePeftAdapter, type PeftAdapter, type PeftFiles } from '../load/peft';
import { applyLora, type ProjectionSlot } from './lora';

export class AdapterMismatchError extends Error {
  override readonly name = 'AdapterMismatchError';
}

function moduleOf(a: LoraLinear): string {
  return a.A.name.replace(/^base_model\.model\./, '').replace(/\.lora_A\.weight$/, '');
}

export async function exportAdapter(
  be: Backend,
  adapters: readonly LoraLinear[],
  opts: { baseModel: string; targetModules: string[]; taskType?: string | null },
): Promise<PeftFiles> {
  if (!adapters.length) throw new AdapterMismatchError('the model has no LoRA adapters to export');
  const { r, alpha, dropout } = adapters[0].config;
  const tensors = [];
  for (const a of adapters) {
    const m = moduleOf(a);
    tensors.push({
      key: peftKey(m, 'A'),
      shape: [...a.A.value.shape],
      data: (await be.download(a.A.value)) as Float32Array,
    });
    tensors.push({
      key: peftKey(m, 'B'),
      shape: [...a.B.value.shape],
      data: (await be.download(a.B.value)) as Float32Array,
    });
  }
  return writePeftAdapter({
    baseModel: opts.baseModel,
    r,
    alpha,
    dropout,
    targetModules: opts.targetModules,
    taskType: opts.taskType,
    tensors,
  });
}

/** Wrap the adapter's modules with LoRA and load its A/B values. Every tensor must land on a module of this model. */
export function importAdapter(be: Backend, slots: ProjectionSlot[], adapter: PeftAdapter): LoraLinear[] {
  const byKey = new Map(adapter.tensors.map((t) => [t.key, t]));
  const modules = new Set(
    [...byKey.keys()].map((k) => k.replace(/^base_model\.model\./, '').replace(/\.lora_[AB]\.weight$/, '')),
  );
  const known = new Set(slots.map((s) => s.module));
  const unknown = [...modules].filter((m) => !known.has(m));
  if (unknown.length)
    throw new AdapterMismatchError(
      `adapter has weights for modules this model does not have: ${unknown.slice(0, 5).join(', ')}`,
    );
  const adapters = applyLora(be, slots, {
    r: adapter.r,
    alpha: adapter.alpha,
    dropout: adapter.dropout ?? 0,
    targetModules: [...modules],
    seed: 0,
  });
  for (const a of adapters) {
    const m = moduleOf(a);
    for (const [which, p] of [
      ['A', a.A],
      ['B', a.B],
    ] as const) {
      const t = byKey.get(peftKey(m, which));
      if (!t) throw new AdapterMismatchError(`adapter lacks ${peftKey(m, which)}`);
      const want = p.value.shape;
      if (t.shape.length !== 2 || t.shape[0] !== want[0] || t.shape[1] !== want[1])
        throw new AdapterMismatchError(`${t.key} has shape [${t.shape}], the model needs [${want}] (r = ${adapter.r})`);
      p.value.dispose();
      p.value = be.upload(t.data, want);
    }
  }
  return adapters;
}
