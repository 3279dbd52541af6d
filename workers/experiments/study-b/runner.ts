// Study B runner (methods.md B; issue 6): load a Llama-family model, its tokenizer and the MCQ/retain data, check
// the memory estimate, split by identity–attribute pair, evaluate every language (likelihood and/or generation),
// unlearn with LoRA in the training language (grad-diff-KL or NPO; AdamW, linear decay, no warmup) with live
// metrics and resumable checkpoints, evaluate again, and report rates with Wilson CIs and the transfer matrix.
import { exportAdapter, importAdapter } from '../../../models/common/peft-io';
import { setLoraTraining } from '../../../models/common/lora';
import { disposeModelWeights } from '../../../models/common/dispose-weights';
import { parseLlamaConfig } from '../../../models/llama/config';
import { LlamaForCausalLM } from '../../../models/llama/model';
import { openCheckpoint } from '../../../models/load/checkpoint';
import { readPeftAdapter } from '../../../models/load/peft';
import { readHeader, writeSafetensors } from '../../../models/load/safetensors';
import { memorySource } from '../../../models/load/source';
import { loadTokenizer } from '../../../models/load/tokenizer';
import { seededRng, shuffled } from '../../analysis/shared/rng';
import { unknownPhraseForRun } from '../../analysis/study-b/prompts';
import { zeroGrads } from '../../nn/param';
import { AdamWOptimizer } from '../../train/adamw-optimizer';
import { linearScheduleWithWarmup } from '../../train/schedules';
import type { GeoUnlearningSpec } from '../../contract/specs/geo-unlearning';
import { downloadProgress, modelSource } from '../study-a/sources';
import { requireFamily } from '../model-family';
import { NeedsWebGpuError, type ExperimentContext, type ExperimentRunner } from '../experiment-runner';
import { asStudyLanguage, encoderOf, loadMcq, loadRetain, splitStudy, stepStreams, type Encoder } from './data';
import { evaluateGeneration, evaluateLikelihoodEntries, type ItemPrediction } from './evaluate';
import { checkStudyBMemory, STUDY_B_LORA_TARGETS } from './memory';
import { predictionTable, rateRows, ratesTable, summaryOf, transferOf, transferTable } from './results';
import { unlearningLoss } from './unlearning-loss';
import type { EvalMode, GeoUnlearningResult, Phase } from '../../contract/results/geo-unlearning';

const PREFIX = 'study-b/';
const TARGETS = [...STUDY_B_LORA_TARGETS];
/** Greedy continuation length for generation evaluation (the study caps prompt + output at 170 tokens). */
const MAX_NEW_TOKENS = 24;

type Preds = (ItemPrediction & { phase: Phase })[];

interface Saved {
  step: number;
  optimizerStep: number;
  baseline: Preds;
  curves: Record<string, [number, number][]>;
  stepMs: number[];
}

const enc8 = (s: string) => new TextEncoder().encode(s);
const dec8 = (b: Uint8Array) => new TextDecoder().decode(b);

async function saveState(
  model: LlamaForCausalLM,
  opt: AdamWOptimizer,
  saved: Saved,
  ctx: ExperimentContext,
  baseModel: string,
): Promise<void> {
  const files = await exportAdapter(model.be, model.adapters, {
    baseModel,
    targetModules: TARGETS,
    taskType: 'CAUSAL_LM',
  });
  const st = await opt.state();
  const moments = Object.keys(st.m).flatMap((name) => [
    { name: `m.${name}`, dtype: 'F32' as const, shape: [st.m[name].length], data: st.m[name] },
    { name: `v.${name}`, dtype: 'F32' as const, shape: [st.v[name].length], data: st.v[name] },
  ]);
  await ctx.checkpoints.save(`${PREFIX}adapter_config.json`, enc8(files['adapter_config.json']));
  await ctx.checkpoints.save(`${PREFIX}adapter_model.safetensors`, files['adapter_model.safetensors']);
  await ctx.checkpoints.save(`${PREFIX}optimizer.safetensors`, writeSafetensors(moments));
  await ctx.checkpoints.save(`${PREFIX}state.json`, enc8(JSON.stringify({ ...saved, optimizerStep: st.step })));
}

