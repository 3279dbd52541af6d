// One Study B unlearning step on the GPU (methods.md B.2): three tokenised streams (forget / unknown / retain),
// L = w_u·L_GA + w_k·L_unk + w_kl·L_KL ('grad-diff-kl', the study's default) or the NPO variant, with the LoRA
// gradients of L accumulated into the adapters. The per-token weights come from workers/analysis/study-b/
// loss-weights.ts (unit-tested against central differences); the GPU multiplies them into the weighted
// cross-entropy / soft-cross-entropy backward, so no new kernel is needed. The KL reference is the same model
// with its adapters switched off, run without gradients before the adapted passes.
import type { Backend, Tensor } from '../../backend/backend';
import { crossEntropy, crossEntropyBackward } from '../../kernels/cross-entropy/cross-entropy';
import { softCrossEntropy, softCrossEntropyBackward } from '../../kernels/soft-cross-entropy/soft-cross-entropy';
import { IGNORE_INDEX } from '../../nn/losses';
import {
  answerTerm,
  DEFAULT_WEIGHTS,
  gradDiffKl,
  KL_LOG_EPS,
  npoTerm,
  type AnswerBatch,
  type LossWeights,
} from '../../analysis/study-b/loss-weights';
import type { TrainableModel } from '../../nn/model';

/** Right-padded token rows of one stream. answerMask[b][t] = 1 when logit position t predicts an answer token
 * (i.e. token t+1 is part of the answer); 0 on the prompt, on padding and on the last position. */
export interface TokenStream {
  inputIds: number[][];
  attentionMask: number[][];
  answerMask: number[][];
}

/** What the loss needs from the model: a decoder over token batches (LlamaForCausalLM). */
type UnlearnableModel = TrainableModel<{ inputIds: number[][]; attentionMask?: number[][] }>;

export type UnlearningLossKind = 'grad-diff-kl' | 'npo';

export interface UnlearningLossOptions {
  forget: TokenStream;
  unknown: TokenStream;
  retain: TokenStream;
  kind?: UnlearningLossKind;
  weights?: LossWeights;
  /** NPO temperature β (the study uses 1). */
  beta?: number;
  /** false = values only (for central differences and evaluation of the loss); default true. */
  backward?: boolean;
  checkpointing?: boolean;
  /** The original's pad-id quirk: zero answer weights where the target id equals this (it assumed pad id 1). */
  zeroTokenId?: number;
}

export interface UnlearningLossResult {
  total: number;
  /** −mean answer NLL of the forget stream (reported for both kinds). */
  lGA: number;
  lUnk: number;
  lKL: number;
  /** NPO term value (NaN for grad-diff-kl). */
  lNpo: number;
  /** Mean answer NLL of the forget stream per sample (the "stereotype log-likelihood" as −nll). */
  forgetNll: number[];
}

function checkStream(name: string, s: TokenStream): [number, number] {
  const B = s.inputIds.length;
  if (B === 0) throw new Error(`unlearning loss: the ${name} stream is empty`);
  const T = s.inputIds[0].length;
  for (const [label, rows] of [
    ['inputIds', s.inputIds],
    ['attentionMask', s.attentionMask],
    ['answerMask', s.answerMask],
  ] as const) {
    if (rows.length !== B || rows.some((r) => r.length !== T))
      throw new Error(`unlearning loss: ${name}.${label} must be ${B}×${T} (right-padded rows of equal length)`);
  }
  if (s.answerMask.some((r) => r[T - 1] !== 0))
    throw new Error(`unlearning loss: ${name}.answerMask must be 0 at the last position (nothing follows it)`);
  return [B, T];
}

/** Labels for the answer positions only: label[b·T + t] = ids[b][t+1] where answerMask, else ignored. */
function answerLabels(s: TokenStream): Int32Array {
  const B = s.inputIds.length;
  const T = s.inputIds[0].length;
  const out = new Int32Array(B * T).fill(IGNORE_INDEX);
  for (let b = 0; b < B; b++)
    for (let t = 0; t + 1 < T; t++) if (s.answerMask[b][t]) out[b * T + t] = s.inputIds[b][t + 1];
  return out;
}

