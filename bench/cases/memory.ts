// Study B's closing note: memory and step time of LoRA unlearning on a 1B-class Llama. The whole model does not
// run on SwiftShader in reasonable time, so this prints the computed budget of the full 1B shape
// (models/common/memory-estimate.ts) and measures ONE decoder layer of that shape (vocabulary cut to 1,024, tied,
// so embeddings and head stay small) for one LoRA step at batch 1 × 64 tokens: causal-LM loss, backward, AdamW
// (gradient ascent on the forget set, as unlearning does, costs the same as this descent). Peak = our buffer
// pool's peak live bytes during the step (weights included). --quick: the same step on a tiny layer (hidden 64,
// 8 tokens); the budget lines still describe the 1B shape (they are computed, not measured).
import { causalLmLossAndGrad } from '../../models/common/causal-lm';
import { estimateLoraMemory, type DecoderShape, type LoraTarget } from '../../models/common/memory-estimate';
import { LlamaForCausalLM } from '../../models/llama/model';
import { zeroGrads } from '../../workers/nn/param';
import { AdamWOptimizer } from '../../workers/train/adamw-optimizer';
import { describeLlama, llamaCheckpoint, type LlamaShape } from '../lib/llama-synthetic';
import { disposeModelWeights } from '../../models/common/dispose-weights';
import type { BenchCase, BenchScale } from '../lib/types';

const LLAMA_1B: DecoderShape = {
  hidden: 2048,
  layers: 16,
  heads: 32,
  kvHeads: 8,
  intermediate: 8192,
  vocab: 128256,
  tiedEmbeddings: true,
};
const TARGETS: LoraTarget[] = ['q_proj', 'v_proj'];
const R = 8;
const TOKENS = 64;

interface LayerSetting {
  layer: LlamaShape;
  tokens: number;
}
const FULL: LayerSetting = { layer: { C: 2048, L: 1, NH: 32, NKV: 8, I: 8192, V: 1024 }, tokens: TOKENS };
const QUICK: LayerSetting = { layer: { C: 64, L: 1, NH: 4, NKV: 2, I: 128, V: 256 }, tokens: 8 };

const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;
const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

/** The computed budget of the full 1B shape, one line per figure. */
export function budgetLines(): string[] {
  const e = estimateLoraMemory({ shape: LLAMA_1B, lora: { r: R, targets: TARGETS }, batch: 1, seqLen: TOKENS });
  const t = e.totals;
  return [
    `1B-class budget (hidden 2048, 16 layers, 32/8 heads, intermediate 8192, vocab 128256, tied; ${(e.params.total / 1e9).toFixed(3)} B params), LoRA r ${R} q+v, 1 × ${TOKENS} tokens:`,
    `  weights f32 ${gib(e.weightBytes.f32)} | q8 ${gib(e.weightBytes.q8)} | q4 ${gib(e.weightBytes.q4)} (embeddings + norms stay f32)`,
    `  LoRA ${(e.params.lora / 1e6).toFixed(3)} M params: weights ${mib(e.loraBytes)} + grads ${mib(e.gradBytes)} + AdamW m, v ${mib(e.adamBytes)}`,
    `  activations ${(e.activations.perTokenPerLayer / 1024).toFixed(1)} KiB/token/layer: ${mib(e.activations.full)} without checkpointing, ${mib(e.activations.checkpointed)} with; logits + grad ${mib(e.logitsBytes)}`,
    `  total f32 ${gib(t.f32.full)} (ckpt ${gib(t.f32.checkpointed)}) | q8 ${gib(t.q8.full)} (ckpt ${gib(t.q8.checkpointed)}) | q4 ${gib(t.q4.full)} (ckpt ${gib(t.q4.checkpointed)})`,
  ];
}

function oneLayerCase({ layer, tokens }: LayerSetting): BenchCase {
  return {
    group: '1B layer LoRA step',
    shape: `1×${tokens} f32`,
    runs: 1,
    warmup: 0,
    async ours(env) {
      const be = env.backend;
      const model = await LlamaForCausalLM.load(be, llamaCheckpoint(layer, env.random));
      model.applyLora({ r: R, alpha: 16, dropout: 0, targetModules: TARGETS, seed: 1 });
      const opt = new AdamWOptimizer(be, model.trainableParams());
      const ids = [Array.from({ length: tokens }, (_, i) => 3 + ((i * 97) % (layer.V - 3)))];
      const resident = be.runner.pool.getStats().liveBytes;
      let peak = 0;
      return {
        async run() {
          be.runner.pool.resetPeak();
          await causalLmLossAndGrad(model, { inputIds: ids, labels: ids });
          await opt.step({ lr: 1e-4 });
          zeroGrads(model.trainableParams());
          await be.sync();
          peak = be.runner.pool.getStats().peakLiveBytes;
        },
        dispose() {
          opt.dispose();
          disposeModelWeights(model);
        },
        summary: () =>
          [
            `one layer ${layer === FULL.layer ? 'of the 1B shape' : '(quick: NOT the 1B shape)'} (${describeLlama(layer)}), f32 weights, LoRA r ${R} q+v, no checkpointing:`,
            `  pool live before the step ${mib(resident)} (weights, LoRA, AdamW), peak live during it ${mib(peak)}`,
            ...budgetLines(),
          ].join('\n    '),
      };
    },
  };
}

export function memoryCases(scale: BenchScale): BenchCase[] {
  return [oneLayerCase(scale === 'quick' ? QUICK : FULL)];
}
