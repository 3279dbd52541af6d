// T5ForConditionalGeneration on the engine vs Hugging Face transformers' own numbers (every T5 fixture found),
// plus the relative-position buckets against values worked out by hand from transformers' formula.
import { describe, expect, it } from 'vitest';
import { openCheckpoint, type Checkpoint } from '../../models/load/checkpoint';
import { dirSource } from '../../models/load/node-source';
import { generate } from '../../models/t5/generate';
import { T5ForConditionalGeneration } from '../../models/t5/model';
import { positionBias, relativePositionBucket } from '../../models/t5/position-bias';
import {
  encoderHiddenStates,
  seq2seqLoss,
  seq2seqLossAndGrad,
  sequenceLogProbs,
  shiftRight,
} from '../../models/t5/seq2seq';
import { zeroGrads } from '../../workers/nn/param';
import { expectClose } from '../helpers/compare';
import { testBackend } from '../helpers/gpu';
import type { Tensor } from '../../workers/backend/backend';
import { fixtures, maskedIndices, pick, type Fixture, type RefTensor } from './fixtures';
import { setLoraFromReference } from './lora-reference';

// Tolerances from the fixture README: measured float32 error ≤ 2.2e-5 on logits; a real bug moves them ≥ 1e-3.
const LOGITS = { atol: 1e-4, rtol: 0 };
const LOSS = { atol: 1e-5, rtol: 0 };
const GRADS = { atol: 1e-5, rtol: 1e-3 };

describe('T5 relative position buckets', () => {
  // Worked by hand from transformers' _relative_position_bucket with 8 buckets, max distance 16.
  it('unidirectional (decoder): exact below 4, logarithmic above, distance 8 lands on bucket 6', () => {
    const opts = { bidirectional: false, numBuckets: 8, maxDistance: 16 };
    // key − query = −distance; 4 + trunc(log(d/4)/log(4)·4): d 5 → 0.64, 6 → 1.17, 7 → 1.61, 8 → 2.0 exactly, 11 → 2.92, 12 → 3.17
    const expected: [number, number][] = [
      [0, 0],
      [1, 1],
      [3, 3],
      [4, 4],
      [5, 4],
      [6, 5],
      [7, 5],
      [8, 6],
      [11, 6],
      [12, 7],
      [16, 7],
      [500, 7],
    ];
    for (const [d, b] of expected) expect(relativePositionBucket(-d, opts), `distance ${d}`).toBe(b);
    // Future keys (masked by causality anyway) all share bucket 0.
    expect(relativePositionBucket(3, opts)).toBe(0);
  });

  it('bidirectional (encoder): 4 buckets per direction, future keys offset by 4', () => {
    const opts = { bidirectional: true, numBuckets: 8, maxDistance: 16 };
    // 2 + trunc(log(d/2)/log(8)·2): d 3 → 0.39, 5 → 0.88, 6 → 1.06, 8 → 1.33, 16 → 2 → clamped to 3
    const expected: [number, number][] = [
      [0, 0],
      [-1, 1],
      [-2, 2],
      [-3, 2],
      [-5, 2],
      [-6, 3],
      [-8, 3],
      [-16, 3],
      [1, 5],
      [3, 6],
      [6, 7],
      [40, 7],
    ];
    for (const [rel, b] of expected) expect(relativePositionBucket(rel, opts), `relative position ${rel}`).toBe(b);
  });

  it('bias [NH, T, S] gathers table[bucket, head], queries being the last T positions', () => {
    const NH = 2;
    const table = Float32Array.from({ length: 8 * NH }, (_, i) => i + 0.5); // table[b, h] = 2b + h + 0.5
    const bias = positionBias({
      table,
      numHeads: NH,
      T: 1,
      S: 3,
      bidirectional: false,
      numBuckets: 8,
      maxDistance: 16,
    });
    // The query sits at position 2: distances 2, 1, 0 → buckets 2, 1, 0.
    expect(Array.from(bias)).toEqual([4.5, 2.5, 0.5, 5.5, 3.5, 1.5]);
  });
});

