// float64 reference of the row gather out[..., :] = table[ids[...], :] and of its backward, the scatter-add
// dTable[v, :] = Σ_{s: ids[s] = v} dOut[s, :]. Ids outside [0, V) gather zeros and scatter nothing, exactly
// as the kernel (which cannot throw) does. The gather (gatherRows) is the CPU backend's kernel too.
import type { FloatArray, HostTensor } from '../../backend/backend';

/** out [S, C] = rows ids[s] of table [V, C]; zero rows for ids outside [0, V). */
export function gatherRows(table: FloatArray, V: number, C: number, ids: Int32Array, out: FloatArray): void {
  for (let s = 0; s < ids.length; s++) {
    const id = ids[s];
    if (id >= 0 && id < V) out.set(table.subarray(id * C, (id + 1) * C), s * C);
    else out.fill(0, s * C, (s + 1) * C);
  }
}

export function embeddingRef([table, ids]: readonly HostTensor[]): HostTensor[] {
  const [V, C] = table.shape;
  const I = ids.data as Int32Array;
  const out = new Float64Array(I.length * C);
  gatherRows(table.data as Float64Array, V, C, I, out);
  return [{ shape: [...ids.shape, C], dtype: 'f32', data: out }];
}

export function embeddingBackwardRef(
  [ids, dOut]: readonly HostTensor[],
  { numRows }: { numRows: number },
): HostTensor[] {
  const C = dOut.shape[dOut.shape.length - 1];
  const I = ids.data as Int32Array;
  const G = dOut.data as Float64Array;
  const dTable = new Float64Array(numRows * C);
  I.forEach((id, s) => {
    if (id < 0 || id >= numRows) return;
    for (let c = 0; c < C; c++) dTable[id * C + c] += G[s * C + c];
  });
  return [{ shape: [numRows, C], dtype: 'f32', data: dTable }];
}
