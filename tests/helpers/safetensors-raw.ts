// A safetensors file built from a raw header object (which may lie) and a zero data region of `dataBytes` bytes,
// for tests of the loader's validation.
export function rawSafetensors(header: unknown, dataBytes: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}
