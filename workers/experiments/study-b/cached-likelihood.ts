// Likelihood scoring of several continuations of ONE shared prompt per item without recomputing the prompt for
// each: the items' shared prefixes go through the decoder once (KV cache only, no LM head), then every
// (item, option) row runs only its own continuation on top of its item's cached keys/values (gathered once per
// option row). Logit position t of a row predicts its token t + 1, as in the full forward, so the scores equal
// the per-option computation up to float reassociation (tests/node/study-b-cached-likelihood.test.ts declares the
// tolerance). The prefix is cut one token before the first position where any option's ids leave the prompt's,
// so the token that predicts the first option token is part of the continuation pass and no LM head runs on the
// prefix pass. Prefixes and continuations are right-padded: causal attention keeps real positions blind to the
// padding after them, and a key mask hides the padded prefix slots from the continuation queries.
import type { LlamaForCausalLM } from '../../../models/llama/model';
import type { Tensor } from '../../backend/backend';
import { tokenLogprobs } from '../../kernels/cross-entropy/cross-entropy';
import { embedding } from '../../kernels/embedding/embedding';
import { ropeTables } from '../../kernels/rope/rope';
import type { KvCache } from '../../nn/attention';
import { disposeNormCache } from '../../nn/norms';
import { disposeAll } from '../../nn/param';
import { commonPrefixLength } from '../../analysis/study-b/prompts';

export interface ScoredItem {
  /** Token ids of the prompt alone (its tokenisation may end in a space piece that the options absorb). */
  promptIds: number[];
  /** Token ids of prompt + option, one list per option. */
  optionIds: number[][];
}

/** Per-row rope tables for positions start_b + t, [B, T, HS/2]. */
function ropeFor(model: LlamaForCausalLM, starts: readonly number[], T: number) {
  const { head_dim, rope_theta, rope_scaling } = model.config;
  const tables = starts.map((s) =>
    ropeTables({
      positions: Array.from({ length: T }, (_, t) => s + t),
      headDim: head_dim,
      theta: rope_theta,
      scaling: rope_scaling ?? undefined,
    }),
  );
  const cat = (k: 'cos' | 'sin') => {
    const out = new Float32Array(starts.length * T * (head_dim / 2));
    tables.forEach((tb, b) => out.set(tb[k], b * tb[k].length));
    return model.be.upload(out, [starts.length, T, head_dim / 2]);
  };
  return { cos: cat('cos'), sin: cat('sin') };
}

/** Runs the decoder blocks over ids [B, T] on top of `past` (grown in place); returns the last hidden [B, T, C]. */
async function blocks(
  model: LlamaForCausalLM,
  ids: number[][],
  starts: number[],
  past: (KvCache | null)[],
  keyMask: Tensor | undefined,
): Promise<Tensor> {
  const be = model.be;
  const B = ids.length;
  const T = ids[0].length;
  const rope = ropeFor(model, starts, T);
  const idT = be.upload(ids.flat(), [B, T], 'i32');
  let x = await embedding(be, model.embedTokens.value, idT);
  try {
    for (let i = 0; i < model.layers.length; i++) {
      const block = model.layers[i];
      const r = await block.forwardCached(be, x, { causal: true, rope, keyMask }, past[i]);
      past[i] = r.present;
      x.dispose();
      x = r.y;
    }
  } finally {
    disposeAll(rope.cos, rope.sin, idT);
  }
  return x;
}

/** Repeats rows of a cache tensor [B, S, NKV, HS]: out[r] = t[rows[r]] (the gather kernel on [B, S·NKV·HS]). */
async function gatherRows(model: LlamaForCausalLM, t: Tensor, rows: number[]): Promise<Tensor> {
  const be = model.be;
  const [B, S, NKV, HS] = t.shape;
  const idx = be.upload(rows, [rows.length], 'i32');
  const out = await embedding(be, be.reshape(t, [B, S * NKV * HS]), idx);
  idx.dispose();
  return be.reshape(out, [rows.length, S, NKV, HS]);
}

/**
 * log p(option tokens | prompt) for every option of every item: the sum over the option's own tokens, i.e. the
 * tokens of prompt + option from the first position where they leave the prompt's ids (as optionExample scores
 * them in the per-option path). Returns [item][option].
 */
