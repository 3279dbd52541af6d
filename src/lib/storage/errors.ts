// Storage errors a user can act on. IndexedDB failures arrive as DOMExceptions, sometimes wrapped by dexie
// (`inner`); a full quota becomes StorageFullError with a message that says nothing was lost.

export class StorageFullError extends Error {
  override readonly name = 'StorageFullError';
  constructor(what: string, options?: ErrorOptions) {
    super(
      `The browser's storage for this site is full, so ${what} was not saved. Everything saved before is intact. ` +
        'Free space by deleting old runs or cached models (Models page), or allow persistent storage there.',
      options,
    );
  }
}

export class StorageUnavailableError extends Error {
  override readonly name = 'StorageUnavailableError';
}

export function isQuotaError(e: unknown): boolean {
  for (
    let c = e, depth = 0;
    c && depth < 4;
    c = (c as { inner?: unknown; cause?: unknown }).inner ?? (c as { cause?: unknown }).cause, depth++
  ) {
    const name = (c as { name?: string }).name;
    if (name === 'QuotaExceededError' || name === 'QuotaExceeded') return true;
  }
  return false;
}

/** Runs a storage operation and turns quota and availability failures into errors with a clear message. */
export async function guard<T>(what: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (e) {
    if (isQuotaError(e)) throw new StorageFullError(what, { cause: e });
    const name = (e as { name?: string }).name;
    if (name === 'MissingAPIError' || name === 'InvalidStateError' || name === 'OpenFailedError')
      throw new StorageUnavailableError(
        `This browser does not let the lab store data (${name}); private windows often block IndexedDB. Runs will not survive a reload.`,
        { cause: e },
      );
    throw e;
  }
}
