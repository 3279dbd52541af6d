// Model-level: greedy decoding with the KV cache (models/llama/generate.ts) on a Llama-shaped decoder with seeded
// random weights, prompt 16 tokens, 32 new tokens, batch 1. A run is the whole generate() call; the summary
// splits it into prefill (prompt pass + first token) and decode tokens/s over the 31 cached steps after it.
// No ORT peer: a KV-cache decoding loop is not a single graph in onnxruntime-web.
import { generate } from '../../models/llama/generate';
import { LlamaForCausalLM } from '../../models/llama/model';
import { median } from '../lib/measure';
import { describeLlama, llamaCheckpoint, type LlamaShape } from '../lib/llama-synthetic';
import { disposeModelWeights } from '../../models/common/dispose-weights';
import type { BenchCase } from '../lib/types';

const SHAPE: LlamaShape = { C: 512, L: 4, NH: 8, NKV: 2, I: 1408, V: 4096, untiedHead: true };
const PROMPT = 16;
const NEW = 32;

const decodeCase: BenchCase = {
  group: 'llama decode',
  shape: `${PROMPT}+${NEW} tok`,
  runs: 3,
  warmup: 1,
  async ours(env) {
    const model = await LlamaForCausalLM.load(env.backend, llamaCheckpoint(SHAPE, env.random));
    const prompt = [Array.from({ length: PROMPT }, (_, i) => 3 + ((i * 389) % (SHAPE.V - 3)))];
    const prefill: number[] = [];
    const perToken: number[] = [];
    return {
      async run() {
        const t0 = performance.now();
        let first = 0;
        const out = await generate(model, prompt, {
          maxNewTokens: NEW,
          eosTokenIds: [],
          onToken: (step) => {
            if (step === 0) first = performance.now();
          },
        });
        const end = performance.now();
        if (out[0].length !== NEW) throw new Error(`decode: ${out[0].length} tokens generated, expected ${NEW}`);
        prefill.push(first - t0);
        perToken.push((end - first) / (NEW - 1));
      },
      dispose: () => disposeModelWeights(model),
      summary: () =>
        `${describeLlama(SHAPE)}, untied head, greedy, batch 1: prefill ${median(prefill).toFixed(0)} ms, ` +
        `decode ${(1000 / median(perToken)).toFixed(2)} tokens/s (${median(perToken).toFixed(0)} ms/token)`,
    };
  },
};

export const decodeCases: BenchCase[] = [decodeCase];
