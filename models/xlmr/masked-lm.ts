// Masked-LM loss as XLMRobertaForMaskedLM computes it (cross-entropy at labelled positions, flat mean), with the
// vocabulary projection run only at those positions.
import { crossEntropyBackprop, crossEntropyMean, disposeCrossEntropy, IGNORE_INDEX } from '../../workers/nn/losses';
import type { EncoderBatch, XlmrForMaskedLM } from './model';

export function labelledRows(labels: readonly (readonly number[])[]): { rows: number[]; targets: Int32Array } {
  const rows: number[] = [];
  const targets: number[] = [];
  const T = labels[0]?.length ?? 0;
  labels.forEach((row, b) =>
    row.forEach((l, t) => {
      if (l !== IGNORE_INDEX) {
        rows.push(b * T + t);
        targets.push(l);
      }
    }),
  );
  return { rows, targets: Int32Array.from(targets) };
}

export async function maskedLmLoss(
  model: XlmrForMaskedLM,
  batch: EncoderBatch & { labels: number[][] },
): Promise<number> {
  const { rows, targets } = labelledRows(batch.labels);
  const out = await model.forward(batch, { rows });
  const ce = await crossEntropyMean(model.be, out.logits!, targets);
  disposeCrossEntropy(ce);
  model.dispose(out);
  return ce.loss;
}

export async function maskedLmLossAndGrad(
  model: XlmrForMaskedLM,
  batch: EncoderBatch & { labels: number[][] },
  opts: { scale?: number; checkpointing?: boolean } = {},
): Promise<number> {
  const be = model.be;
  const { rows, targets } = labelledRows(batch.labels);
  const out = await model.forward(batch, { rows, train: true, checkpointing: opts.checkpointing });
  const loss = await crossEntropyBackprop(be, out.logits!, targets, (d) => model.backward(out, d), opts.scale);
  model.dispose(out);
  return loss;
}
