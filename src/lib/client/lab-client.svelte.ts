// Main-thread facade of the lab worker: the UI calls start/cancel/resume here and reads reactive device and
// live-progress state; this class owns the comlink connection, writes progress, series, artifacts and results
// to IndexedDB as they arrive, and turns worker crashes into failed runs instead of a frozen page.
import * as Comlink from 'comlink';
import type { CachedModelEntry, DeviceReport, LabApi, MemoryPreviewRequest, RunErrorInfo, RunOutcome } from '../../../workers/contract/api';
import { newRunId, type RunProgress } from '../../../workers/contract/run-bundle';
import type { ExperimentSpec } from '../../../workers/contract/specs/index';
import type { RunsRepo } from '../storage/runs-repo';
import { ProgressTracker } from './progress-tracker';
import { holdRunLock, lockManager, whenRunLockFree } from './run-locks';

const FLUSH_MS = 400;
/** How long Resume waits for a run's lock before concluding that another tab is running it. */
const RESUME_LOCK_WAIT_MS = 3000;

export class RunBusyError extends Error {
  override readonly name = 'RunBusyError';
}

export class LabClient {
  device = $state.raw<DeviceReport | null>(null);
  runnable = $state.raw<string[]>([]);
  /** Progress of runs going on in this tab, by run id (IndexedDB gets it too, a little later). */
  live = $state.raw<Record<string, RunProgress>>({});
  /** Last failure to save something (e.g. a full quota), shown as a banner. */
  storageError = $state<string | null>(null);

  #worker: Worker | null = null;
  #api: Comlink.Remote<LabApi> | null = null;
  #inFlight = new Map<string, (o: RunOutcome) => void>();
  /** Runs this tab executes (it holds their locks). */
  #held = new Set<string>();
  /** Runs of other tabs (or of a closed tab) whose lock this tab is waiting for. */
  #watching = new Set<string>();
  #watch: { unsubscribe(): void } | null = null;

  constructor(private readonly repo: RunsRepo) {}

  private get api(): Comlink.Remote<LabApi> {
    if (!this.#api) {
      this.#worker = new Worker(new URL('../../../workers/lab.worker.ts', import.meta.url), { type: 'module', name: 'lab' });
      this.#worker.addEventListener('error', (e) => this.#workerDied(e.message || 'the lab worker crashed'));
      this.#api = Comlink.wrap<LabApi>(this.#worker);
    }
    return this.#api;
  }

  async init(): Promise<void> {
    try {
      this.device = await this.api.device();
      this.runnable = await this.api.runnableKinds();
    } catch (e) {
      this.device = { webgpu: false, reason: `The lab worker did not start: ${(e as Error).message}` };
    }
  }

  /** Stores a new run and starts it; returns its id at once (progress arrives through the repository). */
  async start(spec: ExperimentSpec): Promise<string> {
    const id = newRunId();
    const now = Date.now();
    const device = this.device?.info ? `${this.device.info.vendor} ${this.device.info.architecture}`.trim() : undefined;
    // The lock first: no other tab may see this run "running" while nobody holds it.
    const release = (await holdRunLock({ id }))!;
    try {
      await this.repo.create({ id, kind: spec.kind, title: spec.title ?? spec.kind, spec, status: 'running', createdAt: now, updatedAt: now, host: 'browser', device });
    } catch (e) {
      release();
      throw e;
    }
    this.#held.add(id);
    void this.#execute(id, spec, release);
    return id;
  }

