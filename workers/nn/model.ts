// What training code needs from a model, whatever its family: a forward that keeps its layer caches when training
// (or only block inputs, with checkpointing), a backward from the gradient of the logits that ADDS into every
// trainable Param.grad, the release of a forward's caches, the trainable parameters, and the LoRA adapters (whose
// `enabled = false` gives the frozen base model, e.g. the KL reference of unlearning). Llama, XLM-R and T5 satisfy
// it; losses (models/common/causal-lm.ts, Study B's unlearning loss) are written against it, and the optimizer and
// `trainStep` (workers/train) see only the Params.
import type { Backend, Tensor } from '../backend/backend';
import type { LoraLinear } from './lora-linear';
import type { Param } from './param';

export interface TrainableModel<B, O extends { logits: Tensor } = { logits: Tensor }> {
  readonly be: Backend;
  adapters: LoraLinear[];
  forward(batch: B, opts?: { train?: boolean; checkpointing?: boolean }): Promise<O>;
  backward(out: O, dLogits: Tensor): Promise<void>;
  dispose(out: O): void;
  trainableParams(): Param[];
}
