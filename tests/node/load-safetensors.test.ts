// safetensors parsing, validation messages, F16/BF16 decoding and writeSafetensors round trips (no network).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../models/load/errors';
import {
  decodeFloats,
  halfToFloat,
  parseSafetensorsHeader,
  validateAgainst,
  writeSafetensors,
} from '../../models/load/safetensors';
import { randn, rng } from '../helpers/random';
import { shared } from '../helpers/shared';
import { rawSafetensors } from '../helpers/safetensors-raw';

function parse(bytes: Uint8Array) {
  return parseSafetensorsHeader(bytes, { file: 'x.safetensors', fileSize: bytes.length });
}

describe('safetensors', () => {
  it('round-trips random tensors through writeSafetensors (sorted keys, aligned, space padding)', () => {
    const r = rng(7);
    const tensors = ['b.w', 'a.w', 'c', 'z.scalar', 'empty'].map((name, i) => {
      const shape =
        name === 'z.scalar' ? [] : name === 'empty' ? [0, 3] : [1 + Math.floor(r() * 7), 1 + Math.floor(r() * 5)];
      const n = shape.reduce((a, b) => a * b, 1);
      return { name, dtype: 'F32' as const, shape, data: Float32Array.from(randn(n, 100 + i)) };
    });
    const bytes = writeSafetensors(tensors, { format: 'pt' });
    const h = parse(bytes);
    expect(h.dataStart % 8).toBe(0);
    expect(h.metadata).toEqual({ format: 'pt' });
    const text = new TextDecoder().decode(bytes.subarray(8, h.dataStart));
    expect(text).toMatch(/^\{.*\} *$/);
    expect(Object.keys(JSON.parse(text)).filter((k) => k !== '__metadata__')).toEqual([
      'a.w',
      'b.w',
      'c',
      'empty',
      'z.scalar',
    ]);
    expect(h.tensors[h.tensors.length - 1].end).toBe(bytes.length);
    for (const t of tensors) {
      const info = h.tensors.find((x) => x.name === t.name)!;
      expect(info.shape).toEqual(t.shape);
      expect(decodeFloats(bytes.subarray(info.begin, info.end), info.dtype)).toEqual(t.data);
    }
  });

  it('reads a fixture header exactly as an independent Buffer-based parse', () => {
    const bytes = new Uint8Array(readFileSync(shared('fixtures/llama-tiny/model.safetensors')));
    const h = parse(bytes);
    const buf = Buffer.from(bytes);
    const n = Number(buf.readBigUInt64LE(0));
    const raw = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
    expect(h.tensors.map((t) => t.name).sort()).toEqual(
      Object.keys(raw)
        .filter((k) => k !== '__metadata__')
        .sort(),
    );
    for (const t of h.tensors) {
      const [b, e] = raw[t.name].data_offsets;
      expect([t.begin, t.end]).toEqual([8 + n + b, 8 + n + e]);
      const got = decodeFloats(bytes.subarray(t.begin, t.end), t.dtype);
      expect(got[got.length - 1]).toBe(buf.readFloatLE(t.end - 4));
    }
  });

  it('decodes F16 exactly (pinned bit patterns) and BF16 by shifting', () => {
    // Hand-computed: 0x3c00 = 1, 0xc000 = -2, 0x0001 = 2^-24 (smallest subnormal), 0x7bff = 65504, 0x3555 ≈ 1/3.
    const pins: [number, number][] = [
      [0x3c00, 1],
      [0xc000, -2],
      [0x0001, 2 ** -24],
      [0x7bff, 65504],
      [0x3555, 0.333251953125],
      [0x7c00, Infinity],
      [0x8000, -0],
    ];
    for (const [h, v] of pins) expect(halfToFloat(h)).toBe(v);
    const f16 = new Uint8Array(pins.length * 2);
    pins.forEach(([h], i) => new DataView(f16.buffer).setUint16(2 * i, h, true));
    expect(Array.from(decodeFloats(f16, 'F16'))).toEqual(pins.map(([, v]) => v));
    // BF16 of 1.5 is 0x3fc0; of -0.15625 is 0xbe20.
    const bf = new Uint8Array([0xc0, 0x3f, 0x20, 0xbe]);
    expect(Array.from(decodeFloats(bf, 'BF16'))).toEqual([1.5, -0.15625]);
    expect(() => decodeFloats(bf, 'I32')).toThrow(/cannot be read as floats/);
  });

  it('rejects broken headers with clear messages', () => {
    const ok = { w: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] } };
    expect(() => parse(rawSafetensors(ok, 24))).not.toThrow();
    const cases: [unknown, number, RegExp][] = [
      [{ w: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] } }, 20, /past the data region/],
      [{ w: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 20] } }, 24, /needs 24/],
      [{ w: { dtype: 'Q4', shape: [2], data_offsets: [0, 1] } }, 1, /unknown dtype "Q4"/],
      [{ w: { dtype: 'F32', shape: [2, -1], data_offsets: [0, 8] } }, 8, /shape/],
      [{ w: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }, 8, /data_offsets/],
      [
        {
          a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] },
          b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] },
        },
        16,
        /overlap/,
      ],
      [{ __metadata__: { step: 3 }, ...ok }, 24, /__metadata__\.step must be a string/],
      [[1, 2], 0, /not a JSON object/],
    ];
    for (const [header, dataBytes, msg] of cases) {
      expect(() => parse(rawSafetensors(header, dataBytes)), JSON.stringify(header)).toThrow(msg);
    }
    const bad = rawSafetensors(ok, 24);
    bad[8] = 0x7b + 1; // '|' instead of '{'
    expect(() => parse(bad)).toThrow(/not valid UTF-8 JSON/);
    const huge = rawSafetensors(ok, 24);
    new DataView(huge.buffer).setBigUint64(0, 1n << 40n, true);
    expect(() => parse(huge)).toThrow(/not sane/);
    const truncated = rawSafetensors(ok, 24).subarray(0, 30);
    expect(() => parse(truncated)).toThrow(FormatError);
    expect(() => parse(truncated)).toThrow(/truncated/);
  });

  it('validateAgainst compares shapes', () => {
    const info = { name: 'w', dtype: 'F32', shape: [4, 8], file: 'm.safetensors', begin: 0, end: 128 };
    expect(() => validateAgainst(info, [4, 8])).not.toThrow();
    expect(() => validateAgainst(info, [8, 4])).toThrow(/"w" has shape \[4,8\], the model expects \[8,4\]/);
    expect(() => validateAgainst(info, [4, 8, 1])).toThrow(/expects/);
  });
});
