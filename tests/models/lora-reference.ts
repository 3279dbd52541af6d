// Put the fixture's initial LoRA A/B values into the adapters created by applyLora (matched by module path).
import type { WebGpuBackend } from '../../workers/backend/webgpu-backend';
import type { LoraLinear } from '../../workers/nn/lora-linear';
import type { RefTensor } from './fixtures';

export function setLoraFromReference(
  be: WebGpuBackend,
  adapters: LoraLinear[],
  ref: { module: string; A: RefTensor; B: RefTensor }[],
): void {
  if (adapters.length !== ref.length)
    throw new Error(`model has ${adapters.length} LoRA adapters, fixture ${ref.length}`);
  for (const r of ref) {
    const a = adapters.find((x) => x.A.name === `base_model.model.${r.module}.lora_A.weight`);
    if (!a) throw new Error(`no adapter for ${r.module}`);
    a.A.value.dispose();
    a.B.value.dispose();
    a.A.value = be.upload(r.A.data, r.A.shape);
    a.B.value = be.upload(r.B.data, r.B.shape);
  }
}
