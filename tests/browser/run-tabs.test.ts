// Runs in several tabs, in real Chromium with real IndexedDB and Web Locks: on load the lab marks runs left
// "running" by a closed tab as interrupted, but not a run another open tab is executing (a dedicated worker holds
// that run's lock here, as the other tab's page would; terminating it releases the lock like closing the tab).
import { Dexie } from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { LabClient, RunBusyError } from '../../src/lib/client/lab-client.svelte';
import { holdRunLock, runLockName, whenRunLockFree } from '../../src/lib/client/run-locks';
import { LabDb } from '../../src/lib/storage/db';
import { RunsRepo } from '../../src/lib/storage/runs-repo';
import type { RunRecord } from '../../workers/contract/run-bundle';
import { demoSpec } from '../../workers/contract/specs/index';

const opened: Dexie[] = [];
const tabs: Worker[] = [];
afterEach(async () => {
  for (const t of tabs.splice(0)) t.terminate();
  const dbs = opened.splice(0);
  for (const db of dbs) db.close();
  for (const db of dbs) await Dexie.delete(db.name);
});

function freshRepo(): RunsRepo {
  const db = new LabDb(`stereoscope-tabs-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  opened.push(db);
  return new RunsRepo(db);
}

function run(id: string, status: RunRecord['status'] = 'running'): RunRecord {
  const spec = demoSpec('engine-check');
  return { id, kind: spec.kind, title: id, spec, status, createdAt: 1, updatedAt: 1, host: 'browser' };
}

/** Another agent of this origin (as another tab is) that takes and releases run locks on request. */
async function otherTab(): Promise<{
  hold(id: string): Promise<void>;
  release(id: string): Promise<void>;
  isFree(id: string): Promise<boolean>;
  close(): void;
}> {
  const code = `
    const releases = {};
    onmessage = ({ data }) => {
      if (data.cmd === 'hold')
        navigator.locks.request(data.name, () => new Promise((r) => { releases[data.name] = r; postMessage({ held: data.name }); }));
      else if (data.cmd === 'probe')
        navigator.locks.request(data.name, { ifAvailable: true }, (lock) => postMessage({ probed: data.name, free: lock !== null }));
      else { releases[data.name](); postMessage({ released: data.name }); }
    };`;
  const w = new Worker(URL.createObjectURL(new Blob([code], { type: 'text/javascript' })));
  tabs.push(w);
  const reply = (key: 'held' | 'released' | 'probed', name: string) =>
    new Promise<{ free?: boolean }>((resolve) =>
      w.addEventListener('message', function on(e) {
        if (e.data[key] === name) {
          w.removeEventListener('message', on);
          resolve(e.data);
        }
      }),
    );
  return {
    async hold(id) {
      const ok = reply('held', runLockName(id));
      w.postMessage({ cmd: 'hold', name: runLockName(id) });
      await ok;
    },
    async isFree(id) {
      const answer = reply('probed', runLockName(id));
      w.postMessage({ cmd: 'probe', name: runLockName(id) });
      return (await answer).free === true;
    },
    async release(id) {
      const ok = reply('released', runLockName(id));
      w.postMessage({ cmd: 'release', name: runLockName(id) });
      await ok;
    },
    close: () => w.terminate(),
  };
}

async function until(cond: () => Promise<boolean>, ms = 5000): Promise<void> {
  const t0 = performance.now();
  while (!(await cond())) {
    if (performance.now() - t0 > ms) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const statusOf = async (repo: RunsRepo, id: string) => (await repo.get(id))?.status;

describe('runs in several tabs', () => {
  it('holdRunLock is exclusive across agents; ifAvailable answers null while another holds it', async () => {
    const tab = await otherTab();
    await tab.hold('x');
    expect(await holdRunLock({ id: 'x', ifAvailable: true })).toBeNull();
    expect(await whenRunLockFree({ id: 'x', ifAvailable: true, whenFree: async () => 'free' })).toBeUndefined();
    const waited = holdRunLock({ id: 'x', signal: AbortSignal.timeout(150) });
    expect(await waited).toBeNull();
    await tab.release('x');
    const release = await holdRunLock({ id: 'x', ifAvailable: true });
    expect(release).toBeTypeOf('function');
    release!();
  });

  it('on load, marks only the orphaned run; the other tab’s run is marked when that tab closes', async () => {
    const repo = freshRepo();
    await repo.create(run('orphan'));
    await repo.create(run('elsewhere'));
    await repo.create(run('finished-elsewhere'));
    await repo.create(run('old', 'done'));
    const tab = await otherTab();
    await tab.hold('elsewhere');
    await tab.hold('finished-elsewhere');

    const lab = new LabClient(repo);
    lab.watchInterrupted();
    await until(async () => (await statusOf(repo, 'orphan')) === 'failed');
    expect((await repo.get('orphan'))?.error).toMatchObject({ name: 'Interrupted', resumable: true });
    // Give the watcher ample time to do something wrong.
    await new Promise((r) => setTimeout(r, 400));
    expect(await statusOf(repo, 'elsewhere')).toBe('running');
    expect(await statusOf(repo, 'finished-elsewhere')).toBe('running');
    expect(await statusOf(repo, 'old')).toBe('done');

    // Resume of a run another tab is executing is refused with a clear message, and the run is left as it was.
    const refused = await lab.resume('elsewhere').catch((e: Error) => e);
    expect(refused).toBeInstanceOf(RunBusyError);
    expect((refused as Error).message).toMatch(/going on in another tab/);
    expect(await statusOf(repo, 'elsewhere')).toBe('running');

    // The other tab finishes one run (final status written before its lock goes): it stays done.
    await repo.finish('finished-elsewhere', { kind: 'engine-check', summary: 'ok' } as never);
    await tab.release('finished-elsewhere');
    await new Promise((r) => setTimeout(r, 200));
    expect(await statusOf(repo, 'finished-elsewhere')).toBe('done');

    // The other tab is closed mid-run: the browser drops its lock and this tab marks the run interrupted.
    tab.close();
    await until(async () => (await statusOf(repo, 'elsewhere')) === 'failed');
    expect((await repo.get('elsewhere'))?.error?.name).toBe('Interrupted');
    lab.stopWatching();
  });

  it('a run started in another tab after this one loaded is not marked while it runs', async () => {
    const repo = freshRepo();
    const lab = new LabClient(repo);
    lab.watchInterrupted();
    const tab = await otherTab();
    await tab.hold('late'); // the owner takes the lock before storing the run as running
    await repo.create(run('late'));
    await new Promise((r) => setTimeout(r, 400));
    expect(await statusOf(repo, 'late')).toBe('running');
    tab.close();
    await until(async () => (await statusOf(repo, 'late')) === 'failed');
    lab.stopWatching();
  });

  it('a run started by the lab holds its lock while it runs and releases it after its final status', async () => {
    const repo = freshRepo();
    const lab = new LabClient(repo);
    await lab.init();
    const tab = await otherTab();
    const spec = { ...demoSpec('engine-check'), shapes: [[8, 8, 8]] as [number, number, number][], repeats: 1 };
    const id = await lab.start(spec);
    // Stored as running only once the lock is held: another tab sees it taken.
    expect(await statusOf(repo, id)).toBe('running');
    expect(await tab.isFree(id)).toBe(false);
    await until(async () => (await statusOf(repo, id)) !== 'running', 120_000);
    expect(await statusOf(repo, id)).toBe('done');
    await until(() => tab.isFree(id));
  });
});