/** The saved adapter is imported into the model; returns the state and optimizer moments, or null. */
async function loadState(model: LlamaForCausalLM, ctx: ExperimentContext) {
  const [cfg, weights, opt, st] = await Promise.all(
    ['adapter_config.json', 'adapter_model.safetensors', 'optimizer.safetensors', 'state.json'].map((f) =>
      ctx.checkpoints.load(PREFIX + f),
    ),
  );
  if (!cfg || !weights || !opt || !st) return null;
  const adapter = await readPeftAdapter(
    memorySource({ 'adapter_config.json': dec8(cfg), 'adapter_model.safetensors': weights }),
  );
  model.adapters = importAdapter(model.be, model.slots(), adapter);
  const saved = JSON.parse(dec8(st)) as Saved;
  const src = memorySource({ 'o.safetensors': opt });
  const m: Record<string, Float32Array> = {};
  const v: Record<string, Float32Array> = {};
  for (const t of (await readHeader(src, 'o.safetensors')).tensors) {
    const data = new Float32Array((await src.readRange('o.safetensors', t.begin, t.end)).slice().buffer);
    (t.name.startsWith('m.') ? m : v)[t.name.slice(2)] = data;
  }
  return { saved, moments: { step: saved.optimizerStep, m, v } };
}

async function evaluateAll(o: {
  model: LlamaForCausalLM;
  enc: Encoder;
  decode: (ids: number[]) => string;
  evaluation: Map<string, import('../../analysis/study-b/mcq-data').McqItem[]>;
  modes: EvalMode[];
  seed: number;
  phase: Phase;
  ctx: ExperimentContext;
}): Promise<Preds> {
  const out: Preds = [];
  const phase = o.phase === 'before' ? 'baseline' : 'after unlearning';
  for (const mode of o.modes) {
    if (mode === 'likelihood') {
      // All languages in shared chunks: on small models the cost is per batched pass, not per item.
      const entries = [...o.evaluation].flatMap(([l, items]) => {
        const language = asStudyLanguage(l);
        const unknownPhrase = unknownPhraseForRun({ language, seed: o.seed });
        return items.map((item) => ({ item, language, unknownPhrase }));
      });
      o.ctx.progress({
        type: 'phase',
        label: `${phase}: likelihood evaluation in ${[...o.evaluation.keys()].join(', ')} (${entries.length} items)`,
      });
      const preds = await evaluateLikelihoodEntries({
        model: o.model,
        enc: o.enc,
        entries,
        seed: o.seed,
        signal: o.ctx.signal,
        onItems: (n) => o.ctx.progress({ type: 'step', step: n, total: entries.length }),
      });
      out.push(...preds.map((p) => ({ ...p, phase: o.phase })));
      continue;
    }
    for (const [l, items] of o.evaluation) {
      const language = asStudyLanguage(l);
      o.ctx.progress({ type: 'phase', label: `${phase}: ${mode} evaluation in ${l} (${items.length} items)` });
      const common = {
        model: o.model,
        enc: o.enc,
        items,
        language,
        unknownPhrase: unknownPhraseForRun({ language, seed: o.seed }),
        seed: o.seed,
        signal: o.ctx.signal,
        onItems: (n: number) => o.ctx.progress({ type: 'step', step: n, total: items.length }),
      };
      const preds = await evaluateGeneration({ ...common, decode: o.decode, maxNewTokens: MAX_NEW_TOKENS });
      out.push(...preds.map((p) => ({ ...p, phase: o.phase })));
    }
  }
  return out;
}

