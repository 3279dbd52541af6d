// The safetensors format (huggingface/safetensors, docs "Format"): an 8-byte little-endian u64 header length N,
// N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {str: str}}, then the data;
// offsets are relative to the start of the data. We validate everything a malicious or truncated file could get
// wrong before a single tensor byte is fetched, and decode F32 / F16 / BF16 to Float32Array.
import { FormatError } from './errors';
import type { ModelSource } from './source';

export interface TensorInfo {
  name: string;
  dtype: 'F32' | 'F16' | 'BF16' | string;
  shape: number[];
  file: string;
  begin: number; // absolute byte offsets in `file`
  end: number;
}

export interface SafetensorsHeader {
  file: string;
  headerLength: number; // N
  dataStart: number; // 8 + N
  metadata: Record<string, string>;
  tensors: TensorInfo[];
}

export const DTYPE_BYTES: Record<string, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
  U16: 2,
  I16: 2,
  F16: 2,
  BF16: 2,
  U32: 4,
  I32: 4,
  F32: 4,
  U64: 8,
  I64: 8,
  F64: 8,
};

// The reference implementation refuses headers above 100 MB; a bigger "length" means a corrupt or hostile file.
const MAX_HEADER = 100_000_000;

/** Reads N from the first 8 bytes; checks it against the file size when known. */
export function headerLength(first8: Uint8Array, opts: { file?: string; fileSize?: number } = {}): number {
  const file = opts.file ?? 'safetensors file';
  if (first8.length < 8)
    throw new FormatError(`${file}: shorter than the 8-byte header length (${first8.length} bytes)`);
  const n = Number(new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true));
  if (n < 2 || n > MAX_HEADER)
    throw new FormatError(
      `${file}: header length ${n} is not sane (expected 2..${MAX_HEADER}); not a safetensors file?`,
    );
  if (opts.fileSize !== undefined && 8 + n > opts.fileSize)
    throw new FormatError(
      `${file}: header claims ${n} bytes but the file has only ${opts.fileSize} (truncated download?)`,
    );
  return n;
}

export interface ParseOptions {
  file?: string;
  fileSize?: number; // when given, the data region is checked to end within the file
}

