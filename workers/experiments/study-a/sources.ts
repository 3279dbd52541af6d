// Where Study A's inputs come from, in every host: the model (Hub, a Hub-layout mirror, or the app's generated
// demo model), data sources (demo files the app serves, a public URL checked against its sha256, or a file the
// user picked) and the translation tables. In the browser, app files are fetched from the app's own base URL;
// in Node (CLI, tests) they are read from ./static (or $STEREOSCOPE_STATIC).
import { cachedSource } from '../../../models/load/browser-cache';
import { resolveSource } from '../../../models/load/resolve';
import { hubSource, urlSource, type DownloadProgress, type ModelSource } from '../../../models/load/source';
import { verifySha256 } from '../../contract/sha256';
import type { DataSource, ModelRef } from '../../contract/specs/common';
import type { ExperimentContext } from '../experiment-runner';

type NodeProcess = { versions?: { node?: string }; env?: Record<string, string | undefined>; cwd?: () => string };
const nodeProcess = (globalThis as { process?: NodeProcess }).process;
const isNode = !!nodeProcess?.versions?.node && typeof (globalThis as { window?: unknown }).window === 'undefined';

/** The app's base URL as seen from the worker (its script lives under <base>/_app/… once built). */
function appBaseUrl(): string {
  const href = (globalThis as { location?: { href: string } }).location?.href;
  if (!href) throw new Error('cannot locate the app: no location in this host');
  const i = href.indexOf('/_app/');
  return i >= 0 ? href.slice(0, i + 1) : new URL('/', href).href;
}

function staticDir(): string {
  return nodeProcess?.env?.STEREOSCOPE_STATIC || `${nodeProcess?.cwd?.() ?? '.'}/static`;
}

/** A source over the app's static files (`static/<sub>` in Node, `<base>/<sub>/` in the browser). */
export function appFiles(sub: string, onProgress?: (p: DownloadProgress) => void): ModelSource {
  if (isNode) return resolveSource(`${staticDir()}/${sub}`.replace(/^(?!\/)/, './'));
  return urlSource({ baseUrl: new URL(`${sub}/`, appBaseUrl()).href, onProgress });
}

/** The model's files; Hub downloads go through the browser's model cache when there is one. */
export function modelSource(ref: ModelRef, onProgress?: (p: DownloadProgress) => void): ModelSource {
  if (ref.host === 'demo:') return appFiles(`demo/models/${ref.id.split('/').pop()}`, onProgress);
  const hub = hubSource({ id: ref.id, revision: ref.revision, endpoint: ref.host, onProgress });
  return typeof caches !== 'undefined' ? cachedSource({ source: hub }) : hub;
}

/** Progress events for a download, throttled to whole percent steps so the UI is not flooded. */
export function downloadProgress(
  ctx: Pick<ExperimentContext, 'progress'>,
  label: string,
): (p: DownloadProgress) => void {
  let last = -1;
  return (p) => {
    const pct = p.overallTotal ? Math.floor((100 * p.overallLoaded) / p.overallTotal) : 0;
    if (pct === last && p.overallLoaded !== p.overallTotal) return;
    last = pct;
    ctx.progress({ type: 'download', label, loaded: p.overallLoaded, total: p.overallTotal || undefined });
  };
}

/** Key under which the app stores a file the user picked for a run (read back through ctx.checkpoints). */
export function userFileKey(name: string): string {
  return `file/${name}`;
}

/**
 * The text of a data source. Demo: the app's demo folder. URL: fetched, then checked against `sha256` when the
 * spec gives one. File: in Node a path relative to the working directory; in the browser the copy the app
 * stored for this run under userFileKey(name).
 */
export async function readDataSource(
  src: DataSource,
  ctx: Pick<ExperimentContext, 'checkpoints' | 'signal'>,
  what: string,
): Promise<string> {
  if (src.from === 'demo') return appFiles('demo').readText(src.name);
  if (src.from === 'url') {
    const res = await fetch(src.url, { signal: ctx.signal }).catch((e: Error) => {
      throw new Error(`${what}: could not fetch ${src.url} (${e.message})`, { cause: e });
    });
    if (!res.ok) throw new Error(`${what}: ${src.url} answered HTTP ${res.status}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (src.sha256) await verifySha256({ data: bytes, expected: src.sha256, label: what });
    return new TextDecoder().decode(bytes);
  }
  let bytes: Uint8Array;
  if (isNode) {
    const cut = src.name.lastIndexOf('/');
    const dir = src.name.startsWith('/') ? src.name.slice(0, cut) || '/' : (nodeProcess?.cwd?.() ?? '.');
    const files = resolveSource(dir.replace(/^(?!\/)/, './'));
    const file = src.name.startsWith('/') ? src.name.slice(cut + 1) : src.name;
    bytes = await files.readRange(file, 0, await files.size(file)); // the exact bytes, for the sha256 check
  } else {
    const stored = await ctx.checkpoints.load(userFileKey(src.name));
    if (!stored)
      throw new Error(
        `${what}: the file "${src.name}" has not been picked for this run; choose it in the experiment form.`,
      );
    bytes = stored;
  }
  // A spec that pins the file's sha256 (share links do) must get that very file, in the CLI as in the browser.
  if (src.sha256) await verifySha256({ data: bytes, expected: src.sha256, label: `${what} (${src.name})` });
  return new TextDecoder().decode(bytes);
}
