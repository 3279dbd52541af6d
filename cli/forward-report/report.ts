// The numbers `stereoscope forward` prints: loss (what the HF class returns for `labels`), logits, hidden states
// in HF order, and optionally d loss / d every LoRA tensor keyed as in adapter_model.safetensors.
import type { Backend } from '../../workers/backend/backend';
import { crossEntropyMean, disposeCrossEntropy, flatLabels } from '../../workers/nn/losses';
import { zeroGrads } from '../../workers/nn/param';
import type { LoadedModel } from '../../models/auto';
import { t5ForwardReport } from './t5';
import { jsonTensor, type ForwardBatch, type ForwardReport } from './types';
import { causalLmLoss, causalLmLossAndGrad } from '../../models/common/causal-lm';
import { importAdapter } from '../../models/common/peft-io';
import type { PeftAdapter } from '../../models/load/peft';
import { maskedLmLossAndGrad } from '../../models/xlmr/masked-lm';

export async function forwardReport(
  be: Backend,
  loaded: LoadedModel,
  batch: ForwardBatch,
  opts: { adapter: PeftAdapter | null; grad: boolean },
): Promise<ForwardReport> {
  if (loaded.arch === 't5') {
    return t5ForwardReport(be, loaded.model, batch, opts);
  }
  const model = loaded.model;
  const adapters = opts.adapter ? importAdapter(be, model.slots(), opts.adapter) : [];
  if (loaded.arch === 'xlmr') loaded.model.adapters = adapters;
  else loaded.model.adapters = adapters;
  const input = { inputIds: batch.inputIds, attentionMask: batch.attentionMask };
  const labels = batch.labels;
  if (labels && (labels.length !== batch.inputIds.length || labels.some((r) => r.length !== batch.inputIds[0].length)))
    throw new Error('"labels" must have the shape of input_ids for this model');
  const report: ForwardReport = { loss: null, logits: { shape: [], data: [] } };
  if (loaded.arch === 'xlmr') {
    const out = await loaded.model.forward(input, { hiddenStates: true });
    report.logits = await jsonTensor(be, out.logits!);
    report.hidden_states = await Promise.all(out.hiddenStates!.map((h) => jsonTensor(be, h)));
    if (batch.labels) {
      const V = out.logits!.shape[2];
      const ce = await crossEntropyMean(
        be,
        be.reshape(out.logits!, [out.logits!.shape[0] * out.logits!.shape[1], V]),
        flatLabels(batch.labels),
      );
      report.loss = ce.loss;
      disposeCrossEntropy(ce);
    }
    loaded.model.dispose(out);
    if (opts.grad) {
      if (!batch.labels) throw new Error('--grad needs "labels" in the batch');
      await maskedLmLossAndGrad(loaded.model, { ...input, labels: batch.labels });
    }
  } else {
    const out = await loaded.model.forward(input, { hiddenStates: true });
    report.logits = await jsonTensor(be, out.logits);
    report.hidden_states = await Promise.all(out.hiddenStates!.map((h) => jsonTensor(be, h)));
    loaded.model.dispose(out);
    if (batch.labels) report.loss = await causalLmLoss(loaded.model, { ...input, labels: batch.labels });
    if (opts.grad) {
      if (!batch.labels) throw new Error('--grad needs "labels" in the batch');
      await causalLmLossAndGrad(loaded.model, { ...input, labels: batch.labels });
    }
  }
  if (opts.grad) {
    report.grads = {};
    for (const a of adapters) for (const p of a.params) report.grads[p.name] = await jsonTensor(be, p.grad!);
    zeroGrads(adapters.flatMap((a) => a.params));
  }
  return report;
}
