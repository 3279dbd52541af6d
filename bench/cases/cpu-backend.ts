// The CPU backend (workers/backend/cpu-backend.ts with workers/kernels/cpu-ops.ts: matrix products on
// onnxruntime-web's wasm engine, the rest float32 JS) on the encoder of cases/encoder.ts: the same xlm-roberta-base-shaped 2-layer forward, 8 × 32 tokens. Ours = our
// XlmrForMaskedLM on the CpuBackend, printed as a multiple of our WebGPU forward (same run, same adapter row);
// the peer is onnxruntime-web's wasm (CPU) execution provider on the same ONNX graph and weights.
import { XlmrForMaskedLM } from '../../models/xlmr/model';
import { CpuBackend } from '../../workers/backend/cpu-backend';
import { cpuMatmulEngine, cpuOps } from '../../workers/kernels/cpu-ops';
import { graphModel } from '../lib/onnx-graph';
import { ortGraph } from '../lib/ort';
import type { BenchCase } from '../lib/types';
import { encoderBatch, encoderCheckpoint, encoderOnnx, encoderTensors, type EncoderShape } from '../lib/xlmr-onnx';

/** What ran the matrix products: onnxruntime-web's wasm engine, or the plain-JS kernels when it could not start. */
function engineLabel(): string {
  const s = cpuMatmulEngine.status();
  if (s.state === 'ready') return `matrix products on onnxruntime-web ${s.version} wasm, ${s.threads} thread(s), ${cpuMatmulEngine.runs} ORT runs; other ops JS float32`;
  return `JS float32 kernels${s.state === 'failed' ? `; onnxruntime-web did not start: ${s.reason}` : ''}`;
}

const SHAPE: EncoderShape = { B: 8, T: 32, C: 768, NH: 12, I: 3072, L: 2, V: 1000, pad: 4 };
const LABEL = `${SHAPE.B}×${SHAPE.T} L${SHAPE.L}`;

const encoderOnCpu: BenchCase = {
  group: 'encoder fwd CPU backend',
  shape: LABEL,
  runs: 3,
  warmup: 1,
  relativeTo: `encoder fwd ${LABEL}`,
  async ours(env) {
    const be = new CpuBackend({ ops: cpuOps });
    const model = await XlmrForMaskedLM.load(be, encoderCheckpoint(SHAPE, encoderTensors(SHAPE, env.random)));
    const batch = encoderBatch(SHAPE);
    // The previous forward is released when the next one has run, so output() can read its last hidden state.
    let prev: Awaited<ReturnType<XlmrForMaskedLM['forward']>> | null = null;
    return {
      async run() {
        const out = await model.forward(batch, { head: false });
        if (prev) model.dispose(prev);
        prev = out;
      },
      async output() {
        return (await be.download(prev!.state.stack.last)) as Float32Array;
      },
      dispose() {
        if (prev) model.dispose(prev);
      },
      summary: () => `CPU backend (${engineLabel()}), peak ${(be.memory().peakBytes / 2 ** 20).toFixed(0)} MiB; peer = ORT wasm EP`,
    };
  },
  async peer(env) {
    const { graph, feeds } = encoderOnnx(SHAPE, encoderTensors(SHAPE, env.random));
    return ortGraph(env.ortBuild, graphModel(graph), feeds, 'last_hidden', 'wasm');
  },
};

export const cpuBackendCases: BenchCase[] = [encoderOnCpu];
