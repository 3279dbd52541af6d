// Seeded random numbers for kernel tests (mulberry32 + Box–Muller), so a failing case can be replayed.

import { seededRng as rng } from '../../workers/analysis/shared/rng';

export { rng };

export function randn(n: number, seed: number, scale = 1): Float64Array {
  const r = rng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = Math.max(r(), 1e-12);
    out[i] = scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
  }
  return out;
}

export function randInt(lo: number, hi: number, r: () => number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

/** Round-trip through float32 so the reference sees exactly the values the GPU sees. */
export function f32(x: Float64Array): Float64Array {
  return Float64Array.from(Float32Array.from(x));
}
