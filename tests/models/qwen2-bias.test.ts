// Qwen2-style q/k/v projection biases in the Llama implementation, checked against an independent float64 forward.
// The float64 forward is first validated on the plain Llama fixture against Hugging Face's logits, then both run on
// the same checkpoint with seeded random q/k/v biases added (model_type qwen2).
import { describe, expect, it } from 'vitest';
import { LlamaForCausalLM } from '../../models/llama/model';
import { openCheckpoint, type Checkpoint } from '../../models/load/checkpoint';
import { dirSource } from '../../models/load/node-source';
import { writeSafetensors } from '../../models/load/safetensors';
import { memorySource } from '../../models/load/source';
import { randn } from '../helpers/random';
import { expectClose } from '../helpers/compare';
import { testBackend } from '../helpers/gpu';
import { fixtures } from './fixtures';

const [f] = fixtures('LlamaForCausalLM');

/** Logits [T, V] of one unpadded sequence, float64, HF Llama semantics (+ optional q/k/v biases). */
function forward64(w: Map<string, Float64Array>, c: Record<string, number>, ids: number[]): Float64Array {
  const [C, L, NH, NKV, I, V] = [
    c.hidden_size,
    c.num_hidden_layers,
    c.num_attention_heads,
    c.num_key_value_heads,
    c.intermediate_size,
    c.vocab_size,
  ];
  const HS = c.head_dim ?? C / NH;
  const T = ids.length;
  const lin = (x: Float64Array, name: string, out: number, inp: number) => {
    const W = w.get(`${name}.weight`)!;
    const b = w.get(`${name}.bias`);
    const y = new Float64Array(T * out);
    for (let t = 0; t < T; t++)
      for (let o = 0; o < out; o++) {
        let s = b ? b[o] : 0;
        for (let k = 0; k < inp; k++) s += x[t * inp + k] * W[o * inp + k];
        y[t * out + o] = s;
      }
    return y;
  };
  const rms = (x: Float64Array, g: Float64Array) => {
    const y = new Float64Array(x.length);
    for (let t = 0; t < T; t++) {
      let ss = 0;
      for (let k = 0; k < C; k++) ss += x[t * C + k] ** 2;
      const r = 1 / Math.sqrt(ss / C + c.rms_norm_eps);
      for (let k = 0; k < C; k++) y[t * C + k] = x[t * C + k] * r * g[k];
    }
    return y;
  };
  const rope = (x: Float64Array, heads: number) => {
    for (let t = 0; t < T; t++)
      for (let h = 0; h < heads; h++)
        for (let i = 0; i < HS / 2; i++) {
          const ang = t * c.rope_theta ** (-(2 * i) / HS);
          const o = (t * heads + h) * HS;
          const [a, b] = [x[o + i], x[o + i + HS / 2]];
          x[o + i] = a * Math.cos(ang) - b * Math.sin(ang);
          x[o + i + HS / 2] = b * Math.cos(ang) + a * Math.sin(ang);
        }
  };
  let x = new Float64Array(T * C);
  ids.forEach((id, t) => x.set(w.get('model.embed_tokens.weight')!.subarray(id * C, (id + 1) * C), t * C));
  for (let l = 0; l < L; l++) {
    const p = `model.layers.${l}`;
    const h = rms(x, w.get(`${p}.input_layernorm.weight`)!);
    const q = lin(h, `${p}.self_attn.q_proj`, NH * HS, C);
    const k = lin(h, `${p}.self_attn.k_proj`, NKV * HS, C);
    const v = lin(h, `${p}.self_attn.v_proj`, NKV * HS, C);
    rope(q, NH);
    rope(k, NKV);
    const att = new Float64Array(T * NH * HS);
    for (let hd = 0; hd < NH; hd++) {
      const g = Math.floor(hd / (NH / NKV));
      for (let i = 0; i < T; i++) {
        const s: number[] = [];
        for (let j = 0; j <= i; j++) {
          let d = 0;
          for (let e = 0; e < HS; e++) d += q[(i * NH + hd) * HS + e] * k[(j * NKV + g) * HS + e];
          s.push(d / Math.sqrt(HS));
        }
        const m = Math.max(...s);
        const ex = s.map((z) => Math.exp(z - m));
        const z = ex.reduce((a, b) => a + b, 0);
        ex.forEach((e, j) => {
          for (let d = 0; d < HS; d++) att[(i * NH + hd) * HS + d] += (e / z) * v[(j * NKV + g) * HS + d];
        });
      }
    }
    const o = lin(att, `${p}.self_attn.o_proj`, C, NH * HS);
    x = x.map((val, i) => val + o[i]);
    const h2 = rms(x, w.get(`${p}.post_attention_layernorm.weight`)!);
    const gate = lin(h2, `${p}.mlp.gate_proj`, I, C);
    const up = lin(h2, `${p}.mlp.up_proj`, I, C);
    const act = gate.map((gv, i) => (gv / (1 + Math.exp(-gv))) * up[i]);
    const down = lin(act, `${p}.mlp.down_proj`, C, I);
    x = x.map((val, i) => val + down[i]);
  }
  return lin(rms(x, w.get('model.norm.weight')!), 'lm_head', V, C);
}

