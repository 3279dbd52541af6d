// The batch `stereoscope forward` reads and the report it prints (README: "check our numbers from outside").
import type { Backend, Tensor } from '../../workers/backend/backend';

export interface ForwardBatch {
  inputIds: number[][];
  attentionMask?: number[][];
  labels?: number[][];
  decoderInputIds?: number[][];
}

export interface JsonTensor {
  shape: number[];
  data: number[];
}

export interface ForwardReport {
  loss: number | null;
  logits: JsonTensor;
  hidden_states?: JsonTensor[];
  encoder_hidden_states?: JsonTensor[];
  decoder_hidden_states?: JsonTensor[];
  grads?: Record<string, JsonTensor>;
}

/** A tensor as the report prints it: its shape and its values in row-major order. */
export async function jsonTensor(be: Backend, t: Tensor): Promise<JsonTensor> {
  return { shape: [...t.shape], data: Array.from(await be.download(t)) };
}
