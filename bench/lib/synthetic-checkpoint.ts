// Seeded random weights held in memory as a Checkpoint (models/load/checkpoint.ts), so the benchmark loads
// XLM-R and Llama shapes through the models' own load() without writing or parsing a safetensors file.
import type { Checkpoint } from '../../models/load/checkpoint';

export interface SyntheticTensor {
  shape: number[];
  data: Float32Array;
}

export function memoryCheckpoint(config: Record<string, unknown>, tensors: Map<string, SyntheticTensor>): Checkpoint {
  const get = (name: string) => {
    const t = tensors.get(name);
    if (!t) throw new Error(`synthetic checkpoint has no tensor "${name}"`);
    return t;
  };
  return {
    config,
    names: () => [...tensors.keys()],
    has: (name) => tensors.has(name),
    info: (name) => ({
      name,
      dtype: 'F32',
      shape: get(name).shape,
      file: 'memory',
      begin: 0,
      end: 4 * get(name).data.length,
    }),
    read: async (name) => get(name).data,
  };
}

/** Kinds of tensor and their value ranges: U(−s, s) matrices, norm weights near 1, small biases. */
export type WeightKind = 'matrix' | 'embedding' | 'norm' | 'bias';

const SCALE: Record<WeightKind, number> = { matrix: 0.05, embedding: 0.5, norm: 0.1, bias: 0.05 };

/** A tensor from `random` (uniform in [−1, 1)), scaled by kind; the same random stream gives the same weights. */
export function syntheticTensor(
  random: (n: number) => Float32Array,
  shape: number[],
  kind: WeightKind,
): SyntheticTensor {
  const data = random(shape.reduce((a, b) => a * b, 1));
  const s = SCALE[kind];
  for (let i = 0; i < data.length; i++) data[i] = (kind === 'norm' ? 1 : 0) + s * data[i];
  return { shape, data };
}
