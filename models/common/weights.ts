// Loading named checkpoint tensors onto a backend with their shapes checked against the config, so a checkpoint
// that does not fit its config fails with the tensor's name instead of producing garbage.
import type { Backend, Tensor } from '../../workers/backend/backend';
import { quantize, type QuantDType } from '../../workers/kernels/quantize/quantize';
import type { Param } from '../../workers/nn/param';
import { param } from '../../workers/nn/param';
import type { Checkpoint } from '../load/checkpoint';

/** How frozen linear weights are stored on the GPU. Everything else (norms, biases, embeddings) stays f32.
 *  f16 halves memory where the device has shader-f16; q8 / q4 are GGUF-style blocks (workers/kernels/quantize). */
export type WeightFormat = 'f32' | 'f16' | 'q8' | 'q4';
/** What a model loader accepts: a storage format, or 'auto' (the default): f16 where the backend has shader-f16
 *  (half the memory, within f16 rounding of f32; tests/lavapipe/model-auto.test.ts), f32 elsewhere. */
export type WeightFormatOption = WeightFormat | 'auto';

/** The storage format an option means on this backend. */
export function resolveWeightFormat(be: Backend, format: WeightFormatOption = 'auto'): WeightFormat {
  if (format === 'auto') return be.features.f16 ? 'f16' : 'f32';
  return format;
}

export class CheckpointMismatchError extends Error {
  override readonly name = 'CheckpointMismatchError';
}

export interface WeightLoader {
  be: Backend;
  ckpt: Checkpoint;
  format: WeightFormat;
}

async function readChecked(l: WeightLoader, name: string, shape: readonly number[]): Promise<Float32Array> {
  if (!l.ckpt.has(name))
    throw new CheckpointMismatchError(`checkpoint has no tensor "${name}" (expected shape [${shape}])`);
  const info = l.ckpt.info(name);
  const n = shape.reduce((a, b) => a * b, 1);
  const sameShape = info.shape.length === shape.length && info.shape.every((d, i) => d === shape[i]);
  if (!sameShape)
    throw new CheckpointMismatchError(`tensor "${name}" has shape [${info.shape}], the config implies [${shape}]`);
  const data = await l.ckpt.read(name);
  if (data.length !== n)
    throw new CheckpointMismatchError(`tensor "${name}" holds ${data.length} values, expected ${n}`);
  return data;
}

/** A frozen f32 tensor (embeddings, norms, biases). */
export async function loadF32(l: WeightLoader, name: string, shape: readonly number[]): Promise<Param> {
  return param(name, l.be.upload(await readChecked(l, name, shape), shape));
}

/** A linear weight [out, in] in the loader's format; quantised only when `in` is a multiple of the group size. */
export async function loadLinearWeight(
  l: WeightLoader,
  name: string,
  shape: readonly [number, number],
): Promise<Param> {
  if (l.format === 'f16' && !l.be.features.f16)
    throw new CheckpointMismatchError(
      'f16 weights need the GPU feature shader-f16, which this device lacks: load with f32, q8 or q4',
    );
  const data = await readChecked(l, name, shape);
  if (l.format === 'f16') return param(name, l.be.upload(data, shape, 'f16'));
  if (l.format === 'f32' || shape[1] % 32 !== 0) return param(name, l.be.upload(data, shape));
  const q: QuantDType = l.format;
  return param(name, l.be.upload(quantize(data, [shape[0], shape[1]], q), shape, q));
}

export async function loadOptionalF32(l: WeightLoader, name: string, shape: readonly number[]): Promise<Param | null> {
  return l.ckpt.has(name) ? loadF32(l, name, shape) : null;
}

export function tensorOf(p: Param): Tensor {
  return p.value;
}

export function configNumber(config: Record<string, unknown>, key: string, fallback?: number): number {
  const v = config[key];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (fallback !== undefined && (v === undefined || v === null)) return fallback;
  throw new CheckpointMismatchError(`config.json: "${key}" must be a number, got ${JSON.stringify(v)}`);
}
