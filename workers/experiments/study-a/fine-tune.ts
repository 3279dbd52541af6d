// Study A's optional fine-tuning stage (methods.md A.4, adapted to LoRA): masked-LM training of LoRA adapters on
// the query/value projections, 15% masking with the 80/10/10 rule (analysis/study-a/mlm-masking.ts), AdamW via
// train/step.ts, the loss as a metric series, and the adapter (PEFT files) + optimizer state checkpointed through
// ctx.checkpoints every few steps so a cancelled or crashed run resumes where it stopped.
import { exportAdapter, importAdapter } from '../../../models/common/peft-io';
import { setLoraTraining } from '../../../models/common/lora';
import { readPeftAdapter } from '../../../models/load/peft';
import { readHeader, writeSafetensors } from '../../../models/load/safetensors';
import { memorySource } from '../../../models/load/source';
import type { Tokenizer } from '../../../models/load/tokenizer';
import { maskedLmLossAndGrad } from '../../../models/xlmr/masked-lm';
import type { XlmrForMaskedLM } from '../../../models/xlmr/model';
import { AdamWOptimizer } from '../../train/adamw-optimizer';
import { trainStep } from '../../train/step';
import { maskForMlm } from '../../analysis/study-a/mlm-masking';
import { seededRng, shuffled } from '../../analysis/shared/rng';
import type { EmotionProfilesSpec } from '../../contract/specs/index';
import type { ExperimentContext } from '../experiment-runner';

type FineTuneSpec = NonNullable<EmotionProfilesSpec['fineTune']>;

export const TARGET_MODULES = ['query', 'value'];
const PREFIX = 'study-a/fine-tune/';
/** Longest training sequence (tokens): keeps memory and time bounded on laptop GPUs. */
const MAX_TOKENS = 128;

export interface FineTuneOutcome {
  losses: [number, number][];
  steps: number;
  resumedFrom: number;
  adapterFiles: { 'adapter_config.json': string; 'adapter_model.safetensors': Uint8Array };
}

interface SavedState {
  step: number;
  losses: [number, number][];
}

function encodeLines(tok: Tokenizer, text: string, maxLen: number): number[][] {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  if (!lines.length) throw new Error('the fine-tuning text is empty');
  return lines.map((l) => {
    const ids = tok.encode(l) as number[];
    return ids.length <= maxLen ? ids : [...ids.slice(0, maxLen - 1), ids[ids.length - 1]];
  });
}

/** One masked batch, right-padded; at least one position is labelled (a batch with none has no loss). */
function maskedBatch(
  examples: number[][],
  o: { special: Set<number>; maskId: number; pad: number; vocab: number; prob: number; seed: number },
) {
  const rng = seededRng(o.seed);
  const T = Math.max(...examples.map((e) => e.length));
  const masked = examples.map((ids) =>
    maskForMlm({
      ids,
      special: ids.map((i) => o.special.has(i)),
      maskTokenId: o.maskId,
      vocabSize: o.vocab,
      rng,
      probability: o.prob,
    }),
  );
  if (masked.every((m) => m.labels.every((l) => l === -100))) {
    const ids = examples[0];
    const pos = ids.findIndex((i) => !o.special.has(i));
    if (pos >= 0) {
      masked[0].labels[pos] = ids[pos];
      masked[0].inputIds[pos] = o.maskId;
    }
  }
  const padTo = (xs: number[], v: number) => [...xs, ...new Array<number>(T - xs.length).fill(v)];
  return {
    inputIds: masked.map((m) => padTo(m.inputIds, o.pad)),
    attentionMask: examples.map((e) =>
      padTo(
        e.map(() => 1),
        0,
      ),
    ),
    labels: masked.map((m) => padTo(m.labels, -100)),
  };
}

async function saveCheckpoint(
  model: XlmrForMaskedLM,
  opt: AdamWOptimizer,
  state: SavedState,
  ctx: ExperimentContext,
  baseModel: string,
) {
  const files = await exportAdapter(model.be, model.adapters, {
    baseModel,
    targetModules: TARGET_MODULES,
    taskType: null,
  });
  const st = await opt.state();
  const moments = Object.keys(st.m).flatMap((name) => [
    { name: `m.${name}`, dtype: 'F32' as const, shape: [st.m[name].length], data: st.m[name] },
    { name: `v.${name}`, dtype: 'F32' as const, shape: [st.v[name].length], data: st.v[name] },
  ]);
  await ctx.checkpoints.save(`${PREFIX}adapter_config.json`, new TextEncoder().encode(files['adapter_config.json']));
  await ctx.checkpoints.save(`${PREFIX}adapter_model.safetensors`, files['adapter_model.safetensors']);
  await ctx.checkpoints.save(`${PREFIX}optimizer.safetensors`, writeSafetensors(moments));
  await ctx.checkpoints.save(
    `${PREFIX}state.json`,
    new TextEncoder().encode(JSON.stringify({ ...state, optimizerStep: st.step })),
  );
  return files;
}

