// Gradient-norm clipping as torch.nn.utils.clip_grad_norm_ (L2 norm over all gradients together): returns the
// factor to multiply the gradients by, which the optimizer applies through adamw's gradScale instead of a
// separate pass over the gradients.
import type { Backend, Tensor } from '../backend/backend';
import { gradNormSquared } from '../kernels/grad-norm/grad-norm';

export interface ClipResult {
  /** L2 norm of the (pre-scaled) gradients, before clipping. */
  norm: number;
  /** min(1, maxNorm / (norm + 1e-6)), torch's clip_coef_clamped. */
  scale: number;
}

/** `preScale` is a factor the gradients will be multiplied by anyway (1/micro-batches); the norm includes it. */
export async function clipGradNorm(
  be: Backend,
  grads: readonly Tensor[],
  maxNorm: number,
  { preScale = 1 }: { preScale?: number } = {},
): Promise<ClipResult> {
  const acc = await gradNormSquared(be, grads);
  const [sq] = await be.download(acc);
  acc.dispose();
  const norm = Math.sqrt(sq) * Math.abs(preScale);
  return { norm, scale: Math.min(1, maxNorm / (norm + 1e-6)) };
}
