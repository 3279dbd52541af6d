// Greedy decoding for T5 without a KV cache: the encoder runs once, the decoder is recomputed over the whole
// prefix at every step (O(steps²), fine for short targets; KV-cache generation replaces it). Output rows follow
// transformers' generate(): [decoder_start, tokens…], and a row that has produced EOS is filled with pad.
import type { T5EncoderBatch, T5ForConditionalGeneration } from './model';

export interface GreedyOptions extends T5EncoderBatch {
  maxNewTokens: number;
}

export function argmaxRows(logits: Float32Array, rows: number, V: number, row: (r: number) => number): number[] {
  return Array.from({ length: rows }, (_, r) => {
    const o = row(r) * V;
    let best = 0;
    for (let v = 1; v < V; v++) if (logits[o + v] > logits[o + best]) best = v;
    return best;
  });
}

export async function generate(model: T5ForConditionalGeneration, opts: GreedyOptions): Promise<number[][]> {
  const { decoder_start_token_id: start, eos_token_id: eos, pad_token_id: pad, vocab_size: V } = model.config;
  const B = opts.inputIds.length;
  const enc = await model.encode(opts);
  const seqs = opts.inputIds.map(() => [start]);
  const done = new Array<boolean>(B).fill(false);
  try {
    for (let step = 0; step < opts.maxNewTokens && done.includes(false); step++) {
      const d = await model.decode(enc, { decoderInputIds: seqs });
      const T = seqs[0].length;
      const logits = (await model.be.download(d.logits)) as Float32Array;
      model.disposeDecode(d);
      const next = argmaxRows(logits, B, V, (b) => b * T + T - 1);
      next.forEach((tok, b) => {
        seqs[b].push(done[b] ? pad : tok);
        if (tok === eos) done[b] = true;
      });
    }
  } finally {
    model.disposeEncoder(enc);
  }
  return seqs;
}
