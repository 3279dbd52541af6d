// Study B loss on the tiny fixture Llama (workers/experiments/study-b/unlearning-loss.ts): every term against a
// float64 computation written out here from the model's own logits (adapter on = θ, adapter off = reference),
// with answer-only masks and right padding; padding invariance; and the LoRA gradient of the total loss vs
// float64-accumulated central differences of the GPU loss, for both grad-diff-kl and NPO.
import { describe, expect, it } from 'vitest';
import { openCheckpoint } from '../../models/load/checkpoint';
import { dirSource } from '../../models/load/node-source';
import { LlamaForCausalLM } from '../../models/llama/model';
import { unlearningLoss, type TokenStream } from '../../workers/experiments/study-b/unlearning-loss';
import { expectClose } from '../helpers/compare';
import { testBackend } from '../helpers/gpu';
import { seededRng } from '../../workers/analysis/shared/rng';
import { shared } from '../helpers/shared';

const DIR = shared('fixtures/llama-tiny');
// Loss values: the GPU cross-entropy of float32 logits vs float64 maths on the same downloaded logits; observed
// differences are ~2e-7 on values of ~6, so 2e-5 leaves margin without hiding a wrong mask (≥ 1e-2 effect).
const VALUE = { atol: 2e-5, rtol: 1e-5 };
// Central differences of a float32 loss (~7) with h = 2e-2: rounding noise ~1e-6/h ≈ 5e-5 plus O(h²) truncation;
// observed relative gaps ≤ 6e-4 on gradients of ~0.3–0.5.
const FD = { atol: 2e-4, rtol: 3e-3 };

/** Row = [BOS, prompt…, answer…] right-padded with 0 to T; answerMask marks logit positions predicting answer. */
function stream(rows: { prompt: number[]; answer: number[] }[], T: number): TokenStream {
  const inputIds: number[][] = [];
  const attentionMask: number[][] = [];
  const answerMask: number[][] = [];
  for (const { prompt, answer } of rows) {
    const ids = [1, ...prompt, ...answer];
    const n = ids.length;
    inputIds.push([...ids, ...Array(T - n).fill(0)]);
    attentionMask.push(Array.from({ length: T }, (_, t) => (t < n ? 1 : 0)));
    const start = 1 + prompt.length; // first answer token index
    answerMask.push(Array.from({ length: T }, (_, t) => (t + 1 >= start && t + 1 < n ? 1 : 0)));
  }
  return { inputIds, attentionMask, answerMask };
}

const FORGET = stream(
  [
    { prompt: [40, 77, 120, 5], answer: [200, 31] },
    { prompt: [90, 12], answer: [260, 261, 262] },
    { prompt: [7, 8, 9, 10, 11], answer: [300] },
  ],
  9,
);
const UNKNOWN = stream(
  [
    { prompt: [40, 77, 120, 5], answer: [150] },
    { prompt: [90, 12], answer: [151, 152] },
  ],
  8,
);
const RETAIN = stream(
  [
    { prompt: [33, 44, 55], answer: [66, 77] },
    { prompt: [101], answer: [102, 103, 104, 105, 106] },
  ],
  8,
);

async function setup() {
  const be = await testBackend();
  const model = await LlamaForCausalLM.load(be, await openCheckpoint(dirSource(DIR)));
  model.applyLora({ r: 4, alpha: 8, dropout: 0, targetModules: ['q_proj', 'v_proj'], seed: 3 });
  // B starts at zero (adapter = identity); random B makes θ differ from the reference, so every term is non-trivial.
  const rand = seededRng(11);
  for (const a of model.adapters) {
    const n = a.B.value.shape[0] * a.B.value.shape[1];
    const shape = a.B.value.shape;
    a.B.value.dispose();
    a.B.value = be.upload(
      Float32Array.from({ length: n }, () => (rand() * 2 - 1) * 0.5),
      shape,
    );
  }
  return { be, model };
}

async function logSoftmax64(model: LlamaForCausalLM, s: TokenStream, adapters: boolean): Promise<Float64Array[]> {
  model.adapters.forEach((a) => (a.enabled = adapters));
  const out = await model.forward({ inputIds: s.inputIds, attentionMask: s.attentionMask });
  const logits = await model.be.download(out.logits);
  model.dispose(out);
  model.adapters.forEach((a) => (a.enabled = true));
  const V = out.logits.shape[2];
  const rows: Float64Array[] = [];
  for (let i = 0; i < logits.length / V; i++) {
    const r = Float64Array.from(logits.subarray(i * V, (i + 1) * V));
    const m = Math.max(...r);
    const lse = m + Math.log(r.reduce((s, x) => s + Math.exp(x - m), 0));
    rows.push(r.map((x) => x - lse));
  }
  return rows;
}

/** Per-sample (sum, count) of answer NLL from float64 log-softmax rows. */
function answerSums(ls: Float64Array[], s: TokenStream): { sum: number; n: number }[] {
  const T = s.inputIds[0].length;
  return s.inputIds.map((ids, b) => {
    let sum = 0;
    let n = 0;
    for (let t = 0; t < T; t++) if (s.answerMask[b][t]) ((sum -= ls[b * T + t][ids[t + 1]]), n++);
    return { sum, n };
  });
}

