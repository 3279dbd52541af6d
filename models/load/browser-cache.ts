// Browser cache for model files: wraps any ModelSource so bytes are kept in the Cache API (CacheStorage), in
// fixed-size chunks stored as separate entries. A download interrupted at any point resumes with range requests for
// the chunks not yet cached (at most one partial chunk is fetched again). Before fetching, the bytes still missing
// are checked against navigator.storage.estimate(); not enough room → QuotaError with the sizes in MB.
import { LoadError, QuotaError } from './errors';
import type { CachedModelEntry } from '../../workers/contract/api';
import type { DownloadProgress, ModelSource, ReadOptions } from './source';

export const CACHE_NAME = 'stereoscope-models-v1';
export const DEFAULT_CHUNK_BYTES = 8 << 20;
// Cache keys must be http(s) URLs; this host never resolves (RFC 6761 ".invalid"), entries are only matched locally.
const ORIGIN = 'https://stereoscope-cache.invalid/';

interface Meta {
  size: number;
  chunkBytes: number;
}

export interface CacheEnv {
  cacheName?: string;
  caches?: CacheStorage;
  storage?: Pick<StorageManager, 'estimate'>; // injectable so tests can simulate a full disk
}

export interface CachedSourceOptions extends CacheEnv {
  source: ModelSource;
  chunkBytes?: number;
  onProgress?: (p: DownloadProgress) => void;
}

export interface CachedSource extends ModelSource {
  /** Fetches whole files into the cache (quota checked once for all of them), e.g. from the models page. */
  download(files: string[], opts?: { signal?: AbortSignal }): Promise<void>;
}

export interface CachedModel {
  id: string;
  description: string;
  files: string[];
  bytes: number;
}

const key = (id: string, file: string, part: string) =>
  `${ORIGIN}${encodeURIComponent(id)}/${encodeURIComponent(file)}?${part}`;
const modelKey = (id: string) => `${ORIGIN}${encodeURIComponent(id)}?model`;
const openCache = (env: CacheEnv) => (env.caches ?? globalThis.caches).open(env.cacheName ?? CACHE_NAME);