async function loadCheckpoint(
  model: XlmrForMaskedLM,
  ctx: ExperimentContext,
): Promise<
  | (SavedState & { optimizer: { step: number; m: Record<string, Float32Array>; v: Record<string, Float32Array> } })
  | null
> {
  const [cfg, weights, opt, st] = await Promise.all(
    ['adapter_config.json', 'adapter_model.safetensors', 'optimizer.safetensors', 'state.json'].map((f) =>
      ctx.checkpoints.load(PREFIX + f),
    ),
  );
  if (!cfg || !weights || !opt || !st) return null;
  const adapter = await readPeftAdapter(
    memorySource({ 'adapter_config.json': new TextDecoder().decode(cfg), 'adapter_model.safetensors': weights }),
  );
  model.adapters = importAdapter(model.be, model.slots(), adapter);
  const state = JSON.parse(new TextDecoder().decode(st)) as SavedState & { optimizerStep: number };
  const src = memorySource({ 'o.safetensors': opt });
  const header = await readHeader(src, 'o.safetensors');
  const m: Record<string, Float32Array> = {};
  const v: Record<string, Float32Array> = {};
  for (const t of header.tensors) {
    const bytes = await src.readRange('o.safetensors', t.begin, t.end);
    const data = new Float32Array(bytes.slice().buffer);
    (t.name.startsWith('m.') ? m : v)[t.name.slice(2)] = data;
  }
  return { ...state, optimizer: { step: state.optimizerStep, m, v } };
}

export async function fineTune(o: {
  model: XlmrForMaskedLM;
  tok: Tokenizer;
  spec: FineTuneSpec;
  text: string;
  seed: number;
  baseModel: string;
  ctx: ExperimentContext;
}): Promise<FineTuneOutcome> {
  const { model, tok, spec, ctx } = o;
  const be = model.be;
  const maxLen = Math.min(MAX_TOKENS, model.config.max_position_embeddings - model.config.pad_token_id - 1);
  const examples = encodeLines(tok, o.text, maxLen);
  const perEpoch = Math.ceil(examples.length / spec.batch);
  const total = perEpoch * spec.epochs;
  const every = Math.max(1, Math.ceil(total / 10));
  const resumed = await loadCheckpoint(model, ctx);
  if (!resumed)
    model.applyLora({
      r: spec.lora.rank,
      alpha: spec.lora.alpha,
      dropout: spec.lora.dropout ?? 0,
      targetModules: TARGET_MODULES,
      seed: o.seed,
    });
  const optimizer = new AdamWOptimizer(be, model.trainableParams());
  if (resumed) optimizer.load(resumed.optimizer);
  const losses: [number, number][] = resumed?.losses ?? [];
  let step = resumed?.step ?? 0;
  if (resumed) ctx.progress({ type: 'log', message: `fine-tuning resumed from step ${step} of ${total}` });
  for (const [s, loss] of losses) ctx.progress({ type: 'metric', name: 'loss', step: s, value: loss });
  const special = new Set(tok.all_special_ids as number[]);
  ctx.progress({
    type: 'phase',
    label: `LoRA fine-tuning on ${spec.language} text (${examples.length} lines, ${total} steps)`,
  });
  let files: FineTuneOutcome['adapterFiles'] | null = null;
  setLoraTraining(model.adapters, true);
  try {
    while (step < total) {
      ctx.signal.throwIfAborted();
      const epoch = Math.floor(step / perEpoch);
      // The order of an epoch and the masks of a step depend only on (seed, epoch, step): a resumed run sees
      // exactly the batches an uninterrupted one would.
      const order = shuffled(
        examples.map((_, i) => i),
        seededRng((o.seed ^ (epoch * 0x9e3779b1)) >>> 0),
      );
      const within = step % perEpoch;
      const batch = order.slice(within * spec.batch, (within + 1) * spec.batch).map((i) => examples[i]);
      const mb = maskedBatch(batch, {
        special,
        maskId: tok.mask_token_id!,
        pad: model.config.pad_token_id,
        vocab: model.config.vocab_size,
        prob: spec.maskProb ?? 0.15,
        seed: (o.seed * 31 + step) >>> 0,
      });
      const r = await trainStep(be, {
        optimizer,
        lossAndGrad: (b) => maskedLmLossAndGrad(model, b),
        microBatches: [mb],
        lr: spec.lr,
        signal: ctx.signal,
      });
      step++;
      losses.push([step, r.loss]);
      ctx.progress({ type: 'metric', name: 'loss', step, value: r.loss });
      ctx.progress({ type: 'step', step, total, label: `fine-tuning, loss ${r.loss.toFixed(3)}` });
      if (step % every === 0 || step === total)
        files = await saveCheckpoint(model, optimizer, { step, losses }, ctx, o.baseModel);
    }
  } finally {
    setLoraTraining(model.adapters, false);
    // The moments are GPU tensors as big as the adapters; the last checkpoint holds their values.
    optimizer.dispose();
  }
  files ??= await exportAdapter(be, model.adapters, {
    baseModel: o.baseModel,
    targetModules: TARGET_MODULES,
    taskType: null,
  });
  return { losses, steps: total, resumedFrom: resumed?.step ?? 0, adapterFiles: files };
}
