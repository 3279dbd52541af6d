// Causal-LM loss and its gradient for any model with forward/backward over logits (Llama family):
// position t is scored against labels[t + 1] (−100 ignored), flat mean over counted tokens, as HF does.
import type { Backend, Tensor } from '../../workers/backend/backend';
import { crossEntropyMean, crossEntropyMeanBackward, disposeCrossEntropy, shiftLabels } from '../../workers/nn/losses';

export interface CausalModel<B, O extends { logits: Tensor }> {
  readonly be: Backend;
  forward(batch: B, opts?: { train?: boolean; checkpointing?: boolean }): Promise<O>;
  backward(out: O, dLogits: Tensor): Promise<void>;
  dispose(out: O): void;
}

export type Labelled<B> = B & { labels: number[][] };

function logits2d(be: Backend, logits: Tensor): Tensor {
  const V = logits.shape[logits.shape.length - 1];
  return be.reshape(logits, [logits.shape.reduce((a, b) => a * b, 1) / V, V]);
}

export async function causalLmLoss<B, O extends { logits: Tensor }>(model: CausalModel<B, O>, batch: Labelled<B>): Promise<number> {
  const out = await model.forward(batch);
  const ce = await crossEntropyMean(model.be, logits2d(model.be, out.logits), shiftLabels(batch.labels));
  disposeCrossEntropy(ce);
  model.dispose(out);
  return ce.loss;
}

/** Loss, with d(scale · loss)/dθ accumulated into the trainable params. */
export async function causalLmLossAndGrad<B, O extends { logits: Tensor }>(
  model: CausalModel<B, O>,
  batch: Labelled<B>,
  opts: { scale?: number; checkpointing?: boolean } = {},
): Promise<number> {
  const be = model.be;
  const out = await model.forward(batch, { train: true, checkpointing: opts.checkpointing });
  const l2 = logits2d(be, out.logits);
  const ce = await crossEntropyMean(be, l2, shiftLabels(batch.labels));
  const dLogits = await crossEntropyMeanBackward(be, l2, ce, { scale: opts.scale ?? 1 });
  disposeCrossEntropy(ce);
  await model.backward(out, be.reshape(dLogits, out.logits.shape));
  dLogits.dispose();
  model.dispose(out);
  return ce.loss;
}
