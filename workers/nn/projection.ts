// What attention and MLP blocks need from a projection: a plain frozen/trainable Linear or a LoRA-wrapped one.
import type { Backend, Tensor } from '../backend/backend';
import { Linear, type LinearCache } from './linear';
import { LoraLinear, type LoraConfig, type LoraCache } from './lora-linear';

export type Projection = Linear | LoraLinear;
export type ProjectionCache = LinearCache | LoraCache;

export async function projectForward(
  be: Backend,
  p: Projection,
  x: Tensor,
): Promise<{ y: Tensor; cache: ProjectionCache }> {
  return p.forward(be, x);
}

export async function projectBackward(be: Backend, p: Projection, dy: Tensor, cache: ProjectionCache): Promise<Tensor> {
  if (p instanceof LoraLinear) return p.backward(be, dy, cache as LoraCache);
  return p.backward(be, dy, cache as LinearCache);
}

export function disposeProjectionCache(p: Projection, cache: ProjectionCache): void {
  if (p instanceof LoraLinear) p.disposeCache(cache as LoraCache);
}

export type { LoraConfig };
