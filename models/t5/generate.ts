// Decoding for T5ForConditionalGeneration: the encoder runs once, then one decoder position per step through the
// KV cache of kv-decoder.ts; greedy, or sampling with temperature, top-k, top-p and a seed (models/common/sampling).
// Output rows follow transformers' generate(): [decoder_start, tokens…], and a row that has produced EOS is filled
// with pad. `generateUncached` recomputes the decoder over the whole prefix at every step (O(steps²)): the
// reference the cached path is tested against.
import { Sampler, type SamplingOptions } from '../common/sampling';
import { T5KvDecoder } from './kv-decoder';
import type { T5EncoderBatch, T5ForConditionalGeneration } from './model';

export interface GenerateOptions extends T5EncoderBatch, SamplingOptions {
  maxNewTokens: number;
  /** Called after each step with the tokens appended (pad for finished rows). */
  onToken?: (step: number, ids: number[]) => void;
  signal?: AbortSignal;
}

/** The greedy subset (no temperature): kept for callers written before sampling existed. */
export type GreedyOptions = GenerateOptions;

export function argmaxRows(logits: Float32Array, rows: number, V: number, row: (r: number) => number): number[] {
  return Array.from({ length: rows }, (_, r) => {
    const o = row(r) * V;
    let best = 0;
    for (let v = 1; v < V; v++) if (logits[o + v] > logits[o + best]) best = v;
    return best;
  });
}

interface DecodeLoop {
  seqs: number[][];
  done: boolean[];
}

/**
 * One step of the shared loop: rows in order draw from `logits` (row b at `rowOf(b)`), finished rows get pad and
 * draw nothing, so both decoding paths consume the sampler's random stream identically.
 */
function appendTokens(
  model: T5ForConditionalGeneration,
  sampler: Sampler,
  loop: DecodeLoop,
  logits: Float32Array,
  rowOf: (b: number) => number,
): number[] {
  const { eos_token_id: eos, pad_token_id: pad, vocab_size: V } = model.config;
  return loop.seqs.map((seq, b) => {
    if (loop.done[b]) {
      seq.push(pad);
      return pad;
    }
    const tok = sampler.next(logits.subarray(rowOf(b) * V, (rowOf(b) + 1) * V));
    seq.push(tok);
    if (tok === eos) loop.done[b] = true;
    return tok;
  });
}

export async function generate(model: T5ForConditionalGeneration, opts: GenerateOptions): Promise<number[][]> {
  const start = model.config.decoder_start_token_id;
  const sampler = new Sampler(opts);
  const enc = await model.encode(opts);
  const loop: DecodeLoop = { seqs: opts.inputIds.map(() => [start]), done: opts.inputIds.map(() => false) };
  let kv: T5KvDecoder | null = null;
  try {
    kv = await T5KvDecoder.create(model, enc);
    let next = loop.seqs.map(() => start);
    for (let step = 0; step < opts.maxNewTokens && loop.done.includes(false); step++) {
      opts.signal?.throwIfAborted();
      const logits = await kv.step(next);
      next = appendTokens(model, sampler, loop, logits, (b) => b);
      opts.onToken?.(step, next);
    }
  } finally {
    kv?.dispose();
    model.disposeEncoder(enc);
  }
  return loop.seqs;
}

export async function generateUncached(model: T5ForConditionalGeneration, opts: GenerateOptions): Promise<number[][]> {
  const start = model.config.decoder_start_token_id;
  const sampler = new Sampler(opts);
  const enc = await model.encode(opts);
  const loop: DecodeLoop = { seqs: opts.inputIds.map(() => [start]), done: opts.inputIds.map(() => false) };
  try {
    for (let step = 0; step < opts.maxNewTokens && loop.done.includes(false); step++) {
      opts.signal?.throwIfAborted();
      const d = await model.decode(enc, { decoderInputIds: loop.seqs });
      const T = loop.seqs[0].length;
      const logits = (await model.be.download(d.logits)) as Float32Array;
      model.disposeDecode(d);
      const next = appendTokens(model, sampler, loop, logits, (b) => b * T + T - 1);
      opts.onToken?.(step, next);
    }
  } finally {
    model.disposeEncoder(enc);
  }
  return loop.seqs;
}
