// SHA-256 of fetched data through WebCrypto (`crypto.subtle`, present in browsers, workers and Node ≥ 20), so a
// data set fetched from its public home can be checked against the hash recorded for it before it is used.

export async function sha256Hex(data: ArrayBuffer | Uint8Array | string): Promise<string> {
  const bytes =
    typeof data === 'string'
      ? new TextEncoder().encode(data)
      : data instanceof Uint8Array
        ? data
        : new Uint8Array(data);
  // Copy into a fresh ArrayBuffer: digest() rejects views over SharedArrayBuffer.
  const digest = await crypto.subtle.digest('SHA-256', bytes.slice().buffer);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export class ChecksumError extends Error {
  constructor(
    readonly expected: string,
    readonly actual: string,
    label: string,
  ) {
    super(`${label}: sha256 ${actual} does not match the expected ${expected}`);
    this.name = 'ChecksumError';
  }
}

/**
 * Throws ChecksumError unless the data's sha256 starts with `expected` (hex, case-insensitive). A prefix is
 * accepted because some records keep a truncated hash; fewer than 16 hex digits is refused as too weak.
 */
export async function verifySha256(options: {
  data: ArrayBuffer | Uint8Array | string;
  expected: string;
  label?: string;
}): Promise<string> {
  const expected = options.expected.trim().toLowerCase();
  if (!/^[0-9a-f]{16,64}$/.test(expected))
    throw new Error(`verifySha256: expected hash must be 16–64 hex digits, got "${options.expected}"`);
  const actual = await sha256Hex(options.data);
  if (!actual.startsWith(expected)) throw new ChecksumError(expected, actual, options.label ?? 'data');
  return actual;
}
