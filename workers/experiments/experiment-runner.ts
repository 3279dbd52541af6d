// The runner interface every experiment implements, and the events it reports. A runner is host-agnostic: it
// gets a Backend (absent without WebGPU), reports progress, honours the abort signal, and saves checkpoints
// through the host (IndexedDB in the browser, files in the CLI). Results are plain data + transferable arrays.
import type { Backend } from '../backend/backend';
import type { GpuInfo } from '../contract/device';
import type { Checkpoints, ProgressEvent } from '../contract/progress';
import type { ExperimentResult } from '../contract/results/index';

export interface ExperimentContext {
  /** Absent when the host has no WebGPU. */
  backend?: Backend;
  device?: GpuInfo;
  progress(ev: ProgressEvent): void;
  signal: AbortSignal;
  checkpoints: Checkpoints;
}

export interface ExperimentRunner<Spec, Result extends ExperimentResult = ExperimentResult> {
  kind: string;
  /** Training and our own kernels need WebGPU; a runner with a CPU path sets this false. */
  needsWebGpu: boolean;
  run(spec: Spec, ctx: ExperimentContext): Promise<Result>;
}

/** The experiment cannot run on this host because WebGPU is missing. */
export class NeedsWebGpuError extends Error {
  override readonly name = 'NeedsWebGpuError';
}

/** The user cancelled the run. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor() {
    super('Cancelled');
  }
}
