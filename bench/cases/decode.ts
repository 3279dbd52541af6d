// Model-level: greedy decoding with the KV cache (models/llama/generate.ts) on a Llama-shaped decoder with seeded
// random weights, prompt 16 tokens, 32 new tokens, batch 1. A run is the whole generate() call; the summary
// splits it into prefill (prompt pass + first token) and decode tokens/s over the 31 cached steps after it.
// No ORT peer: a KV-cache decoding loop is not a single graph in onnxruntime-web. --quick: hidden 64, 1 layer,
// 4 + 4 tokens.
import { generate } from '../../models/llama/generate';
import { LlamaForCausalLM } from '../../models/llama/model';
import { median } from '../lib/measure';
import { describeLlama, llamaCheckpoint, type LlamaShape } from '../lib/llama-synthetic';
import { disposeModelWeights } from '../../models/common/dispose-weights';
import type { BenchCase, BenchScale } from '../lib/types';

interface DecodeSetting {
  shape: LlamaShape;
  prompt: number;
  /** New tokens; at least 2, so there are cached steps after the first token. */
  newTokens: number;
}

const FULL: DecodeSetting = {
  shape: { C: 512, L: 4, NH: 8, NKV: 2, I: 1408, V: 4096, untiedHead: true },
  prompt: 16,
  newTokens: 32,
};
const QUICK: DecodeSetting = {
  shape: { C: 64, L: 1, NH: 4, NKV: 2, I: 128, V: 256, untiedHead: true },
  prompt: 4,
  newTokens: 4,
};

function decodeCase({ shape, prompt: promptLength, newTokens }: DecodeSetting): BenchCase {
  return {
    group: 'llama decode',
    shape: `${promptLength}+${newTokens} tok`,
    runs: 3,
    warmup: 1,
    async ours(env) {
      const model = await LlamaForCausalLM.load(env.backend, llamaCheckpoint(shape, env.random));
      const prompt = [Array.from({ length: promptLength }, (_, i) => 3 + ((i * 389) % (shape.V - 3)))];
      const prefill: number[] = [];
      const perToken: number[] = [];
      return {
        async run() {
          const t0 = performance.now();
          let first = 0;
          const out = await generate(model, prompt, {
            maxNewTokens: newTokens,
            eosTokenIds: [],
            onToken: (step) => {
              if (step === 0) first = performance.now();
            },
          });
          const end = performance.now();
          if (out[0].length !== newTokens)
            throw new Error(`decode: ${out[0].length} tokens generated, expected ${newTokens}`);
          prefill.push(first - t0);
          perToken.push((end - first) / (newTokens - 1));
        },
        dispose: () => disposeModelWeights(model),
        summary: () =>
          `${describeLlama(shape)}, untied head, greedy, batch 1: prefill ${median(prefill).toFixed(0)} ms, ` +
          `decode ${(1000 / median(perToken)).toFixed(2)} tokens/s (${median(perToken).toFixed(0)} ms/token)`,
      };
    },
  };
}

export function decodeCases(scale: BenchScale): BenchCase[] {
  return [decodeCase(scale === 'quick' ? QUICK : FULL)];
}
