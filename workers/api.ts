// The one contract between the main thread and the lab worker (comlink). Types only: src/ imports this file
// with `import type`, never worker code.
import type { GpuInfo } from './gpu/device';
import type { ExperimentSpec } from './experiments/specs/index';
import type { Checkpoints, ProgressEvent, ResultBase } from './experiments/types';

export type { ProgressEvent, ResultBase, ExperimentSpec, GpuInfo };

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

export type RunOutcome = { ok: true; result: ResultBase } | { ok: false; error: RunErrorInfo };

export interface LabApi {
  device(): Promise<DeviceReport>;
  /** Kinds this build can run (others can be edited and shared but not run yet). */
  runnableKinds(): Promise<string[]>;
  run(request: RunRequest, callbacks: RunCallbacks): Promise<RunOutcome>;
  cancel(runId: string): Promise<void>;
  /** Destroys the GPU device, as a driver reset would: lets tests exercise the lost-device path. */
  simulateDeviceLoss(): Promise<void>;
}
