// Typed loader errors, so the UI can tell "not found" from "the file is broken" from "no room in the browser".

/** A file could not be fetched or read (network, HTTP status, short read). `status` is the HTTP status if any. */
export class LoadError extends Error {
  override readonly name: string = 'LoadError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The file does not exist at the source (HTTP 404, missing local file, not among the picked files). */
export class NotFoundError extends LoadError {
  override readonly name = 'NotFoundError';
}

/** A safetensors / llama2.c / adapter file is malformed or does not match what the caller expects. */
export class FormatError extends Error {
  override readonly name = 'FormatError';
}

/** Not enough browser storage left for a download; sizes are in the message (MB). */
export class QuotaError extends Error {
  override readonly name = 'QuotaError';
  constructor(
    readonly neededBytes: number,
    readonly freeBytes: number,
    what: string,
  ) {
    super(
      `Not enough browser storage for ${what}: it needs ${mb(neededBytes)} MB more but only ${mb(freeBytes)} MB ` +
        `are free. Delete cached models on the Models page or free disk space, then retry.`,
    );
  }
}

export function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}
