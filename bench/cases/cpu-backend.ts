// The CPU backend as the hosts open it (workers/engine/open-engine.ts: matrix products on onnxruntime-web's wasm
// engine, cpuMatmulEngine; the rest float32 JS) on the encoder of cases/encoder.ts: the same
// xlm-roberta-base-shaped 2-layer forward, 8 × 32 tokens (--quick: its tiny shape), timed by the same code. Ours = our
// XlmrForMaskedLM on the CpuBackend, printed as a multiple of our WebGPU forward (same run, same adapter row);
// the peer is onnxruntime-web's wasm (CPU) execution provider on the same ONNX graph and weights.
import { CpuBackend } from '../../workers/backend/cpu-backend';
import { cpuMatmulEngine } from '../../workers/engine/open-engine';
import { graphModel } from '../lib/onnx-graph';
import { ortGraph } from '../lib/ort';
import type { BenchCase, BenchScale } from '../lib/types';
import { encoderOnnx, encoderTensors } from '../lib/xlmr-onnx';
import { encoderForwardTimer, encoderLabel, encoderShape, forwardName } from './encoder';

/** What ran the matrix products: onnxruntime-web's wasm engine, or the plain-JS kernels when it could not start. */
function engineLabel(): string {
  const s = cpuMatmulEngine.status();
  if (s.state === 'ready')
    return `matrix products on onnxruntime-web ${s.version} wasm, ${s.threads} thread(s), ${cpuMatmulEngine.runs} ORT runs; other ops JS float32`;
  return `JS float32 kernels${s.state === 'failed' ? `; onnxruntime-web did not start: ${s.reason}` : ''}`;
}

function encoderOnCpu(scale: BenchScale): BenchCase {
  const shape = encoderShape(scale);
  return {
    group: 'encoder fwd CPU backend',
    shape: encoderLabel(shape),
    runs: 3,
    warmup: 1,
    relativeTo: forwardName(shape),
    async ours(env) {
      const be = new CpuBackend({ gemm: cpuMatmulEngine });
      return {
        ...(await encoderForwardTimer({ backend: be, random: env.random, shape })),
        summary: () =>
          `CPU backend (${engineLabel()}), peak ${(be.memory().peakBytes / 2 ** 20).toFixed(0)} MiB; peer = ORT wasm EP`,
      };
    },
    async peer(env) {
      const { graph, feeds } = encoderOnnx(shape, encoderTensors(shape, env.random));
      return ortGraph(env.ortBuild, graphModel(graph), feeds, 'last_hidden', 'wasm');
    },
  };
}

export function cpuBackendCases(scale: BenchScale): BenchCase[] {
  return [encoderOnCpu(scale)];
}
