// llama2.c's tokenizer file (tokenizer.bin / tok512.bin: int32 max_token_length, then per token float32 score,
// int32 byte length, bytes) with encode/decode behaving as run.c's `encode` and `decode`: a dummy-prefix space,
// per-codepoint lookup with <0xXX> byte fallback (id = byte + 3), then greedy merges of the best-scoring pair.
import { FormatError } from './errors';
import type { ModelSource } from './source';

export interface Llama2cTokenizer {
  vocabSize: number;
  maxTokenLength: number;
  bosId: number;
  eosId: number;
  /** Raw bytes of each piece (e.g. " the", "<0x0A>"). */
  pieces: Uint8Array[];
  scores: Float32Array;
  encode(text: string, opts?: { bos?: boolean; eos?: boolean }): number[];
  /** The bytes one token prints after `prev` (run.c strips the leading space after BOS and expands <0xXX>). */
  decodeToken(prev: number, id: number): Uint8Array;
  /** Concatenates decodeToken over ids (the token before ids[0] is `prev`, BOS by default) as UTF-8. */
  decode(ids: number[], opts?: { prev?: number }): string;
}

const BOS = 1;
const EOS = 2;
const BYTE_OFFSET = 3; // <0x00> is id 3 in sentencepiece vocabularies with byte fallback

export function parseLlama2cTokenizer(
  bytes: Uint8Array,
  opts: { vocabSize?: number; file?: string } = {},
): Llama2cTokenizer {
  const file = opts.file ?? 'tokenizer.bin';
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4) throw new FormatError(`${file}: too short for a llama2.c tokenizer`);
  const maxTokenLength = dv.getInt32(0, true);
  const pieces: Uint8Array[] = [];
  const scores: number[] = [];
  let at = 4;
  while (at < bytes.length && (opts.vocabSize === undefined || pieces.length < opts.vocabSize)) {
    if (at + 8 > bytes.length) throw new FormatError(`${file}: truncated entry ${pieces.length}`);
    scores.push(dv.getFloat32(at, true));
    const len = dv.getInt32(at + 4, true);
    if (len < 0 || len > maxTokenLength || at + 8 + len > bytes.length)
      throw new FormatError(
        `${file}: entry ${pieces.length} has byte length ${len} (max ${maxTokenLength}, truncated file?)`,
      );
    pieces.push(bytes.slice(at + 8, at + 8 + len));
    at += 8 + len;
  }
  if (opts.vocabSize !== undefined && pieces.length !== opts.vocabSize)
    throw new FormatError(
      `${file}: has ${pieces.length} tokens, the model expects ${opts.vocabSize} (truncated file, or the wrong tokenizer?)`,
    );
  return makeTokenizer(pieces, Float32Array.from(scores), maxTokenLength);
}

export async function loadLlama2cTokenizer(opts: {
  source: ModelSource;
  file?: string;
  vocabSize?: number;
}): Promise<Llama2cTokenizer> {
  const file = opts.file ?? 'tokenizer.bin';
  const size = await opts.source.size(file);
  return parseLlama2cTokenizer(await opts.source.readRange(file, 0, size), { vocabSize: opts.vocabSize, file });
}

// Byte strings as JS strings with one char per byte, so lookups and concatenations are exact for any bytes.
const bin = (b: Uint8Array) => String.fromCharCode(...b);

function makeTokenizer(pieces: Uint8Array[], scores: Float32Array, maxTokenLength: number): Llama2cTokenizer {
  const lookup = new Map<string, number>();
  pieces.forEach((p, i) => {
    if (!lookup.has(bin(p))) lookup.set(bin(p), i);
  });
  const byteToken = pieces.map((p) => /^<0x([0-9A-Fa-f]{2})>$/.exec(bin(p)));

  function encode(text: string, opts: { bos?: boolean; eos?: boolean } = {}): number[] {
    // As in run.c, BOS and the dummy prefix sit in the sequence during merging (so " " can merge with a word).
    const seq: number[] = [];
    if (opts.bos ?? true) seq.push(BOS);
    if (text !== '') {
      // sentencepiece's add_dummy_prefix: the first word is encoded as if preceded by a space.
      const space = lookup.get(' ');
      if (space === undefined) throw new FormatError('tokenizer has no " " piece for the dummy prefix');
      seq.push(space);
    }
    const utf8 = new TextEncoder().encode(text);
    for (let i = 0; i < utf8.length;) {
      let n = 1; // bytes in this codepoint, from the UTF-8 lead byte
      if (utf8[i] >= 0xf0) n = 4;
      else if (utf8[i] >= 0xe0) n = 3;
      else if (utf8[i] >= 0xc0) n = 2;
      const cp = utf8.subarray(i, Math.min(i + n, utf8.length));
      const id = lookup.get(bin(cp));
      if (id !== undefined) seq.push(id);
      else for (const b of cp) seq.push(b + BYTE_OFFSET);
      i += cp.length;
    }
    // Merge the adjacent pair whose merged piece has the highest score, until no pair merges (run.c order:
    // the first best index wins ties).
    for (;;) {
      let best = -1e10;
      let bestId = -1;
      let bestIdx = -1;
      for (let i = 0; i + 1 < seq.length; i++) {
        const id = lookup.get(bin(pieces[seq[i]]) + bin(pieces[seq[i + 1]]));
        if (id !== undefined && scores[id] > best) {
          best = scores[id];
          bestId = id;
          bestIdx = i;
        }
      }
      if (bestIdx < 0) break;
      seq.splice(bestIdx, 2, bestId);
    }
    if (opts.eos ?? false) seq.push(EOS);
    return seq;
  }

  function decodeToken(prev: number, id: number): Uint8Array {
    if (id < 0 || id >= pieces.length)
      throw new FormatError(`token id ${id} outside the vocabulary (${pieces.length})`);
    let p = pieces[id];
    if (prev === BOS && p[0] === 0x20) p = p.subarray(1);
    const m = byteToken[id];
    return m ? Uint8Array.of(parseInt(m[1], 16)) : p;
  }

  return {
    vocabSize: pieces.length,
    maxTokenLength,
    bosId: BOS,
    eosId: EOS,
    pieces,
    scores,
    encode,
    decodeToken,
    decode(ids, opts = {}) {
      const parts: number[] = [];
      let prev = opts.prev ?? BOS;
      for (const id of ids) {
        parts.push(...decodeToken(prev, id));
        prev = id;
      }
      return new TextDecoder().decode(Uint8Array.from(parts));
    },
  };
}
