// CPU (float32) implementation of the gated units act(gate) ⊙ up for the CPU backend (gated.ref.ts): SwiGLU
// (Llama), gated-GELU (FLAN-T5), ReLU-gated.
import type { CpuTensor } from '../../backend/cpu-backend';
import { applyActivation } from '../activation/activation.cpu';
import type { GatedAttrs } from './gated';

export function gatedCpu([gate, up]: readonly CpuTensor[], [out]: readonly CpuTensor[], { act }: GatedAttrs): void {
  applyActivation(act, gate.data as Float32Array, out.data as Float32Array, up.data as Float32Array);
}
