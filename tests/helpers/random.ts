// Seeded random numbers for kernel tests (the project's generator, workers/analysis/shared/rng.ts), so a failing
// case can be replayed.
import { normal, seededRng as rng } from '../../workers/analysis/shared/rng';

export { rng };

export function randn(n: number, seed: number, scale = 1): Float64Array {
  const r = rng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = scale * normal(r);
  return out;
}

export function randInt(lo: number, hi: number, r: () => number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

/** Round-trip through float32 so the reference sees exactly the values the GPU sees. */
export function f32(x: Float64Array): Float64Array {
  return Float64Array.from(Float32Array.from(x));
}
