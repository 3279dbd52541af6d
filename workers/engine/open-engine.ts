// The one place that opens an engine for a host (the lab host behind the browser worker and `stereoscope run`,
// `stereoscope forward`): WebGPU when the host's GPU gives a device, else the CPU backend with the reason in
// words, per the host's choice auto | webgpu | cpu, and the device report the UI and the CLI show. The CPU
// backend's matrix products go to onnxruntime-web's wasm engine (kernels/ort-matmul), one per process or worker.
import type { BackendChoice, DeviceReport } from '../contract/api';
import { CpuBackend } from '../backend/cpu-backend';
import { WebGpuBackend } from '../backend/webgpu-backend';
import { acquireGpu, NoWebGpuError, type Gpu } from '../gpu/device';
import { ortGemmEngine, type OrtGemmEngine } from '../kernels/ort-matmul/ort-matmul';

/** The CPU backend's matrix-product engine: one ORT instance per process or worker, started on first use. */
export const cpuMatmulEngine: OrtGemmEngine = ortGemmEngine();

/** What the CPU fallback means, in words for the user (the device panel and the CLI print it). */
export const CPU_FALLBACK_NOTE = 'Inference runs on the CPU (slower); training and fine-tuning need WebGPU.';

/** What runs the CPU backend's matrix products, in words (starts onnxruntime-web if it has not started yet). */
export async function cpuEngineNote(engine: Pick<OrtGemmEngine, 'start'> = cpuMatmulEngine): Promise<string> {
  const s = await engine.start();
  if (s.state === 'ready')
    return `Matrix products run on onnxruntime-web ${s.version} (WebAssembly, ${s.threads} thread${s.threads === 1 ? '' : 's'}).`;
  const why = s.state === 'failed' ? s.reason : 'not started';
  return `onnxruntime-web's WebAssembly engine failed to start (${why}): matrix products run on the slower plain-JS kernels.`;
}

export type Engine =
  | { kind: 'webgpu'; backend: WebGpuBackend; gpu: Gpu; report: DeviceReport }
  | { kind: 'cpu'; backend: CpuBackend; /** Why WebGPU is not used, in words. */ reason: string; report: DeviceReport };

export interface OpenEngineOptions {
  /** The host's GPU object (navigator.gpu), or a function giving it (Node's Dawn, loaded only when asked for);
   *  undefined when the host has no WebGPU. A function that throws counts as a WebGPU failure. */
  gpu: GPU | (() => GPU) | undefined;
  /** 'auto' (default): WebGPU when it works, else the CPU backend; 'webgpu' / 'cpu' force one. */
  choice?: BackendChoice;
}

/** Opens the engine the host asked for. Rejects only when the choice is 'webgpu' and WebGPU fails. */
export async function openEngine({ gpu, choice = 'auto' }: OpenEngineOptions): Promise<Engine> {
  if (choice === 'cpu') return cpuEngine('the CPU backend was chosen');
  let host: GPU | undefined;
  try {
    host = typeof gpu === 'function' ? gpu() : gpu;
  } catch (e) {
    return webGpuFailed(e as Error, choice);
  }
  if (!host) {
    if (choice === 'webgpu') throw new NoWebGpuError('This host has no WebGPU (navigator.gpu is missing).');
    return cpuEngine('this browser has no WebGPU (navigator.gpu is missing)');
  }
  let g: Gpu;
  try {
    g = await acquireGpu({ gpu: host });
  } catch (e) {
    return webGpuFailed(e as Error, choice);
  }
  return {
    kind: 'webgpu',
    backend: new WebGpuBackend(g),
    gpu: g,
    report: { webgpu: true, backend: 'webgpu', info: g.info },
  };
}

function webGpuFailed(e: Error, choice: BackendChoice): Promise<Engine> {
  if (choice === 'webgpu') throw e;
  return cpuEngine(`WebGPU failed: ${e.message}`);
}

async function cpuEngine(reason: string): Promise<Engine> {
  const note = await cpuEngineNote();
  const report: DeviceReport = {
    webgpu: false,
    backend: 'cpu',
    reason,
    note: `${CPU_FALLBACK_NOTE} ${note}`,
    cpuEngine: note,
  };
  return { kind: 'cpu', backend: new CpuBackend({ gemm: cpuMatmulEngine }), reason, report };
}

/** openEngine with choice 'webgpu', typed as the WebGPU engine (the bench, which measures our WebGPU kernels). */
export async function openWebGpuEngine(gpu: OpenEngineOptions['gpu']): Promise<Extract<Engine, { kind: 'webgpu' }>> {
  const engine = await openEngine({ gpu, choice: 'webgpu' });
  if (engine.kind !== 'webgpu') throw new Error(`openEngine gave the ${engine.kind} backend for the choice webgpu`);
  return engine;
}