/** Parses and validates `first8PlusHeader` (at least 8 + N bytes from the start of the file). */
export function parseSafetensorsHeader(first8PlusHeader: Uint8Array, opts: ParseOptions = {}): SafetensorsHeader {
  const file = opts.file ?? 'model.safetensors';
  const n = headerLength(first8PlusHeader, { file, fileSize: opts.fileSize });
  if (first8PlusHeader.length < 8 + n)
    throw new FormatError(`${file}: need ${8 + n} header bytes, got ${first8PlusHeader.length}`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(first8PlusHeader.subarray(8, 8 + n)));
  } catch (e) {
    throw new FormatError(`${file}: header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json))
    throw new FormatError(`${file}: header is not a JSON object`);
  const dataStart = 8 + n;
  const dataLength = opts.fileSize === undefined ? Infinity : opts.fileSize - dataStart;
  let metadata: Record<string, string> = {};
  const tensors: TensorInfo[] = [];
  for (const [name, v] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = parseMetadata(file, v);
      continue;
    }
    tensors.push(parseEntry(file, name, v, dataStart, dataLength));
  }
  checkOverlaps(file, tensors);
  return { file, headerLength: n, dataStart, metadata, tensors };
}

function parseMetadata(file: string, v: unknown): Record<string, string> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new FormatError(`${file}: __metadata__ must be an object`);
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string') throw new FormatError(`${file}: __metadata__.${k} must be a string`);
  }
  return v as Record<string, string>;
}

function parseEntry(file: string, name: string, v: unknown, dataStart: number, dataLength: number): TensorInfo {
  const e = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  const where = `${file}: tensor "${name}"`;
  if (!e || typeof e !== 'object') throw new FormatError(`${where}: entry is not an object`);
  if (typeof e.dtype !== 'string' || !(e.dtype in DTYPE_BYTES))
    throw new FormatError(
      `${where}: unknown dtype ${JSON.stringify(e.dtype)} (known: ${Object.keys(DTYPE_BYTES).join(', ')})`,
    );
  if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0))
    throw new FormatError(`${where}: shape ${JSON.stringify(e.shape)} is not a list of non-negative integers`);
  const off = e.data_offsets;
  if (
    !Array.isArray(off) ||
    off.length !== 2 ||
    !off.every((d) => Number.isSafeInteger(d) && d >= 0) ||
    off[1] < off[0]
  )
    throw new FormatError(`${where}: data_offsets ${JSON.stringify(off)} must be [begin, end] with 0 ≤ begin ≤ end`);
  if (off[1] > dataLength)
    throw new FormatError(
      `${where}: data_offsets end ${off[1]} is past the data region (${dataLength} bytes; truncated file?)`,
    );
  const numel = e.shape.reduce((a: number, b: number) => a * b, 1);
  const bytes = numel * DTYPE_BYTES[e.dtype];
  if (off[1] - off[0] !== bytes)
    throw new FormatError(
      `${where}: ${off[1] - off[0]} bytes in data_offsets but shape [${e.shape}] × ${e.dtype} needs ${bytes}`,
    );
  return { name, dtype: e.dtype, shape: e.shape as number[], file, begin: dataStart + off[0], end: dataStart + off[1] };
}

function checkOverlaps(file: string, tensors: TensorInfo[]) {
  const sorted = [...tensors].filter((t) => t.end > t.begin).sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].begin < sorted[i - 1].end)
      throw new FormatError(
        `${file}: tensors "${sorted[i - 1].name}" and "${sorted[i].name}" overlap in the data region`,
      );
  }
}

/** Fetches the 8-byte length, then the header, by range; validates against the file size. */
export async function readHeader(source: ModelSource, file: string): Promise<SafetensorsHeader> {
  const fileSize = await source.size(file);
  const first8 = await source.readRange(file, 0, Math.min(8, fileSize));
  const n = headerLength(first8, { file, fileSize });
  const rest = await source.readRange(file, 8, 8 + n);
  const all = new Uint8Array(8 + n);
  all.set(first8, 0);
  all.set(rest, 8);
  return parseSafetensorsHeader(all, { file, fileSize });
}

/** Throws unless the tensor has exactly the shape the model expects (catches config / checkpoint mismatches). */
export function validateAgainst(info: TensorInfo, expectedShape: number[]): void {
  if (info.shape.length !== expectedShape.length || info.shape.some((d, i) => d !== expectedShape[i]))
    throw new FormatError(
      `${info.file}: tensor "${info.name}" has shape [${info.shape}], the model expects [${expectedShape}]`,
    );
}

/** F32 / F16 / BF16 bytes → Float32Array (exact: every F16 and BF16 value is representable in f32). */
export function decodeFloats(bytes: Uint8Array, dtype: string, name = 'tensor'): Float32Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dtype === 'F32') {
    if (LITTLE_ENDIAN) return new Float32Array(bytes.slice().buffer); // slice: own, aligned buffer
    const out = new Float32Array(bytes.byteLength / 4);
    for (let i = 0; i < out.length; i++) out[i] = dv.getFloat32(4 * i, true);
    return out;
  }
  if (dtype === 'BF16') {
    // bfloat16 is the top half of a float32: shift the 16 bits into the high half.
    const u = new Uint32Array(bytes.byteLength / 2);
    for (let i = 0; i < u.length; i++) u[i] = dv.getUint16(2 * i, true) << 16;
    return new Float32Array(u.buffer);
  }
  if (dtype === 'F16') {
    const out = new Float32Array(bytes.byteLength / 2);
    for (let i = 0; i < out.length; i++) out[i] = halfToFloat(dv.getUint16(2 * i, true));
    return out;
  }
  throw new FormatError(`${name}: dtype ${dtype} cannot be read as floats (F32, F16 or BF16 expected)`);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24; // zero and subnormals
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1024 + mant) * 2 ** (exp - 25);
}

export interface WriteTensor {
  name: string;
  dtype: 'F32';
  shape: number[];
  data: Float32Array;
}

/** Serialises tensors (keys sorted, data contiguous, header padded with spaces to a multiple of 8 bytes). */
export function writeSafetensors(tensors: WriteTensor[], metadata?: Record<string, string>): Uint8Array {
  const sorted = [...tensors].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of sorted) {
    if (t.name === '__metadata__' || t.name in header)
      throw new FormatError(`writeSafetensors: duplicate or reserved name "${t.name}"`);
    const numel = t.shape.reduce((a, b) => a * b, 1);
    if (t.dtype !== 'F32') throw new FormatError(`writeSafetensors: ${t.name}: only F32 is written, got ${t.dtype}`);
    if (t.data.length !== numel)
      throw new FormatError(
        `writeSafetensors: ${t.name}: shape [${t.shape}] needs ${numel} values, got ${t.data.length}`,
      );
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * numel] };
    offset += 4 * numel;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8; // keeps the data 8-byte aligned for zero-copy readers
  const out = new Uint8Array(8 + padded + offset);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let at = 8 + padded;
  for (const t of sorted) {
    for (let i = 0; i < t.data.length; i++) dv.setFloat32(at + 4 * i, t.data[i], true);
    at += 4 * t.data.length;
  }
  return out;
}
