// A kernel's uniform `Params` struct, declared once beside its dispatches: field names and 32-bit types in the
// order of the WGSL struct. The declaration is checked against the `struct Params` of the .wgsl files that use it
// when the module loads, and each dispatch encodes a named object, so a kernel's uniforms cannot drift from its
// struct by position. The block is zero-padded to 16 bytes here; WGSL structs carry no padding fields.

export type UniformType = 'u32' | 'i32' | 'f32';

declare const encoded: unique symbol;

/** Encoded bytes of one dispatch's `Params` (made only by a UniformStruct; the runner binds them at @binding(0)). */
export interface UniformBlock {
  readonly bytes: Uint8Array;
  readonly [encoded]: true;
}

/** Encodes a named object of this struct's fields; `fields` and `byteSize` describe the layout. */
export interface UniformStruct<F extends string> {
  (values: Readonly<Record<F, number>>): UniformBlock;
  readonly fields: readonly (readonly [F, UniformType])[];
  /** Bytes bound per dispatch: 4 per field, rounded up to 16. */
  readonly byteSize: number;
}

export class UniformLayoutError extends Error {
  override readonly name = 'UniformLayoutError';
}

const RANGE: Record<Exclude<UniformType, 'f32'>, [number, number]> = {
  u32: [0, 2 ** 32 - 1],
  i32: [-(2 ** 31), 2 ** 31 - 1],
};

/** The fields of the `struct Params { ... }` in WGSL source, in order (comments stripped). */
export function wgslParamsFields(code: string): [string, string][] {
  const m = /\bstruct\s+Params\s*\{([^}]*)\}/.exec(code.replace(/\/\/[^\n]*/g, ''));
  if (!m) throw new UniformLayoutError('the WGSL source has no `struct Params`');
  return m[1]
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean)
    .map((f) => {
      const [name, type] = f.split(':').map((s) => s.trim());
      return [name, type];
    });
}

/**
 * Declares a `Params` struct. `layout` lists the fields in WGSL struct order (object key order; names must not
 * look like array indices, which JavaScript would reorder). Each WGSL source in `wgsl` must declare exactly these
 * fields in this order, or this throws.
 */
export function uniformStruct<const L extends Record<string, UniformType>>(
  layout: L,
  wgsl: readonly string[] = [],
): UniformStruct<Extract<keyof L, string>> {
  type F = Extract<keyof L, string>;
  const fields = Object.entries(layout) as [F, UniformType][];
  if (!fields.length) throw new UniformLayoutError('a Params struct needs at least one field');
  for (const [name, type] of fields) {
    if (/^\d+$/.test(name))
      throw new UniformLayoutError(`uniform field "${name}" looks like an array index, so its order would not be kept`);
    if (type !== 'u32' && type !== 'i32' && type !== 'f32')
      throw new UniformLayoutError(`uniform field "${name}": type ${String(type)} is not u32, i32 or f32`);
  }
  const declared = fields.map(([n, t]) => `${n}: ${t}`).join(', ');
  for (const code of wgsl) {
    const inWgsl = wgslParamsFields(code)
      .map(([n, t]) => `${n}: ${t}`)
      .join(', ');
    if (inWgsl !== declared)
      throw new UniformLayoutError(
        `uniform declaration { ${declared} } differs from the WGSL struct Params { ${inWgsl} }`,
      );
  }
  const byteSize = Math.ceil((fields.length * 4) / 16) * 16;
  const names = new Set<string>(fields.map(([n]) => n));

  const encode = (values: Readonly<Record<F, number>>): UniformBlock => {
    for (const key of Object.keys(values))
      if (!names.has(key)) throw new UniformLayoutError(`uniform field "${key}" is not in Params { ${declared} }`);
    const bytes = new Uint8Array(byteSize);
    const view = new DataView(bytes.buffer);
    fields.forEach(([name, type], i) => {
      const v: unknown = values[name];
      if (v === undefined) throw new UniformLayoutError(`uniform field "${name}" is missing (Params { ${declared} })`);
      if (typeof v !== 'number')
        throw new UniformLayoutError(`uniform field "${name}" must be a number, got ${typeof v}`);
      if (type === 'f32') return view.setFloat32(i * 4, v, true);
      const [lo, hi] = RANGE[type];
      if (!Number.isInteger(v) || v < lo || v > hi)
        throw new UniformLayoutError(
          `uniform field "${name}" (${type}) must be an integer in [${lo}, ${hi}], got ${v}`,
        );
      if (type === 'u32') view.setUint32(i * 4, v, true);
      else view.setInt32(i * 4, v, true);
    });
    return { bytes } as UniformBlock;
  };
  return Object.assign(encode, { fields, byteSize });
}