export function cachedSource(opts: CachedSourceOptions): CachedSource {
  const inner = opts.source;
  const chunkBytes = opts.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const metas = new Map<string, Meta>();
  const cachedPerFile = new Map<string, number>(); // bytes of each touched file known to be in the cache
  let cache: Promise<Cache> | undefined;
  const getCache = () => (cache ??= openCache(opts));
  let registered = false;

  async function put(url: string, body: BodyInit, bytes: number) {
    const c = await getCache();
    try {
      if (!registered) {
        await c.put(modelKey(inner.id), json({ id: inner.id, description: inner.describe() }));
        registered = true;
      }
      await c.put(url, new Response(body, { headers: { 'x-bytes': String(bytes) } }));
    } catch (e) {
      if ((e as Error).name === 'QuotaExceededError')
        throw new QuotaError(bytes, 0, `${inner.id} (the browser refused to store more)`);
      throw e;
    }
  }

  async function meta(file: string): Promise<Meta> {
    const known = metas.get(file);
    if (known) return known;
    const hit = await (await getCache()).match(key(inner.id, file, 'meta'));
    const m: Meta = hit ? await hit.json() : { size: await inner.size(file), chunkBytes };
    if (!hit) await put(key(inner.id, file, 'meta'), JSON.stringify(m), 0);
    metas.set(file, m);
    if (!cachedPerFile.has(file)) cachedPerFile.set(file, await cachedChunkBytes(file, m));
    return m;
  }

  async function cachedChunkBytes(file: string, m: Meta): Promise<number> {
    const c = await getCache();
    let n = 0;
    for (let i = 0; i * m.chunkBytes < m.size; i++) {
      const hit = await c.match(key(inner.id, file, `chunk=${i}`));
      if (hit) n += Number(hit.headers.get('x-bytes'));
    }
    return n;
  }

  function report(file: string) {
    if (!opts.onProgress) return;
    let overallLoaded = 0;
    let overallTotal = 0;
    for (const [f, m] of metas) {
      overallLoaded += cachedPerFile.get(f) ?? 0;
      overallTotal += m.size;
    }
    opts.onProgress({
      file,
      loaded: cachedPerFile.get(file) ?? 0,
      total: metas.get(file)!.size,
      overallLoaded,
      overallTotal,
    });
  }

  /** Makes sure chunks [first, last] of `file` are cached; returns them (cached ones read back, new ones fetched). */
  async function ensureChunks(file: string, first: number, last: number, ro?: ReadOptions): Promise<Uint8Array[]> {
    const m = await meta(file);
    const c = await getCache();
    const found: (Uint8Array | null)[] = [];
    let missingBytes = 0;
    for (let i = first; i <= last; i++) {
      const hit = await c.match(key(inner.id, file, `chunk=${i}`));
      found.push(hit ? new Uint8Array(await hit.arrayBuffer()) : null);
      if (!hit) missingBytes += Math.min(m.size, (i + 1) * m.chunkBytes) - i * m.chunkBytes;
    }
    if (missingBytes > 0) await checkQuota(opts, missingBytes, `${file} of ${inner.id}`);
    for (let i = first; i <= last; i++) {
      if (found[i - first]) continue;
      const start = i * m.chunkBytes;
      const end = Math.min(m.size, start + m.chunkBytes);
      const bytes = await inner.readRange(file, start, end, { signal: ro?.signal, onBytes: ro?.onBytes });
      await put(key(inner.id, file, `chunk=${i}`), bytes as Uint8Array<ArrayBuffer>, bytes.length);
      cachedPerFile.set(file, (cachedPerFile.get(file) ?? 0) + bytes.length);
      report(file);
      found[i - first] = bytes;
    }
    return found as Uint8Array[];
  }

  return {
    id: inner.id,
    describe: () => `${inner.describe()}, cached in this browser`,
    async exists(file) {
      const c = await getCache();
      if ((await c.match(key(inner.id, file, 'meta'))) || (await c.match(key(inner.id, file, 'text')))) return true;
      // Remember absence too, so a cached sharded checkpoint ("no model.safetensors") opens offline.
      if (await c.match(key(inner.id, file, 'absent'))) return false;
      const found = await inner.exists(file);
      if (!found) await put(key(inner.id, file, 'absent'), '', 0);
      return found;
    },
    async size(file) {
      return (await meta(file)).size;
    },
    async readText(file) {
      const hit = await (await getCache()).match(key(inner.id, file, 'text'));
      if (hit) return hit.text();
      const text = await inner.readText(file);
      const bytes = new TextEncoder().encode(text).length;
      await checkQuota(opts, bytes, `${file} of ${inner.id}`);
      await put(key(inner.id, file, 'text'), text, bytes);
      return text;
    },
    async readRange(file, start, end, ro) {
      const m = await meta(file);
      if (!(start >= 0 && end >= start && end <= m.size))
        throw new LoadError(`${file}: range [${start}, ${end}) outside the file (${m.size} bytes)`);
      if (end === start) return new Uint8Array(0);
      const first = Math.floor(start / m.chunkBytes);
      const last = Math.floor((end - 1) / m.chunkBytes);
      const chunks = await ensureChunks(file, first, last, ro);
      const out = new Uint8Array(end - start);
      chunks.forEach((ch, j) => {
        const chunkStart = (first + j) * m.chunkBytes;
        const a = Math.max(start, chunkStart);
        const b = Math.min(end, chunkStart + ch.length);
        out.set(ch.subarray(a - chunkStart, b - chunkStart), a - start);
      });
      return out;
    },
    async download(files, dl = {}) {
      const ms = await Promise.all(files.map((f) => meta(f)));
      const missing = ms.reduce((s, m, i) => s + m.size - (cachedPerFile.get(files[i]) ?? 0), 0);
      await checkQuota(opts, missing, inner.id);
      for (let i = 0; i < files.length; i++) {
        const n = Math.ceil(ms[i].size / ms[i].chunkBytes);
        report(files[i]);
        // One chunk at a time, so memory stays at one chunk and an interruption loses at most one chunk.
        for (let c = 0; c < n; c++) await ensureChunks(files[i], c, c, { signal: dl.signal });
      }
    },
  };
}

