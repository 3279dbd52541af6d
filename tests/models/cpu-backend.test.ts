// The three families' forward on the CPU backend (workers/backend/cpu-backend.ts running each op's CPU kernel)
// vs Hugging Face transformers' numbers, for every fixture set found: logits and hidden states on the real
// positions and the loss; Llama also with q8 / q4 frozen weights (the CPU linear dequantises in the op) against
// the same model whose linear runs the float64 reference; and a backward fails naming the missing op.
// Everything runs twice: matrix products on the plain-JS kernels, and on onnxruntime-web's wasm engine forced for
// every size (the fixtures are far below the default ORT thresholds), checked to have really run.
// No GPU is used; it sits with the other fixture tests (Node only, so the Chromium project does not repeat it).
import { describe, expect, it } from 'vitest';
import { causalLmLoss } from '../../models/common/causal-lm';
import { LlamaForCausalLM } from '../../models/llama/model';
import { openCheckpoint, type Checkpoint } from '../../models/load/checkpoint';
import { dirSource } from '../../models/load/node-source';
import { seq2seqLoss } from '../../models/t5/seq2seq';
import { T5ForConditionalGeneration } from '../../models/t5/model';
import { maskedLmLoss } from '../../models/xlmr/masked-lm';
import { XlmrForMaskedLM } from '../../models/xlmr/model';
import type { OpDef, Tensor } from '../../workers/backend/backend';
import { CpuBackend, CpuOpMissingError } from '../../workers/backend/cpu-backend';
import { linearOp, type LinearAttrs } from '../../workers/kernels/linear/linear';
import { ortGemmEngine } from '../../workers/kernels/ort-matmul/ort-matmul';
import { expectClose } from '../helpers/compare';
import { fixtures, maskedIndices, pick, type RefTensor } from './fixtures';

// The GPU tests' tolerances (fixture README: float32 error ≤ 2.2e-5 on logits; a real bug moves them ≥ 1e-3).
const LOGITS = { atol: 1e-4, rtol: 0 };
const LOSS = { atol: 1e-5, rtol: 0 };

const ort = ortGemmEngine({ minWork: 0, minRows: 0 });
const ENGINES = [
  { engine: 'js', gemm: null },
  { engine: 'ort', gemm: ort },
] as const;

let refRuns = 0;
/** A CPU kernel for `linear` that runs the op's float64 reference (test-only yardstick for the quantised path). */
const linearViaRef: NonNullable<OpDef<LinearAttrs>['cpu']> = (_ctx, inputs, [y]) => {
  refRuns++;
  const host = inputs.map((t) => ({
    shape: [...t.shape],
    dtype: t.dtype,
    data: t.dtype === 'f32' ? Float64Array.from(t.data) : (t.data as Uint32Array | Int32Array),
  }));
  y.f32.set(linearOp.ref(host, {})[0].data);
};

/** `fn` with linear's CPU kernel swapped for linearViaRef (restored afterwards; tests in a file run one at a time). */
async function withLinearOnRef<T>(fn: () => Promise<T>): Promise<T> {
  const own = linearOp.cpu;
  linearOp.cpu = linearViaRef;
  try {
    return await fn();
  } finally {
    linearOp.cpu = own;
  }
}

async function logitsOf(
  be: CpuBackend,
  ckpt: Checkpoint,
  format: 'f32' | 'q8' | 'q4',
  batch: { inputIds: number[][]; attentionMask: number[][] },
) {
  const model = await LlamaForCausalLM.load(be, ckpt, { format });
  const out = await model.forward(batch);
  const logits = await be.download(out.logits);
  model.dispose(out);
  return logits;
}

async function compareAll(
  be: CpuBackend,
  mine: readonly Tensor[],
  theirs: RefTensor[],
  real: (s: number[]) => number[],
  label: string,
) {
  expect(mine.length, label).toBe(theirs.length);
  for (let i = 0; i < theirs.length; i++) {
    expect([...mine[i].shape], `${label}[${i}] shape`).toEqual(theirs[i].shape);
    const idx = real(theirs[i].shape);
    expectClose(pick(await be.download(mine[i]), idx), pick(theirs[i].data, idx), LOGITS, `${label}[${i}]`);
  }
}

