// Top-k over the last axis on the GPU, so fill-mask never downloads a vocabulary row: values [..., k]
// descending and their indices i32 [..., k]; equal values come lower index first (−0 counts as +0; NaN is not
// supported). Kernel: topk.wgsl (counting radix select + bitonic sort); reference: topkRef in reduce.ref.ts.
import type { Backend, OpDef, Tensor } from '../../backend/backend';
import { check } from '../../gpu/errors';
import { uniformStruct } from '../../gpu/uniforms';
import { topkInto, topkRef, type TopkAttrs } from './reduce.ref';
import { rowGrid, rowWorkgroupSize, rowsOf } from './row-grid';
import code from './topk.wgsl?raw';

/** topk.wgsl `Params`: idxBits = bits needed to write V, P = the sort size (next power of two ≥ k). */
const params = uniformStruct({ rows: 'u32', V: 'u32', k: 'u32', idxBits: 'u32', P: 'u32' }, [code]);

export type { TopkAttrs };

/** Size of the workgroup sort buffer in topk.wgsl. */
export const TOPK_MAX_K = 1024;

export const topkOp: OpDef<TopkAttrs> = {
  name: 'topk',
  infer([x], { k }) {
    check(x.dtype === 'f32', `topk: f32 input expected, got ${x.dtype}`);
    check(x.shape.length >= 1, 'topk: input needs rank ≥ 1');
    const V = x.shape[x.shape.length - 1];
    check(
      Number.isInteger(k) && k >= 1 && k <= Math.min(V, TOPK_MAX_K),
      () => `topk: k = ${k} must be in 1..min(V = ${V}, ${TOPK_MAX_K})`,
    );
    const shape = [...x.shape.slice(0, -1), k];
    return [
      { shape, dtype: 'f32' },
      { shape: [...shape], dtype: 'i32' },
    ];
  },
  ref: topkRef,
  cpu: (_ctx, [x], [values, indices], { k }) =>
    topkInto(x.f32, x.shape[x.shape.length - 1], k, values.f32, indices.i32),
  gpu({ runner }, [x], [values, indices], { k }) {
    const rows = rowsOf(x.shape);
    const V = x.shape[x.shape.length - 1];
    const idxBits = 32 - Math.clz32(V);
    const P = 2 ** Math.ceil(Math.log2(k));
    runner.dispatch({
      label: 'topk',
      code,
      entryPoint: 'main',
      constants: { WG: rowWorkgroupSize(V) },
      uniforms: params({ rows, V, k, idxBits, P }),
      buffers: [x.buffer, values.buffer, indices.buffer],
      workgroups: rowGrid(rows),
    });
  },
};

/** The k largest values of each row of x [..., V] and their indices. */
export async function topk(be: Backend, x: Tensor, attrs: TopkAttrs): Promise<Tensor[]> {
  return be.run(topkOp, [x], attrs);
}
