// Seeded random numbers for kernel tests (mulberry32 + Box–Muller), so a failing case can be replayed.

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