export async function cachedOptionLogLikelihoods(
  model: LlamaForCausalLM,
  items: readonly ScoredItem[],
): Promise<number[][]> {
  const be = model.be;
  const { hidden_size: C, vocab_size: V } = model.config;
  const plan = items.map((it) => {
    const starts = it.optionIds.map((ids) => {
      const k = commonPrefixLength(it.promptIds, ids);
      if (k >= ids.length) throw new Error('likelihood scoring: an option adds no token to the prompt');
      return k;
    });
    // Shared prefix of every option's ids; the pass over it stops one token early (see the header).
    const shared = Math.min(...it.optionIds.map((ids) => commonPrefixLength(it.optionIds[0], ids)), ...starts);
    const cut = shared - 1;
    if (cut < 1) throw new Error('likelihood scoring: the prompt must give at least two tokens (e.g. BOS + text)');
    return { cut, starts };
  });
  const N = items.length;
  const Tp = Math.max(...plan.map((p) => p.cut));
  const prefixIds = items.map((it, i) => [
    ...it.optionIds[0].slice(0, plan[i].cut),
    ...Array<number>(Tp - plan[i].cut).fill(0),
  ]);
  const past: (KvCache | null)[] = model.layers.map(() => null);
  try {
    (
      await blocks(
        model,
        prefixIds,
        items.map(() => 0),
        past,
        undefined,
      )
    ).dispose();
    // One row per (item, option): its continuation after the cut, right-padded.
    const rows = items.flatMap((it, i) =>
      it.optionIds.map((ids, o) => ({
        i,
        o,
        ids: ids.slice(plan[i].cut),
        cut: plan[i].cut,
        start: plan[i].starts[o],
        full: ids.length,
      })),
    );
    const Tc = Math.max(...rows.map((r) => r.ids.length));
    const R = rows.length;
    const contIds = rows.map((r) => [...r.ids, ...Array<number>(Tc - r.ids.length).fill(0)]);
    for (let l = 0; l < past.length; l++) {
      const p = past[l]!;
      const gathered = {
        k: await gatherRows(
          model,
          p.k,
          rows.map((r) => r.i),
        ),
        v: await gatherRows(
          model,
          p.v,
          rows.map((r) => r.i),
        ),
      };
      disposeAll(p.k, p.v);
      past[l] = gathered;
    }
    const mask = new Float32Array(R * (Tp + Tc));
    rows.forEach((r, b) => {
      for (let j = 0; j < Tp + Tc; j++) mask[b * (Tp + Tc) + j] = j < r.cut || j >= Tp ? 1 : 0;
    });
    const keyMask = be.upload(mask, [R, Tp + Tc]);
    let x: Tensor;
    try {
      x = await blocks(
        model,
        contIds,
        rows.map((r) => r.cut),
        past,
        keyMask,
      );
    } finally {
      keyMask.dispose();
    }
    const n = await model.norm.forward(be, be.reshape(x, [R * Tc, C]));
    const { y: logits } = await model.lmHead.forward(be, n.y);
    // Position t of row r predicts its token cut + t + 1; only the option's own tokens count.
    const labels = new Int32Array(R * Tc).fill(-100);
    rows.forEach((r, b) => {
      for (let t = 0; t < Tc; t++) {
        const target = r.cut + t + 1;
        if (target >= r.start && target < r.full) labels[b * Tc + t] = contIds[b][t + 1];
      }
    });
    const lab = be.upload(labels, [R * Tc], 'i32');
    const lp = await tokenLogprobs(be, be.reshape(logits, [R * Tc, V]), lab);
    const all = await be.download(lp);
    disposeNormCache(n.cache);
    disposeAll(x, n.y, logits, lab, lp);
    const out = items.map((it) => it.optionIds.map(() => 0));
    rows.forEach((r, b) => {
      for (let t = 0; t < Tc; t++) if (labels[b * Tc + t] >= 0) out[r.i][r.o] += all[b * Tc + t];
    });
    return out;
  } finally {
    for (const p of past) if (p) disposeAll(p.k, p.v);
  }
}
