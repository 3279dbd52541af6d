// llama2.c checkpoints as HF-named Llama checkpoints: v0 and v1 files agree, and a float64 forward written in the
// HF convention (rotate_half RoPE, GQA head h → kv head h // (NH / NKV)) over the exposed tensors reproduces the
// golden greedy continuation; the tokenizer decodes it to the golden text and round-trips text.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Checkpoint } from '../../models/load/checkpoint';
import { loadLlama2cTokenizer, parseLlama2cTokenizer } from '../../models/load/llama2c-tokenizer';
import { openLlama2c, parseLlama2cHeader, permuteForRotateHalf } from '../../models/load/llama2c';
import { dirSource } from '../../models/load/node-source';
import { shared } from '../helpers/shared';

const DIR = shared('models/stories260K');
const golden = JSON.parse(readFileSync(`${DIR}/golden_greedy_200.json`, 'utf8')) as {
  start_token: number;
  token_ids: number[];
  text: string;
};

/** Greedy decoding in float64 with HF Llama semantics, reading weights by their HF names. */
async function greedyHf(ck: Checkpoint, start: number, steps: number): Promise<number[]> {
  const c = ck.config as Record<string, number>;
  const [D, L, NH, NKV, F] = [
    c.hidden_size,
    c.num_hidden_layers,
    c.num_attention_heads,
    c.num_key_value_heads,
    c.intermediate_size,
  ];
  const HS = D / NH;
  const w = new Map<string, Float64Array>();
  for (const n of ck.names()) w.set(n, Float64Array.from(await ck.read(n)));
  const W = (n: string) => w.get(n)!;
  const matvec = (m: Float64Array, x: Float64Array, rows: number) => {
    const out = new Float64Array(rows);
    for (let r = 0; r < rows; r++) for (let j = 0; j < x.length; j++) out[r] += m[r * x.length + j] * x[j];
    return out;
  };
  const rms = (x: Float64Array, g: Float64Array) => {
    const s = 1 / Math.sqrt(x.reduce((a, v) => a + v * v, 0) / x.length + c.rms_norm_eps);
    return x.map((v, i) => v * s * g[i]);
  };
  const rope = (v: Float64Array, heads: number, pos: number) => {
    for (let h = 0; h < heads; h++)
      for (let i = 0; i < HS / 2; i++) {
        const ang = pos * c.rope_theta ** (-(2 * i) / HS);
        const [a, b] = [v[h * HS + i], v[h * HS + i + HS / 2]];
        v[h * HS + i] = a * Math.cos(ang) - b * Math.sin(ang);
        v[h * HS + i + HS / 2] = b * Math.cos(ang) + a * Math.sin(ang);
      }
  };
  const kc: Float64Array[][] = Array.from({ length: L }, () => []);
  const vc: Float64Array[][] = Array.from({ length: L }, () => []);
  const out: number[] = [];
  let tok = start;
  for (let pos = 0; pos < steps; pos++) {
    let x = W('model.embed_tokens.weight').slice(tok * D, (tok + 1) * D);
    for (let l = 0; l < L; l++) {
      const p = `model.layers.${l}.`;
      const xb = rms(x, W(p + 'input_layernorm.weight'));
      const q = matvec(W(p + 'self_attn.q_proj.weight'), xb, D);
      const k = matvec(W(p + 'self_attn.k_proj.weight'), xb, NKV * HS);
      rope(q, NH, pos);
      rope(k, NKV, pos);
      kc[l].push(k);
      vc[l].push(matvec(W(p + 'self_attn.v_proj.weight'), xb, NKV * HS));
      const att = new Float64Array(D);
      for (let h = 0; h < NH; h++) {
        const g = Math.floor(h / (NH / NKV));
        const s = kc[l].map((kt) => {
          let d = 0;
          for (let i = 0; i < HS; i++) d += q[h * HS + i] * kt[g * HS + i];
          return d / Math.sqrt(HS);
        });
        const m = Math.max(...s);
        const e = s.map((v) => Math.exp(v - m));
        const z = e.reduce((a, b) => a + b, 0);
        e.forEach((ev, t) => {
          for (let i = 0; i < HS; i++) att[h * HS + i] += (ev / z) * vc[l][t][g * HS + i];
        });
      }
      x = x.map((v, i) => v + matvec(W(p + 'self_attn.o_proj.weight'), att, D)[i]);
      const xf = rms(x, W(p + 'post_attention_layernorm.weight'));
      const g1 = matvec(W(p + 'mlp.gate_proj.weight'), xf, F);
      const u = matvec(W(p + 'mlp.up_proj.weight'), xf, F);
      const hdn = g1.map((v, i) => (v / (1 + Math.exp(-v))) * u[i]);
      const dn = matvec(W(p + 'mlp.down_proj.weight'), hdn, D);
      x = x.map((v, i) => v + dn[i]);
    }
    const logits = matvec(W('lm_head.weight'), rms(x, W('model.norm.weight')), c.vocab_size);
    tok = logits.indexOf(Math.max(...logits));
    out.push(tok);
  }
  return out;
}

