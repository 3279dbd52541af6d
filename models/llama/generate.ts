// Autoregressive decoding for LlamaForCausalLM with a KV cache: one prefill pass over the prompt, then one
// position per step; the LM head runs on the last position only. Rows must have equal prompt lengths (no padding).
import type { Tensor } from '../../workers/backend/backend';
import { embedding } from '../../workers/kernels/embedding/embedding';
import { ropeTables } from '../../workers/kernels/rope/rope';
import type { KvCache } from '../../workers/nn/attention';
import { disposeAll } from '../../workers/nn/param';
import { disposeNormCache } from '../../workers/nn/norms';
import { Sampler, type SamplingOptions } from '../common/sampling';
import type { LlamaForCausalLM } from './model';

export interface GenerateOptions extends SamplingOptions {
  maxNewTokens: number;
  /** Stop a row when it emits one of these ids (default: the config's eos_token_id). */
  eosTokenIds?: number[];
  onToken?: (step: number, ids: number[]) => void;
  signal?: AbortSignal;
}

/** Runs positions [start, start + T) of `ids` through the model, growing `past`; returns last-position logits [B, V]. */
async function step(
  model: LlamaForCausalLM,
  ids: number[][],
  start: number,
  past: (KvCache | null)[],
): Promise<Float32Array> {
  const be = model.be;
  const B = ids.length;
  const T = ids[0].length;
  const { head_dim, rope_theta, rope_scaling, hidden_size: C, vocab_size: V } = model.config;
  const positions = Array.from({ length: T }, (_, i) => start + i);
  const tables = ropeTables({ positions, headDim: head_dim, theta: rope_theta, scaling: rope_scaling ?? undefined });
  const cos = be.upload(tables.cos, [T, head_dim / 2]);
  const sin = be.upload(tables.sin, [T, head_dim / 2]);
  const idT = be.upload(ids.flat(), [B, T], 'i32');
  let x = await embedding(be, model.embedTokens.value, idT);
  for (let i = 0; i < model.layers.length; i++) {
    const block = model.layers[i];
    const r = await block.forwardCached(be, x, { causal: true, rope: { cos, sin } }, past[i]);
    past[i] = r.present;
    x.dispose();
    x = r.y;
  }
  // Only the last position of each row needs the vocabulary projection.
  const lastRows = be.upload(
    Array.from({ length: B }, (_, b) => b * T + T - 1),
    [B],
    'i32',
  );
  const last = await embedding(be, be.reshape(x, [B * T, C]), lastRows);
  const n = await model.norm.forward(be, last);
  const { y: logits } = await model.lmHead.forward(be, n.y);
  const out = (await be.download(logits)) as Float32Array;
  disposeNormCache(n.cache);
  disposeAll(cos, sin, idT, x, lastRows, last, n.y, logits);
  if (out.length !== B * V) throw new Error('generate: unexpected logits size');
  return out;
}

/** Returns the generated ids per row (prompt excluded). */
export async function generate(
  model: LlamaForCausalLM,
  prompt: number[][],
  opts: GenerateOptions,
): Promise<number[][]> {
  const V = model.config.vocab_size;
  const eos = opts.eosTokenIds ?? [model.config.eos_token_id ?? []].flat();
  const sampler = new Sampler(opts);
  const past: (KvCache | null)[] = model.layers.map(() => null);
  const out: number[][] = prompt.map(() => []);
  const done = prompt.map(() => false);
  try {
    let logits = await step(model, prompt, 0, past);
    let pos = prompt[0].length;
    for (let s = 0; s < opts.maxNewTokens; s++) {
      opts.signal?.throwIfAborted();
      const next = prompt.map((_, b) => (done[b] ? (eos[0] ?? 0) : sampler.next(logits.subarray(b * V, (b + 1) * V))));
      next.forEach((id, b) => {
        if (done[b]) return;
        out[b].push(id);
        if (eos.includes(id)) done[b] = true;
      });
      opts.onToken?.(s, next);
      if (done.every(Boolean) || s === opts.maxNewTokens - 1) break;
      logits = await step(
        model,
        next.map((id) => [id]),
        pos,
        past,
      );
      pos++;
    }
  } finally {
    for (const p of past) if (p) disposeAll(p.k, p.v);
  }
  return out;
}

export type { Tensor };
