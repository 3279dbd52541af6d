// Turns what a user types ("org/name", "org/name@rev", "https://…/folder", "./models/x") into a ModelSource.
// Hub ids follow the Hub's repo naming (letters, digits, '-', '_', '.'); explicit paths win over that pattern.
import type { DownloadProgress, ModelSource, ReadOptions } from './source';
import { HF_ENDPOINT, hubSource, urlSource } from './source';
import { LoadError } from './errors';

export interface ResolveOptions {
  endpoint?: string;
  revision?: string;
  fetch?: typeof fetch;
  onProgress?: (p: DownloadProgress) => void;
}

const HUB_ID = /^[\w.-]+(\/[\w.-]+)?(@[\w./-]+)?$/;
const PATH_LIKE = /^(\/|\.\.?(\/|$)|~|[A-Za-z]:[\\/]|file:\/\/)/;

type NodeProcess = { versions?: { node?: string }; env?: Record<string, string | undefined> };
const nodeProcess = (globalThis as { process?: NodeProcess }).process;
const isNode = !!nodeProcess?.versions?.node;

export function defaultEndpoint(): string {
  return (isNode ? nodeProcess?.env?.HF_ENDPOINT : undefined) || HF_ENDPOINT;
}

export function resolveSource(spec: string, opts: ResolveOptions = {}): ModelSource {
  const s = spec.trim();
  if (/^https?:\/\//i.test(s)) return urlSource({ baseUrl: s, fetch: opts.fetch, onProgress: opts.onProgress });
  if (!PATH_LIKE.test(s) && HUB_ID.test(s) && !s.includes('..')) {
    const [id, rev] = s.split('@');
    return hubSource({
      id,
      revision: rev ?? opts.revision ?? 'main',
      endpoint: opts.endpoint ?? defaultEndpoint(),
      fetch: opts.fetch,
      onProgress: opts.onProgress,
    });
  }
  if (!isNode)
    throw new LoadError(`"${spec}" is neither a Hub id (org/name) nor a URL; in the browser, pick the files instead.`);
  return lazyDirSource(s.replace(/^file:\/\//, ''));
}

/** Loads node-source (node:fs) only when a local folder is actually used, so this module stays browser-safe. */
function lazyDirSource(dir: string): ModelSource {
  let inner: Promise<ModelSource> | undefined;
  const get = () => (inner ??= import('./node-source').then((m) => m.dirSource(dir)));
  return {
    id: dir,
    describe: () => `local folder ${dir}`,
    exists: async (f) => (await get()).exists(f),
    size: async (f) => (await get()).size(f),
    readText: async (f) => (await get()).readText(f),
    readRange: async (f, a, b, o?: ReadOptions) => (await get()).readRange(f, a, b, o),
  };
}
