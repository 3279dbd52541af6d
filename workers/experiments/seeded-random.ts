// Seeded random numbers for experiments (mulberry32 + Box–Muller): the same seed gives the same run in every host.

export { mulberry32 } from '../nn/rng';

/** n standard-normal values rounded to float32, so a float64 reference sees exactly what the GPU sees. */
export function normalF32(n: number, next: () => number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(Math.max(next(), 1e-12))) * Math.cos(2 * Math.PI * next());
  return out;
}
