// The uniform helper (workers/gpu/uniforms.ts): a Params declaration encodes named fields as 32-bit words in
// struct order, zero-padded to 16 bytes; missing, extra or ill-typed fields throw; the declaration must match the
// WGSL `struct Params` it is checked against; and every kernel's declarations match their .wgsl files (checked
// when the kernel modules load, which importing them here does).
import { describe, expect, it } from 'vitest';
import { uniformStruct, wgslParamsFields } from '../../workers/gpu/uniforms';

const words = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

describe('uniformStruct', () => {
  it('writes u32, i32 and f32 fields in declaration order, little-endian, zero-padded to 16 bytes', () => {
    const params = uniformStruct({ rows: 'u32', offset: 'i32', eps: 'f32' });
    expect(params.byteSize).toBe(16);
    expect(params.fields).toEqual([
      ['rows', 'u32'],
      ['offset', 'i32'],
      ['eps', 'f32'],
    ]);
    // Object key order of the values does not matter: the declaration's does.
    const { bytes } = params({ eps: 1e-5, offset: -3, rows: 4_000_000_000 });
    expect(bytes.byteLength).toBe(16);
    const v = words(bytes);
    expect(v.getUint32(0, true)).toBe(4_000_000_000);
    expect(v.getInt32(4, true)).toBe(-3);
    expect(v.getFloat32(8, true)).toBe(Math.fround(1e-5));
    expect(v.getUint32(12, true)).toBe(0);
  });

  it('pads to the next multiple of 16 bytes: 1 → 16, 4 → 16, 5 → 32, 12 → 48', () => {
    const sized = (n: number) =>
      uniformStruct(Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, 'u32' as const])));
    expect([1, 4, 5, 9, 12].map((n) => sized(n).byteSize)).toEqual([16, 16, 32, 48, 48]);
    const five = sized(5);
    const { bytes } = five({ f0: 1, f1: 2, f2: 3, f3: 4, f4: 5 });
    expect(bytes.byteLength).toBe(32);
    expect(Array.from(new Uint32Array(bytes.buffer))).toEqual([1, 2, 3, 4, 5, 0, 0, 0]);
  });

  it('throws on a missing field, an extra field and a value outside its type', () => {
    const params = uniformStruct({ n: 'u32', offset: 'i32', scale: 'f32' });
    expect(() => params({ n: 1, offset: 0 } as never)).toThrow(/"scale" is missing/);
    expect(() => params({ n: 1, offset: 0, scale: 1, pad: 0 } as never)).toThrow(/"pad" is not in Params/);
    expect(() => params({ n: -1, offset: 0, scale: 1 })).toThrow(/"n" \(u32\) must be an integer/);
    expect(() => params({ n: 2 ** 32, offset: 0, scale: 1 })).toThrow(/"n" \(u32\)/);
    expect(() => params({ n: 1.5, offset: 0, scale: 1 })).toThrow(/"n" \(u32\)/);
    expect(() => params({ n: 1, offset: 2 ** 31, scale: 1 })).toThrow(/"offset" \(i32\)/);
    expect(() => params({ n: 1, offset: 0, scale: '1' as unknown as number })).toThrow(/"scale" must be a number/);
    // f32 takes any number, integer or not.
    expect(words(params({ n: 1, offset: -(2 ** 31), scale: -0.25 }).bytes).getFloat32(8, true)).toBe(-0.25);
  });

  it('rejects bad declarations: no fields, an unknown type, an index-like name', () => {
    expect(() => uniformStruct({})).toThrow(/at least one field/);
    expect(() => uniformStruct({ n: 'f16' as 'f32' })).toThrow(/not u32, i32 or f32/);
    expect(() => uniformStruct({ 0: 'u32' })).toThrow(/array index/);
  });

  it('checks the declaration against the WGSL struct Params (names, types, order)', () => {
    const wgsl = `// header\nstruct Params {\n  rows: u32,  // rows\n  C: u32, eps: f32,\n}\n@group(0) @binding(0) var<uniform> p: Params;`;
    expect(wgslParamsFields(wgsl)).toEqual([
      ['rows', 'u32'],
      ['C', 'u32'],
      ['eps', 'f32'],
    ]);
    expect(() => uniformStruct({ rows: 'u32', C: 'u32', eps: 'f32' }, [wgsl])).not.toThrow();
    expect(() => uniformStruct({ C: 'u32', rows: 'u32', eps: 'f32' }, [wgsl])).toThrow(
      /differs from the WGSL struct Params/,
    );
    expect(() => uniformStruct({ rows: 'u32', C: 'u32', eps: 'u32' }, [wgsl])).toThrow(/differs/);
    expect(() => uniformStruct({ rows: 'u32', C: 'u32' }, [wgsl])).toThrow(/differs/);
    expect(() => uniformStruct({ rows: 'u32' }, ['fn main() {}'])).toThrow(/no `struct Params`/);
  });

  it("every kernel's Params declarations match their .wgsl structs", async () => {
    const kernels = import.meta.glob([
      '../../workers/kernels/*/*.ts',
      '!../../workers/kernels/**/*.test.ts',
      '!../../workers/kernels/**/*.ref.ts',
    ]);
    expect(Object.keys(kernels).length).toBeGreaterThan(20);
    for (const [path, load] of Object.entries(kernels)) await expect(load(), path).resolves.toBeDefined();
  });
});
