// Main-thread facade of the lab worker: the UI calls start/cancel/resume here and reads reactive engine, device and
// live-progress state; this class owns the comlink connection, writes progress, series, artifacts and results
// to IndexedDB as they arrive, and turns worker crashes into failed runs instead of a frozen page. A worker that does
// not load, dies while starting or does not answer is reported in words (`engine`), never waited for in silence.
import * as Comlink from 'comlink';
import type {
  CachedModelEntry,
  DeviceReport,
  LabApi,
  MemoryPreviewRequest,
  RunOutcome,
} from '../../../workers/contract/api';
import { newRunId, type RunProgress } from '../../../workers/contract/run-bundle';
import type { ExperimentSpec } from '../../../workers/contract/specs/index';
// The worker's URL as this build serves it (Vite bundles the worker for it), so a failed load can be looked up.
import labWorkerUrl from '../../../workers/lab.worker.ts?worker&url';
import type { RunsRepo } from '../storage/runs-repo';
import { ProgressTracker } from './progress-tracker';
import { holdRunLock, lockManager, whenRunLockFree } from './run-locks';
import { describeWorkerFailure, workerScriptName } from './worker-failure';

const FLUSH_MS = 400;
/** How long Resume waits for a run's lock before concluding that another tab is running it. */
const RESUME_LOCK_WAIT_MS = 3000;
/** How long a new worker may take to answer before the page says it has not (it keeps waiting). */
const ENGINE_ANSWER_MS = 8000;
const ENGINE = "The lab's engine";

/**
 * The lab worker as the user should hear of it: starting; not answering yet (`silent`, still waited for: a dev server
 * compiles it on first use); answering (`ready`); or `failed` to load or start, with why (file, HTTP status, error).
 */
export type EngineState = { status: 'starting' | 'ready' } | { status: 'silent' | 'failed'; message: string };

/** Whether an experiment kind can run now, or what stops it: the engine (not up yet, or failed) or a missing runner. */
export type RunAvailability = 'runnable' | 'no-runner' | 'engine-starting' | 'engine-failed';

/** One lab worker and the promise of its death (resolved with why, in words; never rejected). */
interface Connection {
  worker: Worker;
  api: Comlink.Remote<LabApi>;
  died: Promise<{ died: string }>;
  /** Settles when the worker has said what it can run and on which device, or has died. */
  ready: Promise<void>;
  answered: boolean;
}

export class RunBusyError extends Error {
  override readonly name = 'RunBusyError';
}

export interface LabClientOptions {
  /** The lab worker's script (tests point it elsewhere); Vite's URL of workers/lab.worker.ts by default. */
  workerUrl?: string | URL;
  /** How long a new worker may stay silent before `engine` says so. */
  answerTimeoutMs?: number;
}

export class LabClient {
  engine = $state.raw<EngineState>({ status: 'starting' });
  device = $state.raw<DeviceReport | null>(null);
  runnable = $state.raw<string[]>([]);
  /** Progress of runs going on in this tab, by run id (IndexedDB gets it too, a little later). */
  live = $state.raw<Record<string, RunProgress>>({});
  /** Last failure to save something (e.g. a full quota), shown as a banner. */
  storageError = $state<string | null>(null);

  #connection: Connection | null = null;
  readonly #workerUrl: string | URL;
  readonly #answerTimeoutMs: number;
  /** Runs this tab executes (it holds their locks). */
  #held = new Set<string>();
  /** Runs of other tabs (or of a closed tab) whose lock this tab is waiting for. */
  #watching = new Set<string>();
  #watch: { unsubscribe(): void } | null = null;

  constructor(
    private readonly repo: RunsRepo,
    { workerUrl = labWorkerUrl, answerTimeoutMs = ENGINE_ANSWER_MS }: LabClientOptions = {},
  ) {
    this.#workerUrl = workerUrl;
    this.#answerTimeoutMs = answerTimeoutMs;
  }

  private get api(): Comlink.Remote<LabApi> {
    return this.#connect().api;
  }

  /** Starts the worker and learns what it can run and on which device; `engine` says how that went. */
  async init(): Promise<void> {
    await this.#connect().ready;
  }

  /** Whether `kind` can run now, or what stops it (reactive: read it in a template or $derived). */
  availability(kind: string): RunAvailability {
    if (this.engine.status === 'failed') return 'engine-failed';
    if (this.engine.status !== 'ready') return 'engine-starting';
    return this.runnable.includes(kind) ? 'runnable' : 'no-runner';
  }

