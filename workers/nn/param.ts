// Parameters and the tensor bookkeeping shared by the layers. A layer's forward returns its output and an
// explicit cache; backward takes the output gradient and that cache, returns the input gradient and adds weight
// gradients into `Param.grad` (accumulating, so micro-batches sum without extra code).
import type { Backend, Tensor } from '../backend/backend';
import { addScaled } from '../kernels/elementwise/elementwise';

export interface Param {
  /** Hugging Face checkpoint name, or the PEFT key for LoRA tensors. */
  readonly name: string;
  value: Tensor;
  /** Allocated lazily by the first backward; zeroed by `zeroGrad`. */
  grad: Tensor | null;
}

export function param(name: string, value: Tensor): Param {
  return { name, value, grad: null };
}

/** grad += g (takes ownership of g). */
export async function accumulateGrad(be: Backend, p: Param, g: Tensor): Promise<void> {
  if (!p.grad) {
    p.grad = g;
    return;
  }
  await addScaled(be, p.grad, g, 1);
  g.dispose();
}

export function zeroGrads(params: Iterable<Param>): void {
  for (const p of params) {
    p.grad?.dispose();
    p.grad = null;
  }
}

export function disposeAll(...ts: (Tensor | null | undefined | readonly (Tensor | null | undefined)[])[]): void {
  for (const t of ts) {
    if (Array.isArray(t)) t.forEach((x) => x?.dispose());
    else (t as Tensor | null | undefined)?.dispose();
  }
}

/** Flatten leading dims: [..., C] → [rows, C] as a view. */
export function rows2d(be: Backend, t: Tensor): Tensor {
  const c = t.shape[t.shape.length - 1];
  return be.reshape(t, [t.shape.reduce((a, b) => a * b, 1) / c, c]);
}