function rows(flat: ArrayLike<number>, B: number, T: number): number[][] {
  return Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => flat[b * T + t]));
}

function asBatch(s: TokenStream, nll: number[][]): AnswerBatch {
  const T = s.inputIds[0].length;
  return {
    nll,
    mask: s.answerMask,
    targetIds: s.inputIds.map((r) => Array.from({ length: T }, (_, t) => r[t + 1] ?? -1)),
  };
}

function setEnabled(model: UnlearnableModel, on: boolean): void {
  for (const a of model.adapters) a.enabled = on;
}

function logits2d(be: Backend, logits: Tensor): Tensor {
  const V = logits.shape[logits.shape.length - 1];
  return be.reshape(logits, [logits.shape.reduce((a, b) => a * b, 1) / V, V]);
}

/** Per-position answer NLL [B][T] (0 off the answer) with no gradient: for the NPO reference and evaluation. */
export async function answerNll(model: UnlearnableModel, s: TokenStream): Promise<number[][]> {
  const [B, T] = checkStream('scored', s);
  const be = model.be;
  const out = await model.forward({ inputIds: s.inputIds, attentionMask: s.attentionMask });
  const labels = be.upload(answerLabels(s), [B * T], 'i32');
  const [loss, lse] = await crossEntropy(be, logits2d(be, out.logits), labels, { ignoreIndex: IGNORE_INDEX });
  const nll = await be.download(loss);
  [loss, lse, labels].forEach((t) => t.dispose());
  model.dispose(out);
  return rows(nll, B, T);
}

/** Forward (with train state when a backward follows), answer-token CE per position, optional weighted backward. */
async function answerPass(
  model: UnlearnableModel,
  s: TokenStream,
  weightsOf: (nll: number[][]) => number[][],
  opts: { backward: boolean; checkpointing?: boolean },
): Promise<number[][]> {
  const [B, T] = [s.inputIds.length, s.inputIds[0].length];
  const be = model.be;
  const out = await model.forward(
    { inputIds: s.inputIds, attentionMask: s.attentionMask },
    { train: opts.backward, checkpointing: opts.checkpointing },
  );
  const l2 = logits2d(be, out.logits);
  const labels = be.upload(answerLabels(s), [B * T], 'i32');
  const [loss, lse] = await crossEntropy(be, l2, labels, { ignoreIndex: IGNORE_INDEX });
  const nll = rows(await be.download(loss), B, T);
  if (opts.backward) {
    const w = be.upload(Float32Array.from(weightsOf(nll).flat()), [B * T]);
    const d = await crossEntropyBackward(be, l2, labels, lse, { ignoreIndex: IGNORE_INDEX }, w);
    await model.backward(out, be.reshape(d, out.logits.shape));
    d.dispose();
    w.dispose();
  }
  [loss, lse, labels].forEach((t) => t.dispose());
  model.dispose(out);
  return nll;
}

/** Reference logits of the retain batch (adapters off, no gradient), then the adapted pass against them:
 *  −Σ p_ref log(p_θ + 1e−12) per position, the study's form (KL_LOG_EPS). */
async function retainPass(
  model: UnlearnableModel,
  s: TokenStream,
  scale: number,
  opts: { backward: boolean; checkpointing?: boolean },
): Promise<number[][]> {
  const [B, T] = [s.inputIds.length, s.inputIds[0].length];
  const be = model.be;
  const batch = { inputIds: s.inputIds, attentionMask: s.attentionMask };
  setEnabled(model, false);
  let ref: Awaited<ReturnType<typeof model.forward>>;
  try {
    ref = await model.forward(batch);
  } finally {
    setEnabled(model, true);
  }
  const out = await model.forward(batch, { train: opts.backward, checkpointing: opts.checkpointing });
  const l2 = logits2d(be, out.logits);
  const r2 = logits2d(be, ref.logits);
  const loss = await softCrossEntropy(be, l2, r2, { eps: KL_LOG_EPS });
  const ce = rows(await be.download(loss), B, T);
  loss.dispose();
  if (opts.backward && scale !== 0) {
    const d = await softCrossEntropyBackward(be, l2, r2, { scale, eps: KL_LOG_EPS });
    await model.backward(out, be.reshape(d, out.logits.shape));
    d.dispose();
  }
  model.dispose(ref);
  model.dispose(out);
  return ce;
}