async function tensors(ck: Checkpoint): Promise<Map<string, Float64Array>> {
  const w = new Map<string, Float64Array>();
  for (const n of ck.names()) w.set(n, Float64Array.from(await ck.read(n)));
  return w;
}

describe('Qwen2-style q/k/v biases', () => {
  it('match an independent float64 forward (itself checked against HF on the plain fixture)', async () => {
    const be = await testBackend();
    const ck = await openCheckpoint(dirSource(f.dir));
    const cfg = ck.config as Record<string, number>;
    const w = await tensors(ck);
    const inp = f.ref.inputs;
    const len = inp.attention_mask[0].reduce((a: number, b: number) => a + b, 0);
    const ids: number[] = inp.input_ids[0].slice(0, len);
    const V = cfg.vocab_size;
    // 1. The float64 reference reproduces HF on the plain fixture (row 0, its real positions).
    const ref64 = forward64(w, cfg, ids);
    expectClose(ref64, f.ref.outputs.logits.data.slice(0, len * V), { atol: 1e-4, rtol: 0 }, 'float64 forward vs HF');
    // 2. Add seeded biases to q/k/v, as Qwen2 checkpoints have them.
    const files: { name: string; dtype: 'F32'; shape: number[]; data: Float32Array }[] = [];
    for (const n of ck.names()) files.push({ name: n, dtype: 'F32', shape: ck.info(n).shape, data: await ck.read(n) });
    let seed = 11;
    for (let l = 0; l < cfg.num_hidden_layers; l++)
      for (const proj of ['q_proj', 'k_proj', 'v_proj']) {
        const rows = ck.info(`model.layers.${l}.self_attn.${proj}.weight`).shape[0];
        const b = Float32Array.from(randn(rows, seed++, 0.5));
        files.push({ name: `model.layers.${l}.self_attn.${proj}.bias`, dtype: 'F32', shape: [rows], data: b });
        w.set(`model.layers.${l}.self_attn.${proj}.bias`, Float64Array.from(b));
      }
    const config = JSON.stringify({ ...ck.config, model_type: 'qwen2', attention_bias: true });
    const biased = await openCheckpoint(
      memorySource({ 'config.json': config, 'model.safetensors': writeSafetensors(files) }),
    );
    const model = await LlamaForCausalLM.load(be, biased);
    const out = await model.forward({ inputIds: [ids] });
    const got = await be.download(out.logits);
    const want = forward64(w, cfg, ids);
    expectClose(got, want, { atol: 1e-4, rtol: 0 }, 'biased logits vs float64');
    // The biases must matter, or this proves nothing.
    const moved = want.reduce((m, x, i) => Math.max(m, Math.abs(x - ref64[i])), 0);
    expect(moved).toBeGreaterThan(1e-2);
    model.dispose(out);
  });
});