describe('llama2.c checkpoints', () => {
  const src = dirSource(DIR);

  it('v0 and v1 files give the same HF-named tensors and config', async () => {
    const v0 = await openLlama2c({ source: src, file: 'stories260K.bin' });
    const v1 = await openLlama2c({ source: src, file: 'stories260K_v1.bin' });
    const h = parseLlama2cHeader(new Uint8Array(readFileSync(`${DIR}/stories260K.bin`).subarray(0, 28)));
    expect(v0.config).toMatchObject({
      hidden_size: h.dim,
      num_hidden_layers: h.nLayers,
      num_key_value_heads: h.nKvHeads,
      rms_norm_eps: 1e-5,
      rope_theta: 10000,
    });
    expect({ ...v1.config, llama2c_version: 0 }).toEqual(v0.config);
    expect(v1.names().sort()).toEqual(v0.names().sort());
    expect(v0.names()).toContain('lm_head.weight');
    expect(v0.names()).toContain(`model.layers.${h.nLayers - 1}.mlp.down_proj.weight`);
    for (const n of v0.names()) {
      expect(v1.info(n).shape, n).toEqual(v0.info(n).shape);
      expect(await v1.read(n), n).toEqual(await v0.read(n));
    }
  });

  it('rejects a truncated file and a wrong format version', async () => {
    const bytes = new Uint8Array(readFileSync(`${DIR}/stories260K_v1.bin`));
    const v2 = bytes.slice(0, 256);
    new DataView(v2.buffer).setInt32(4, 2, true);
    expect(() => parseLlama2cHeader(v2)).toThrow(/version 2 is not supported/);
    const { memorySource } = await import('../../models/load/source');
    await expect(
      openLlama2c({ source: memorySource({ 'm.bin': bytes.subarray(0, 5000) }), file: 'm.bin' }),
    ).rejects.toThrow(/implies \d+ bytes but the file has 5000/);
  });

  it('permutes q/k rows per head for rotate_half (pinned)', () => {
    // One head of 4 rows (2 pairs) × 1 column: interleaved (0,1),(2,3) → halves (0,2),(1,3): rows [a0, a2, a1, a3].
    expect(Array.from(permuteForRotateHalf(Float32Array.of(10, 11, 12, 13), 1, 4, 1))).toEqual([10, 12, 11, 13]);
    // Two heads of 2 rows × 2 columns: with HS=2 the permutation is the identity.
    const w = Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    expect(permuteForRotateHalf(w, 2, 2, 2)).toEqual(w);
  });

  it('HF-convention float64 greedy decoding reproduces the golden continuation', async () => {
    const ck = await openLlama2c({ source: src, file: 'stories260K.bin' });
    const ids = await greedyHf(ck, golden.start_token, golden.token_ids.length);
    expect(ids).toEqual(golden.token_ids);
  });

  it('tokenizer: decodes the golden ids to the golden text; encode round-trips and uses merges', async () => {
    const ck = await openLlama2c({ source: src, file: 'stories260K.bin' });
    const tok = await loadLlama2cTokenizer({
      source: src,
      file: 'tok512.bin',
      vocabSize: ck.config.vocab_size as number,
    });
    expect(tok.decode(golden.token_ids, { prev: golden.start_token })).toBe(golden.text);
    expect(tok.encode('')).toEqual([tok.bosId]);
    for (const text of [
      'Once upon a time, there was a little girl.',
      'Lily said, "Hi!"\nMom smiled.',
      'naïve café €5 日本',
    ]) {
      const ids = tok.encode(text);
      expect(ids[0]).toBe(tok.bosId);
      expect(tok.decode(ids.slice(1))).toBe(text);
      expect(ids.length - 2).toBeLessThan(new TextEncoder().encode(text).length); // merges happened
    }
    // The greedy sample's first sentence is tokenised the way the model generated it (it is the BPE fixed point).
    const first = golden.text.slice(0, golden.text.indexOf('.') + 1);
    const n = tok.encode(first).length - 1;
    expect(tok.encode(first).slice(1)).toEqual(golden.token_ids.slice(0, n));
    expect(tok.encode('hi', { bos: false, eos: true }).at(-1)).toBe(tok.eosId);
    expect(() =>
      parseLlama2cTokenizer(new Uint8Array(readFileSync(`${DIR}/tok512.bin`)).subarray(0, 100), { vocabSize: 512 }),
    ).toThrow(/truncated/);
  });
});
