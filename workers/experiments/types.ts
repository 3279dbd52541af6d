// The runner interface every experiment implements, and the events it reports. A runner is host-agnostic: it
// gets a Backend (absent without WebGPU), reports progress, honours the abort signal, and saves checkpoints
// through the host (IndexedDB in the browser, files in the CLI). Results are plain data + transferable arrays.
import type { Backend } from '../backend/backend';
import type { GpuInfo } from '../gpu/device';

export type ProgressEvent =
  /** A named stage ("loading model", "profiling en"); resets the step counter shown. */
  | { type: 'phase'; label: string }
  | { type: 'download'; label: string; loaded: number; total?: number }
  | { type: 'step'; step: number; total: number; label?: string }
  | { type: 'tokens'; tokens: number }
  /** One point of a metric series (loss curves); stored with the run. */
  | { type: 'metric'; name: string; step: number; value: number }
  | { type: 'log'; message: string };

export interface Checkpoints {
  save(key: string, bytes: Uint8Array): Promise<void>;
  load(key: string): Promise<Uint8Array | null>;
}

export interface ExperimentContext {
  /** Absent when the host has no WebGPU. */
  backend?: Backend;
  device?: GpuInfo;
  progress(ev: ProgressEvent): void;
  signal: AbortSignal;
  checkpoints: Checkpoints;
}

/** A table every host can export as CSV (rows = records, like the original studies' outputs). */
export interface ResultTable {
  columns: string[];
  rows: (string | number | null)[][];
}

/** What every result carries, so hosts can store, summarise and export it without knowing the kind. */
export interface ResultBase {
  kind: string;
  summary: string;
  tables: Record<string, ResultTable>;
}

export interface ExperimentRunner<Spec, Result extends ResultBase = ResultBase> {
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