for (const { engine, gemm } of ENGINES) {
  const cpu = () => new CpuBackend({ gemm });
  /** On the ORT engine, `fn` must have run products on ORT. */
  const throughOrt = async <T>(fn: () => Promise<T>): Promise<T> => {
    const before = ort.runs;
    const r = await fn();
    if (engine === 'ort') expect(ort.runs, 'ORT runs').toBeGreaterThan(before);
    return r;
  };

  describe.each(fixtures('XLMRobertaForMaskedLM'))(`XLM-R on the CPU backend (${engine}): $name`, (f) => {
    it('logits, hidden states and loss match transformers', async () => {
      const be = cpu();
      const inp = f.ref.inputs;
      const model = await XlmrForMaskedLM.load(be, await openCheckpoint(dirSource(f.dir)));
      const batch = { inputIds: inp.input_ids, attentionMask: inp.attention_mask };
      const out = await throughOrt(() => model.forward(batch, { hiddenStates: true }));
      const real = (s: number[]) => maskedIndices(s, (b, t) => inp.attention_mask[b][t] === 1);
      await compareAll(be, [out.logits!], [f.ref.outputs.logits], real, 'logits');
      await compareAll(be, out.hiddenStates!, f.ref.outputs.hidden_states, real, 'hidden_states');
      model.dispose(out);
      expectClose([await maskedLmLoss(model, { ...batch, labels: inp.labels })], [f.ref.outputs.loss], LOSS, 'loss');
      expect(be.runs.get('attention')).toBeGreaterThan(0);
    });
  });

  describe.each(fixtures('LlamaForCausalLM'))(`Llama on the CPU backend (${engine}): $name`, (f) => {
    const inp = f.ref.inputs;
    const batch = { inputIds: inp.input_ids, attentionMask: inp.attention_mask };
    const real = (s: number[]) => maskedIndices(s, (b, t) => inp.attention_mask[b][t] === 1);

    it('logits, hidden states and loss match transformers', async () => {
      const be = cpu();
      const model = await LlamaForCausalLM.load(be, await openCheckpoint(dirSource(f.dir)));
      const out = await throughOrt(() => model.forward(batch, { hiddenStates: true }));
      await compareAll(be, [out.logits], [f.ref.outputs.logits], real, 'logits');
      await compareAll(be, out.hiddenStates!, f.ref.outputs.hidden_states, real, 'hidden_states');
      model.dispose(out);
      expectClose([await causalLmLoss(model, { ...batch, labels: inp.labels })], [f.ref.outputs.loss], LOSS, 'loss');
    });

    it('q8 and q4 frozen weights stay packed and give the logits of float64 dequantise-then-multiply', async () => {
      const ckpt = await openCheckpoint(dirSource(f.dir));
      const f32Logits = Array.from(await logitsOf(cpu(), ckpt, 'f32', batch));
      for (const format of ['q8', 'q4'] as const) {
        const be = cpu();
        const got = Array.from(await throughOrt(() => logitsOf(be, ckpt, format, batch)));
        // The same model with only the linear op swapped for its float64 reference (dequantise, then multiply).
        const before = refRuns;
        const want = Array.from(await withLinearOnRef(() => logitsOf(cpu(), ckpt, format, batch)));
        expect(refRuns, 'the yardstick ran the float64 reference').toBeGreaterThan(before);
        expectClose(got, want, LOGITS, `${format} CPU linear vs float64 dequantised reference`);
        // And it really is quantised: the logits moved away from the f32 model's.
        expect(Math.max(...got.map((x, i) => Math.abs(x - f32Logits[i]))), format).toBeGreaterThan(1e-3);
      }
    });

    it('training ops are not on the CPU backend: a backward fails naming its op', async () => {
      const be = cpu();
      const model = await LlamaForCausalLM.load(be, await openCheckpoint(dirSource(f.dir)));
      model.applyLora({ r: 2, alpha: 4, dropout: 0, targetModules: ['q_proj'], seed: 0 });
      const { causalLmLossAndGrad } = await import('../../models/common/causal-lm');
      const err = await causalLmLossAndGrad(model, { ...batch, labels: inp.labels }).catch((e) => e);
      expect(err).toBeInstanceOf(CpuOpMissingError);
      expect((err as Error).message).toMatch(/the op "[a-zA-Z-]+"/);
    });
  });

  describe.each(fixtures('T5ForConditionalGeneration'))(`T5 on the CPU backend (${engine}): $name`, (f) => {
    it('logits, encoder/decoder hidden states and loss match transformers', async () => {
      const be = cpu();
      const inp = f.ref.inputs;
      const model = await T5ForConditionalGeneration.load(be, await openCheckpoint(dirSource(f.dir)));
      const encBatch = { inputIds: inp.input_ids, attentionMask: inp.attention_mask };
      const out = await throughOrt(() =>
        model.forward({ ...encBatch, decoderInputIds: inp.decoder_input_ids }, { hiddenStates: true }),
      );
      const realEnc = (s: number[]) => maskedIndices(s, (b, t) => inp.attention_mask[b][t] === 1);
      const realDec = (s: number[]) => maskedIndices(s, (b, t) => inp.labels[b][t] !== -100);
      const ref = f.ref.outputs;
      await compareAll(be, [out.logits], [ref.logits], realDec, 'logits');
      await compareAll(be, out.encoderHiddenStates!, ref.encoder_hidden_states, realEnc, 'encoder_hidden_states');
      await compareAll(be, out.decoderHiddenStates!, ref.decoder_hidden_states, realDec, 'decoder_hidden_states');
      model.dispose(out);
      expectClose([await seq2seqLoss(model, { ...encBatch, labels: inp.labels })], [ref.loss], LOSS, 'loss');
    });
  });
}
