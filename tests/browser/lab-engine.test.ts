// The lab client's view of its worker, in real Chromium with real workers: a script the server does not have
// (the vitest server's own 404), a script that throws while loading, one that never answers, and one that crashes
// after answering. Each ends in words (which file, what went wrong), never in a silent wait.
import { Dexie } from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { LabClient } from '../../src/lib/client/lab-client.svelte';
import { LabDb } from '../../src/lib/storage/db';
import { RunsRepo } from '../../src/lib/storage/runs-repo';
import { demoSpec } from '../../workers/contract/specs/index';
import crashAfterAnswer from './fixtures/crash-after-answer.worker.ts?worker&url';

const opened: Dexie[] = [];
afterEach(async () => {
  const dbs = opened.splice(0);
  for (const db of dbs) db.close();
  for (const db of dbs) await Dexie.delete(db.name);
});

function freshRepo(): RunsRepo {
  const db = new LabDb(`stereoscope-engine-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  opened.push(db);
  return new RunsRepo(db);
}

const script = (code: string) => URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));

async function until(cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const t0 = performance.now();
  while (!(await cond())) {
    if (performance.now() - t0 > ms) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('the lab client reports a worker that does not come up', () => {
  it('a missing script: the file and the HTTP status the server answered', async () => {
    const path = `/no-such-folder/lab.worker-${Date.now()}.js`;
    const expected = await fetch(path);
    expect(expected.status).toBe(404);
    const lab = new LabClient(freshRepo(), { workerUrl: path });
    await lab.init();
    const status = expected.statusText ? `404 ${expected.statusText}` : '404';
    expect(lab.engine).toEqual({
      status: 'failed',
      message: `The lab's engine (${path}) did not load: HTTP ${status}.`,
    });
    expect(lab.availability('engine-check')).toBe('engine-failed');
    expect(lab.device).toBeNull();
  });

  it('a script that throws while loading: its error', async () => {
    const lab = new LabClient(freshRepo(), { workerUrl: script('throw new Error("no engine today");') });
    await lab.init();
    expect(lab.engine.status).toBe('failed');
    expect(lab.engine.status === 'failed' && lab.engine.message).toMatch(
      /^The lab's engine \(.+\) failed while starting: .*no engine today/,
    );
  });

  it('a script that never answers: says so after the timeout and keeps waiting', async () => {
    const lab = new LabClient(freshRepo(), { workerUrl: script('// listens to nothing'), answerTimeoutMs: 300 });
    let settled = false;
    void lab.init().then(() => (settled = true));
    expect(lab.engine.status).toBe('starting');
    await until(() => lab.engine.status === 'silent', 5000);
    expect(lab.engine.status === 'silent' && lab.engine.message).toMatch(
      /^The lab's engine \(.+\) has not answered for 0\.3 s\./,
    );
    expect(lab.availability('engine-check')).toBe('engine-starting');
    expect(settled).toBe(false);
  });

  it('a worker that answers, then crashes during a run: the run fails with why, and the next call starts a new worker', async () => {
    const repo = freshRepo();
    const lab = new LabClient(repo, { workerUrl: crashAfterAnswer });
    await lab.init();
    expect(lab.engine).toEqual({ status: 'ready' });
    expect(lab.availability('engine-check')).toBe('runnable');
    expect(lab.device?.reason).toBe('a stand-in worker has no device');
    const id = await lab.start({ ...demoSpec('engine-check'), shapes: [[4, 4, 4]], repeats: 1 });
    await until(async () => (await repo.get(id))?.status === 'failed');
    const error = (await repo.get(id))?.error;
    expect(error).toMatchObject({ name: 'WorkerError', resumable: true });
    expect(error?.message).toMatch(
      /^The lab's engine \(.*crash-after-answer\.worker\.ts\) stopped: .*the stand-in engine broke/,
    );
    // The engine was up: the crash does not make the page claim it never loaded, and a new worker answers again.
    expect(lab.engine.status).toBe('ready');
    await lab.init();
    expect(lab.engine).toEqual({ status: 'ready' });
  });
});
