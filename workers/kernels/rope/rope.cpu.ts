// CPU (float32) implementation of rotary position embedding for the CPU backend (rope.ref.ts: rotate_half
// pairing i ↔ i + HS/2, tables [T, HS/2] shared or [B, T, HS/2] per batch row).
import type { CpuTensor } from '../../backend/cpu-backend';

export function ropeCpu([x, cos, sin]: readonly CpuTensor[], [y]: readonly CpuTensor[]): void {
  const [B, T, NH, HS] = x.shape;
  const H2 = HS / 2;
  const perRow = cos.shape.length === 3;
  const X = x.data as Float32Array;
  const Cs = cos.data as Float32Array;
  const Sn = sin.data as Float32Array;
  const Y = y.data as Float32Array;
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++) {
      const tab = (perRow ? b * T + t : t) * H2;
      for (let h = 0; h < NH; h++) {
        const base = ((b * T + t) * NH + h) * HS;
        for (let i = 0; i < H2; i++) {
          const c = Cs[tab + i];
          const s = Sn[tab + i];
          const x1 = X[base + i];
          const x2 = X[base + i + H2];
          Y[base + i] = x1 * c - x2 * s;
          Y[base + i + H2] = x2 * c + x1 * s;
        }
      }
    }
}
