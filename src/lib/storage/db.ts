// The lab's IndexedDB schema (dexie) with versioned migrations. Runs, their metric series and artifacts live in
// separate tables so a progress write never rewrites a large result or a loss curve.
import { Dexie, type EntityTable } from 'dexie';
import type { RunRecord } from '../../../workers/contract/run-bundle';

export interface MetricRow {
  runId: string;
  name: string;
  points: [number, number][];
}

export interface ArtifactRow {
  runId: string;
  key: string;
  type: 'checkpoint' | 'adapter' | 'profile' | 'other';
  bytes: Uint8Array;
  size: number;
  createdAt: number;
}

/** A file the user picked for a `{from:'file'}` data source. Their own copy: never shared or exported unasked. */
export interface UserFileRow {
  /** The name specs refer to it by (the picked file's name); one stored file per name. */
  name: string;
  size: number;
  sha256: string;
  type: string;
  bytes: Uint8Array;
  addedAt: number;
}

export const DB_NAME = 'stereoscope';

export class LabDb extends Dexie {
  runs!: EntityTable<RunRecord, 'id'>;
  metrics!: Dexie.Table<MetricRow, [string, string]>;
  artifacts!: Dexie.Table<ArtifactRow, [string, string]>;
  userFiles!: EntityTable<UserFileRow, 'name'>;

  constructor(name = DB_NAME) {
    super(name);
    // v1 (first release): metric series were kept inside the run record as `run.series`.
    this.version(1).stores({
      runs: 'id, kind, status, createdAt',
      artifacts: '[runId+key], runId',
    });
    // v2: series move to their own table (appending a loss point no longer rewrites the run), and runs get an
    // `updatedAt` index for "recently active" ordering.
    this.version(2)
      .stores({
        runs: 'id, kind, status, createdAt, updatedAt',
        metrics: '[runId+name], runId',
        artifacts: '[runId+key], runId',
      })
      .upgrade(async (tx) => {
        type V1Run = RunRecord & { series?: { name: string; points: [number, number][] }[] };
        for (const run of await tx.table<V1Run>('runs').toArray())
          if (run.series?.length)
            await tx
              .table<MetricRow>('metrics')
              .bulkPut(run.series.map((s) => ({ runId: run.id, name: s.name, points: s.points })));
        await tx
          .table<V1Run>('runs')
          .toCollection()
          .modify((run) => {
            delete run.series;
            run.updatedAt ??= run.createdAt;
          });
      });
    // v3: files the user picked for data sources, keyed by the name specs use. A new table only: runs,
    // metrics and artifacts stay as they were.
    this.version(3).stores({
      runs: 'id, kind, status, createdAt, updatedAt',
      metrics: '[runId+name], runId',
      artifacts: '[runId+key], runId',
      userFiles: 'name, addedAt',
    });
  }
}
