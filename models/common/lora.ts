// Applying LoRA to a model's projections by module name, as PEFT's `target_modules` does: a target matches
// when the module path ends with it ("q_proj" matches model.layers.3.self_attn.q_proj).
import type { Backend } from '../../workers/backend/backend';
import { Linear } from '../../workers/nn/linear';
import { LoraLinear, type LoraConfig } from '../../workers/nn/lora-linear';
import type { Param } from '../../workers/nn/param';
import type { Projection } from '../../workers/nn/projection';

export interface LoraOptions extends LoraConfig {
  /** Module-name suffixes, or 'all-linear' for every projection (PEFT's shorthand; never the LM head). */
  targetModules: string[] | 'all-linear';
  seed: number;
}

/** A named slot holding a projection that LoRA may wrap. */
export interface ProjectionSlot {
  module: string; // full HF module path
  get(): Projection;
  set(p: Projection): void;
}

export function matchesTarget(module: string, targets: string[] | 'all-linear'): boolean {
  if (targets === 'all-linear') return true;
  return targets.some((t) => module === t || module.endsWith(`.${t}`));
}

export function applyLora(be: Backend, slots: ProjectionSlot[], opts: LoraOptions): LoraLinear[] {
  const adapters: LoraLinear[] = [];
  slots.forEach((slot, i) => {
    const p = slot.get();
    if (!(p instanceof Linear) || !matchesTarget(slot.module, opts.targetModules)) return;
    const lora = LoraLinear.create(be, p, opts, { module: slot.module, seed: opts.seed * 7919 + i * 104729 });
    slot.set(lora);
    adapters.push(lora);
  });
  if (!adapters.length) throw new Error(`LoRA: no module matches target_modules ${JSON.stringify(opts.targetModules)}`);
  return adapters;
}

export function loraParams(adapters: readonly LoraLinear[]): Param[] {
  return adapters.flatMap((a) => a.params);
}

export function setLoraEnabled(adapters: readonly LoraLinear[], enabled: boolean): void {
  for (const a of adapters) a.enabled = enabled;
}

export function setLoraTraining(adapters: readonly LoraLinear[], training: boolean): void {
  for (const a of adapters) a.training = training;
}