/** The fixture viewed as another T5 layout: tied head (no lm_head.weight) and/or relu FF (wi = wi_0, no wi_1). */
function variant(ck: Checkpoint, opts: { tie: boolean; relu: boolean }): Checkpoint {
  const source = (n: string) => (opts.relu ? n.replace('.DenseReluDense.wi.', '.DenseReluDense.wi_0.') : n);
  const names = ck
    .names()
    .filter((n) => !(opts.tie && n === 'lm_head.weight') && !(opts.relu && n.includes('.wi_1.')))
    .map((n) => (opts.relu ? n.replace('.wi_0.', '.wi.') : n));
  const config = { ...ck.config, tie_word_embeddings: opts.tie, ...(opts.relu ? { feed_forward_proj: 'relu' } : {}) };
  return {
    config,
    names: () => names,
    has: (n) => names.includes(n),
    info: (n) => ck.info(source(n)),
    read: (n) => ck.read(source(n)),
  };
}

async function load(f: Fixture) {
  const be = await testBackend();
  const model = await T5ForConditionalGeneration.load(be, await openCheckpoint(dirSource(f.dir)));
  return { be, model };
}

describe.each(fixtures('T5ForConditionalGeneration'))('T5 $name', (f) => {
  const inp = f.ref.inputs;
  const encBatch = { inputIds: inp.input_ids, attentionMask: inp.attention_mask };
  const batch = { ...encBatch, decoderInputIds: inp.decoder_input_ids };
  const realEnc = (shape: number[]) => maskedIndices(shape, (b, t) => inp.attention_mask[b][t] === 1);
  const realDec = (shape: number[]) => maskedIndices(shape, (b, t) => inp.labels[b][t] !== -100);

  it('decoder_input_ids are shift_right(labels)', async () => {
    const { model } = await load(f);
    expect(shiftRight(inp.labels, model.config.decoder_start_token_id, model.config.pad_token_id)).toEqual(
      inp.decoder_input_ids,
    );
  });

  it('logits, encoder/decoder hidden states and loss match transformers', async () => {
    const { be, model } = await load(f);
    const out = await model.forward(batch, { hiddenStates: true });
    const ref = f.ref.outputs;
    expect(out.logits.shape).toEqual(ref.logits.shape);
    const idx = realDec(ref.logits.shape);
    expectClose(pick(await be.download(out.logits), idx), pick(ref.logits.data, idx), LOGITS, 'logits');
    const compare = async (mine: readonly Tensor[], theirs: RefTensor[], real: typeof realEnc, label: string) => {
      expect(mine.length, label).toBe(theirs.length);
      for (let i = 0; i < theirs.length; i++) {
        expect(mine[i].shape).toEqual(theirs[i].shape);
        const hi = real(theirs[i].shape);
        expectClose(pick(await be.download(mine[i]), hi), pick(theirs[i].data, hi), LOGITS, `${label}[${i}]`);
      }
    };
    await compare(out.encoderHiddenStates!, ref.encoder_hidden_states, realEnc, 'encoder_hidden_states');
    await compare(out.decoderHiddenStates!, ref.decoder_hidden_states, realDec, 'decoder_hidden_states');
    await compare([out.encoderLastHiddenState], [ref.encoder_last_hidden_state], realEnc, 'encoder_last_hidden_state');
    await compare(
      [out.state.enc.stack.last],
      [ref.encoder_last_block_output_before_final_norm],
      realEnc,
      'encoder before final norm',
    );
    await compare(
      [out.state.dec.stack.last],
      [ref.decoder_last_block_output_before_final_norm],
      realDec,
      'decoder before final norm',
    );
    model.dispose(out);
    const loss = await seq2seqLoss(model, { ...encBatch, labels: inp.labels });
    expectClose([loss], [ref.loss], LOSS, 'loss');
  });

  it('LoRA on every q and v (self and cross): logits, loss and gradients match transformers + the reference wrapper', async () => {
    const { be, model } = await load(f);
    const lora = f.ref.lora;
    model.applyLora({ r: lora.r, alpha: lora.alpha, dropout: lora.dropout, targetModules: ['q', 'v'], seed: 0 });
    expect(model.adapters.map((a) => a.A.name)).toEqual(
      lora.adapters.map((a: { module: string }) => `base_model.model.${a.module}.lora_A.weight`),
    );
    setLoraFromReference(be, model.adapters, lora.adapters);
    const out = await model.forward(batch);
    const idx = realDec(lora.logits.shape);
    expectClose(pick(await be.download(out.logits), idx), pick(lora.logits.data, idx), LOGITS, 'LoRA logits');
    model.dispose(out);
    const loss = await seq2seqLossAndGrad(model, { ...encBatch, labels: inp.labels });
    expectClose([loss], [lora.loss], LOSS, 'LoRA loss');
    for (const g of lora.grads) {
      const ad = lora.adapters.find((a: { id: string }) => a.id === g.id);
      const adapter = model.adapters.find((a) => a.A.name === `base_model.model.${ad.module}.lora_A.weight`);
      expect(adapter, g.id).toBeTruthy();
      expectClose(await be.download(adapter!.A.grad!), g.dA.data, GRADS, `${g.id} dA`);
      expectClose(await be.download(adapter!.B.grad!), g.dB.data, GRADS, `${g.id} dB`);
    }
    // Gradient checkpointing recomputes each block (cross-attention included) in backward: same gradients.
    zeroGrads(model.trainableParams());
    const lossCkpt = await seq2seqLossAndGrad(model, { ...encBatch, labels: inp.labels }, { checkpointing: true });
    expectClose([lossCkpt], [lora.loss], LOSS, 'LoRA loss (checkpointing)');
    for (const g of lora.grads) {
      const ad = lora.adapters.find((a: { id: string }) => a.id === g.id);
      const adapter = model.adapters.find((a) => a.A.name === `base_model.model.${ad.module}.lora_A.weight`)!;
      expectClose(await be.download(adapter.A.grad!), g.dA.data, GRADS, `${g.id} dA (checkpointing)`);
      expectClose(await be.download(adapter.B.grad!), g.dB.data, GRADS, `${g.id} dB (checkpointing)`);
    }
  });

  it('sequence scores are Σ log p(label) from float64 log-softmax of the reference logits; encoder-only states match', async () => {
    const { model } = await load(f);
    const scores = await sequenceLogProbs(model, { ...encBatch, labels: inp.labels });
    const { shape, data } = f.ref.outputs.logits;
    const [, T, V] = shape;
    const expected = inp.labels.map((row: number[], b: number) => {
      let sum = 0;
      row.forEach((label, t) => {
        if (label === -100) return;
        const o = (b * T + t) * V;
        let max = -Infinity;
        for (let v = 0; v < V; v++) max = Math.max(max, data[o + v]);
        let z = 0;
        for (let v = 0; v < V; v++) z += Math.exp(data[o + v] - max);
        sum += data[o + label] - max - Math.log(z);
      });
      return sum;
    });
    // A row sum adds up to ~20 token log-probs, each within the logits' 1e-4.
    expectClose(scores, expected, { atol: 2e-3, rtol: 0 }, 'sequence log-probs');
    const states = await encoderHiddenStates(model, encBatch);
    const ref = f.ref.outputs.encoder_hidden_states;
    expect(states.length).toBe(ref.length);
    states.forEach((h, i) => {
      const idx = maskedIndices(ref[i].shape, (b, t) => inp.attention_mask[b][t] === 1);
      expectClose(pick(h, idx), pick(ref[i].data, idx), LOGITS, `encoder-only hidden_states[${i}]`);
    });
  });

  it('tied embeddings: logits = d_model^−0.5 · final decoder state · sharedᵀ (from the reference hidden state)', async () => {
    const be = await testBackend();
    const ckpt = await openCheckpoint(dirSource(f.dir));
    const model = await T5ForConditionalGeneration.load(be, variant(ckpt, { tie: true, relu: false }));
    const out = await model.forward(batch);
    const { d_model: C, vocab_size: V } = model.config;
    const shared = await ckpt.read('shared.weight');
    const h = f.ref.outputs.decoder_hidden_states.at(-1); // final_layer_norm output, unchanged by tying
    const [B, T] = h.shape;
    const expected = new Float64Array(B * T * V);
    for (let r = 0; r < B * T; r++)
      for (let v = 0; v < V; v++) {
        let dot = 0;
        for (let c = 0; c < C; c++) dot += h.data[r * C + c] * shared[v * C + c];
        expected[r * V + v] = dot * C ** -0.5;
      }
    const idx = realDec([B, T, V]);
    expectClose(pick(await be.download(out.logits), idx), pick(expected, idx), LOGITS, 'tied logits');
    model.dispose(out);
  });

  it('original-T5 layout (relu FF, tied head): LoRA gradient equals a central difference of the loss', async () => {
    const be = await testBackend();
    const model = await T5ForConditionalGeneration.load(
      be,
      variant(await openCheckpoint(dirSource(f.dir)), { tie: true, relu: true }),
    );
    expect(model.slots().map((x) => x.module)).toContain('decoder.block.0.layer.2.DenseReluDense.wi');
    const lora = f.ref.lora;
    model.applyLora({ r: lora.r, alpha: lora.alpha, dropout: 0, targetModules: ['q', 'v'], seed: 0 });
    setLoraFromReference(be, model.adapters, lora.adapters);
    const labelled = { ...encBatch, labels: inp.labels };
    await seq2seqLossAndGrad(model, labelled);
    const params = model.trainableParams();
    const grads = await Promise.all(params.map(async (p) => Float64Array.from(await be.download(p.grad!))));
    const norm = Math.sqrt(grads.reduce((s, g) => s + g.reduce((a, x) => a + x * x, 0), 0));
    const base = await Promise.all(params.map(async (p) => Float64Array.from(await be.download(p.value))));
    const lossAt = async (eps: number) => {
      params.forEach((p, i) => {
        p.value.dispose();
        p.value = be.upload(
          base[i].map((x, j) => x + (eps * grads[i][j]) / norm),
          p.value.shape,
        );
      });
      return seq2seqLoss(model, labelled);
    };
    // Along the unit gradient direction the directional derivative is |grad| (≈ 0.5 here). Step 3e-3: the O(eps²)
    // curvature term measured ≈ 1% at 1e-2, so ≈ 0.1% here; float32 loss noise (~1e-6) / 6e-3 is ≈ 2e-4.
    // A wrong d_model^−0.5 in backward or a wrong relu gradient is off by far more than the 1% allowed.
    const eps = 3e-3;
    const fd = ((await lossAt(eps)) - (await lossAt(-eps))) / (2 * eps);
    expectClose([fd], [norm], { atol: 0, rtol: 1e-2 }, 'directional derivative');
  });

  it('greedy generate() equals argmax decoding done by hand with forward()', async () => {
    const { be, model } = await load(f);
    const steps = 3;
    const got = await generate(model, { ...encBatch, maxNewTokens: steps });
    const { decoder_start_token_id: start, eos_token_id: eos, pad_token_id: pad, vocab_size: V } = model.config;
    const seqs: number[][] = inp.input_ids.map(() => [start]);
    const done = seqs.map(() => false);
    for (let s = 0; s < steps && done.includes(false); s++) {
      const out = await model.forward({ ...encBatch, decoderInputIds: seqs });
      const logits = (await be.download(out.logits)) as Float32Array;
      model.dispose(out);
      const T = seqs[0].length;
      seqs.forEach((row, b) => {
        const last = logits.subarray((b * T + T - 1) * V, (b * T + T) * V);
        const tok = last.indexOf(Math.max(...last));
        row.push(done[b] ? pad : tok);
        done[b] ||= tok === eos;
      });
    }
    expect(got).toEqual(seqs);
  });
});
