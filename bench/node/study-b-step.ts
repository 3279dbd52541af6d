// Study B benchmark in Node (Dawn + SwiftShader): builds a Llama with the default model's shapes
// (meta-llama/Llama-3.2-1B-Instruct, examples/study-b-geo-unlearning.json: hidden 2048, 16 layers, 32 / 8 heads,
// intermediate 8192, vocab 128256, tied embeddings) from SEEDED RANDOM weights, applies LoRA as the runner does
// (q_proj + v_proj, the example's rank 16 / alpha 32), and runs ONE real unlearning step: the three streams
// (forget / unknown / retain with the adapter-off KL reference) of batch 6, backward, AdamW. Prints the step
// time, the buffer pool's peak live bytes and the memory estimate the runner checks before a run.
// At full shape it takes a long time on SwiftShader. `--quick` runs the same step on a tiny Llama (hidden 64, one
// layer, batch 1 × 8 tokens) in seconds: `npm run bench -- --quick` (part of `npm test`) runs it that way, so this
// entry point cannot break unnoticed. Run through study-b-step.mjs.
import { LlamaForCausalLM } from '../../models/llama/model';
import type { Checkpoint } from '../../models/load/checkpoint';
import type { WeightFormat } from '../../models/common/weights';
import { parseLlamaConfig } from '../../models/llama/config';
import { openWebGpuEngine } from '../../workers/engine/open-engine';
import { getNodeGpu } from '../../workers/gpu/node-gpu';
import { seededRng } from '../../workers/analysis/shared/rng';
import { estimateMemory, STUDY_B_LORA_TARGETS } from '../../workers/experiments/study-b/memory';
import type { TokenStream } from '../../workers/experiments/study-b/unlearning-loss';
import { unlearningLoss } from '../../workers/experiments/study-b/unlearning-loss';
import { zeroGrads } from '../../workers/nn/param';
import { AdamWOptimizer } from '../../workers/train/adamw-optimizer';

/** The Llama dimensions that are not options: Llama-3.2-1B-Instruct's, or a tiny model's for --quick. */
interface Dims {
  name: string;
  hidden: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  intermediate: number;
}

const LLAMA_1B: Dims = {
  name: 'Llama-3.2-1B-Instruct',
  hidden: 2048,
  heads: 32,
  kvHeads: 8,
  headDim: 64,
  intermediate: 8192,
};
const TINY: Dims = { name: 'tiny Llama (--quick)', hidden: 64, heads: 4, kvHeads: 2, headDim: 16, intermediate: 128 };

interface Args {
  dims: Dims;
  format: WeightFormat;
  layers: number;
  batch: number;
  seq: number;
  rank: number;
  alpha: number;
  vocab: number;
  steps: number;
}