async function expected(model: LlamaForCausalLM) {
  const meanOfMeans = (xs: { sum: number; n: number }[]) => xs.reduce((a, x) => a + x.sum / x.n, 0) / xs.length;
  const fθ = answerSums(await logSoftmax64(model, FORGET, true), FORGET);
  const fRef = answerSums(await logSoftmax64(model, FORGET, false), FORGET);
  const unk = answerSums(await logSoftmax64(model, UNKNOWN, true), UNKNOWN);
  const rθ = await logSoftmax64(model, RETAIN, true);
  const rRef = await logSoftmax64(model, RETAIN, false);
  // Every position of the retain batch, padding included (the study's mean over batch × positions), with the
  // study's 1e-12 inside the log.
  const kl =
    rθ.reduce(
      (acc, lθ, i) => acc - lθ.reduce((s, x, v) => s + Math.exp(rRef[i][v]) * Math.log(Math.exp(x) + 1e-12), 0),
      0,
    ) / rθ.length;
  const logSig = (x: number) => (x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x)));
  // NPO with β = 1: log p = −(summed answer NLL); −2·logσ(−(log p_θ − log p_ref)), mean over samples.
  const npo = fθ.reduce((a, x, b) => a - 2 * logSig(-(-x.sum + fRef[b].sum)), 0) / fθ.length;
  return { lGA: -meanOfMeans(fθ), lUnk: meanOfMeans(unk), lKL: kl, npo, perSample: fθ.map((x) => x.sum / x.n) };
}

describe('Study B unlearning loss on the tiny fixture Llama', () => {
  it('grad-diff-kl and NPO terms equal float64 sums over the answer-only masks', async () => {
    const { model } = await setup();
    const e = await expected(model);
    const w = { kl: 1, unlearn: 0.25, unk: 0.5 };
    const r = await unlearningLoss(model, {
      forget: FORGET,
      unknown: UNKNOWN,
      retain: RETAIN,
      weights: w,
      backward: false,
    });
    const err = expectClose([r.lGA, r.lUnk, r.lKL], [e.lGA, e.lUnk, e.lKL], VALUE, 'terms');
    console.info(`study-b loss: max |GPU − float64| over the terms = ${err.toExponential(2)}`);
    expectClose([r.total], [0.25 * e.lGA + 0.5 * e.lUnk + 1 * e.lKL], VALUE, 'total');
    expectClose(r.forgetNll, e.perSample, VALUE, 'per-sample forget NLL');
    const n = await unlearningLoss(model, {
      forget: FORGET,
      unknown: UNKNOWN,
      retain: RETAIN,
      weights: w,
      kind: 'npo',
      backward: false,
    });
    expectClose([n.lNpo, n.total], [e.npo, 0.25 * e.npo + 0.5 * e.lUnk + e.lKL], VALUE, 'npo');
    expect(Math.abs(n.lNpo - 2 * Math.LN2)).toBeGreaterThan(1e-3); // θ ≠ ref, else NPO would sit at 2·log 2
  });

  it('answer terms ignore extra right padding; the KL term averages over the padded positions too', async () => {
    const { model } = await setup();
    const pad = (s: TokenStream, k: number): TokenStream => ({
      inputIds: s.inputIds.map((r) => [...r, ...Array(k).fill(0)]),
      attentionMask: s.attentionMask.map((r) => [...r, ...Array(k).fill(0)]),
      answerMask: s.answerMask.map((r) => [...r, ...Array(k).fill(0)]),
    });
    const a = await unlearningLoss(model, { forget: FORGET, unknown: UNKNOWN, retain: RETAIN, backward: false });
    const b = await unlearningLoss(model, {
      forget: pad(FORGET, 3),
      unknown: pad(UNKNOWN, 2),
      retain: RETAIN,
      backward: false,
    });
    expectClose([b.lGA, b.lUnk], [a.lGA, a.lUnk], VALUE, 'padded answer terms');
    const c = await unlearningLoss(model, {
      forget: FORGET,
      unknown: UNKNOWN,
      retain: pad(RETAIN, 4),
      backward: false,
    });
    const e = await expected(model);
    expect(Math.abs(c.lKL - e.lKL)).toBeGreaterThan(1e-4); // more padded positions → a different mean
    // A mask over the prompt instead of the answer must change the forget term (the mask is really used).
    const shifted = { ...FORGET, answerMask: FORGET.answerMask.map((r) => [0, ...r.slice(0, -2), 0]) };
    const d = await unlearningLoss(model, { forget: shifted, unknown: UNKNOWN, retain: RETAIN, backward: false });
    expect(Math.abs(d.lGA - a.lGA)).toBeGreaterThan(1e-2);
  });

  it.each(['grad-diff-kl', 'npo'] as const)(
    '%s: LoRA gradients match central differences of the loss',
    async (kind) => {
      const { be, model } = await setup();
      const opts = { forget: FORGET, unknown: UNKNOWN, retain: RETAIN, kind };
      await unlearningLoss(model, opts);
      // The largest-|g| entries of one A and one B (the test then cannot pass on a zero gradient).
      for (const p of [model.adapters[0].A, model.adapters[1].B]) {
        const g = await be.download(p.grad!);
        let i = 0;
        g.forEach((x, j) => Math.abs(x) > Math.abs(g[i]) && (i = j));
        expect(Math.abs(g[i])).toBeGreaterThan(1e-3);
        const base = Float32Array.from(await be.download(p.value));
        const h = 2e-2;
        const at = async (delta: number) => {
          const v = base.slice();
          v[i] += delta;
          p.value.dispose();
          p.value = be.upload(v, p.value.shape);
          return (await unlearningLoss(model, { ...opts, backward: false })).total;
        };
        const fd = ((await at(h)) - (await at(-h))) / (2 * h);
        await at(0);
        expectClose([g[i]], [fd], FD, `${kind} ${p.name}[${i}]`);
        console.info(
          `study-b ${kind} ${p.name}[${i}]: grad ${g[i].toExponential(4)} vs central difference ${fd.toExponential(4)}`,
        );
      }
    },
  );
});
