// GPU scoring of Study A's masked prompts (methods.md A.2): batches padded on the right, the MLM head run only at
// the read-out <mask> rows, and top-k taken on the GPU so only k ids/scores per prompt are downloaded.
// Choenni: top-k of the raw logits. Prior-corrected: top-k of s = log p_post − log p_prior, where −log p_prior is
// one V-wide row per (template, language) built on the GPU from the double-mask prompt, restricted to the
// language's words with an additive mask row (kept: log-softmax over kept tokens; others: the sentinel 100).
import type { Tokenizer } from '../../../models/load/tokenizer';
import type { XlmrForMaskedLM } from '../../../models/xlmr/model';
import type { Backend, Tensor } from '../../backend/backend';
import { add, addScaled, mul, scale } from '../../kernels/elementwise/elementwise';
import { reduceRows, topk } from '../../kernels/reduce/reduce';
import { PRIOR_SENTINEL } from '../../analysis/study-a/profile-prior';
import type { TopRow } from '../../analysis/study-a/results';

/** A tokenised prompt and the position of the <mask> read out. */
export interface Encoded {
  ids: number[];
  maskPos: number;
}

/** Encodes `text` with the tokenizer's special tokens and finds the `maskIndex`-th <mask>. */
export function encodePrompt(tok: Tokenizer, text: string, maskIndex = 0, maxLength = 512): Encoded {
  const ids = tok.encode(text) as number[];
  const masks = ids.flatMap((id, i) => (id === tok.mask_token_id ? [i] : []));
  if (masks.length <= maskIndex)
    throw new Error(`prompt "${text}" has ${masks.length} <mask> token(s); mask #${maskIndex + 1} is read`);
  if (ids.length > maxLength)
    throw new Error(`prompt "${text}" is ${ids.length} tokens, longer than the model's ${maxLength}`);
  return { ids, maskPos: masks[maskIndex] };
}

/** Runs the model on a right-padded batch with the head at the mask rows only; `use` sees logits [M, V]. */
export async function withMaskLogits<T>(
  model: XlmrForMaskedLM,
  batch: readonly Encoded[],
  use: (logits: Tensor) => Promise<T>,
): Promise<T> {
  const pad = model.config.pad_token_id;
  const T = Math.max(...batch.map((e) => e.ids.length));
  const inputIds = batch.map((e) => [...e.ids, ...new Array<number>(T - e.ids.length).fill(pad)]);
  const attentionMask = batch.map((e) => inputIds[0].map((_, t) => (t < e.ids.length ? 1 : 0)));
  const rows = batch.map((e, b) => b * T + e.maskPos);
  const out = await model.forward({ inputIds, attentionMask }, { rows });
  try {
    return await use(out.logits!);
  } finally {
    model.dispose(out);
  }
}

function splitRows(values: Float32Array, ids: Int32Array, k: number, shift?: Float32Array): TopRow[] {
  const out: TopRow[] = [];
  for (let r = 0; r < values.length / k; r++) {
    const scores = values.slice(r * k, (r + 1) * k);
    if (shift) for (let j = 0; j < k; j++) scores[j] -= shift[r];
    out.push({ ids: ids.slice(r * k, (r + 1) * k), scores });
  }
  return out;
}

/** Choenni: per prompt the k highest raw logits at the mask. */
export async function topLogits(model: XlmrForMaskedLM, batch: readonly Encoded[], k: number): Promise<TopRow[]> {
  const be = model.be;
  return withMaskLogits(model, batch, async (logits) => {
    const [v, i] = await topk(be, logits, { k });
    const [values, ids] = [(await be.download(v)) as Float32Array, (await be.download(i)) as Int32Array];
    v.dispose();
    i.dispose();
    return splitRows(values, ids, k);
  });
}

/** Rows uploaded once per language: keep (1 where the token is in the language's word list, else 0). */
export interface LanguageMask {
  keep: Tensor; // [V]
  /** 0 for kept tokens, −1e30 otherwise: added to logits before the restricted logsumexp. */
  additive: Tensor; // [V]
  /** −log(PRIOR_SENTINEL) for tokens outside the word list, 0 for kept ones. */
  sentinel: Tensor; // [V]
  kept: number;
}

export function uploadLanguageMask(be: Backend, keep: Uint8Array): LanguageMask {
  const V = keep.length;
  const k = new Float32Array(V);
  const a = new Float32Array(V);
  const s = new Float32Array(V);
  let kept = 0;
  for (let i = 0; i < V; i++) {
    k[i] = keep[i];
    a[i] = keep[i] ? 0 : -1e30;
    s[i] = keep[i] ? 0 : -Math.log(PRIOR_SENTINEL);
    kept += keep[i];
  }
  return { keep: be.upload(k, [V]), additive: be.upload(a, [V]), sentinel: be.upload(s, [V]), kept };
}

export function disposeLanguageMask(m: LanguageMask): void {
  m.keep.dispose();
  m.additive.dispose();
  m.sentinel.dispose();
}

/**
 * −log p_prior [V] for one double-mask prompt: kept tokens −(logit − logsumexp over kept logits), others
 * −log 100 (create_priors.py's sentinel). Downloads only the restricted logsumexp scalar.
 */
export async function negLogPriorRow(model: XlmrForMaskedLM, prior: Encoded, mask: LanguageMask): Promise<Tensor> {
  const be = model.be;
  if (mask.kept === 0) throw new Error('the prior needs at least one vocabulary piece in the language word list');
  return withMaskLogits(model, [prior], async (logits) => {
    const V = logits.shape[1];
    const row = be.reshape(logits, [V]);
    const restricted = await add(be, row, mask.additive);
    const lseT = await reduceRows(be, be.reshape(restricted, [1, V]), { op: 'logsumexp' });
    const lse = ((await be.download(lseT)) as Float32Array)[0];
    restricted.dispose();
    lseT.dispose();
    const keptLogits = await mul(be, row, mask.keep);
    const neg = await scale(be, keptLogits, -1);
    keptLogits.dispose();
    await addScaled(be, neg, mask.keep, lse);
    const out = await add(be, neg, mask.sentinel);
    neg.dispose();
    return out;
  });
}

/** Prior-corrected: per prompt the k highest s = log_softmax(logits) − log p_prior, with s itself. */
export async function topPriorCorrected(
  model: XlmrForMaskedLM,
  batch: readonly Encoded[],
  negLogPrior: Tensor,
  k: number,
): Promise<TopRow[]> {
  const be = model.be;
  return withMaskLogits(model, batch, async (logits) => {
    // The row's logsumexp does not change the order, so top-k runs on logits − log p_prior and the downloaded
    // scores are shifted by it afterwards (M floats instead of M·V).
    const score = await add(be, logits, negLogPrior);
    const [v, i] = await topk(be, score, { k });
    const lseT = await reduceRows(be, logits, { op: 'logsumexp' });
    const [values, ids, lse] = [
      (await be.download(v)) as Float32Array,
      (await be.download(i)) as Int32Array,
      (await be.download(lseT)) as Float32Array,
    ];
    [score, v, i, lseT].forEach((t) => t.dispose());
    return splitRows(values, ids, k, lse);
  });
}
