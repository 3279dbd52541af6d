// Causal-LM loss and its gradient for any model with forward/backward over logits (Llama family):
// position t is scored against labels[t + 1] (−100 ignored), flat mean over counted tokens, as HF does.
import type { Backend, Tensor } from '../../workers/backend/backend';
import { tokenLogprobs } from '../../workers/kernels/cross-entropy/cross-entropy';
import { crossEntropyBackprop, crossEntropyMean, disposeCrossEntropy, shiftLabels } from '../../workers/nn/losses';
import type { TrainableModel } from '../../workers/nn/model';

export type Labelled<B> = B & { labels: number[][] };

function logits2d(be: Backend, logits: Tensor): Tensor {
  const V = logits.shape[logits.shape.length - 1];
  return be.reshape(logits, [logits.shape.reduce((a, b) => a * b, 1) / V, V]);
}

export async function causalLmLoss<B, O extends { logits: Tensor }>(
  model: TrainableModel<B, O>,
  batch: Labelled<B>,
): Promise<number> {
  const out = await model.forward(batch);
  const ce = await crossEntropyMean(model.be, logits2d(model.be, out.logits), shiftLabels(batch.labels));
  disposeCrossEntropy(ce);
  model.dispose(out);
  return ce.loss;
}

/** Loss, with d(scale · loss)/dθ accumulated into the trainable params. */
export async function causalLmLossAndGrad<B, O extends { logits: Tensor }>(
  model: TrainableModel<B, O>,
  batch: Labelled<B>,
  opts: { scale?: number; checkpointing?: boolean } = {},
): Promise<number> {
  const be = model.be;
  const out = await model.forward(batch, { train: true, checkpointing: opts.checkpointing });
  const loss = await crossEntropyBackprop(
    be,
    out.logits,
    shiftLabels(batch.labels),
    (d) => model.backward(out, d),
    opts.scale,
  );
  model.dispose(out);
  return loss;
}

/**
 * log p(continuation | prompt) for each row: the sum of the continuation tokens' log-probabilities. `ids` holds
 * prompt + continuation (right-padded); `start[b]` is where row b's continuation begins, `end[b]` where it ends.
 */
export async function continuationLogLikelihood<B extends { inputIds: number[][] }, O extends { logits: Tensor }>(
  model: TrainableModel<B, O>,
  batch: B,
  spans: { start: number; end: number }[],
): Promise<{ total: number[]; perToken: number[][] }> {
  const be = model.be;
  const T = batch.inputIds[0].length;
  // Position t predicts token t + 1: score targets inside [start, end).
  const labels = new Int32Array(batch.inputIds.length * T).fill(-100);
  batch.inputIds.forEach((row, b) => {
    for (let t = spans[b].start; t < spans[b].end; t++) labels[b * T + t - 1] = row[t];
  });
  const out = await model.forward(batch);
  const V = out.logits.shape[out.logits.shape.length - 1];
  const lab = be.upload(labels, [labels.length], 'i32');
  const lp = await tokenLogprobs(be, be.reshape(out.logits, [labels.length, V]), lab);
  const all = await be.download(lp);
  lab.dispose();
  lp.dispose();
  model.dispose(out);
  const perToken = spans.map(({ start, end }, b) => Array.from(all.subarray(b * T + start - 1, b * T + end - 1)));
  return { total: perToken.map((p) => p.reduce((a, x) => a + x, 0)), perToken };
}
