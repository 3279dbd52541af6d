// Study B loss terms on the CPU side (methods.md B.2): values of L_GA, L_unk, L_KL and NPO from per-token NLLs,
// and the per-token weights w_t = ∂L/∂nll_t that the GPU cross-entropy backward multiplies its gradient by, so
// the GPU needs only one weighted-CE kernel for every term.

/** Per-sample rows over predicted positions: nll[b][t] and mask[b][t] ∈ {0,1} (answer tokens, padding = 0). */
export interface AnswerBatch {
  nll: readonly (readonly number[])[];
  mask: readonly (readonly number[])[];
  /** Target token ids aligned with mask; only needed for the pad-id-1 quirk. */
  targetIds?: readonly (readonly number[])[];
}

export interface TermOptions {
  /** Quirk of the original: zero answer weights where the target id equals this (it assumes pad id 1). Off by
   * default; set 1 to reproduce. |A_b| is counted after the zeroing. */
  zeroTokenId?: number;
}

function effectiveMask(batch: AnswerBatch, opts: TermOptions): number[][] {
  return batch.mask.map((row, b) => {
    if (row.length !== batch.nll[b].length)
      throw new Error(`loss: sample ${b} has ${batch.nll[b].length} NLLs but ${row.length} mask entries`);
    return row.map((m, t) => (opts.zeroTokenId !== undefined && batch.targetIds?.[b][t] === opts.zeroTokenId ? 0 : m));
  });
}

export interface TermResult {
  /** (1/B) Σ_b (1/|A_b|) Σ_{t∈A_b} nll — the plain NLL form (L_unk); L_GA is its negation. */
  meanNll: number;
  /** ∂(meanNll)/∂nll[b][t] = mask/(B·|A_b|); samples with no answer token contribute 0 (the original: 0/0). */
  weights: number[][];
  counts: number[];
}

export function answerTerm(batch: AnswerBatch, opts: TermOptions = {}): TermResult {
  const mask = effectiveMask(batch, opts);
  const B = mask.length;
  const counts = mask.map((row) => row.reduce((a, b) => a + b, 0));
  let meanNll = 0;
  const weights = mask.map((row, b) =>
    row.map((m, t) => {
      if (counts[b] === 0 || m === 0) return 0;
      meanNll += batch.nll[b][t] / (B * counts[b]);
      return 1 / (B * counts[b]);
    }),
  );
  return { meanNll, weights, counts };
}

/** The constant the study adds inside the log of L_KL (loss_utils.py compute_kl: log(prob_q + 1e-12)). */
export const KL_LOG_EPS = 1e-12;

/** Soft cross-entropy of one position: −Σ_v p_ref(v) · log(p_θ(v) + 1e−12), p_θ = softmax(logits) (float64). */
export function softCrossEntropy(options: { refProbs: ArrayLike<number>; logits: ArrayLike<number> }): number {
  const { refProbs, logits } = options;
  let m = -Infinity;
  for (let i = 0; i < logits.length; i++) m = Math.max(m, logits[i]);
  let z = 0;
  for (let i = 0; i < logits.length; i++) z += Math.exp(logits[i] - m);
  let ce = 0;
  for (let i = 0; i < logits.length; i++) ce -= refProbs[i] * Math.log(Math.exp(logits[i] - m) / z + KL_LOG_EPS);
  return ce;
}

/** L_KL = mean over batch × positions (prompt and padding included, as the original) and its weights 1/(B·T). */
export function klTerm(perPosition: readonly (readonly number[])[]): { value: number; weights: number[][] } {
  const n = perPosition.reduce((s, r) => s + r.length, 0);
  if (n === 0) throw new Error('klTerm: empty batch');
  const value = perPosition.reduce((s, r) => s + r.reduce((a, b) => a + b, 0), 0) / n;
  return { value, weights: perPosition.map((r) => r.map(() => 1 / n)) };
}

export interface LossWeights {
  kl: number;
  unlearn: number;
  unk: number;
}

/** The study's defaults, given in its command-line order kl, unlearn, unk. */
export const DEFAULT_WEIGHTS: LossWeights = { kl: 1.0, unlearn: 0.25, unk: 0.5 };

export interface GradDiffResult {
  total: number;
  lGA: number;
  lUnk: number;
  lKL: number;
  /** Per-token weights of the total loss for the three streams (forget weights are negative: ascent). */
  forgetWeights: number[][];
  unkWeights: number[][];
  retainWeights: number[][];
}

/**
 * `grad_diff_KL`: L = w_u·L_GA + w_k·L_unk + w_kl·L_KL with L_GA = −(1/B)Σ_b mean_{A_b} nll.
 * Quirk kept in the value (`klZeroConstant`, default true): with w_kl = 0 the original adds a constant 1.0.
 */
export function gradDiffKl(
  options: {
    forget: AnswerBatch;
    unk: AnswerBatch;
    retainCe: readonly (readonly number[])[];
    weights?: LossWeights;
    klZeroConstant?: boolean;
  } & TermOptions,
): GradDiffResult {
  const w = options.weights ?? DEFAULT_WEIGHTS;
  const f = answerTerm(options.forget, options);
  const u = answerTerm(options.unk, options);
  const kl = klTerm(options.retainCe);
  const lGA = -f.meanNll;
  const klPart = w.kl === 0 ? (options.klZeroConstant === false ? 0 : 1.0) : w.kl * kl.value;
  return {
    total: w.unlearn * lGA + w.unk * u.meanNll + klPart,
    lGA,
    lUnk: u.meanNll,
    lKL: kl.value,
    forgetWeights: f.weights.map((r) => r.map((x) => (x === 0 ? 0 : -w.unlearn * x))),
    unkWeights: u.weights.map((r) => r.map((x) => w.unk * x)),
    retainWeights: kl.weights.map((r) => r.map((x) => w.kl * x)),
  };
}

function logSigmoid(x: number): number {
  return x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
}

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/**
 * NPO on the forget answers: mean_b −(2/β)·logσ(−β(log p_θ − log p_ref)), with log p = −Σ_{t∈A_b} nll (sequence
 * log-probability summed over answer tokens — our reading of the TOFU-derived code). Weights: ∂L/∂nll_θ[b][t] =
 * −2σ(−x_b)/B for answer tokens, x_b = β(NLL_θ,b − NLL_ref,b).
 */
export function npoTerm(options: { theta: AnswerBatch; refNll: readonly number[]; beta?: number } & TermOptions): {
  value: number;
  weights: number[][];
  seqNll: number[];
} {
  const beta = options.beta ?? 1;
  const mask = effectiveMask(options.theta, options);
  const B = mask.length;
  if (options.refNll.length !== B) throw new Error(`npoTerm: ${B} samples but ${options.refNll.length} reference NLLs`);
  const seqNll = mask.map((row, b) => row.reduce((s, m, t) => s + m * options.theta.nll[b][t], 0));
  let value = 0;
  const weights = mask.map((row, b) => {
    const x = beta * (seqNll[b] - options.refNll[b]);
    value += (-(2 / beta) * logSigmoid(x)) / B;
    const g = (-2 * sigmoid(-x)) / B;
    return row.map((m) => m * g);
  });
  return { value, weights, seqNll };
}
