// Study A's profile pass at xlm-roberta-base's real shapes (12 layers, hidden 768, 12 heads, intermediate 3072,
// vocabulary 250,002; seeded random weights, MLM head tied to the embeddings): one batch of masked prompts of 12
// tokens through the runner's own scoring functions (workers/experiments/study-a/scoring.ts) — the encoder, the
// head at the mask rows only and top-k on the GPU — for Choenni's variant (top 200 raw logits) and the
// prior-corrected one (top 300 of log p − log p_prior, with a prior row). Prints prompts/s. --quick: 2 prompts
// through a 1-layer encoder of hidden 64 and vocabulary 1,000.
import { XlmrForMaskedLM } from '../../models/xlmr/model';
import type { Tensor } from '../../workers/backend/backend';
import { topLogits, topPriorCorrected, type Encoded } from '../../workers/experiments/study-a/scoring';
import type { BenchCase, BenchEnv, BenchScale } from '../lib/types';
import { encoderCheckpoint, encoderTensors, type EncoderShape } from '../lib/xlmr-onnx';
import { disposeModelWeights } from '../../models/common/dispose-weights';

/** B prompts per batch: the runner batches 32, but 8 keeps one SwiftShader run near a minute; prompts/s scales
 * with the tokens per batch on a compute-bound adapter, so compare per-prompt figures, not batch times. */
const FULL: EncoderShape = { B: 8, T: 12, C: 768, NH: 12, I: 3072, L: 12, V: 250002, pad: 0 };
const QUICK: EncoderShape = { B: 2, T: 12, C: 64, NH: 4, I: 128, L: 1, V: 1000, pad: 0 };

/** Prompts like `<s> Why are X so <mask> ? </s>` of 9..12 tokens, mask near the end (the last id of the vocabulary,
 *  as in xlm-roberta-base). */
function prompts(shape: EncoderShape): Encoded[] {
  const mask = shape.V - 1;
  return Array.from({ length: shape.B }, (_, b) => {
    const n = 9 + (b % 4);
    const ids = Array.from({ length: n }, (_, t) =>
      t === 0 ? 0 : t === n - 1 ? 2 : 5 + ((b * 7919 + t * 104729) % Math.min(200000, mask - 5)),
    );
    ids[n - 3] = mask;
    return { ids, maskPos: n - 3 };
  });
}

function profileCase(variant: 'choenni' | 'prior-corrected', shape: EncoderShape): BenchCase {
  const k = variant === 'choenni' ? 200 : 300;
  let ms = NaN;
  return {
    group: `study-a profile ${variant}`,
    shape: `${shape.B} prompts L${shape.L} V${shape.V}`,
    runs: 1,
    warmup: 1,
    async ours(env: BenchEnv) {
      const model = await XlmrForMaskedLM.load(
        env.backend,
        encoderCheckpoint(shape, encoderTensors(shape, env.random, { head: true })),
      );
      const batch = prompts(shape);
      let prior: Tensor | null = null;
      if (variant === 'prior-corrected') {
        // A −log p_prior row as the runner builds it: a language-restricted log-softmax, sentinel elsewhere.
        const row = env.random(shape.V).map((x) => 12 + 2 * x);
        prior = env.backend.upload(row, [shape.V]);
      }
      return {
        async run() {
          const t0 = performance.now();
          const rows = prior ? await topPriorCorrected(model, batch, prior, k) : await topLogits(model, batch, k);
          if (rows.length !== shape.B || rows[0].ids.length !== k) throw new Error('unexpected top-k shape');
          ms = performance.now() - t0;
        },
        dispose() {
          prior?.dispose();
          disposeModelWeights(model);
        },
        summary: () =>
          `${((1000 * shape.B) / ms).toFixed(3)} prompts/s (last run; top-${k}, tokens per prompt 9..12, downloads k ids+scores per prompt)`,
      };
    },
  };
}

export function studyAProfileCases(scale: BenchScale): BenchCase[] {
  const shape = scale === 'quick' ? QUICK : FULL;
  return [profileCase('choenni', shape), profileCase('prior-corrected', shape)];
}
