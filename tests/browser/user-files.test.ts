// Files the user picked, in real IndexedDB (Chromium): the v2 → v3 upgrade keeps runs, series and artifacts,
// a picked file survives a reopen with its size and sha256, a full quota leaves the previous copy intact, and
// the run-time loader serves `file/<name>` only when the stored file matches the spec's sha256.
import { Dexie } from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../workers/contract/sha256';
import { userFileKey } from '../../workers/experiments/study-a/sources';
import { demoSpec } from '../../workers/contract/specs/index';
import { LabDb } from '../../src/lib/storage/db';
import { StorageFullError } from '../../src/lib/storage/errors';
import { RunsRepo } from '../../src/lib/storage/runs-repo';
import { RunsRepoWithFiles, UserFileError, UserFilesRepo } from '../../src/lib/storage/user-files';

const opened: Dexie[] = [];
let n = 0;
const freshName = () => `stereoscope-files-test-${Date.now()}-${n++}`;
function open(name: string) {
  const db = new LabDb(name);
  opened.push(db);
  return db;
}
afterEach(async () => {
  const dbs = opened.splice(0);
  for (const db of dbs) db.close();
  for (const db of dbs) await Dexie.delete(db.name);
});

const text = (s: string) => new TextEncoder().encode(s);
const lexicon = text('abandon\tfear\t1\nabandon\tjoy\t0\n');

