// `stereoscope forward` for T5: loss as T5ForConditionalGeneration returns it for `labels`, decoder logits, and the
// encoder and decoder hidden states in HF order; with --grad, d loss / d every LoRA tensor by its PEFT key.
import type { Backend } from '../../workers/backend/backend';
import { zeroGrads } from '../../workers/nn/param';
import { importAdapter } from '../../models/common/peft-io';
import { jsonTensor, type ForwardBatch, type ForwardReport } from './types';
import type { PeftAdapter } from '../../models/load/peft';
import type { T5ForConditionalGeneration } from '../../models/t5/model';
import { seq2seqLoss, seq2seqLossAndGrad, shiftRight } from '../../models/t5/seq2seq';

export async function t5ForwardReport(
  be: Backend,
  model: T5ForConditionalGeneration,
  batch: ForwardBatch,
  opts: { adapter: PeftAdapter | null; grad: boolean },
): Promise<ForwardReport> {
  if (opts.adapter) model.adapters = importAdapter(be, model.slots(), opts.adapter);
  const { decoder_start_token_id: start, pad_token_id: pad } = model.config;
  const decoderInputIds = batch.decoderInputIds ?? (batch.labels ? shiftRight(batch.labels, start, pad) : undefined);
  if (!decoderInputIds) throw new Error('T5 needs "decoder_input_ids" or "labels" in the batch');
  const input = { inputIds: batch.inputIds, attentionMask: batch.attentionMask };
  const out = await model.forward({ ...input, decoderInputIds }, { hiddenStates: true });
  const report: ForwardReport = {
    loss: null,
    logits: await jsonTensor(be, out.logits),
    encoder_hidden_states: await Promise.all(out.encoderHiddenStates!.map((h) => jsonTensor(be, h))),
    decoder_hidden_states: await Promise.all(out.decoderHiddenStates!.map((h) => jsonTensor(be, h))),
  };
  model.dispose(out);
  if (batch.labels) report.loss = await seq2seqLoss(model, { ...input, labels: batch.labels, decoderInputIds });
  if (opts.grad) {
    if (!batch.labels) throw new Error('--grad needs "labels" in the batch');
    await seq2seqLossAndGrad(model, { ...input, labels: batch.labels, decoderInputIds });
    report.grads = {};
    for (const p of model.trainableParams()) report.grads[p.name] = await jsonTensor(be, p.grad!);
    zeroGrads(model.trainableParams());
  }
  return report;
}
