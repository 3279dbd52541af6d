// What a run tells its host while it runs: progress events (shown live, metric points stored with the run) and
// the checkpoint store the host lends it (IndexedDB in the browser, files in the CLI).

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
