// The worker API: what the main thread may ask the lab worker (comlink) and what comes back. Types only; the
// worker implements it in workers/experiments/lab-host.ts, the page wraps it in src/lib/client/lab-client.
import type { GpuInfo } from './device';
import type { MemoryPreview, ModelConfigAnswer } from './memory';
import type { Checkpoints, ProgressEvent } from './progress';
import type { ExperimentResult } from './results/index';
import type { ModelRef } from './specs/common';
import type { ExperimentSpec } from './specs/index';

/** Which engine runs experiments: WebGPU when it works, else the CPU backend (inference only). */
export type BackendChoice = 'auto' | 'webgpu' | 'cpu';

export interface DeviceReport {
  webgpu: boolean;
  /** The engine experiments run on; absent when neither is available. */
  backend?: 'webgpu' | 'cpu';
  /** Why WebGPU is unavailable, in words for the user. */
  reason?: string;
  /** What the CPU fallback means for the user (slower, inference only, and what runs the matrix products). */
  note?: string;
  /** CPU backend: what runs its matrix products (onnxruntime-web's WebAssembly engine, or plain JS and why). */
  cpuEngine?: string;
  info?: GpuInfo;
}

/** Passed as its own argument wrapped in Comlink.proxy, so the worker can call back into the page. */
export interface RunCallbacks extends Checkpoints {
  progress(ev: ProgressEvent): void;
}

export interface RunRequest {
  runId: string;
  spec: ExperimentSpec;
}

export interface RunErrorInfo {
  name: string;
  message: string;
  /** The cause chain, outermost first, as text. */
  cause?: string;
  /** A lost device or a cancelled run can be resumed from its last checkpoint. */
  resumable: boolean;
}

export type RunOutcome = { ok: true; result: ExperimentResult } | { ok: false; error: RunErrorInfo };

/** Model files in this browser's Cache Storage: ours (per source id) or another library's (per Hub-style URL). */
export interface CachedModelEntry {
  /** The source id (`owner/name@revision` for Hub downloads) or, for other caches, `owner/name`. */
  id: string;
  cache: string;
  files: number;
  bytes: number;
  /** Only for entries of other caches: the request URLs to delete. */
  urls?: string[];
}

export interface MemoryPreviewRequest {
  spec: ExperimentSpec;
  /** The model's config.json, as `modelConfig` returned it. */
  config: Record<string, unknown>;
  /** Row length assumed (the runner counts its longest tokenised row); MIN_CHECK_SEQ_LEN by default. */
  seqLen?: number;
  /** Bytes the run may use; the runner's default budget when absent. */
  budget?: number;
}

export interface LabApi {
  device(): Promise<DeviceReport>;
  /** Kinds this build can run (others can be edited and shared but not run yet). */
  runnableKinds(): Promise<string[]>;
  run(request: RunRequest, callbacks: RunCallbacks): Promise<RunOutcome>;
  cancel(runId: string): Promise<void>;
  /** Destroys the GPU device, as a driver reset would: lets tests exercise the lost-device path. */
  simulateDeviceLoss(): Promise<void>;
  /** A model's config.json for the memory preview: registry shape, the app's demo files, or its host (a few KB). */
  modelConfig(request: { ref: ModelRef; appBaseUrl: string }): Promise<ModelConfigAnswer>;
  /** What the runner's memory check will say for this spec on this device (null for kinds that do not check). */
  memoryPreview(request: MemoryPreviewRequest): Promise<MemoryPreview | null>;
  /** Model files downloaded into this browser (empty where the host has no Cache Storage). */
  cachedModels(): Promise<CachedModelEntry[]>;
  deleteCachedModel(entry: CachedModelEntry): Promise<void>;
}
