// XLMRobertaForSequenceClassification on the engine (transformers' XLMRobertaClassificationHead): the encoder of
// models/xlmr/model.ts without the masked-LM head, then out_proj(tanh(dense(h₀))) on the <s> token (position 0) of
// the last hidden state; dropout is off in eval. Loss: single-label cross-entropy over labels [B] (mean, −100
// ignored), as the HF class computes it when num_labels > 1. The classifier is trained in f32 next to the LoRA
// adapters, as PEFT's `modules_to_save` does for sequence classification.
import type { Backend, Tensor } from '../../workers/backend/backend';
import { tanh, tanhBackward } from '../../workers/kernels/activation/activation';
import { embedding, embeddingBackward } from '../../workers/kernels/embedding/embedding';
import { Linear } from '../../workers/nn/linear';
import type { LoraLinear } from '../../workers/nn/lora-linear';
import { crossEntropyMean, crossEntropyMeanBackward, disposeCrossEntropy } from '../../workers/nn/losses';
import { disposeAll, param, type Param } from '../../workers/nn/param';
import { normals, seededRng } from '../../workers/analysis/shared/rng';
import type { LoraOptions } from '../common/lora';
import { CheckpointMismatchError, loadF32, type WeightFormatOption, type WeightLoader } from '../common/weights';
import type { Checkpoint } from '../load/checkpoint';
import type { XlmrConfig } from './config';
import { XlmrForMaskedLM, type EncoderBatch, type XlmrOutput } from './model';

export interface ClassificationBatch extends EncoderBatch {
  /** One class id per row [B]; −100 leaves a row out of the loss. */
  labels?: number[];
}

export interface ClassificationLoadOptions {
  /** Format of the frozen encoder weights ('auto': f16 where the backend has it); the classifier is always f32 (it is trained). */
  format?: WeightFormatOption;
  /** Seed of the initialisation used when the checkpoint has no classifier (a bare or masked-LM encoder). */
  seed?: number;
}

export interface ClassificationForwardOptions {
  train?: boolean;
  checkpointing?: boolean;
  hiddenStates?: boolean;
}

export interface ClassificationOutput {
  logits: Tensor; // [B, L] with L = num_labels
  hiddenStates: Tensor[] | null;
  enc: XlmrOutput;
  rows: Tensor; // i32 [B]: flat index b·T of each row's first token
  pooled: Tensor; // [B, C] hidden state of <s>
  h: Tensor; // dense(pooled) [B, C]
  t: Tensor; // tanh(h) [B, C]
}

/** num_labels as transformers derives it: the length of id2label when saved, else num_labels, else 2. */
export function numLabelsOf(config: Record<string, unknown>): number {
  const id2label = config.id2label;
  if (id2label && typeof id2label === 'object') return Object.keys(id2label).length;
  const n = config.num_labels;
  if (n === undefined || n === null) return 2;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1)
    throw new CheckpointMismatchError(`config.json: num_labels must be a positive integer, got ${JSON.stringify(n)}`);
  return n;
}

export class XlmrForSequenceClassification {
  private constructor(
    readonly encoder: XlmrForMaskedLM,
    readonly dense: Linear, // [C, C]
    readonly outProj: Linear, // [L, C]
    readonly numLabels: number,
  ) {}

  static async load(
    be: Backend,
    ckpt: Checkpoint,
    opts: ClassificationLoadOptions = {},
  ): Promise<XlmrForSequenceClassification> {
    const problem = ckpt.config.problem_type;
    if (problem !== undefined && problem !== null && problem !== 'single_label_classification')
      throw new CheckpointMismatchError(
        `problem_type ${JSON.stringify(problem)} is not supported (single-label classification only)`,
      );
    const L = numLabelsOf(ckpt.config);
    if (L < 2)
      throw new CheckpointMismatchError('num_labels = 1 means regression in transformers, which is not supported');
    // An MLM head in the checkpoint is loaded by the encoder but never run here.
    const encoder = await XlmrForMaskedLM.load(be, ckpt, { format: opts.format });
    const C = encoder.config.hidden_size;
    const l: WeightLoader = { be, ckpt, format: 'f32' };
    const hasHead = ckpt.has('classifier.dense.weight');
    const rand = seededRng(opts.seed ?? 0);
    const std = typeof ckpt.config.initializer_range === 'number' ? ckpt.config.initializer_range : 0.02;
    const tensor = async (name: string, shape: number[], isBias: boolean): Promise<Param> => {
      if (hasHead) return loadF32(l, name, shape);
      // transformers' _init_weights for a fresh head: weights ~ N(0, initializer_range²), biases 0 (seeded here).
      const n = shape[0] * (shape[1] ?? 1);
      return param(name, be.upload(isBias ? new Float32Array(n) : normals(rand, n, std), shape));
    };
    const lin = async (name: string, out: number, inp: number) =>
      new Linear(await tensor(`${name}.weight`, [out, inp], false), await tensor(`${name}.bias`, [out], true), true);
    const dense = await lin('classifier.dense', C, C);
    const outProj = await lin('classifier.out_proj', L, C);
    return new XlmrForSequenceClassification(encoder, dense, outProj, L);
  }

