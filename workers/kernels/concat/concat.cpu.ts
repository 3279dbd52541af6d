// CPU (float32) implementation of concatenation along axis 1 for the CPU backend (concat.ref.ts): KV-cache growth.
import type { CpuTensor } from '../../backend/cpu-backend';

export function concatCpu([a, c]: readonly CpuTensor[], [out]: readonly CpuTensor[]): void {
  const [B, S1] = a.shape;
  const S2 = c.shape[1];
  const D = a.shape.slice(2).reduce((x, y) => x * y, 1);
  const A = a.data as Float32Array;
  const Cc = c.data as Float32Array;
  const O = out.data as Float32Array;
  for (let b = 0; b < B; b++) {
    O.set(A.subarray(b * S1 * D, (b + 1) * S1 * D), b * (S1 + S2) * D);
    O.set(Cc.subarray(b * S2 * D, (b + 1) * S2 * D), (b * (S1 + S2) + S1) * D);
  }
}
