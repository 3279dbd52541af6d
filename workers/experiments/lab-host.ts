// The lab's engine side, shared by every host: the browser worker exposes it through comlink, the CLI calls it
// directly. Owns the GPU device (re-acquired after a loss), routes specs to runners, turns aborts, lost devices
// and failures into a RunOutcome with the error's cause, and hands large results back as transferables.
// The engine comes from workers/engine/open-engine.ts: without WebGPU (no navigator.gpu, no adapter, a failed
// device) inference runs on the CPU backend; a spec that trains is refused before anything downloads (issue 4).
import type {
  BackendChoice,
  DeviceReport,
  LabApi,
  RunCallbacks,
  RunErrorInfo,
  RunOutcome,
  RunRequest,
} from '../contract/api';
import { openEngine, type Engine, type OpenEngineOptions } from '../engine/open-engine';
import { DeviceLostError } from '../gpu/errors';
import { deleteCachedEntry, listAllCachedModels } from '../../models/load/browser-cache';
import { memoryPreview, modelConfig } from './memory-preview';
import { getRunner, runnableKinds } from './registry';
import { parseSpec, type ExperimentSpec } from '../contract/specs/index';
import { CancelledError, NeedsWebGpuError } from './experiment-runner';

export interface LabHostOptions {
  /** The host's GPU object (navigator.gpu), or a function giving it (Node's Dawn, loaded only when WebGPU is
   *  tried); undefined when the host has no WebGPU. */
  gpu: OpenEngineOptions['gpu'];
  /** 'auto' (default): WebGPU when it works, else the CPU backend; 'cpu' / 'webgpu' force one (the CLI's --backend). */
  backend?: BackendChoice;
  /** Marks buffers for transfer (Comlink.transfer in the worker); identity elsewhere. */
  transfer?: <T>(value: T, transferables: Transferable[]) => T;
}

/** Why a spec cannot run on the CPU backend, or null when it only runs inference. */
export function cpuRefusal(spec: ExperimentSpec): string | null {
  switch (spec.kind) {
    case 'engine-check':
      return null;
    case 'emotion-profiles':
      return spec.fineTune
        ? 'Training needs WebGPU: this Study A run fine-tunes the model with LoRA. Remove the fine-tuning step to profile on the CPU.'
        : null;
    case 'geo-unlearning':
      return 'Training needs WebGPU: Study B unlearns with LoRA training steps.';
    default:
      return `Training needs WebGPU: the ${spec.kind} experiment runs on the WebGPU engine only.`;
  }
}

export function createLabHost({ gpu, backend: choice = 'auto', transfer = (v) => v }: LabHostOptions): LabApi {
  let engine: Promise<Engine> | null = null;
  const controllers = new Map<string, AbortController>();

  function acquire(): Promise<Engine> {
    engine ??= openEngine({ gpu, choice }).then((env) => {
      // The next run acquires a new device after a loss.
      if (env.kind === 'webgpu') void env.gpu.lost.then(() => (engine = null));
      return env;
    });
    return engine.catch((e) => {
      engine = null;
      throw e;
    });
  }

  return {
    async device(): Promise<DeviceReport> {
      try {
        return (await acquire()).report;
      } catch (e) {
        return { webgpu: false, reason: (e as Error).message };
      }
    },
    async runnableKinds() {
      return runnableKinds();
    },
    async run({ runId, spec }: RunRequest, callbacks: RunCallbacks): Promise<RunOutcome> {
      const ac = new AbortController();
      controllers.set(runId, ac);
      try {
        const parsed = parseSpec(spec);
        const runner = getRunner(parsed.kind);
        if (!runner)
          throw new Error(`The ${parsed.kind} experiment cannot run in this build yet: its runner is not registered.`);
        let env: Engine | undefined;
        try {
          env = await acquire();
        } catch (e) {
          if (runner.needsWebGpu)
            throw new NeedsWebGpuError(`This experiment needs WebGPU: ${(e as Error).message}`, { cause: e });
        }
        if (env?.kind === 'cpu') {
          // Refused before the runner starts, so nothing is downloaded for a run that cannot finish.
          const refusal = cpuRefusal(parsed);
          if (refusal) throw new NeedsWebGpuError(`${refusal} (WebGPU is unavailable here: ${env.reason}.)`);
          void callbacks.progress({
            type: 'log',
            message: `WebGPU is unavailable (${env.reason}): running inference on the CPU backend. ${env.report.note}`,
          });
        }
        const lost =
          env?.kind === 'webgpu' ? env.gpu.lost.then((err) => Promise.reject(err)) : new Promise<never>(() => {});
        const cancelled = new Promise<never>((_, reject) =>
          ac.signal.addEventListener('abort', () => reject(new CancelledError()), { once: true }),
        );
        const result = await Promise.race([
          runner.run(parsed, {
            backend: env?.backend,
            device: env?.kind === 'webgpu' ? env.gpu.info : undefined,
            progress: (ev) => void callbacks.progress(ev),
            signal: ac.signal,
            checkpoints: { save: (k, b) => callbacks.save(k, b), load: (k) => callbacks.load(k) },
          }),
          lost,
          cancelled,
        ]);
        return transfer({ ok: true, result }, collectTransferables(result));
      } catch (e) {
        return { ok: false, error: describeError(e) };
      } finally {
        controllers.delete(runId);
      }
    },
    async cancel(runId: string) {
      controllers.get(runId)?.abort();
    },
    async simulateDeviceLoss() {
      const env = engine ? await engine : null;
      if (env?.kind === 'webgpu') env.gpu.device.destroy();
    },
    async modelConfig(request) {
      return modelConfig(request);
    },
    async memoryPreview(request) {
      // The device the run would get (f16 storage, buffer limits); none when WebGPU is unavailable.
      const env = await acquire().catch(() => undefined);
      return memoryPreview({ ...request, device: env?.kind === 'webgpu' ? env.gpu.info : undefined });
    },
    async cachedModels() {
      return listAllCachedModels();
    },
    async deleteCachedModel(entry) {
      await deleteCachedEntry(entry);
    },
  };
}

export function describeError(e: unknown): RunErrorInfo {
  const err = e instanceof Error ? e : new Error(String(e));
  const causes: string[] = [];
  for (let c = err.cause, depth = 0; c !== undefined && depth < 5; c = (c as Error)?.cause, depth++)
    causes.push(c instanceof Error ? `${c.name}: ${c.message}` : String(c));
  return {
    name: err.name,
    message: err.message,
    cause: causes.length ? causes.join(' ← ') : undefined,
    resumable: err instanceof DeviceLostError || err instanceof CancelledError || err.name === 'AbortError',
  };
}

/** Every ArrayBuffer under typed arrays in a result, once each, for a zero-copy postMessage. */
export function collectTransferables(value: unknown, out = new Set<ArrayBuffer>(), depth = 0): ArrayBuffer[] {
  if (depth > 8 || value === null || typeof value !== 'object') return [...out];
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) out.add(value.buffer);
  } else if (Array.isArray(value)) {
    for (const v of value) if (v !== null && typeof v === 'object') collectTransferables(v, out, depth + 1);
  } else for (const v of Object.values(value)) collectTransferables(v, out, depth + 1);
  return [...out];
}