  get be(): Backend {
    return this.encoder.be;
  }

  get config(): XlmrConfig {
    return this.encoder.config;
  }

  get adapters(): LoraLinear[] {
    return this.encoder.adapters;
  }

  /** LoRA on the encoder's projections (module paths as in the HF class, e.g. `roberta.encoder.layer.0…`). */
  applyLora(opts: LoraOptions): LoraLinear[] {
    return this.encoder.applyLora(opts);
  }

  async forward(batch: EncoderBatch, opts: ClassificationForwardOptions = {}): Promise<ClassificationOutput> {
    const be = this.be;
    const B = batch.inputIds.length;
    const T = batch.inputIds[0].length;
    const enc = await this.encoder.forward(batch, {
      head: false,
      train: opts.train,
      checkpointing: opts.checkpointing,
      hiddenStates: opts.hiddenStates,
    });
    const rows = be.upload(
      Int32Array.from({ length: B }, (_, b) => b * T),
      [B],
      'i32',
    );
    const pooled = await embedding(be, be.reshape(enc.state.stack.last, [B * T, this.config.hidden_size]), rows);
    const { y: h } = await this.dense.forward(be, pooled);
    const t = await tanh(be, h);
    const { y: logits } = await this.outProj.forward(be, t);
    return { logits, hiddenStates: enc.hiddenStates, enc, rows, pooled, h, t };
  }

  /** dLogits [B, L]: classifier gradients and LoRA gradients accumulate into their Params. */
  async backward(out: ClassificationOutput, dLogits: Tensor): Promise<void> {
    const be = this.be;
    const [B, T] = out.enc.state.ids.shape;
    const dt = await this.outProj.backward(be, dLogits, { x: out.t });
    const dh = await tanhBackward(be, out.h, dt);
    dt.dispose();
    const dPooled = await this.dense.backward(be, dh, { x: out.pooled });
    dh.dispose();
    const dLast = await embeddingBackward(be, out.rows, dPooled, { numRows: B * T });
    dPooled.dispose();
    await this.encoder.backwardHidden(out.enc, be.reshape(dLast, [B, T, this.config.hidden_size]));
  }

  dispose(out: ClassificationOutput): void {
    this.encoder.dispose(out.enc);
    disposeAll(out.logits, out.rows, out.pooled, out.h, out.t);
  }

  /** Mean cross-entropy over the labelled rows (NaN when none is labelled, as torch returns). */
  async loss(batch: ClassificationBatch & { labels: number[] }): Promise<number> {
    const out = await this.forward(batch);
    try {
      const ce = await crossEntropyMean(this.be, out.logits, this.checkLabels(batch.labels, batch.inputIds.length));
      disposeCrossEntropy(ce);
      return ce.loss;
    } finally {
      this.dispose(out);
    }
  }

  /** Loss and its gradients (accumulated into trainableParams()); `scale` multiplies the gradients. */
  async lossAndGrad(
    batch: ClassificationBatch & { labels: number[] },
    opts: { scale?: number; checkpointing?: boolean } = {},
  ): Promise<number> {
    const be = this.be;
    const out = await this.forward(batch, { train: true, checkpointing: opts.checkpointing });
    try {
      const ce = await crossEntropyMean(be, out.logits, this.checkLabels(batch.labels, batch.inputIds.length));
      const d = await crossEntropyMeanBackward(be, out.logits, ce, { scale: opts.scale ?? 1 });
      disposeCrossEntropy(ce);
      await this.backward(out, d);
      d.dispose();
      return ce.loss;
    } finally {
      this.dispose(out);
    }
  }

  private checkLabels(labels: number[], B: number): Int32Array {
    if (labels.length !== B) throw new RangeError(`labels: one per row expected (${B}), got ${labels.length}`);
    if (labels.some((l) => l !== -100 && !(Number.isInteger(l) && l >= 0 && l < this.numLabels)))
      throw new RangeError(`labels must be class ids in [0, ${this.numLabels}) or −100, got [${labels}]`);
    return Int32Array.from(labels);
  }

  /** The classifier (always trained, like PEFT's modules_to_save) and the LoRA tensors. */
  classifierParams(): Param[] {
    return [this.dense.weight, this.dense.bias!, this.outProj.weight, this.outProj.bias!];
  }

  trainableParams(): Param[] {
    return [...this.encoder.trainableParams(), ...this.classifierParams()];
  }
}
