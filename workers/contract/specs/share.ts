// Share links: spec → JSON → DEFLATE (fflate) → base64url, carried in the URL fragment (`#/x/<kind>/<payload>`)
// so nothing reaches a server. Decoding treats the link as hostile: bounded sizes, strict base64url, a bounded
// inflate, JSON without prototype keys, then the same schema validation as spec files.
import { deflateSync, Inflate } from 'fflate';
import { parseSpec, SpecError, type ExperimentSpec } from './index';

/** Longest payload we accept (characters); browsers and chat apps mangle longer URLs anyway. */
export const MAX_PAYLOAD_CHARS = 16_384;
/** Largest decompressed JSON we accept (bytes); real specs are well under 4 KiB. */
export const MAX_JSON_BYTES = 256 * 1024;

const PREFIX = '#/x/';

export function encodeSpecPayload(spec: ExperimentSpec): string {
  const json = new TextEncoder().encode(JSON.stringify(spec));
  return toBase64Url(deflateSync(json, { level: 9 }));
}

/** The fragment part of a share link, e.g. `#/x/engine-check/eNp…`. */
export function shareFragment(spec: ExperimentSpec): string {
  return `${PREFIX}${spec.kind}/${encodeSpecPayload(spec)}`;
}

/** A full link: the app's URL (origin + base path) with the fragment. */
export function shareLink(spec: ExperimentSpec, appUrl: string): string {
  return appUrl.replace(/#.*$/, '') + shareFragment(spec);
}

/** True when a URL or fragment looks like a share link (so the app can show the confirmation page). */
export function isShareLink(text: string): boolean {
  return text.includes(PREFIX);
}

/** Decode a full link, a fragment, or `x/<kind>/<payload>`; throws SpecError with a user-facing message. */
export function decodeShareLink(text: string): ExperimentSpec {
  if (typeof text !== 'string') throw new SpecError('A share link must be text.');
  const at = text.indexOf(PREFIX);
  const rest = at >= 0 ? text.slice(at + PREFIX.length) : text.replace(/^#?\/?x\//, '');
  const parts = rest.split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1])
    throw new SpecError('This is not a Stereoscope share link (expected …#/x/<kind>/<payload>).');
  const [kind, payload] = parts;
  const spec = decodeSpecPayload(payload);
  if (spec.kind !== kind)
    throw new SpecError(`The link says "${kind.slice(0, 40)}" but carries a ${spec.kind} spec; it was altered.`);
  return spec;
}

export function decodeSpecPayload(payload: string): ExperimentSpec {
  if (payload.length > MAX_PAYLOAD_CHARS)
    throw new SpecError(`The link is too long (${payload.length} characters; at most ${MAX_PAYLOAD_CHARS}).`);
  if (!/^[A-Za-z0-9_-]+$/.test(payload))
    throw new SpecError('The link is damaged: its payload has characters a share link never contains.');
  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(payload);
  } catch {
    throw new SpecError('The link is damaged: its payload is not valid base64url.');
  }
  const json = boundedInflate(bytes, MAX_JSON_BYTES);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(json);
  } catch {
    throw new SpecError('The link is damaged: its content is not UTF-8 text.');
  }
  return parseSpec(parseJsonStrict(text));
}

/** JSON.parse that refuses keys able to reach an object's prototype when the value is merged somewhere later. */
export function parseJsonStrict(text: string): unknown {
  try {
    return JSON.parse(text, (key, value) => {
      if (key === '__proto__' || key === 'constructor' || key === 'prototype')
        throw new SpecError(`forbidden key "${key}"`);
      return value;
    });
  } catch (e) {
    if (e instanceof SpecError)
      throw new SpecError(`The spec contains a forbidden key (${e.message.replace(/^forbidden key /, '')}).`);
    throw new SpecError('The content is not valid JSON.');
  }
}

function boundedInflate(data: Uint8Array, max: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let ended = false;
  const inflater = new Inflate((chunk, final) => {
    total += chunk.length;
    if (total <= max) chunks.push(chunk);
    if (final) ended = true;
  });
  try {
    // Small pushes so a decompression bomb is stopped after at most ~1 MiB of output beyond the limit.
    for (let i = 0; i < data.length && total <= max; i += 1024)
      inflater.push(data.subarray(i, i + 1024), i + 1024 >= data.length);
  } catch {
    throw new SpecError('The link is damaged: its payload does not decompress (it may be truncated).');
  }
  if (total > max) throw new SpecError(`The link expands to more than ${max / 1024} KiB; refusing it.`);
  if (!ended) throw new SpecError('The link is truncated: its payload ends early.');
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

export function toBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array {
  if (text.length % 4 === 1) throw new Error('impossible base64 length');
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
