// Where model files come from: the Hugging Face Hub (or a mirror with the same URL layout), any base URL, or files
// the user picked in the browser. Every source can read a byte range, so a checkpoint is fetched one tensor at a
// time with HTTP range requests (RFC 9110 §14) instead of as one multi-megabyte download.
import { LoadError, NotFoundError } from './errors';

export interface DownloadProgress {
  file: string;
  loaded: number; // bytes of `file` received so far (in this request for a source; in this load for a checkpoint)
  total: number;
  overallLoaded: number;
  overallTotal: number;
}

/** Optional per-call hooks: streaming byte counts (for progress bars) and cancellation. */
export interface ReadOptions {
  onBytes?: (n: number) => void;
  signal?: AbortSignal;
}

export interface ModelSource {
  readonly id: string;
  describe(): string;
  exists(file: string): Promise<boolean>;
  size(file: string): Promise<number>;
  readText(file: string): Promise<string>;
  /** Bytes [start, end) of `file`; throws if fewer arrive. */
  readRange(file: string, start: number, end: number, opts?: ReadOptions): Promise<Uint8Array>;
}

export const HF_ENDPOINT = 'https://huggingface.co';

export interface HubSourceOptions {
  id: string;
  revision?: string;
  endpoint?: string;
  fetch?: typeof fetch;
  onProgress?: (p: DownloadProgress) => void;
}

/** `<endpoint>/<id>/resolve/<revision>/<file>`: the Hub's download URL (it redirects LFS files to its CDN). */
export function hubSource(opts: HubSourceOptions): ModelSource {
  const endpoint = (opts.endpoint ?? HF_ENDPOINT).replace(/\/+$/, '');
  const revision = opts.revision ?? 'main';
  // A revision like refs/pr/1 must stay one path segment.
  const base = `${endpoint}/${opts.id}/resolve/${encodeURIComponent(revision)}/`;
  return httpSource({
    id: `${opts.id}@${revision}`,
    base,
    label: `Hugging Face model ${opts.id} (revision ${revision}) from ${new URL(endpoint).host}`,
    fetch: opts.fetch,
    onProgress: opts.onProgress,
  });
}

export interface UrlSourceOptions {
  baseUrl: string;
  fetch?: typeof fetch;
  onProgress?: (p: DownloadProgress) => void;
}

/** Files under any base URL (`<baseUrl>/<file>`); the server should honour Range requests. */
export function urlSource(opts: UrlSourceOptions): ModelSource {
  const base = opts.baseUrl.endsWith('/') ? opts.baseUrl : `${opts.baseUrl}/`;
  return httpSource({
    id: opts.baseUrl,
    base,
    label: `files under ${base} (host ${new URL(base).host})`,
    fetch: opts.fetch,
    onProgress: opts.onProgress,
  });
}

interface HttpSourceOptions {
  id: string;
  base: string;
  label: string;
  fetch?: typeof fetch;
  onProgress?: (p: DownloadProgress) => void;
}

