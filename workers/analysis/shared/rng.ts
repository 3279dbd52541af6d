// The project's one seeded random number generator (mulberry32) and what is drawn from it: uniforms, indices,
// shuffles and normals. Splits, shuffles, MLM masking, LoRA initialisation, dropout masks, sampling and the demo
// models must be reproducible from a seed written into the spec, in the worker, the CLI and the main thread alike.

export type Rng = () => number;

/** A uniform [0, 1) generator from a 32-bit seed (mulberry32). */
export function seededRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform integer in [0, n). */
export function randIndex(rng: Rng, n: number): number {
  return Math.min(n - 1, Math.floor(rng() * n));
}

/** Fisher–Yates shuffle into a new array; the input is left untouched. */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = randIndex(rng, i + 1);
    const tmp = out[i];
    out[i] = out[j];
    out[j] = tmp;
  }
  return out;
}

/** One standard-normal value (Box–Muller from two uniforms; the floor keeps the log finite). */
export function normal(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(Math.max(rng(), 1e-12))) * Math.cos(2 * Math.PI * rng());
}

/** `n` values of N(0, std²) as float32, so a float64 reference sees exactly the numbers the GPU sees. */
export function normals(rng: Rng, n: number, std = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = std * normal(rng);
  return out;
}