describe('user files in IndexedDB', () => {
  it('upgrade a v2 database to v3 without touching its runs, series or artifacts', async () => {
    const name = freshName();
    const v2 = new Dexie(name);
    v2.version(2).stores({
      runs: 'id, kind, status, createdAt, updatedAt',
      metrics: '[runId+name], runId',
      artifacts: '[runId+key], runId',
    });
    const spec = demoSpec('engine-check');
    await v2.table('runs').add({
      id: 'r1',
      kind: spec.kind,
      title: 't',
      spec,
      status: 'done',
      createdAt: 5,
      updatedAt: 6,
      host: 'browser',
    });
    await v2.table('metrics').add({ runId: 'r1', name: 'loss', points: [[0, 1.5]] });
    await v2
      .table('artifacts')
      .add({ runId: 'r1', key: 'ckpt', type: 'checkpoint', bytes: new Uint8Array([1, 2, 3]), size: 3, createdAt: 7 });
    v2.close();
    const db = open(name);
    const runs = new RunsRepo(db);
    expect((await runs.get('r1'))?.updatedAt).toBe(6);
    expect(await runs.series('r1')).toEqual([{ name: 'loss', points: [[0, 1.5]] }]);
    expect(await runs.loadArtifact('r1', 'ckpt')).toEqual(new Uint8Array([1, 2, 3]));
    expect(db.verno).toBe(3);
    const files = new UserFilesRepo(db);
    expect(await files.list()).toEqual([]);
    await files.add({ name: 'lex.tsv', bytes: lexicon });
    expect((await files.list()).map((f) => f.name)).toEqual(['lex.tsv']);
  });

  it('store a picked file with size and sha256, keep it across a reopen, remove it', async () => {
    const name = freshName();
    const a = new UserFilesRepo(open(name));
    const file = new File([lexicon], 'NRC-Emotion-Lexicon.txt', { type: 'text/plain' });
    const info = await a.addFile(file);
    expect(info).toMatchObject({
      name: 'NRC-Emotion-Lexicon.txt',
      size: lexicon.byteLength,
      sha256: await sha256Hex(lexicon),
      type: 'text/plain',
    });
    a.db.close();
    const b = new UserFilesRepo(open(name));
    const row = await b.get('NRC-Emotion-Lexicon.txt');
    expect(row?.bytes).toEqual(lexicon);
    expect((await b.list())[0]).not.toHaveProperty('bytes');
    await b.remove('NRC-Emotion-Lexicon.txt');
    expect(await b.list()).toEqual([]);
  });

  it('turn a full quota into StorageFullError and keep the previous copy of the file', async () => {
    const files = new UserFilesRepo(open(freshName()));
    await files.add({ name: 'lex.tsv', bytes: lexicon });
    files.db.userFiles.hook('updating', () => {
      throw new DOMException('quota', 'QuotaExceededError');
    });
    const err = await files.add({ name: 'lex.tsv', bytes: text('other content') }).catch((e) => e);
    expect(err).toBeInstanceOf(StorageFullError);
    expect(err.message).toMatch(/"lex.tsv" was not saved.*intact/s);
    expect((await files.get('lex.tsv'))?.bytes).toEqual(lexicon);
  });

  it('refuse a nameless file with a clear message', async () => {
    const files = new UserFilesRepo(open(freshName()));
    await expect(files.add({ name: '  ', bytes: lexicon })).rejects.toThrow(UserFileError);
    expect(await files.list()).toEqual([]);
  });

  it('report which files a spec needs, pin their hashes, and serve them under the runners key', async () => {
    const files = new UserFilesRepo(open(freshName()));
    const spec = {
      ...demoSpec('emotion-profiles'),
      lexicon: { from: 'file' as const, name: 'lex.tsv' },
      groups: { from: 'file' as const, name: 'groups.json', sha256: 'ab'.repeat(32) },
    };
    expect((await files.needs(spec)).map((x) => [x.path, x.status])).toEqual([
      ['groups', 'missing'],
      ['lexicon', 'missing'],
    ]);
    await files.add({ name: 'lex.tsv', bytes: lexicon });
    await files.add({ name: 'groups.json', bytes: text('{}') });
    const needs = await files.needs(spec);
    expect(needs.map((x) => x.status)).toEqual(['mismatch', 'ok']);
    expect(needs[0].actual).toBe(await sha256Hex(text('{}')));

    const pinned = await files.pinHashes(spec);
    expect(pinned.lexicon).toEqual({ from: 'file', name: 'lex.tsv', sha256: await sha256Hex(lexicon) });
    expect(spec.lexicon).not.toHaveProperty('sha256'); // the draft itself is not changed
    expect(await files.loadForRun(userFileKey('lex.tsv'), pinned)).toEqual(lexicon);
    expect(await files.loadForRun('checkpoint/step-3', pinned)).toBeNull();
    expect(await files.loadForRun(userFileKey('absent.tsv'), pinned)).toBeNull();
    await expect(files.loadForRun(userFileKey('groups.json'), pinned)).rejects.toThrow(
      /not the file this run was started with/,
    );
    // Replaced after the run started: refused instead of silently used.
    await files.add({ name: 'lex.tsv', bytes: text('changed') });
    await expect(files.loadForRun(userFileKey('lex.tsv'), pinned)).rejects.toThrow(UserFileError);
  });

  it('expand a {lang} file name over the spec languages: one need per language, each pinned and checked on its own', async () => {
    const files = new UserFilesRepo(open(freshName()));
    const en = text('en rows');
    const fr = text('fr rows');
    const spec = {
      ...demoSpec('geo-unlearning'),
      languages: ['en', 'fr'],
      mcq: { from: 'file' as const, name: 'mcq_{lang}.csv' },
    };
    expect((await files.needs(spec)).map((x) => [x.path, x.name, x.status])).toEqual([
      ['mcq (en)', 'mcq_en.csv', 'missing'],
      ['mcq (fr)', 'mcq_fr.csv', 'missing'],
    ]);
    await files.add({ name: 'mcq_en.csv', bytes: en });
    await files.add({ name: 'mcq_fr.csv', bytes: fr });
    const pinned = await files.pinHashes(spec);
    expect(pinned.mcq).toEqual({
      from: 'file',
      name: 'mcq_{lang}.csv',
      sha256: { en: await sha256Hex(en), fr: await sha256Hex(fr) },
    });
    expect((await files.needs(pinned)).map((x) => x.status)).toEqual(['ok', 'ok']);
    expect(await files.loadForRun(userFileKey('mcq_fr.csv'), pinned)).toEqual(fr);
    await files.add({ name: 'mcq_fr.csv', bytes: en });
    expect((await files.needs(pinned)).map((x) => x.status)).toEqual(['ok', 'mismatch']);
    await expect(files.loadForRun(userFileKey('mcq_fr.csv'), pinned)).rejects.toThrow(
      /not the file this run was started with/,
    );
  });

  it('serve a picked file to a run through the artifact loader, without adding it to the run or its export', async () => {
    const repo = new RunsRepoWithFiles(open(freshName()));
    await repo.files.add({ name: 'lex.tsv', bytes: lexicon });
    const spec = await repo.files.pinHashes({
      ...demoSpec('emotion-profiles'),
      lexicon: { from: 'file' as const, name: 'lex.tsv' },
    });
    await repo.create({
      id: 'r9',
      kind: spec.kind,
      title: 't',
      spec,
      status: 'running',
      createdAt: 1,
      updatedAt: 1,
      host: 'browser',
    });
    await repo.saveArtifact('r9', 'checkpoint', new Uint8Array([9]));
    expect(await repo.loadArtifact('r9', userFileKey('lex.tsv'))).toEqual(lexicon);
    expect(await repo.loadArtifact('r9', 'checkpoint')).toEqual(new Uint8Array([9]));
    expect(await repo.loadArtifact('r9', 'missing')).toBeNull();
    expect((await repo.listArtifacts('r9')).map((a) => a.key)).toEqual(['checkpoint']);
    expect(JSON.stringify(await repo.exportBundle('r9'))).not.toContain('abandon');
  });
});
