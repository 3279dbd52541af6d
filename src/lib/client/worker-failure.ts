// Why a module worker did not start, in words for the page. A Worker's 'error' event carries no HTTP status, and for
// a script that failed to load not even a message, so the script is requested again to learn what the server answers
// (the answer the worker got, unless the server changed in between).

/** The worker script's path as the server serves it (no origin, no query): the file the user or a host can check. */
export function workerScriptName(url: string | URL): string {
  return decodeURIComponent(new URL(url, globalThis.location?.href).pathname);
}

export interface WorkerFailureOptions {
  /** The URL the worker was created with. */
  url: string | URL;
  /** What the worker is to the user, e.g. "The lab's engine". */
  what: string;
  /** The worker's 'error' event (an ErrorEvent when its code threw, a plain Event when its script did not load). */
  event: Event;
}

const JAVASCRIPT = /\b(java|ecma)script\b/i;

export async function describeWorkerFailure({ url, what, event }: WorkerFailureOptions): Promise<string> {
  const subject = `${what} (${workerScriptName(url)})`;
  const thrown = event instanceof ErrorEvent && event.message ? event.message : '';
  let response: Response;
  try {
    response = await fetch(url, { cache: 'no-store' });
  } catch (e) {
    return `${subject} did not load: the request failed (${(e as Error).message}).`;
  }
  // Only the status and the type are needed; don't download the script again.
  void response.body?.cancel().catch(() => {});
  if (!response.ok)
    return `${subject} did not load: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`;
  const type = response.headers.get('content-type') ?? 'no content type';
  if (!JAVASCRIPT.test(type)) {
    return `${subject} did not load: the server answered HTTP ${response.status} with ${type.split(';')[0]}, not a JavaScript module (a host's fallback page instead of the file?).`;
  }
  if (thrown) return `${subject} failed while starting: ${thrown}`;
  return `${subject} was served (HTTP ${response.status}) but did not start: a module it imports did not load or threw while loading (the browser's console names it).`;
}
