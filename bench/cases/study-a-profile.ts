// Study A's profile pass at xlm-roberta-base's real shapes (12 layers, hidden 768, 12 heads, intermediate 3072,
// vocabulary 250,002; seeded random weights, MLM head tied to the embeddings): one batch of masked prompts of 12
// tokens through the runner's own scoring functions (workers/experiments/study-a/scoring.ts) — the encoder, the
// head at the mask rows only and top-k on the GPU — for Choenni's variant (top 200 raw logits) and the
// prior-corrected one (top 300 of log p − log p_prior, with a prior row). Prints prompts/s.
import { XlmrForMaskedLM } from '../../models/xlmr/model';
import type { Tensor } from '../../workers/backend/backend';
import { topLogits, topPriorCorrected, type Encoded } from '../../workers/experiments/study-a/scoring';
import type { BenchCase, BenchEnv } from '../lib/types';
import { encoderCheckpoint, encoderTensors, type EncoderShape } from '../lib/xlmr-onnx';
import { disposeModelWeights } from '../lib/synthetic-checkpoint';

/** B prompts per batch: the runner batches 32, but 8 keeps one SwiftShader run near a minute; prompts/s scales
 * with the tokens per batch on a compute-bound adapter, so compare per-prompt figures, not batch times. */
const SHAPE: EncoderShape = { B: 8, T: 12, C: 768, NH: 12, I: 3072, L: 12, V: 250002, pad: 0 };
const MASK = 250001;

/** Prompts like `<s> Why are X so <mask> ? </s>` of 9..12 tokens, mask near the end. */
function prompts(): Encoded[] {
  return Array.from({ length: SHAPE.B }, (_, b) => {
    const n = 9 + (b % 4);
    const ids = Array.from({ length: n }, (_, t) => (t === 0 ? 0 : t === n - 1 ? 2 : 5 + ((b * 7919 + t * 104729) % 200000)));
    ids[n - 3] = MASK;
    return { ids, maskPos: n - 3 };
  });
}

function profileCase(variant: 'choenni' | 'prior-corrected'): BenchCase {
  const k = variant === 'choenni' ? 200 : 300;
  let ms = NaN;
  return {
    group: `study-a profile ${variant}`,
    shape: `${SHAPE.B} prompts L${SHAPE.L} V${SHAPE.V}`,
    runs: 1,
    warmup: 1,
    async ours(env: BenchEnv) {
      const model = await XlmrForMaskedLM.load(env.backend, encoderCheckpoint(SHAPE, encoderTensors(SHAPE, env.random, { head: true })));
      const batch = prompts();
      let prior: Tensor | null = null;
      if (variant === 'prior-corrected') {
        // A −log p_prior row as the runner builds it: a language-restricted log-softmax, sentinel elsewhere.
        const row = env.random(SHAPE.V).map((x) => 12 + 2 * x);
        prior = env.backend.upload(row, [SHAPE.V]);
      }
      return {
        async run() {
          const t0 = performance.now();
          const rows = prior ? await topPriorCorrected(model, batch, prior, k) : await topLogits(model, batch, k);
          if (rows.length !== SHAPE.B || rows[0].ids.length !== k) throw new Error('unexpected top-k shape');
          ms = performance.now() - t0;
        },
        dispose() {
          prior?.dispose();
          disposeModelWeights(model);
        },
        summary: () => `${((1000 * SHAPE.B) / ms).toFixed(3)} prompts/s (last run; top-${k}, tokens per prompt 9..12, downloads k ids+scores per prompt)`,
      };
    },
  };
}

export const studyAProfileCases: BenchCase[] = [profileCase('choenni'), profileCase('prior-corrected')];