const scaleRows = (w: number[][], k: number) => w.map((r) => r.map((x) => x * k));

/**
 * Computes the loss of one step and (unless backward: false) ADDS dL/dθ into the LoRA params' grads. Order: the
 * no-grad reference passes first (NPO forget reference, then the KL reference inside the retain pass), one stream
 * at a time so only one stream's activations are alive.
 */
export async function unlearningLoss(
  model: UnlearnableModel,
  opts: UnlearningLossOptions,
): Promise<UnlearningLossResult> {
  const kind = opts.kind ?? 'grad-diff-kl';
  const w = opts.weights ?? DEFAULT_WEIGHTS;
  const backward = opts.backward ?? true;
  const pass = { backward, checkpointing: opts.checkpointing };
  const quirk = { zeroTokenId: opts.zeroTokenId };
  const [Bf] = checkStream('forget', opts.forget);
  checkStream('unknown', opts.unknown);
  const [Br, Tr] = checkStream('retain', opts.retain);
  if (!model.adapters.length)
    throw new Error('unlearning loss: the model has no LoRA adapters (the KL reference is the adapter switched off)');

  let refSeqNll: number[] | null = null;
  if (kind === 'npo') {
    setEnabled(model, false);
    try {
      const refNll = await answerNll(model, opts.forget);
      const mask = answerTerm(asBatch(opts.forget, refNll), quirk);
      refSeqNll = refNll.map((r, b) => r.reduce((s, x, t) => s + (mask.weights[b][t] !== 0 ? x : 0), 0));
    } finally {
      setEnabled(model, true);
    }
  }
  const beta = opts.beta ?? 1;
  const forgetNll = await answerPass(
    model,
    opts.forget,
    (nll) => {
      if (kind === 'npo')
        return scaleRows(
          npoTerm({ theta: asBatch(opts.forget, nll), refNll: refSeqNll!, beta, ...quirk }).weights,
          w.unlearn,
        );
      return scaleRows(answerTerm(asBatch(opts.forget, nll), quirk).weights, -w.unlearn);
    },
    pass,
  );
  const unkNll = await answerPass(
    model,
    opts.unknown,
    (nll) => scaleRows(answerTerm(asBatch(opts.unknown, nll), quirk).weights, w.unk),
    pass,
  );
  const retainCe = await retainPass(model, opts.retain, w.kl / (Br * Tr), pass);

  const gd = gradDiffKl({
    forget: asBatch(opts.forget, forgetNll),
    unk: asBatch(opts.unknown, unkNll),
    retainCe,
    weights: w,
    ...quirk,
  });
  const f = answerTerm(asBatch(opts.forget, forgetNll), quirk);
  const perSample = Array.from({ length: Bf }, (_, b) =>
    f.counts[b] ? forgetNll[b].reduce((s, x, t) => s + (f.weights[b][t] !== 0 ? x : 0), 0) / f.counts[b] : NaN,
  );
  if (kind === 'npo') {
    const npo = npoTerm({ theta: asBatch(opts.forget, forgetNll), refNll: refSeqNll!, beta, ...quirk });
    const total = w.unlearn * npo.value + w.unk * gd.lUnk + w.kl * gd.lKL;
    return { total, lGA: gd.lGA, lUnk: gd.lUnk, lKL: gd.lKL, lNpo: npo.value, forgetNll: perSample };
  }
  return { total: gd.total, lGA: gd.lGA, lUnk: gd.lUnk, lKL: gd.lKL, lNpo: NaN, forgetNll: perSample };
}
