// Repository of runs: every write that touches more than one table is one transaction, so a run is never left
// half-written (a failed write, e.g. a full quota, leaves the previous state intact).
import { liveQuery, type Observable } from 'dexie';
import {
  makeBundle,
  readBundle,
  type ArtifactRecord,
  type MetricSeries,
  type RunBundle,
  type RunProgress,
  type RunRecord,
} from '../../../workers/contract/run-bundle';
import type { RunErrorInfo } from '../../../workers/contract/api';
import type { ExperimentResult } from '../../../workers/contract/results/index';
import { LabDb, type ArtifactRow } from './db';
import { guard } from './errors';

export class RunsRepo {
  constructor(readonly db: LabDb = new LabDb()) {}

  /** Runs without their results (the list page stays light), newest first. */
  watchList(): Observable<RunRecord[]> {
    return liveQuery(() => this.db.runs.orderBy('createdAt').reverse().toArray());
  }

  watchRun(id: string): Observable<RunRecord | undefined> {
    return liveQuery(() => this.db.runs.get(id));
  }

  get(id: string): Promise<RunRecord | undefined> {
    return this.db.runs.get(id);
  }

  create(run: RunRecord): Promise<void> {
    return guard('the new run', async () => void (await this.db.runs.add(run)));
  }

  setStatus(
    id: string,
    status: RunRecord['status'],
    extra: { error?: RunErrorInfo; progress?: RunProgress } = {},
  ): Promise<void> {
    return guard('the run status', async () => {
      await this.db.runs.update(id, {
        status,
        updatedAt: Date.now(),
        error: extra.error,
        ...(extra.progress ? { progress: extra.progress } : {}),
      });
    });
  }

  /** Progress and new metric points of one run, together. */
  saveProgress(id: string, progress: RunProgress, points: Map<string, [number, number][]>): Promise<void> {
    return guard('the latest progress', () =>
      this.db.transaction('rw', this.db.runs, this.db.metrics, async () => {
        await this.db.runs.update(id, { progress, updatedAt: Date.now() });
        for (const [name, pts] of points) {
          const row = await this.db.metrics.get([id, name]);
          await this.db.metrics.put({ runId: id, name, points: [...(row?.points ?? []), ...pts] });
        }
      }),
    );
  }

  finish(id: string, result: ExperimentResult, progress?: RunProgress): Promise<void> {
    return guard('the results', async () => {
      await this.db.runs.update(id, {
        status: 'done',
        result,
        error: undefined,
        updatedAt: Date.now(),
        ...(progress ? { progress } : {}),
      });
    });
  }

  series(id: string): Promise<MetricSeries[]> {
    return this.db.metrics
      .where('runId')
      .equals(id)
      .toArray()
      .then((rows) => rows.map((r) => ({ name: r.name, points: r.points })));
  }

  watchSeries(id: string): Observable<MetricSeries[]> {
    return liveQuery(() => this.series(id));
  }

  saveArtifact(runId: string, key: string, bytes: Uint8Array, type: ArtifactRow['type'] = 'checkpoint'): Promise<void> {
    return guard(`artifact "${key}"`, async () => {
      await this.db.artifacts.put({ runId, key, type, bytes, size: bytes.byteLength, createdAt: Date.now() });
    });
  }

  async loadArtifact(runId: string, key: string): Promise<Uint8Array | null> {
    return (await this.db.artifacts.get([runId, key]))?.bytes ?? null;
  }

  listArtifacts(runId: string): Promise<ArtifactRow[]> {
    return this.db.artifacts.where('runId').equals(runId).toArray();
  }

  delete(id: string): Promise<void> {
    return this.db.transaction('rw', this.db.runs, this.db.metrics, this.db.artifacts, async () => {
      await this.db.metrics.where('runId').equals(id).delete();
      await this.db.artifacts.where('runId').equals(id).delete();
      await this.db.runs.delete(id);
    });
  }

  async exportBundle(id: string): Promise<RunBundle> {
    const run = await this.get(id);
    if (!run) throw new Error(`run ${id} does not exist`);
    const artifacts: ArtifactRecord[] = (await this.listArtifacts(id)).map((a) => ({
      key: a.key,
      type: a.type,
      bytes: a.bytes,
    }));
    return makeBundle(run, await this.series(id), artifacts);
  }

  /** Validates and stores a bundle in one transaction; an existing run with the same id is left untouched. */
  async importBundle(json: unknown): Promise<string> {
    const { run, series, artifacts } = readBundle(json);
    return guard('the imported run', () =>
      this.db.transaction('rw', this.db.runs, this.db.metrics, this.db.artifacts, async () => {
        const id = (await this.db.runs.get(run.id)) ? `${run.id}-imported-${Date.now().toString(36)}` : run.id;
        // A run that was in flight when exported cannot continue here: keep what it had, marked as interrupted.
        const status = run.status === 'running' || run.status === 'queued' ? 'cancelled' : run.status;
        await this.db.runs.add({ ...run, id, status });
        await this.db.metrics.bulkPut(series.map((s) => ({ runId: id, name: s.name, points: s.points })));
        const now = Date.now();
        await this.db.artifacts.bulkPut(
          artifacts.map((a) => ({
            runId: id,
            key: a.key,
            type: a.type,
            bytes: a.bytes,
            size: a.bytes.byteLength,
            createdAt: now,
          })),
        );
        return id;
      }),
    );
  }

  /** Ids of runs stored as running or queued, live (the lab watches each one's owner through its lock). */
  watchActiveIds(): Observable<string[]> {
    return liveQuery(() => this.db.runs.where('status').anyOf('running', 'queued').primaryKeys() as Promise<string[]>);
  }

  /**
   * Marks one run interrupted (failed, resumable) if it is still running or queued; true if it was. Callers hold
   * the run's lock (client/run-locks.ts), so a run that another tab is executing is never marked.
   */
  async markRunInterrupted(id: string): Promise<boolean> {
    const n = await guard('the interrupted run', () =>
      this.db.runs.where('id').equals(id).and(isActive).modify(interrupt),
    );
    return n > 0;
  }

  /** Every run left running or queued, for a host that knows no other tab can be running them (no Web Locks). */
  async markInterrupted(): Promise<number> {
    return this.db.runs.where('status').anyOf('running', 'queued').modify(interrupt);
  }
}

const isActive = (r: RunRecord) => r.status === 'running' || r.status === 'queued';

function interrupt(r: RunRecord): void {
  r.status = 'failed';
  r.updatedAt = Date.now();
  r.error = {
    name: 'Interrupted',
    message: 'The page was closed or reloaded while this run was going.',
    resumable: true,
  };
}
