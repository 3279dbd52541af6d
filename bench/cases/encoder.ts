// Model-level: an xlm-roberta-base-shaped encoder (hidden 768, 12 heads, intermediate 3072; 2 layers instead of
// 12 so SwiftShader finishes, vocabulary 1,000 since the MLM head is not part of the race), random seeded weights,
// batch 8 × 32 tokens with 4 padded tokens in every odd row. Forward: ours (XlmrForMaskedLM, last hidden state)
// vs onnxruntime-web's WebGPU EP running the equivalent ONNX graph over the same weights (lib/xlmr-onnx.ts); the
// page checks max |Δ| of the last hidden state before timing. Training: one LoRA step (r 8 on query + value,
// masked-LM loss at 2 positions per row, forward + backward + AdamW), reported as a multiple of our forward.
// --quick: the same code on a tiny encoder (2 × 16 tokens, hidden 64, 1 layer).
import { maskedLmLossAndGrad } from '../../models/xlmr/masked-lm';
import { XlmrForMaskedLM } from '../../models/xlmr/model';
import { zeroGrads } from '../../workers/nn/param';
import { AdamWOptimizer } from '../../workers/train/adamw-optimizer';
import { graphModel } from '../lib/onnx-graph';
import { ortGraph } from '../lib/ort';
import type { Backend } from '../../workers/backend/backend';
import type { BenchCase, BenchEnv, BenchScale } from '../lib/types';
import { encoderBatch, encoderCheckpoint, encoderOnnx, encoderTensors, type EncoderShape } from '../lib/xlmr-onnx';
import { disposeModelWeights } from '../../models/common/dispose-weights';

const FULL: EncoderShape = { B: 8, T: 32, C: 768, NH: 12, I: 3072, L: 2, V: 1000, pad: 4 };
const QUICK: EncoderShape = { B: 2, T: 16, C: 64, NH: 4, I: 128, L: 1, V: 100, pad: 4 };

/** The encoder shape of a scale, shared with cases/cpu-backend.ts (the same forward on the CPU backend). */
export function encoderShape(scale: BenchScale): EncoderShape {
  return scale === 'quick' ? QUICK : FULL;
}

/** The shape column of the encoder rows, and the `group shape` of the forward row (what others are relative to). */
export const encoderLabel = (s: EncoderShape) => `${s.B}×${s.T} L${s.L}`;
export const forwardName = (s: EncoderShape) => `encoder fwd ${encoderLabel(s)}`;

/** Our encoder forward on any backend, timed as a bench case's `ours` side: run() keeps the newest forward and
 *  releases the one before it, so output() can read its last hidden state (state.stack.last; disposing a forward's
 *  state releases it together with the rest of the stack). */
export async function encoderForwardTimer(options: {
  backend: Backend;
  random: BenchEnv['random'];
  shape: EncoderShape;
}) {
  const { backend, shape } = options;
  const model = await XlmrForMaskedLM.load(backend, encoderCheckpoint(shape, encoderTensors(shape, options.random)));
  const batch = encoderBatch(shape);
  let prev: Awaited<ReturnType<XlmrForMaskedLM['forward']>> | null = null;
  return {
    async run() {
      const out = await model.forward(batch, { head: false });
      if (prev) model.dispose(prev);
      prev = out;
      await backend.sync();
    },
    async output() {
      if (!prev) throw new Error('encoder fwd: output() before run()');
      return (await backend.download(prev.state.stack.last)) as Float32Array;
    },
    dispose() {
      if (prev) model.dispose(prev);
      disposeModelWeights(model);
    },
  };
}

function forwardCase(shape: EncoderShape): BenchCase {
  return {
    group: 'encoder fwd',
    shape: encoderLabel(shape),
    runs: 3,
    warmup: 1,
    async ours(env) {
      return {
        ...(await encoderForwardTimer({ backend: env.backend, random: env.random, shape })),
        summary: () =>
          `hidden ${shape.C}, ${shape.NH} heads, intermediate ${shape.I}, ${shape.L} layer(s) (xlm-roberta-base has 12 of 768/12/3072), V ${shape.V}, ${shape.pad} pads in odd rows`,
      };
    },
    async peer(env) {
      const { graph, feeds } = encoderOnnx(shape, encoderTensors(shape, env.random));
      return ortGraph(env.ortBuild, graphModel(graph), feeds, 'last_hidden');
    },
  };
}

function trainCase(shape: EncoderShape): BenchCase {
  return {
    group: 'encoder LoRA step',
    shape: encoderLabel(shape),
    runs: 3,
    warmup: 1,
    relativeTo: forwardName(shape),
    async ours(env) {
      // The MLM head is needed for the loss: dense + LayerNorm + decoder tied to the word embeddings.
      const model = await XlmrForMaskedLM.load(
        env.backend,
        encoderCheckpoint(shape, encoderTensors(shape, env.random, { head: true })),
      );
      model.applyLora({ r: 8, alpha: 16, dropout: 0, targetModules: ['query', 'value'], seed: 1 });
      const { inputIds, attentionMask } = encoderBatch(shape);
      const labels = inputIds.map((row, b) => row.map((id, t) => (t === 3 || t === 7 + (b % 5) ? id : -100)));
      const positions = labels.flat().filter((id) => id !== -100).length;
      const opt = new AdamWOptimizer(env.backend, model.trainableParams());
      let loss = NaN;
      return {
        async run() {
          loss = await maskedLmLossAndGrad(model, { inputIds, attentionMask, labels });
          await opt.step({ lr: 1e-4 });
          zeroGrads(model.trainableParams());
          await env.backend.sync();
        },
        dispose() {
          opt.dispose();
          disposeModelWeights(model);
        },
        summary: () => `LoRA r 8 on query+value, MLM loss at ${positions} positions, AdamW; loss ${loss.toFixed(3)}`,
      };
    },
  };
}

export function encoderCases(scale: BenchScale): BenchCase[] {
  const shape = encoderShape(scale);
  return [forwardCase(shape), trainCase(shape)];
}
