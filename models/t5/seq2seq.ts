// Seq2seq training and scoring for T5 as transformers' T5ForConditionalGeneration computes them:
// decoder_input_ids = _shift_right(labels), loss = cross-entropy of the decoder logits against labels, flat mean
// over labels != −100 of the whole batch (not a mean of per-row means).
import type { Tensor } from '../../workers/backend/backend';
import {
  crossEntropyBackprop,
  crossEntropyMean,
  disposeCrossEntropy,
  flatLabels,
  IGNORE_INDEX,
} from '../../workers/nn/losses';
import { rows2d } from '../../workers/nn/param';
import type { T5Batch, T5EncoderBatch, T5ForConditionalGeneration } from './model';

export interface Seq2SeqBatch extends T5EncoderBatch {
  labels: number[][]; // [B, Tt], −100 = ignored
  /** Defaults to shiftRight(labels). */
  decoderInputIds?: number[][];
  decoderAttentionMask?: number[][];
}

/** transformers' _shift_right: [start] + labels[:−1] per row, −100 replaced by pad. */
export function shiftRight(labels: readonly (readonly number[])[], decoderStartId: number, padId: number): number[][] {
  return labels.map((row) => [decoderStartId, ...row.slice(0, -1)].map((id) => (id === IGNORE_INDEX ? padId : id)));
}

function decoderBatch(model: T5ForConditionalGeneration, batch: Seq2SeqBatch): T5Batch {
  const { decoder_start_token_id: start, pad_token_id: pad } = model.config;
  return {
    inputIds: batch.inputIds,
    attentionMask: batch.attentionMask,
    decoderInputIds: batch.decoderInputIds ?? shiftRight(batch.labels, start, pad),
    decoderAttentionMask: batch.decoderAttentionMask,
  };
}

export async function seq2seqLoss(model: T5ForConditionalGeneration, batch: Seq2SeqBatch): Promise<number> {
  const out = await model.forward(decoderBatch(model, batch));
  const ce = await crossEntropyMean(model.be, rows2d(model.be, out.logits), flatLabels(batch.labels));
  disposeCrossEntropy(ce);
  model.dispose(out);
  return ce.loss;
}

/** Loss, with d(scale · loss)/dθ accumulated into the trainable params (LoRA adapters). */
export async function seq2seqLossAndGrad(
  model: T5ForConditionalGeneration,
  batch: Seq2SeqBatch,
  opts: { scale?: number; checkpointing?: boolean } = {},
): Promise<number> {
  const be = model.be;
  const out = await model.forward(decoderBatch(model, batch), { train: true, checkpointing: opts.checkpointing });
  const loss = await crossEntropyBackprop(
    be,
    out.logits,
    flatLabels(batch.labels),
    (d) => model.backward(out, d),
    opts.scale,
  );
  model.dispose(out);
  return loss;
}

/** Σ log p(label) per row over labels != −100: the score of a target given a source (e.g. comparing targets). */
export async function sequenceLogProbs(model: T5ForConditionalGeneration, batch: Seq2SeqBatch): Promise<number[]> {
  const out = await model.forward(decoderBatch(model, batch));
  const labels = flatLabels(batch.labels);
  const ce = await crossEntropyMean(model.be, rows2d(model.be, out.logits), labels);
  disposeCrossEntropy(ce);
  model.dispose(out);
  const T = batch.labels[0]?.length ?? 0;
  return batch.labels.map((_, b) => {
    let s = 0;
    for (let t = 0; t < T; t++) if (labels[b * T + t] !== IGNORE_INDEX) s -= ce.perToken[b * T + t];
    return s;
  });
}

/** The encoder alone: HF's encoder_hidden_states ([embeddings, blocks…, final-normed last]), each [B, Ts, C]. */
export async function encoderHiddenStates(
  model: T5ForConditionalGeneration,
  batch: T5EncoderBatch,
): Promise<Float32Array[]> {
  const enc = await model.encode(batch, { hiddenStates: true });
  const states = await Promise.all(enc.hiddenStates!.map((t: Tensor) => model.be.download(t) as Promise<Float32Array>));
  model.disposeEncoder(enc);
  return states;
}