export const geoUnlearningRunner: ExperimentRunner<GeoUnlearningSpec, GeoUnlearningResult> = {
  kind: 'geo-unlearning',
  needsWebGpu: true,
  async run(spec, ctx) {
    const be = ctx.backend;
    if (!be) throw new NeedsWebGpuError('Study B trains LoRA adapters on the GPU kernels and needs WebGPU.');
    const trainLanguage = asStudyLanguage(spec.train.language);
    spec.languages.forEach(asStudyLanguage);
    if (!spec.languages.includes(trainLanguage))
      throw new Error(`the training language ${trainLanguage} must be among the evaluated languages`);
    const modes = [...new Set(spec.evaluation)] as EvalMode[];

    ctx.progress({ type: 'phase', label: 'loading data' });
    const mcq = await loadMcq(spec.mcq, spec.languages, ctx);
    const retain = await loadRetain(spec.retain, ctx);
    const evalSplit = spec.evalSplit ?? 'held-out';
    const split = splitStudy({ mcq, trainLanguage, evalSplit, evalFraction: spec.evalFraction, seed: spec.seed });
    if (!split.train.length)
      throw new Error(
        evalSplit === 'in-sample'
          ? `the MCQ set has no rows in ${trainLanguage}`
          : 'the split left no training items; lower evalFraction',
      );
    ctx.progress({ type: 'log', message: `split: ${split.description}` });

    ctx.progress({ type: 'phase', label: `loading ${spec.model.id}` });
    const source = modelSource(spec.model);
    const ckpt = await openCheckpoint(source, { onProgress: downloadProgress(ctx, `${spec.model.id} weights`) });
    requireFamily('geo-unlearning', spec.model.id, ckpt.config);
    const tok = await loadTokenizer(source);
    const config = parseLlamaConfig(ckpt.config);
    const eosId = [config.eos_token_id ?? []].flat()[0] ?? null;
    const enc = encoderOf(tok, { eosId });
    const decode = (ids: number[]) => tok.decode(ids, { skip_special_tokens: true });

    // Memory check before any weight is uploaded: the longest training row and the longest scored option row.
    const order = shuffled(
      split.train.map((_, i) => i),
      seededRng(spec.seed),
    );
    const retainOrder = shuffled(
      retain.map((_, i) => i),
      seededRng(spec.seed + 1),
    );
    const probe = stepStreams({
      language: trainLanguage,
      train: split.train,
      retain,
      order,
      retainOrder,
      step: 0,
      batch: Math.min(spec.train.batch, split.train.length),
      enc,
      answerMask: spec.train.answerMask,
    });
    const seqLen = Math.max(
      probe.forget.inputIds[0].length,
      probe.unknown.inputIds[0].length,
      probe.retain.inputIds[0].length,
    );
    const verdict = checkStudyBMemory({ spec, config: ckpt.config, seqLen, device: ctx.device });
    if (spec.weights === 'f16' && verdict.format !== 'f16')
      ctx.progress({ type: 'log', message: 'this device has no shader-f16: frozen weights are kept in f32' });
    const format = verdict.format;
    ctx.progress({
      type: 'log',
      message: `memory estimate ${(verdict.estimate.total / 2 ** 20).toFixed(1)} MB for rows of ${verdict.seqLen} tokens (budget ${(verdict.budget / 2 ** 20).toFixed(0)} MB)`,
    });
    if (!verdict.fits) throw new Error(`This run cannot fit: ${verdict.reason}`);
    const model = await LlamaForCausalLM.load(be, ckpt, { format });
    // The host keeps its device between runs: the weights, adapters and optimizer moments go when the run ends,
    // whether it finished, failed or was cancelled.
    let optimizer: AdamWOptimizer | null = null;
    try {
      const stored = await loadState(model, ctx);
      const baseline =
        stored?.saved.baseline ??
        (await evaluateAll({
          model,
          enc,
          decode,
          evaluation: split.evaluation,
          modes,
          seed: spec.seed,
          phase: 'before',
          ctx,
        }));
      if (!stored)
        model.applyLora({
          r: spec.train.lora.rank,
          alpha: spec.train.lora.alpha,
          dropout: spec.train.lora.dropout ?? 0,
          targetModules: TARGETS,
          seed: spec.seed,
        });
      else ctx.progress({ type: 'log', message: `resuming at step ${stored.saved.step} of ${spec.train.steps}` });
      const params = model.trainableParams();
      optimizer = new AdamWOptimizer(be, params);
      if (stored) optimizer.load(stored.moments);
      const schedule = linearScheduleWithWarmup({ lr: spec.train.lr, warmupSteps: 0, totalSteps: spec.train.steps });
      const curves: Record<string, [number, number][]> = stored?.saved.curves ?? {};
      const stepMs: number[] = stored?.saved.stepMs ?? [];
      const metric = (name: string, step: number, value: number) => {
        (curves[name] ??= []).push([step, value]);
        ctx.progress({ type: 'metric', name, step, value });
      };
      const saveEvery = Math.max(1, Math.min(25, Math.ceil(spec.train.steps / 5)));
      ctx.progress({
        type: 'phase',
        label: `unlearning in ${trainLanguage} (${spec.train.loss}, ${spec.train.steps} steps)`,
      });
      setLoraTraining(model.adapters, true);
      for (let step = stored?.saved.step ?? 0; step < spec.train.steps; step++) {
        ctx.signal.throwIfAborted();
        const t0 = performance.now();
        const s = stepStreams({
          language: trainLanguage,
          train: split.train,
          retain,
          order,
          retainOrder,
          step,
          batch: spec.train.batch,
          enc,
          answerMask: spec.train.answerMask,
        });
        zeroGrads(model.trainableParams());
        const r = await unlearningLoss(model, {
          forget: s.forget,
          unknown: s.unknown,
          retain: s.retain,
          kind: spec.train.loss,
          weights: spec.train.weights,
        });
        const lr = schedule.lrAt(optimizer.stepCount);
        await optimizer.step({ lr });
        await be.sync();
        stepMs.push(performance.now() - t0);
        metric('loss', step + 1, r.total);
        metric('L_GA', step + 1, r.lGA);
        metric('L_unk', step + 1, r.lUnk);
        metric('L_KL', step + 1, r.lKL);
        if (spec.train.loss === 'npo') metric('L_NPO', step + 1, r.lNpo);
        metric('forget_answer_nll', step + 1, r.forgetNll.reduce((a, b) => a + b, 0) / r.forgetNll.length);
        metric('lr', step + 1, lr);
        ctx.progress({ type: 'step', step: step + 1, total: spec.train.steps, label: `loss ${r.total.toFixed(4)}` });
        if ((step + 1) % saveEvery === 0 || step + 1 === spec.train.steps)
          await saveState(
            model,
            optimizer,
            { step: step + 1, optimizerStep: 0, baseline, curves, stepMs },
            ctx,
            spec.model.id,
          );
      }
      setLoraTraining(model.adapters, false);
      const after = await evaluateAll({
        model,
        enc,
        decode,
        evaluation: split.evaluation,
        modes,
        seed: spec.seed,
        phase: 'after',
        ctx,
      });

      const extraction = spec.extraction ?? 'corrected';
      const rates = [
        ...rateRows(baseline, 'before', modes, extraction),
        ...rateRows(after, 'after', modes, extraction),
      ];
      const transfer = transferOf(rates, trainLanguage, spec.languages, modes);
      const timed = stepMs.slice(1); // the first step includes pipeline compilation
      return {
        kind: 'geo-unlearning',
        summary: summaryOf(rates, trainLanguage, modes[0], evalSplit),
        trainLanguage,
        loss: spec.train.loss,
        answerMask: spec.train.answerMask,
        languages: [...spec.languages],
        modes,
        evalSplit,
        trainRows: split.train.length,
        split: split.description,
        rates,
        transfer,
        curves: Object.entries(curves).map(([name, points]) => ({ name, points })),
        memory: verdict.estimate,
        stepMs: timed.length ? timed.reduce((a, b) => a + b, 0) / timed.length : (stepMs[0] ?? null),
        steps: spec.train.steps,
        model: spec.model.id,
        tables: {
          predictions: predictionTable([...baseline, ...after]),
          rates: ratesTable(rates, evalSplit),
          transfer: transferTable(transfer, evalSplit),
        },
      };
    } finally {
      optimizer?.dispose();
      disposeModelWeights(model);
    }
  },
};
