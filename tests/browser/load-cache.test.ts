// The browser cache in headless Chromium against a real HTTP server: the Vite dev server that vitest browser mode
// runs (it honours Range). A checkpoint generated here is written under the git-ignored tmp/ folder of the project
// and read through urlSource + cachedSource: full reads, cache hits without network, resume after an interrupted
// download, quota refusal, list/delete; and filesSource over File objects. Empty tmp/load-cache-* folders remain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from 'vitest/browser';
import { cachedBytes, cachedSource, deleteCachedModel, listCachedModels } from '../../models/load/browser-cache';
import { openCheckpoint } from '../../models/load/checkpoint';
import { QuotaError } from '../../models/load/errors';
import { writeSafetensors } from '../../models/load/safetensors';
import { filesSource, urlSource, type DownloadProgress } from '../../models/load/source';
import { randn } from '../helpers/random';

const RUN = `load-cache-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}`;
const DIR = `tmp/${RUN}`; // relative to the project root, served by the dev server at /tmp/<RUN>/
const CHUNK = 4096; // small chunks so the test file spans many of them
const config = { model_type: 'test', hidden_size: 24 };
// Ragged sizes so tensors straddle chunk boundaries.
const tensors = [
  { name: 'a.weight', shape: [37, 24] },
  { name: 'b.weight', shape: [24, 101] },
  { name: 'c.bias', shape: [1] },
  { name: 'd.weight', shape: [13, 77] },
].map((t, i) => ({
  ...t,
  dtype: 'F32' as const,
  data: Float32Array.from(
    randn(
      t.shape.reduce((a, b) => a * b, 1),
      10 + i,
    ),
  ),
}));
const model = writeSafetensors(tensors, { format: 'pt' });
const caches: string[] = [];

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** A fetch that counts requests and ranged bytes, and can fail after `failAfter` range requests. */
function countingFetch(failAfter = Infinity) {
  const log: { url: string; range: string | null }[] = [];
  const f: typeof fetch = async (input, init) => {
    const range = new Headers(init?.headers).get('range');
    if (range && log.filter((r) => r.range).length >= failAfter)
      throw new TypeError('network connection lost (simulated)');
    log.push({ url: String(input), range });
    return fetch(input, init);
  };
  return { fetch: f, log };
}

function rangedBytes(log: { range: string | null }[]): number {
  return log.reduce((s, r) => {
    const m = /bytes=(\d+)-(\d+)/.exec(r.range ?? '');
    return s + (m ? Number(m[2]) - Number(m[1]) + 1 : 0);
  }, 0);
}

function source(fetchFn: typeof fetch) {
  return urlSource({ baseUrl: `${location.origin}/${DIR}/`, fetch: fetchFn });
}

function cacheName() {
  caches.push(`test-${RUN}-${caches.length}`);
  return caches[caches.length - 1];
}

beforeAll(async () => {
  await commands.writeFile(`${DIR}/config.json`, JSON.stringify(config));
  await commands.writeFile(`${DIR}/model.safetensors`, toBase64(model), 'base64');
});

afterAll(async () => {
  for (const c of caches) await globalThis.caches.delete(c);
  await commands.removeFile(`${DIR}/config.json`);
  await commands.removeFile(`${DIR}/model.safetensors`);
});

async function expectAllTensors(ck: Awaited<ReturnType<typeof openCheckpoint>>) {
  expect(ck.names().sort()).toEqual(tensors.map((t) => t.name).sort());
  for (const t of tensors) expect(await ck.read(t.name), t.name).toEqual(t.data);
}

