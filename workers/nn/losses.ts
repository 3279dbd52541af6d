// Token-level cross-entropy as Hugging Face computes LM losses: labels −100 are ignored and the loss is the flat
// mean over the counted tokens of the whole batch (not a mean of per-row means). Per-token values stay on the
// GPU until the caller asks; the mean needs only the per-token losses.
import type { Backend, Tensor } from '../backend/backend';
import { crossEntropy, crossEntropyBackward } from '../kernels/cross-entropy/cross-entropy';

export const IGNORE_INDEX = -100;

export interface CrossEntropyResult {
  /** Mean over counted tokens (NaN when nothing is counted, as torch returns). */
  loss: number;
  count: number;
  /** −log p(label) per row, 0 where ignored. */
  perToken: Float32Array;
  labels: Tensor; // i32 [N]
  lse: Tensor; // [N]
}

export async function crossEntropyMean(be: Backend, logits2d: Tensor, labels: Int32Array): Promise<CrossEntropyResult> {
  const t = be.upload(labels, [labels.length], 'i32');
  const [lossT, lse] = await crossEntropy(be, logits2d, t, { ignoreIndex: IGNORE_INDEX });
  const perToken = (await be.download(lossT)) as Float32Array;
  lossT.dispose();
  let sum = 0;
  let count = 0;
  labels.forEach((l, i) => {
    if (l !== IGNORE_INDEX) {
      sum += perToken[i];
      count++;
    }
  });
  return { loss: count ? sum / count : NaN, count, perToken, labels: t, lse };
}

/** d(mean loss)/d logits, optionally scaled (e.g. by a loss weight), or with explicit per-row weights. */
export async function crossEntropyMeanBackward(
  be: Backend,
  logits2d: Tensor,
  r: CrossEntropyResult,
  opts: { scale?: number; weights?: Float32Array } = {},
): Promise<Tensor> {
  if (opts.weights) {
    const w = be.upload(opts.weights, [opts.weights.length]);
    const d = await crossEntropyBackward(be, logits2d, r.labels, r.lse, { ignoreIndex: IGNORE_INDEX }, w);
    w.dispose();
    return d;
  }
  const scale = (opts.scale ?? 1) / Math.max(r.count, 1);
  return crossEntropyBackward(be, logits2d, r.labels, r.lse, { scale, ignoreIndex: IGNORE_INDEX });
}

export function disposeCrossEntropy(r: CrossEntropyResult): void {
  r.labels.dispose();
  r.lse.dispose();
}

/** Causal-LM labels: position t predicts labels[t + 1]; the last position of each row is ignored. */
export function shiftLabels(labels: readonly (readonly number[])[]): Int32Array {
  const B = labels.length;
  const T = labels[0]?.length ?? 0;
  const out = new Int32Array(B * T).fill(IGNORE_INDEX);
  for (let b = 0; b < B; b++) for (let t = 0; t + 1 < T; t++) out[b * T + t] = labels[b][t + 1];
  return out;
}

export function flatLabels(labels: readonly (readonly number[])[]): Int32Array {
  return Int32Array.from(labels.flat());
}

/**
 * The shared tail of every LM training step: mean cross-entropy of `logits` [..., V] against flat `labels`, its
 * gradient (times `scale`) handed to `backward` in the logits' shape, and the loss returned.
 */
export async function crossEntropyBackprop(
  be: Backend,
  logits: Tensor,
  labels: Int32Array,
  backward: (dLogits: Tensor) => Promise<void>,
  scale = 1,
): Promise<number> {
  const V = logits.shape[logits.shape.length - 1];
  const l2 = be.reshape(logits, [logits.shape.reduce((a, b) => a * b, 1) / V, V]);
  const ce = await crossEntropyMean(be, l2, labels);
  const d = await crossEntropyMeanBackward(be, l2, ce, { scale });
  disposeCrossEntropy(ce);
  await backward(be.reshape(d, logits.shape));
  d.dispose();
  return ce.loss;
}
