// The lab's engine side, shared by every host: the browser worker exposes it through comlink, the CLI calls it
// directly. Owns the GPU device (re-acquired after a loss), routes specs to runners, turns aborts, lost devices
// and failures into a RunOutcome with the error's cause, and hands large results back as transferables.
import type { DeviceReport, LabApi, RunCallbacks, RunErrorInfo, RunOutcome, RunRequest } from '../api';
import { WebGpuBackend } from '../backend/webgpu-backend';
import { acquireGpu, type Gpu } from '../gpu/device';
import { DeviceLostError } from '../gpu/errors';
import { getRunner, runnableKinds } from './registry';
import { parseSpec } from './specs/index';
import { CancelledError, NeedsWebGpuError } from './types';

export interface LabHostOptions {
  /** The host's GPU object (navigator.gpu or Dawn's); undefined when the host has no WebGPU. */
  gpu: GPU | undefined;
  /** Marks buffers for transfer (Comlink.transfer in the worker); identity elsewhere. */
  transfer?: <T>(value: T, transferables: Transferable[]) => T;
}

interface Engine {
  gpu: Gpu;
  backend: WebGpuBackend;
}

export function createLabHost({ gpu, transfer = (v) => v }: LabHostOptions): LabApi {
  let engine: Promise<Engine> | null = null;
  const controllers = new Map<string, AbortController>();

  function acquire(): Promise<Engine> {
    if (!gpu) return Promise.reject(new NeedsWebGpuError('This browser has no WebGPU (navigator.gpu is missing).'));
    engine ??= acquireGpu({ gpu }).then((g) => {
      void g.lost.then(() => (engine = null));
      return { gpu: g, backend: new WebGpuBackend(g) };
    });
    return engine.catch((e) => {
      engine = null;
      throw e;
    });
  }

  return {
    async device(): Promise<DeviceReport> {
      try {
        return { webgpu: true, info: (await acquire()).gpu.info };
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
        if (!runner) throw new Error(`The ${parsed.kind} experiment cannot run in this build yet: its runner is not registered.`);
        let env: Engine | undefined;
        try {
          env = await acquire();
        } catch (e) {
          if (runner.needsWebGpu) throw new NeedsWebGpuError(`This experiment needs WebGPU: ${(e as Error).message}`, { cause: e });
        }
        const lost = env ? env.gpu.lost.then((err) => Promise.reject(err)) : new Promise<never>(() => {});
        const cancelled = new Promise<never>((_, reject) => ac.signal.addEventListener('abort', () => reject(new CancelledError()), { once: true }));
        const result = await Promise.race([
          runner.run(parsed, {
            backend: env?.backend,
            device: env?.gpu.info,
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
      if (engine) (await engine).gpu.device.destroy();
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