describe('cachedSource (Cache API)', () => {
  it('reads through the cache, then serves everything from the cache without network', async () => {
    const name = cacheName();
    const net = countingFetch();
    const events: DownloadProgress[] = [];
    const cached = cachedSource({
      source: source(net.fetch),
      chunkBytes: CHUNK,
      cacheName: name,
      onProgress: (p) => events.push(p),
    });
    const ck = await openCheckpoint(cached);
    expect(ck.config).toEqual(config);
    await expectAllTensors(ck);
    expect(rangedBytes(net.log)).toBe(model.length); // each chunk fetched exactly once
    const last = events[events.length - 1];
    expect([last.loaded, last.total, last.overallLoaded, last.overallTotal]).toEqual([
      model.length,
      model.length,
      model.length,
      model.length,
    ]);
    expect(await cachedBytes(cached.id, { cacheName: name })).toBe(
      model.length + new TextEncoder().encode(JSON.stringify(config)).length,
    );

    expect(await cached.exists('model.safetensors.index.json')).toBe(false);

    const offline = countingFetch();
    const fromCache = cachedSource({ source: source(offline.fetch), chunkBytes: CHUNK, cacheName: name });
    await expectAllTensors(await openCheckpoint(fromCache));
    expect(await fromCache.exists('model.safetensors.index.json')).toBe(false); // absence remembered too
    expect(offline.log).toEqual([]);
    expect((await listCachedModels({ cacheName: name }))[0].files.sort()).toEqual(['config.json', 'model.safetensors']);
  });

  it('resumes an interrupted download from the chunks already cached', async () => {
    const name = cacheName();
    const chunks = Math.ceil(model.length / CHUNK);
    const broken = countingFetch(3);
    const first = cachedSource({ source: source(broken.fetch), chunkBytes: CHUNK, cacheName: name });
    await expect(first.download(['model.safetensors'])).rejects.toThrow(/network connection lost/);
    const have = await cachedBytes(first.id, { cacheName: name });
    expect(have).toBe(3 * CHUNK);
    const events: DownloadProgress[] = [];
    const net = countingFetch();
    const second = cachedSource({
      source: source(net.fetch),
      chunkBytes: CHUNK,
      cacheName: name,
      onProgress: (p) => events.push(p),
    });
    await second.download(['model.safetensors']);
    expect(net.log.filter((r) => r.range).length).toBe(chunks - 3);
    expect(rangedBytes(net.log)).toBe(model.length - 3 * CHUNK);
    expect(events[0].loaded).toBe(3 * CHUNK); // progress starts where the cache left off
    expect(events[events.length - 1].loaded).toBe(model.length);
    const offline = countingFetch();
    const bytes = await cachedSource({ source: source(offline.fetch), chunkBytes: CHUNK, cacheName: name }).readRange(
      'model.safetensors',
      0,
      model.length,
    );
    expect(bytes).toEqual(model);
    expect(offline.log).toEqual([]);
  });

  it('refuses a download that does not fit, with sizes in MB, before fetching data', async () => {
    const name = cacheName();
    const net = countingFetch();
    const storage = { estimate: async () => ({ quota: 2_000_000, usage: 2_000_000 - 1000 }) };
    const cached = cachedSource({ source: source(net.fetch), chunkBytes: CHUNK, cacheName: name, storage });
    const err = await cached.download(['model.safetensors']).catch((e) => e);
    expect(err).toBeInstanceOf(QuotaError);
    expect(err.message).toMatch(/needs 0\.0 MB more but only 0\.0 MB are free/);
    expect(err.neededBytes).toBe(model.length);
    expect(err.freeBytes).toBe(1000);
    expect(net.log.filter((r) => r.range)).toEqual([]);
  });

  it('lists and deletes cached models', async () => {
    const name = cacheName();
    const cached = cachedSource({ source: source(countingFetch().fetch), chunkBytes: CHUNK, cacheName: name });
    await cached.download(['model.safetensors']);
    const list = await listCachedModels({ cacheName: name });
    expect(list.map((m) => m.id)).toEqual([cached.id]);
    expect(list[0].files).toEqual(['model.safetensors']);
    expect(list[0].bytes).toBe(model.length);
    expect(list[0].description).toContain(location.host);
    await deleteCachedModel(cached.id, { cacheName: name });
    expect(await listCachedModels({ cacheName: name })).toEqual([]);
    expect(await cachedBytes(cached.id, { cacheName: name })).toBe(0);
  });

  it('filesSource reads picked files', async () => {
    const files = [
      new File([JSON.stringify(config)], 'config.json'),
      new File([model as Uint8Array<ArrayBuffer>], 'model.safetensors'),
    ];
    await expectAllTensors(await openCheckpoint(filesSource(files)));
    await expect(openCheckpoint(filesSource(files.slice(1)))).rejects.toThrow(
      /config\.json is not among the picked files/,
    );
  });

  it('a missing folder is reported as not found', async () => {
    await expect(openCheckpoint(urlSource({ baseUrl: `${location.origin}/${DIR}-missing/` }))).rejects.toThrow(
      /config\.json not found at files under .*HTTP 404/,
    );
  });
});