  /** Runs a stored run again under the same id; its runner picks up its checkpoints. */
  async resume(id: string): Promise<void> {
    const run = await this.repo.get(id);
    if (!run) throw new Error(`run ${id} does not exist`);
    if (this.#held.has(id)) throw new RunBusyError('This run is already going on in this tab.');
    const release = await holdRunLock({ id, signal: AbortSignal.timeout(RESUME_LOCK_WAIT_MS) });
    if (!release) throw new RunBusyError('This run is going on in another tab of the lab: resume or cancel it there, or close that tab first.');
    this.#held.add(id);
    try {
      await this.repo.setStatus(id, 'running');
    } catch (e) {
      this.#held.delete(id);
      release();
      throw e;
    }
    void this.#execute(id, run.spec, release);
  }

  /**
   * Marks runs left "running" by a tab that is gone as interrupted (resumable), now and whenever such a tab
   * closes later; runs another open tab is executing are left alone (client/run-locks.ts). Call once per page.
   */
  watchInterrupted(): void {
    if (this.#watch) return;
    const onError = (e: unknown) => (this.storageError = (e as Error).message);
    if (!lockManager()) {
      // No Web Locks: no way to tell another tab's run from an orphan; treat every one found on load as interrupted.
      this.repo.markInterrupted().catch(onError);
      this.#watch = { unsubscribe() {} };
      return;
    }
    this.#watch = this.repo.watchActiveIds().subscribe({
      next: (ids) => {
        for (const id of ids) {
          if (this.#held.has(id) || this.#watching.has(id)) continue;
          this.#watching.add(id);
          // Granted at once if the owner is gone; otherwise when it finishes (status no longer running: no-op) or closes.
          whenRunLockFree({ id, whenFree: () => (this.#held.has(id) ? Promise.resolve(false) : this.repo.markRunInterrupted(id)) })
            .catch(onError)
            .finally(() => this.#watching.delete(id));
        }
      },
      error: onError,
    });
  }

  /** Ends watchInterrupted (tests; the app watches for the page's lifetime). */
  stopWatching(): void {
    this.#watch?.unsubscribe();
    this.#watch = null;
  }

  async cancel(id: string): Promise<void> {
    await this.api.cancel(id);
  }

  async simulateDeviceLoss(): Promise<void> {
    await this.api.simulateDeviceLoss();
  }

  // The engine's answers the pages show outside runs (memory preview, the model cache). JSON round trips: the
  // arguments may be $state proxies, which cannot be cloned into the worker.
  modelConfig(request: Parameters<LabApi['modelConfig']>[0]): ReturnType<LabApi['modelConfig']> {
    return this.api.modelConfig(JSON.parse(JSON.stringify(request)));
  }

  memoryPreview(request: MemoryPreviewRequest): ReturnType<LabApi['memoryPreview']> {
    return this.api.memoryPreview(JSON.parse(JSON.stringify(request)));
  }

  cachedModels(): Promise<CachedModelEntry[]> {
    return this.api.cachedModels();
  }

  deleteCachedModel(entry: CachedModelEntry): Promise<void> {
    return this.api.deleteCachedModel(JSON.parse(JSON.stringify(entry)));
  }

  async #execute(id: string, spec: ExperimentSpec, release: () => void): Promise<void> {
    try {
      await this.#runAndStore(id, spec);
    } finally {
      // Only now, with the final status written, may another tab take the run over.
      this.#held.delete(id);
      release();
    }
  }

  async #runAndStore(id: string, spec: ExperimentSpec): Promise<void> {
    const tracker = new ProgressTracker();
    let dirty = false;
    const flush = async () => {
      if (!dirty) return;
      dirty = false;
      await this.repo.saveProgress(id, tracker.progress, tracker.takePending()).catch((e) => (this.storageError = (e as Error).message));
    };
    const timer = setInterval(flush, FLUSH_MS);
    // After a lost device the abandoned runner may still call back until its next GPU read fails: once this attempt
    // has ended, its progress is ignored and its checkpoints are refused, so it cannot overwrite a resumed attempt's.
    let ended = false;
    const callbacks = Comlink.proxy({
      progress: (ev: Parameters<ProgressTracker['apply']>[0]) => {
        if (ended) return;
        tracker.apply(ev);
        dirty = true;
        this.live = { ...this.live, [id]: tracker.progress };
      },
      save: (key: string, bytes: Uint8Array) => {
        if (ended) throw new Error('this attempt of the run has ended; its checkpoint is not kept');
        return this.repo.saveArtifact(id, key, bytes);
      },
      load: (key: string) => this.repo.loadArtifact(id, key),
    });
    const crashed = new Promise<RunOutcome>((resolve) => this.#inFlight.set(id, resolve));
    let outcome: RunOutcome;
    try {
      // JSON round trip: the spec may be a $state proxy, which cannot be cloned into the worker.
      outcome = await Promise.race([this.api.run({ runId: id, spec: JSON.parse(JSON.stringify(spec)) }, callbacks), crashed]);
    } catch (e) {
      outcome = { ok: false, error: { name: 'WorkerError', message: (e as Error).message, resumable: true } };
    } finally {
      ended = true;
      clearInterval(timer);
      this.#inFlight.delete(id);
    }
    await flush();
    try {
      if (outcome.ok) await this.repo.finish(id, outcome.result, tracker.progress);
      else await this.repo.setStatus(id, outcome.error.name === 'CancelledError' ? 'cancelled' : 'failed', { error: outcome.error });
      this.storageError = null;
    } catch (e) {
      this.storageError = (e as Error).message;
    }
    const { [id]: _done, ...rest } = this.live;
    this.live = rest;
  }

  #workerDied(message: string): void {
    const error: RunErrorInfo = { name: 'WorkerError', message, resumable: true };
    for (const resolve of this.#inFlight.values()) resolve({ ok: false, error });
    this.#worker?.terminate();
    this.#worker = null;
    this.#api = null;
  }
}
