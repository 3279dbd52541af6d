// The models page's state in real Chromium: the registry listed with what the real Cache Storage holds of each
// model (written through the same cachedSource the runners use), other cached models, delete, and the messages
// for a browser that refuses persistent storage or has no way to ask (a private window). The refusal itself is
// the browser's decision and cannot be provoked in a test profile, so that storage manager is a stand-in; the
// estimate and the cache are the real ones.
import { Dexie } from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { cachedSource, deleteCachedEntry, listAllCachedModels } from '../../models/load/browser-cache';
import { memorySource } from '../../models/load/source';
import { MODEL_REGISTRY, findModel, formatParameters, modelsForStudy } from '../../models/registry';
import { StorageInfo } from '../../src/lib/state/storage-info.svelte';
import { LabDb } from '../../src/lib/storage/db';
import { RunsRepo } from '../../src/lib/storage/runs-repo';

const cacheNames: string[] = [];
const dbs: LabDb[] = [];
afterEach(async () => {
  for (const n of cacheNames.splice(0)) await caches.delete(n);
  for (const db of dbs.splice(0)) {
    db.close();
    await Dexie.delete(db.name);
  }
});

/** The engine's model cache (what LabApi.cachedModels / deleteCachedModel call), on a test cache. */
function modelCache(cacheName: string) {
  return {
    cachedModels: () => listAllCachedModels({ cacheName }),
    deleteCachedModel: (e: Parameters<typeof deleteCachedEntry>[0]) => deleteCachedEntry(e, { cacheName }),
  };
}

function setup() {
  const cacheName = `stereoscope-models-test-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  cacheNames.push(cacheName);
  const db = new LabDb(`stereoscope-models-test-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  dbs.push(db);
  return { cacheName, repo: new RunsRepo(db) };
}

async function cacheModel(id: string, cacheName: string, bytes: number): Promise<void> {
  const src = cachedSource({
    source: memorySource(
      { 'config.json': '{"model_type":"xlm-roberta"}', 'model.safetensors': new Uint8Array(bytes).fill(7) },
      id,
    ),
    cacheName,
    chunkBytes: 1000,
  });
  await src.readText('config.json');
  await src.readRange('model.safetensors', 0, bytes);
}

describe('model registry', () => {
  it('has unique ids, studies for every model, and finds cache ids with a revision', () => {
    expect(new Set(MODEL_REGISTRY.map((m) => m.id)).size).toBe(MODEL_REGISTRY.length);
    for (const m of MODEL_REGISTRY) {
      expect(m.studies.length, m.id).toBeGreaterThan(0);
      expect(m.formats.length, m.id).toBeGreaterThan(0);
      if (!m.loadable) expect(m.note, m.id).toBeTruthy();
      if (m.gated) expect(m.note, m.id).toMatch(/token/);
    }
    expect(findModel('FacebookAI/xlm-roberta-base@main')?.family).toBe('xlmr');
    expect(findModel('someone/unknown')).toBeUndefined();
    expect(modelsForStudy('B')[0].demo).toBe(true);
    expect(formatParameters(278e6)).toBe('278M');
    expect(formatParameters(1.24e9)).toBe('1.2B');
  });
});

describe('models page state', () => {
  it('lists registry models with their cached bytes, other cached models, and deletes them', async () => {
    const { cacheName, repo } = setup();
    await cacheModel('FacebookAI/xlm-roberta-base@main', cacheName, 2500);
    await cacheModel('someone/other-model@main', cacheName, 1200);
    const info = new StorageInfo(repo, modelCache(cacheName));
    await info.refresh();
    const xlmr = info.rows.find((r) => r.model.id === 'FacebookAI/xlm-roberta-base')!;
    // 2,500 weight bytes + the config's 28 bytes, counted from the cache entries themselves.
    expect(xlmr.cachedBytes).toBe(2500 + 28);
    expect(xlmr.cached[0].files).toBe(2);
    expect(info.rows.filter((r) => r.cachedBytes > 0).map((r) => r.model.id)).toEqual(['FacebookAI/xlm-roberta-base']);
    expect(info.others.map((o) => o.id)).toEqual(['someone/other-model@main']);
    expect(info.estimate!.quota).toBeGreaterThan(0);

    await info.remove(xlmr.cached[0]);
    expect(info.rows.find((r) => r.model.id === 'FacebookAI/xlm-roberta-base')!.cachedBytes).toBe(0);
    expect(info.message).toMatch(/Deleted the cached files of FacebookAI\/xlm-roberta-base@main/);
    expect(info.others).toHaveLength(1);
    const left = await (await caches.open(cacheName)).keys();
    expect(left.every((r) => decodeURIComponent(r.url).includes('someone/other-model'))).toBe(true);
  });

  it('says plainly when the browser declines persistent storage, or cannot be asked', async () => {
    const { cacheName, repo } = setup();
    const refusing = {
      estimate: () => navigator.storage.estimate(),
      persisted: async () => false,
      persist: async () => false,
    };
    const info = new StorageInfo(repo, modelCache(cacheName), { storage: refusing });
    await info.refresh();
    expect(info.persisted).toBe(false);
    await info.persist();
    expect(info.persisted).toBe(false);
    expect(info.problem).toBe(true);
    expect(info.message).toMatch(/declined persistent storage.*private windows.*may be evicted/s);

    const throwing = {
      ...refusing,
      persist: async () => Promise.reject(new DOMException('not allowed', 'InvalidStateError')),
    };
    const info2 = new StorageInfo(repo, modelCache(cacheName), { storage: throwing });
    await info2.persist();
    expect(info2.message).toMatch(/refused persistent storage with an error \(not allowed\)/);

    const none = new StorageInfo(repo, modelCache(cacheName), { storage: null });
    await none.refresh();
    expect(none.estimate).toBeNull();
    await none.persist();
    expect(none.message).toMatch(/no way to make storage persistent/);
  });

  it('asks the real browser and reports its answer consistently', async () => {
    const { cacheName, repo } = setup();
    const info = new StorageInfo(repo, modelCache(cacheName));
    await info.persist();
    expect(typeof info.persisted).toBe('boolean');
    expect(info.problem).toBe(!info.persisted);
    expect(info.persisted).toBe(await navigator.storage.persisted());
  });
});
