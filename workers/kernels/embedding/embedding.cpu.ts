// CPU (float32) implementation of the row gather for the CPU backend (embedding.ref.ts): out[s] = table[ids[s]],
// zero rows for ids outside [0, V), exactly as the WebGPU kernel.
import type { CpuTensor } from '../../backend/cpu-backend';

export function embeddingCpu([table, ids]: readonly CpuTensor[], [out]: readonly CpuTensor[]): void {
  const [V, C] = table.shape;
  const T = table.data as Float32Array;
  const I = ids.data as Int32Array;
  const O = out.data as Float32Array;
  for (let s = 0; s < I.length; s++) {
    const id = I[s];
    if (id >= 0 && id < V) O.set(T.subarray(id * C, (id + 1) * C), s * C);
    else O.fill(0, s * C, (s + 1) * C);
  }
}