function parseArgs(argv: string[]): Args {
  const get = (name: string, fallback: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] ? argv[i + 1] : fallback;
  };
  const num = (name: string, fallback: number) => {
    const v = Number(get(name, String(fallback)));
    if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer`);
    return v;
  };
  const valued = ['--format', '--layers', '--batch', '--seq', '--rank', '--alpha', '--vocab', '--steps'];
  for (let i = 0; i < argv.length; i++) {
    if (valued.includes(argv[i])) i++;
    else if (argv[i] !== '--quick')
      throw new Error(`unknown option ${argv[i]} (options: --quick, ${valued.join(', ')})`);
  }
  const format = get('format', 'q4') as WeightFormat;
  if (!['f32', 'q8', 'q4'].includes(format)) throw new Error('--format must be f32, q8 or q4');
  // --quick: defaults for the tiny model; explicit options still win.
  const quick = argv.includes('--quick');
  const d = quick ? { layers: 1, batch: 1, seq: 8, vocab: 256 } : { layers: 16, batch: 6, seq: 64, vocab: 128256 };
  return {
    dims: quick ? TINY : LLAMA_1B,
    format,
    layers: num('layers', d.layers),
    batch: num('batch', d.batch),
    seq: num('seq', d.seq),
    rank: num('rank', 16),
    alpha: num('alpha', 32),
    vocab: num('vocab', d.vocab),
    steps: num('steps', 1),
  };
}

/** The config.json values that matter for the engine, as Llama-3.2-1B's has them (rope scaling left out: it
 *  changes no shape). */
function configOf(a: Args) {
  return {
    model_type: 'llama',
    hidden_size: a.dims.hidden,
    num_hidden_layers: a.layers,
    num_attention_heads: a.dims.heads,
    num_key_value_heads: a.dims.kvHeads,
    head_dim: a.dims.headDim,
    intermediate_size: a.dims.intermediate,
    vocab_size: a.vocab,
    rms_norm_eps: 1e-5,
    rope_theta: 500000,
    tie_word_embeddings: true,
    max_position_embeddings: 131072,
    bos_token_id: 128000,
    eos_token_id: 128009,
  };
}

/** A checkpoint whose tensors are generated on read (seeded per name), so the host never holds all 1.2 B floats. */
function lazyRandomCheckpoint(config: ReturnType<typeof configOf>): Checkpoint {
  const C = config.hidden_size;
  const I = config.intermediate_size;
  const V = config.vocab_size;
  const KV = config.num_key_value_heads * config.head_dim;
  const shapes = new Map<string, number[]>([
    ['model.embed_tokens.weight', [V, C]],
    ['model.norm.weight', [C]],
  ]);
  for (let l = 0; l < config.num_hidden_layers; l++) {
    const p = `model.layers.${l}`;
    for (const [n, s] of [
      ['self_attn.q_proj', [C, C]],
      ['self_attn.k_proj', [KV, C]],
      ['self_attn.v_proj', [KV, C]],
      ['self_attn.o_proj', [C, C]],
      ['mlp.gate_proj', [I, C]],
      ['mlp.up_proj', [I, C]],
      ['mlp.down_proj', [C, I]],
    ] as const)
      shapes.set(`${p}.${n}.weight`, [...s]);
    shapes.set(`${p}.input_layernorm.weight`, [C]);
    shapes.set(`${p}.post_attention_layernorm.weight`, [C]);
  }
  const shapeOf = (name: string) => {
    const s = shapes.get(name);
    if (!s) throw new Error(`no tensor ${name}`);
    return s;
  };
  let k = 0;
  return {
    config,
    names: () => [...shapes.keys()],
    has: (n) => shapes.has(n),
    info: (n) => ({
      name: n,
      dtype: 'F32',
      shape: shapeOf(n),
      file: 'memory',
      begin: 0,
      end: 4 * shapeOf(n).reduce((a, b) => a * b, 1),
    }),
    read: async (n) => {
      const size = shapeOf(n).reduce((a, b) => a * b, 1);
      const rng = seededRng(1000 + k++);
      const norm = n.endsWith('norm.weight');
      // Small weights (about the scale of a trained model's init) keep the random logits soft: finite, useful losses.
      const scale = n.includes('embed') ? 0.05 : norm ? 0.1 : 0.02;
      const out = new Float32Array(size);
      for (let i = 0; i < size; i++) out[i] = (norm ? 1 : 0) + scale * (2 * rng() - 1);
      return out;
    },
  };
}

/** A right-padded stream of `batch` rows of `seq` tokens whose last `answer` positions are answer tokens. */
function stream(batch: number, seq: number, vocab: number, answer: number, salt: number): TokenStream {
  const rng = seededRng(salt);
  const inputIds = Array.from({ length: batch }, () => Array.from({ length: seq }, () => Math.floor(rng() * vocab)));
  const attentionMask = inputIds.map((r) => r.map(() => 1));
  const answerMask = inputIds.map((r) => r.map((_, t) => (t >= seq - 1 - answer && t < seq - 1 ? 1 : 0)));
  return { inputIds, attentionMask, answerMask };
}

const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

export async function main(argv: string[]): Promise<number> {
  const a = parseArgs(argv);
  const { gpu, backend: be } = await openWebGpuEngine(getNodeGpu);
  const pool = be.runner.pool;
  const config = configOf(a);
  console.log(
    `adapter: ${gpu.info.vendor} / ${gpu.info.architecture} ${gpu.info.description} (fallback: ${gpu.info.isFallbackAdapter}); limits: maxBufferSize ${mib(gpu.info.limits.maxBufferSize)}, maxStorageBufferBindingSize ${mib(gpu.info.limits.maxStorageBufferBindingSize)}`,
  );
  console.log(
    `shape: ${a.dims.name} (hidden ${a.dims.hidden}, ${a.layers} layers, ${a.dims.heads}/${a.dims.kvHeads} heads, intermediate ${a.dims.intermediate}, vocab ${a.vocab}, tied), ${a.format} frozen linear weights`,
  );
  console.log(
    `step: 3 streams × batch ${a.batch} × ${a.seq} tokens, LoRA r ${a.rank} α ${a.alpha} on ${STUDY_B_LORA_TARGETS.join(' + ')}, grad-diff-KL (0.25, 0.5, 1.0), AdamW`,
  );
  const t0 = performance.now();
  const model = await LlamaForCausalLM.load(be, lazyRandomCheckpoint(config), { format: a.format });
  await be.sync();
  const loadMs = performance.now() - t0;
  model.applyLora({ r: a.rank, alpha: a.alpha, dropout: 0.05, targetModules: [...STUDY_B_LORA_TARGETS], seed: 1 });
  const opt = new AdamWOptimizer(be, model.trainableParams());
  const resident = pool.getStats().liveBytes;
  console.log(`loaded in ${(loadMs / 1000).toFixed(1)} s; pool live after load + LoRA ${mib(resident)}`);

  const answer = Math.min(4, a.seq - 2);
  const forget = stream(a.batch, a.seq, a.vocab, answer, 11);
  const unknown = stream(a.batch, a.seq, a.vocab, answer, 12);
  const retain = stream(a.batch, a.seq, a.vocab, Math.floor(a.seq / 2), 13);
  pool.resetPeak();
  const times: number[] = [];
  let r: Awaited<ReturnType<typeof unlearningLoss>> | null = null;
  for (let s = 0; s < a.steps; s++) {
    const t1 = performance.now();
    zeroGrads(model.trainableParams());
    r = await unlearningLoss(model, {
      forget,
      unknown,
      retain,
      kind: 'grad-diff-kl',
      weights: { kl: 1, unlearn: 0.25, unk: 0.5 },
    });
    await opt.step({ lr: 1e-4 });
    await be.sync();
    times.push(performance.now() - t1);
    console.log(`step ${s + 1}: ${(times[s] / 1000).toFixed(1)} s${s === 0 ? ' (includes pipeline compilation)' : ''}`);
  }
  const stats = pool.getStats();
  const est = estimateMemory({
    config: parseLlamaConfig(config),
    format: a.format === 'q8' ? 'q8' : a.format === 'q4' ? 'q4' : 'f32',
    rank: a.rank,
    targets: 'qv',
    batch: a.batch,
    seqLen: a.seq,
  });
  console.log(
    `loss ${r!.total.toFixed(4)} (L_GA ${r!.lGA.toFixed(4)}, L_unk ${r!.lUnk.toFixed(4)}, L_KL ${r!.lKL.toFixed(4)})`,
  );
  console.log(
    `STEP TIME ${times.map((t) => (t / 1000).toFixed(1)).join(' s, ')} s (the first includes pipeline compilation)`,
  );
  console.log(
    `POOL peak live ${mib(stats.peakLiveBytes)} (resident before the step ${mib(resident)}, so the step added ${mib(stats.peakLiveBytes - resident)}); peak allocated ${mib(stats.peakAllocatedBytes)}`,
  );
  console.log(
    `ESTIMATE total ${mib(est.total)}: weights ${mib(est.weights)}, LoRA ${mib(est.lora)}, AdamW ${mib(est.optimizer)}, activations ${mib(est.activations)}, logits ${mib(est.logits)}; largest buffer ${mib(est.largestBuffer)} (${est.largestName})`,
  );
  console.log(`estimate / measured peak = ${(est.total / stats.peakLiveBytes).toFixed(2)}`);
  opt.dispose();
  return 0;
}