  /** Stores a new run and starts it; returns its id at once (progress arrives through the repository). */
  async start(spec: ExperimentSpec): Promise<string> {
    const id = newRunId();
    const now = Date.now();
    const device = this.device?.info ? `${this.device.info.vendor} ${this.device.info.architecture}`.trim() : undefined;
    // The lock first: no other tab may see this run "running" while nobody holds it.
    const release = (await holdRunLock({ id }))!;
    try {
      await this.repo.create({
        id,
        kind: spec.kind,
        title: spec.title ?? spec.kind,
        spec,
        status: 'running',
        createdAt: now,
        updatedAt: now,
        host: 'browser',
        device,
      });
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
    if (!release)
      throw new RunBusyError(
        'This run is going on in another tab of the lab: resume or cancel it there, or close that tab first.',
      );
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
          whenRunLockFree({
            id,
            whenFree: () => (this.#held.has(id) ? Promise.resolve(false) : this.repo.markRunInterrupted(id)),
          })
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
      await this.repo
        .saveProgress(id, tracker.progress, tracker.takePending())
        .catch((e) => (this.storageError = (e as Error).message));
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
    let outcome: RunOutcome;
    try {
      const { api, died } = this.#connect();
      const crashed = died.then(({ died: message }): RunOutcome => ({
        ok: false,
        error: { name: 'WorkerError', message, resumable: true },
      }));
      // JSON round trip: the spec may be a $state proxy, which cannot be cloned into the worker.
      outcome = await Promise.race([
        api.run({ runId: id, spec: JSON.parse(JSON.stringify(spec)) }, callbacks),
        crashed,
      ]);
    } catch (e) {
      outcome = { ok: false, error: { name: 'WorkerError', message: (e as Error).message, resumable: true } };
    } finally {
      ended = true;
      clearInterval(timer);
    }
    await flush();
    try {
      if (outcome.ok) await this.repo.finish(id, outcome.result, tracker.progress);
      else
        await this.repo.setStatus(id, outcome.error.name === 'CancelledError' ? 'cancelled' : 'failed', {
          error: outcome.error,
        });
      this.storageError = null;
    } catch (e) {
      this.storageError = (e as Error).message;
    }
    const { [id]: _done, ...rest } = this.live;
    this.live = rest;
  }

  /** The current worker, or a new one (then `engine` follows its start). */
  #connect(): Connection {
    if (this.#connection) return this.#connection;
    const worker = new Worker(this.#workerUrl, { type: 'module', name: 'lab' });
    let die!: (why: { died: string }) => void;
    const connection: Connection = {
      worker,
      api: Comlink.wrap<LabApi>(worker),
      died: new Promise((r) => (die = r)),
      ready: Promise.resolve(),
      answered: false,
    };
    worker.addEventListener(
      'error',
      (event) => {
        // Once it has answered, its script is fine: the error is its code's. Before that, ask the server what it served.
        const why = connection.answered
          ? Promise.resolve(
              `${ENGINE} (${workerScriptName(this.#workerUrl)}) stopped: ${event.message || 'it crashed without a message'}`,
            )
          : describeWorkerFailure({ url: this.#workerUrl, what: ENGINE, event });
        void why.then((message) => {
          die({ died: message });
          this.#fail(connection, message);
        });
      },
      { once: true },
    );
    this.#connection = connection;
    this.engine = { status: 'starting' };
    connection.ready = this.#watchStart(connection);
    return connection;
  }

  /** Waits for the worker's first answer (says so if it takes long, and why if it dies first), then its device. */
  async #watchStart(connection: Connection): Promise<void> {
    const name = workerScriptName(this.#workerUrl);
    const seconds = +(this.#answerTimeoutMs / 1000).toFixed(1);
    const timer = setTimeout(() => {
      if (this.#connection !== connection || connection.answered) return;
      this.engine = {
        status: 'silent',
        message: `${ENGINE} (${name}) has not answered for ${seconds} s. It may still be loading (a dev server compiles it on first use) or be stuck: if this stays, reload the page; the browser's console may say why.`,
      };
    }, this.#answerTimeoutMs);
    try {
      const first = await Promise.race([connection.api.runnableKinds(), connection.died]).catch((e: Error) => ({
        died: `${ENGINE} (${name}) failed while starting: ${e.message}`,
      }));
      if ('died' in first) return this.#fail(connection, first.died);
      connection.answered = true;
      if (this.#connection !== connection) return;
      this.runnable = first;
      this.engine = { status: 'ready' };
    } finally {
      clearTimeout(timer);
    }
    const device = await Promise.race([connection.api.device(), connection.died]).catch((e: Error): DeviceReport => ({
      webgpu: false,
      reason: `${ENGINE} did not report its device: ${e.message}`,
    }));
    // A death is reported by the error listener; its replacement asks for the device again.
    if (!('died' in device) && this.#connection === connection) this.device = device;
  }

  /**
   * Ends a worker that failed. One that never answered leaves `engine` failed with why; after one that crashed later
   * (its runs in flight fail with why), the next call starts a new worker and `engine` follows that one.
   */
  #fail(connection: Connection, message: string): void {
    if (this.#connection !== connection) return;
    connection.worker.terminate();
    this.#connection = null;
    if (!connection.answered) this.engine = { status: 'failed', message };
  }
}