function httpSource(o: HttpSourceOptions): ModelSource {
  // Bind: a detached `fetch` throws "Illegal invocation" in browsers.
  const doFetch: typeof fetch = o.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const sizes = new Map<string, number>();
  let overallLoaded = 0;
  let overallTotal = 0;
  const url = (file: string) => o.base + file.split('/').map(encodeURIComponent).join('/');

  async function request(file: string, init: RequestInit): Promise<Response> {
    let res: Response;
    try {
      res = await doFetch(url(file), init);
    } catch (e) {
      throw new LoadError(`Could not reach ${url(file)} (${(e as Error).message}); check the network or the address.`);
    }
    if (res.status === 404) throw new NotFoundError(`${file} not found at ${o.label} (HTTP 404: ${url(file)})`, 404);
    if (res.status === 401 || res.status === 403)
      throw new LoadError(
        `Access to ${url(file)} denied (HTTP ${res.status}): gated or private repository?`,
        res.status,
      );
    if (!res.ok) throw new LoadError(`${url(file)} failed with HTTP ${res.status} ${res.statusText}`, res.status);
    // Single-page-app hosts and login walls answer unknown paths with an HTML page and status 200.
    if ((res.headers.get('content-type') ?? '').startsWith('text/html') && !/\.html?$/.test(file)) {
      await res.body?.cancel();
      throw new NotFoundError(
        `${file} not found at ${o.label}: the server sent an HTML page instead (${url(file)})`,
        res.status,
      );
    }
    return res;
  }

  async function readBody(file: string, res: Response, expected: number, opts?: ReadOptions): Promise<Uint8Array> {
    const reader = res.body?.getReader();
    if (!reader) return new Uint8Array(await res.arrayBuffer());
    overallTotal += expected;
    const chunks: Uint8Array[] = [];
    let loaded = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loaded += value.length;
      overallLoaded += value.length;
      opts?.onBytes?.(value.length);
      o.onProgress?.({ file, loaded, total: expected, overallLoaded, overallTotal });
    }
    return concat(chunks, loaded);
  }

  return {
    id: o.id,
    describe: () => o.label,
    async exists(file) {
      try {
        await this.size(file);
        return true;
      } catch (e) {
        if (e instanceof NotFoundError) return false;
        throw e;
      }
    },
    async size(file) {
      const known = sizes.get(file);
      if (known !== undefined) return known;
      const res = await request(file, { method: 'HEAD' });
      // The Hub answers HEAD on an LFS file with the pointer's redirect; X-Linked-Size is the real size.
      const header = res.headers.get('x-linked-size') ?? res.headers.get('content-length');
      let n = header === null ? NaN : Number(header);
      if (!Number.isFinite(n)) {
        const probe = await request(file, { headers: { Range: 'bytes=0-0' } });
        n = Number(/\/(\d+)\s*$/.exec(probe.headers.get('content-range') ?? '')?.[1]);
        await probe.body?.cancel();
        if (!Number.isFinite(n)) throw new LoadError(`${url(file)}: the server reports no size (no Content-Length)`);
      }
      sizes.set(file, n);
      return n;
    },
    async readText(file) {
      const res = await request(file, {});
      return new TextDecoder().decode(await readBody(file, res, Number(res.headers.get('content-length') ?? 0)));
    },
    async readRange(file, start, end, opts) {
      if (!(start >= 0 && end >= start)) throw new LoadError(`${file}: bad range [${start}, ${end})`);
      if (end === start) return new Uint8Array(0);
      const res = await request(file, { headers: { Range: `bytes=${start}-${end - 1}` }, signal: opts?.signal });
      if (res.status === 206) {
        // Cross-origin responses hide Content-Range unless the server exposes it; then the length check must do.
        const cr = res.headers.get('content-range');
        const first = Number(/bytes\s+(\d+)-/.exec(cr ?? '')?.[1]);
        if (cr !== null && first !== start)
          throw new LoadError(`${url(file)}: asked for bytes from ${start}, server sent from ${cr}`);
        const bytes = await readBody(file, res, end - start, opts);
        if (bytes.length !== end - start)
          throw new LoadError(`${url(file)}: short read, got ${bytes.length} of ${end - start} bytes at ${start}`);
        return bytes;
      }
      // 200: the server ignored Range and sends the whole file; take our slice (fine for small files only).
      const all = await readBody(file, res, Number(res.headers.get('content-length') ?? end), opts);
      if (all.length < end)
        throw new LoadError(`${url(file)}: file has ${all.length} bytes, cannot read [${start}, ${end})`);
      return all.slice(start, end);
    },
  };
}

/** Files the user picked (an <input type=file multiple> or a folder pick); matched by name or relative path. */
export function filesSource(files: File[]): ModelSource {
  const byName = new Map<string, File>();
  for (const f of files) {
    const rel = (f as File & { webkitRelativePath?: string }).webkitRelativePath ?? '';
    // A folder pick gives "folder/sub/file"; the model's own paths start below the picked folder.
    if (rel) byName.set(rel.split('/').slice(1).join('/'), f);
    byName.set(f.name, f);
  }
  const get = (file: string): File => {
    const f = byName.get(file);
    if (!f) throw new NotFoundError(`${file} is not among the picked files (${[...byName.keys()].join(', ')})`);
    return f;
  };
  return {
    id: `files:${files
      .map((f) => f.name)
      .sort()
      .join(',')}`,
    describe: () => `${files.length} file(s) picked on this computer`,
    exists: async (file) => byName.has(file),
    size: async (file) => get(file).size,
    readText: (file) => get(file).text(),
    async readRange(file, start, end, opts) {
      const f = get(file);
      if (!(start >= 0 && end >= start && end <= f.size))
        throw new LoadError(`${file}: range [${start}, ${end}) outside the file (${f.size} bytes)`);
      const bytes = new Uint8Array(await f.slice(start, end).arrayBuffer());
      opts?.onBytes?.(bytes.length);
      return bytes;
    },
  };
}

export function concat(chunks: Uint8Array[], total = chunks.reduce((s, c) => s + c.length, 0)): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Files held in memory (generated demo models, tests, an adapter just trained). */
export function memorySource(files: Record<string, string | Uint8Array>, id = 'memory'): ModelSource {
  const bytes = (file: string): Uint8Array => {
    const v = files[file];
    if (v === undefined) throw new NotFoundError(`${file} not found in ${id}`);
    return typeof v === 'string' ? new TextEncoder().encode(v) : v;
  };
  return {
    id,
    describe: () => `in-memory files (${id})`,
    exists: async (file) => file in files,
    size: async (file) => bytes(file).length,
    readText: async (file) => new TextDecoder().decode(bytes(file)),
    async readRange(file, start, end, opts) {
      const b = bytes(file);
      if (!(start >= 0 && end >= start && end <= b.length))
        throw new LoadError(`${file}: range [${start}, ${end}) outside the file (${b.length} bytes)`);
      opts?.onBytes?.(end - start);
      return b.slice(start, end);
    },
  };
}
