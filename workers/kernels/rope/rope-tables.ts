// CPU cos/sin tables for rotary position embeddings, matching Hugging Face transformers (4.47,
// modeling_rope_utils: `_compute_default_rope_parameters`, `_compute_llama3_parameters`; LlamaRotaryEmbedding)
// step by step in float32, as torch computes them on the CPU:
//   inv_freq[i] = 1 / theta^(2i/HS)  — exponent, power and reciprocal each rounded to float32 (torch's
//                 `scalar / tensor` is reciprocal(tensor) · scalar);
//   angle[t, i] = float32(inv_freq[i] · position[t]) (a K = 1 float32 matmul);
//   cos/sin    = float32 of cos/sin of that float32 angle (torch's float32 cos may differ by an ulp).
// Llama-3 scaling rescales inv_freq by wavelength band; its attention factor is 1 (the default's), so cos/sin
// are not rescaled.

const f = Math.fround;

/** `rope_scaling` of a Llama-3.x config.json (keys as in config.json). */
export interface Llama3RopeScaling {
  rope_type: 'llama3';
  factor: number;
  low_freq_factor: number;
  high_freq_factor: number;
  original_max_position_embeddings: number;
}

export interface RopeTableOptions {
  /** Position id of each of the T rows (non-trivial for padded batches and for KV-cache generation). */
  positions: readonly number[];
  /** HS, the head size (even). */
  headDim: number;
  /** rope_theta. */
  theta: number;
  scaling?: Llama3RopeScaling;
}

/** inv_freq [HS/2] as float32 values, with optional Llama-3 scaling. */
export function ropeInvFreq(headDim: number, theta: number, scaling?: Llama3RopeScaling): Float32Array {
  if (!Number.isInteger(headDim) || headDim <= 0 || headDim % 2)
    throw new Error(`rope: headDim must be a positive even integer, got ${headDim}`);
  const half = headDim / 2;
  const inv = new Float32Array(half);
  for (let i = 0; i < half; i++) inv[i] = f(1 / f(Math.pow(f(theta), f((2 * i) / headDim))));
  return scaling ? llama3Scale(inv, scaling) : inv;
}

function llama3Scale(inv: Float32Array, s: Llama3RopeScaling): Float32Array {
  if (s.rope_type !== 'llama3')
    throw new Error(`rope: only llama3 rope_scaling is supported, got ${String(s.rope_type)}`);
  const factor = f(s.factor);
  const low = f(s.low_freq_factor);
  const old = f(s.original_max_position_embeddings);
  const lowWavelen = f(s.original_max_position_embeddings / s.low_freq_factor);
  const highWavelen = f(s.original_max_position_embeddings / s.high_freq_factor);
  const span = f(s.high_freq_factor - s.low_freq_factor);
  const twoPi = f(2 * Math.PI);
  return inv.map((v) => {
    const wavelen = f(f(1 / v) * twoPi);
    // Long wavelengths (low frequencies) are divided by the factor, short ones kept, the band between blended.
    const base = wavelen > lowWavelen ? f(v / factor) : v;
    if (wavelen < highWavelen || wavelen > lowWavelen) return base;
    const smooth = f(f(f(f(1 / wavelen) * old) - low) / span);
    return f(f(f(f(1 - smooth) * base) / factor) + f(smooth * base));
  });
}

/** cos and sin tables, each [T, HS/2] row-major as float32. */
export function ropeTables({ positions, headDim, theta, scaling }: RopeTableOptions): {
  cos: Float32Array;
  sin: Float32Array;
} {
  const inv = ropeInvFreq(headDim, theta, scaling);
  const half = inv.length;
  const cos = new Float32Array(positions.length * half);
  const sin = new Float32Array(positions.length * half);
  positions.forEach((p, t) => {
    const pos = f(p);
    for (let i = 0; i < half; i++) {
      const angle = f(inv[i] * pos);
      cos[t * half + i] = Math.cos(angle);
      sin[t * half + i] = Math.sin(angle);
    }
  });
  return { cos, sin };
}
