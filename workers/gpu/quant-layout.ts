// Layout of quantised weight tensors, modelled on GGUF q8_0 / q4_0 blocks (32 weights share one scale) but
// split into two regions of one u32 array so that WGSL can read them without unaligned f16 loads:
//   words [0, N*K/32)           f32 scales (bit patterns), row-major over (row, group)
//   words [N*K/32, ...)          q8: 4 signed bytes per word;  q4: 8 nibbles per word, stored as q + 8
// Weights are rows of a linear layer: shape [N (out), K (in)], K a multiple of QUANT_GROUP.

export const QUANT_GROUP = 32;

export function quantWords(shape: readonly number[], dtype: 'q8' | 'q4' | string): number {
  const [n, k] = shape;
  const groups = (n * k) / QUANT_GROUP;
  return groups + (dtype === 'q8' ? (n * k) / 4 : (n * k) / 8);
}

/** Word offset where the packed integers start. */
export function quantDataOffset(shape: readonly number[]): number {
  return (shape[0] * shape[1]) / QUANT_GROUP;
}
