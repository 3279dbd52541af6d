// Scoring with a masked LM: fill-mask top-k (log-probabilities over the vocabulary at each <mask>, top-k taken on
// the GPU so only k values per mask leave it) and pseudo-log-likelihood (Salazar et al. 2020: mask each token in
// turn, sum log p of the original token; special tokens are not scored).
import { reduceRows } from '../../workers/kernels/reduce/reduce';
import { topk } from '../../workers/kernels/reduce/topk';
import { tokenLogprobs } from '../../workers/kernels/cross-entropy/cross-entropy';
import { disposeAll } from '../../workers/nn/param';
import type { EncoderBatch, XlmrForMaskedLM } from './model';

export interface FillMaskResult {
  /** Per masked position (row-major over the batch): token ids and log-probabilities, best first. */
  ids: number[];
  logprobs: number[];
}

/** Top-k fills at every position whose id is `maskTokenId`. */
export async function fillMask(
  model: XlmrForMaskedLM,
  batch: EncoderBatch,
  opts: { maskTokenId: number; k: number },
): Promise<FillMaskResult[]> {
  const be = model.be;
  const T = batch.inputIds[0].length;
  const rows: number[] = [];
  batch.inputIds.forEach((r, b) => r.forEach((id, t) => id === opts.maskTokenId && rows.push(b * T + t)));
  if (!rows.length) return [];
  const out = await model.forward(batch, { rows });
  const logits = out.logits!; // [M, V]
  const lse = await reduceRows(be, logits, { op: 'logsumexp' }); // [M]
  const [vals, idx] = await topk(be, logits, { k: opts.k });
  const [v, i, z] = await Promise.all([be.download(vals), be.download(idx), be.download(lse)]);
  disposeAll(lse, vals, idx);
  model.dispose(out);
  return rows.map((_, m) => ({
    ids: Array.from(i.subarray(m * opts.k, (m + 1) * opts.k)),
    logprobs: Array.from(v.subarray(m * opts.k, (m + 1) * opts.k), (x) => x - z[m]),
  }));
}

/** Σ_t log p(x_t | x with t masked) over the non-special tokens of one sequence (one batched forward). */
export async function pseudoLogLikelihood(
  model: XlmrForMaskedLM,
  ids: number[],
  opts: { maskTokenId: number; specialIds: number[] },
): Promise<{ total: number; perToken: number[] }> {
  const be = model.be;
  const T = ids.length;
  const positions = ids.map((id, t) => (opts.specialIds.includes(id) ? -1 : t)).filter((t) => t >= 0);
  if (!positions.length) return { total: 0, perToken: [] };
  const inputIds = positions.map((p) => ids.map((id, t) => (t === p ? opts.maskTokenId : id)));
  const rows = positions.map((p, b) => b * T + p);
  const out = await model.forward({ inputIds }, { rows });
  const labels = be.upload(Int32Array.from(positions.map((p) => ids[p])), [positions.length], 'i32');
  const lp = await tokenLogprobs(be, out.logits!, labels);
  const perToken = Array.from(await be.download(lp));
  disposeAll(labels, lp);
  model.dispose(out);
  return { total: perToken.reduce((a, b) => a + b, 0), perToken };
}
