// Which tab owns a running run, through the Web Locks API: the tab that executes a run holds an exclusive lock named
// after it for as long as it runs (taken before the run is stored as "running", released after its final status is
// written). Another tab that finds a run "running" in IndexedDB waits for that lock; getting it means the owner is
// gone (closed, reloaded, crashed — the browser releases its locks) or done, so a run still "running" then was
// interrupted. Without Web Locks (very old browsers, Node) every "running" run found on load counts as interrupted,
// which was the behaviour before locks.

export const RUN_LOCK_PREFIX = 'stereoscope-run:';

export function runLockName(id: string): string {
  return `${RUN_LOCK_PREFIX}${id}`;
}

/** navigator.locks where it exists. */
export function lockManager(): LockManager | null {
  return typeof navigator !== 'undefined' && navigator.locks ? navigator.locks : null;
}

/**
 * Takes the run's lock and keeps it until the returned `release` is called. With `ifAvailable`, resolves null
 * instead of waiting when another tab holds it (the run is going on there). Without Web Locks, a no-op release.
 */
export function holdRunLock(options: {
  id: string;
  ifAvailable?: boolean;
  signal?: AbortSignal;
  locks?: LockManager | null;
}): Promise<(() => void) | null> {
  const locks = options.locks === undefined ? lockManager() : options.locks;
  if (!locks) return Promise.resolve(() => {});
  return new Promise((granted, fail) => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    locks
      .request(runLockName(options.id), requestOptions(options), async (lock) => {
        if (!lock) return granted(null);
        granted(release);
        await held;
      })
      // A request given up through its signal means "someone else kept it": the same answer as ifAvailable.
      .catch((e: Error) => (options.signal?.aborted ? granted(null) : fail(e)));
  });
}

// The API refuses ifAvailable together with a signal: pass only the one that is set.
function requestOptions(options: { ifAvailable?: boolean; signal?: AbortSignal }): LockOptions {
  return options.ifAvailable ? { mode: 'exclusive', ifAvailable: true } : { mode: 'exclusive', signal: options.signal };
}

/**
 * Runs `whenFree` once nobody holds the run's lock, while holding it (so the owner cannot start it again
 * in between). Waits for the current owner unless `ifAvailable`; then resolves `undefined` if it is taken.
 */
export async function whenRunLockFree<T>(options: {
  id: string;
  whenFree: () => Promise<T>;
  ifAvailable?: boolean;
  signal?: AbortSignal;
  locks?: LockManager | null;
}): Promise<T | undefined> {
  const locks = options.locks === undefined ? lockManager() : options.locks;
  if (!locks) return options.whenFree();
  return locks.request(runLockName(options.id), requestOptions(options), (lock) =>
    lock ? options.whenFree() : undefined,
  );
}