async function checkQuota(env: CacheEnv, needed: number, what: string) {
  const storage = env.storage ?? (globalThis.navigator as Navigator | undefined)?.storage;
  if (!storage?.estimate || needed <= 0) return;
  const { quota, usage } = await storage.estimate();
  if (quota === undefined) return;
  const free = quota - (usage ?? 0);
  if (needed > free) throw new QuotaError(needed, free, what);
}

function json(v: unknown): Response {
  return new Response(JSON.stringify(v), { headers: { 'content-type': 'application/json', 'x-bytes': '0' } });
}

export async function listCachedModels(env: CacheEnv = {}): Promise<CachedModel[]> {
  const c = await openCache(env);
  const models = new Map<string, CachedModel>();
  const get = (id: string) => {
    if (!models.has(id)) models.set(id, { id, description: id, files: [], bytes: 0 });
    return models.get(id)!;
  };
  for (const req of await c.keys()) {
    const u = new URL(req.url);
    const [idPart, filePart] = u.pathname.slice(1).split('/');
    const model = get(decodeURIComponent(idPart));
    const res = await c.match(req);
    if (u.search === '?model' && res) model.description = (await res.json()).description;
    model.bytes += Number(res?.headers.get('x-bytes') ?? 0);
    const file = filePart === undefined ? undefined : decodeURIComponent(filePart);
    if (file && u.search !== '?absent' && !model.files.includes(file)) model.files.push(file);
  }
  return [...models.values()];
}

export async function cachedBytes(id: string, env: CacheEnv = {}): Promise<number> {
  return (await listCachedModels(env)).find((m) => m.id === id)?.bytes ?? 0;
}

export async function deleteCachedModel(id: string, env: CacheEnv = {}): Promise<void> {
  const c = await openCache(env);
  const prefix = `${ORIGIN}${encodeURIComponent(id)}`;
  for (const req of await c.keys()) {
    if (req.url === modelKey(id) || req.url.startsWith(`${prefix}/`)) await c.delete(req);
  }
}

/** Every cached model the storage page lists: ours (per source id), plus Hub-style URLs (…/<owner>/<name>/resolve/…)
 *  that another library keeps in any other cache of this origin (deleted by URL). */
export async function listAllCachedModels(env: CacheEnv = {}): Promise<CachedModelEntry[]> {
  const store = env.caches ?? (typeof caches === 'undefined' ? undefined : caches);
  if (!store) return [];
  const ours = env.cacheName ?? CACHE_NAME;
  const out: CachedModelEntry[] = (await listCachedModels({ ...env, caches: store })).map((m) => ({
    id: m.id,
    cache: ours,
    files: m.files.length,
    bytes: m.bytes,
  }));
  for (const name of await store.keys()) {
    if (name === ours) continue;
    const cache = await store.open(name);
    const byModel = new Map<string, CachedModelEntry>();
    for (const req of await cache.keys()) {
      const m = /\/([^/]+\/[^/]+)\/resolve\//.exec(new URL(req.url).pathname);
      if (!m) continue;
      const entry = byModel.get(m[1]) ?? { id: m[1], cache: name, files: 0, bytes: 0, urls: [] };
      const res = await cache.match(req);
      entry.files++;
      entry.bytes += Number(res?.headers.get('content-length') ?? 0);
      entry.urls!.push(req.url);
      byModel.set(m[1], entry);
    }
    out.push(...byModel.values());
  }
  return out;
}

/** Deletes what `listAllCachedModels` listed as one entry. */
export async function deleteCachedEntry(entry: CachedModelEntry, env: CacheEnv = {}): Promise<void> {
  if (entry.urls) {
    const cache = await (env.caches ?? caches).open(entry.cache);
    await Promise.all(entry.urls.map((u) => cache.delete(u)));
  } else await deleteCachedModel(entry.id, env);
}
