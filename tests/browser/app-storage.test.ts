// Runs in IndexedDB, in real Chromium: migration from schema v1, transactional writes under a full quota,
// a run surviving a reopen (reload), bundle export → import round trip, and refusal of corrupt/future bundles.
import { Dexie } from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { LabDb } from '../../src/lib/storage/db';
import { StorageFullError } from '../../src/lib/storage/errors';
import { RunsRepo } from '../../src/lib/storage/runs-repo';
import { BundleError, type RunRecord } from '../../workers/contract/run-bundle';
import { demoSpec } from '../../workers/contract/specs/index';

const opened: Dexie[] = [];
let n = 0;
function freshName() {
  return `stereoscope-test-${Date.now()}-${n++}`;
}
function repo(name: string) {
  const db = new LabDb(name);
  opened.push(db);
  return new RunsRepo(db);
}
afterEach(async () => {
  const dbs = opened.splice(0);
  for (const db of dbs) db.close();
  for (const db of dbs) await Dexie.delete(db.name);
});

function run(id: string, extra: Partial<RunRecord> = {}): RunRecord {
  const spec = demoSpec('engine-check');
  return {
    id,
    kind: spec.kind,
    title: 'test run',
    spec,
    status: 'running',
    createdAt: 1000,
    updatedAt: 1000,
    host: 'browser',
    ...extra,
  };
}

describe('runs in IndexedDB', () => {
  it('migrate a v1 database: series move to their own table, updatedAt is filled', async () => {
    const name = freshName();
    const v1 = new Dexie(name);
    v1.version(1).stores({ runs: 'id, kind, status, createdAt', artifacts: '[runId+key], runId' });
    const { updatedAt: _u, ...old } = run('r1', { status: 'done' });
    await v1.table('runs').add({
      ...old,
      series: [
        {
          name: 'loss',
          points: [
            [0, 2.5],
            [1, 1.5],
          ],
        },
      ],
    });
    v1.close();
    const r = repo(name);
    const migrated = (await r.get('r1')) as RunRecord & { series?: unknown };
    expect(migrated.series).toBeUndefined();
    expect(migrated.updatedAt).toBe(1000);
    expect(await r.series('r1')).toEqual([
      {
        name: 'loss',
        points: [
          [0, 2.5],
          [1, 1.5],
        ],
      },
    ]);
    expect(r.db.verno).toBe(3); // the latest schema (v3 added user files)
  });

  it('keep a run across a reopen, with progress and series appended', async () => {
    const name = freshName();
    const a = repo(name);
    await a.create(run('r2'));
    await a.saveProgress('r2', { phase: 'x', step: 1, total: 3 }, new Map([['loss', [[0, 3]]]]));
    await a.saveProgress('r2', { phase: 'x', step: 2, total: 3 }, new Map([['loss', [[1, 2]]]]));
    a.db.close();
    const b = repo(name);
    expect((await b.get('r2'))?.progress?.step).toBe(2);
    expect(await b.series('r2')).toEqual([
      {
        name: 'loss',
        points: [
          [0, 3],
          [1, 2],
        ],
      },
    ]);
    expect(await b.markInterrupted()).toBe(1);
    expect((await b.get('r2'))?.error?.resumable).toBe(true);
  });

  it('turn a full quota into StorageFullError and leave the run as it was', async () => {
    const r = repo(freshName());
    await r.create(run('r3'));
    await r.saveProgress('r3', { phase: 'x', step: 1, total: 9 }, new Map([['loss', [[0, 5]]]]));
    // The metrics write fails as a full disk would, after the run row was updated in the same transaction.
    r.db.metrics.hook('updating', () => {
      throw new DOMException('quota', 'QuotaExceededError');
    });
    const err = await r
      .saveProgress('r3', { phase: 'x', step: 2, total: 9 }, new Map([['loss', [[1, 4]]]]))
      .catch((e) => e);
    expect(err).toBeInstanceOf(StorageFullError);
    expect(err.message).toMatch(/storage for this site is full.*intact/s);
    expect((await r.get('r3'))?.progress?.step).toBe(1);
    expect(await r.series('r3')).toEqual([{ name: 'loss', points: [[0, 5]] }]);
  });

  it('export a run as a bundle and import it back, artifacts included', async () => {
    const r = repo(freshName());
    await r.create(run('r4'));
    await r.saveProgress('r4', { phase: 'x', step: 1, total: 1 }, new Map([['gflops', [[0, 0.5]]]]));
    const adapter = { vendor: 'v', architecture: 'a', description: 'd', f16: false, fallback: true };
    await r.finish('r4', {
      kind: 'engine-check',
      summary: 'ok',
      tables: { cases: { columns: ['a', 'b'], rows: [[1, 'x,y']] } },
      adapter,
      cases: [],
    });
    await r.saveArtifact('r4', 'adapter.safetensors', new Uint8Array([1, 2, 3, 250]), 'adapter');
    const bundle = JSON.parse(JSON.stringify(await r.exportBundle('r4')));
    const other = repo(freshName());
    const id = await other.importBundle(bundle);
    expect(id).toBe('r4');
    expect((await other.get(id))?.result?.summary).toBe('ok');
    expect(Array.from((await other.loadArtifact(id, 'adapter.safetensors')) ?? [])).toEqual([1, 2, 3, 250]);
    expect(await other.series(id)).toEqual([{ name: 'gflops', points: [[0, 0.5]] }]);
    // Importing again keeps the first copy and stores the second under a new id.
    const id2 = await other.importBundle(bundle);
    expect(id2).not.toBe(id);
    expect(await other.db.runs.count()).toBe(2);
  });

  it('refuse corrupt and future-version bundles without storing anything', async () => {
    const r = repo(freshName());
    await r.create(run('r5', { status: 'done' }));
    const good = JSON.parse(JSON.stringify(await r.exportBundle('r5')));
    const target = repo(freshName());
    const cases: [unknown, RegExp][] = [
      [{ ...good, version: 7 }, /newer version/],
      [{ ...good, format: 'zip' }, /not a Stereoscope run bundle/],
      [{ ...good, run: { ...good.run, status: 'exploded' } }, /corrupt/],
      [{ ...good, run: { ...good.run, spec: { ...good.run.spec, version: 3 } } }, /spec is not usable/],
      [{ ...good, artifacts: [{ key: 'a', type: 'other', base64: '***' }] }, /corrupt/],
      ['just text', /not a Stereoscope run bundle/],
    ];
    for (const [bad, message] of cases) {
      const err = await target.importBundle(bad).catch((e) => e);
      expect(err).toBeInstanceOf(BundleError);
      expect(err.message).toMatch(message);
    }
    expect(await target.db.runs.count()).toBe(0);
  });
});
