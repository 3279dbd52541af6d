// Row reductions (sum, max, logsumexp, sum of squares) over the last axis, whole-tensor sums, and top-k
// (re-exported from topk.ts). f32 in, f32 out. References: reduce.ref.ts.
// The kernels never rely on ±inf (WGSL does not promise them): a logsumexp row that is entirely −inf gives NaN
// here where the reference gives −inf; masked logits should use float32 min, as the softmax does.
import type { Backend, OpDef, Tensor } from '../../backend/backend';
import { check } from '../../gpu/errors';
import { uniformStruct } from '../../gpu/uniforms';
import {
  reduceRowsInto,
  reduceRowsRef,
  sumAllOf,
  sumAllRef,
  type ReduceOp,
  type ReduceRowsAttrs,
  type SumAllAttrs,
} from './reduce.ref';
import { rowGrid, rowWorkgroupSize, rowsOf } from './row-grid';
import code from './reduce.wgsl?raw';

/** reduce.wgsl `Params`: the rows entry reads rows and V (row length); the partial entry V (elements) and groups. */
const params = uniformStruct({ rows: 'u32', V: 'u32', groups: 'u32' }, [code]);

export type { ReduceOp, ReduceRowsAttrs, SumAllAttrs };
export { topk, topkOp, type TopkAttrs } from './topk';

const OP_CODE: Record<ReduceOp, number> = { sum: 0, max: 1, logsumexp: 2, sumsq: 3 };
/** Workgroups of sumAll's first pass: enough to spread a large tensor, few enough for one final workgroup. */
const MAX_GROUPS = 1024;
/** Invocations per sumAll workgroup (both passes): see rowWorkgroupSize for why small. */
const SUM_WG = 64;

export const reduceRowsOp: OpDef<ReduceRowsAttrs> = {
  name: 'reduce-rows',
  infer([x], { op }) {
    check(x.dtype === 'f32', `reduceRows: f32 input expected, got ${x.dtype}`);
    check(
      x.shape.length >= 1 && x.shape[x.shape.length - 1] >= 1,
      () => `reduceRows: need a non-empty last axis, got [${x.shape}]`,
    );
    check(op in OP_CODE, `reduceRows: unknown op ${op}`);
    return [{ shape: [rowsOf(x.shape)], dtype: 'f32' }];
  },
  ref: reduceRowsRef,
  cpu: (_ctx, [x], [y], { op }) => reduceRowsInto(x.f32, x.shape[x.shape.length - 1], op, y.f32),
  gpu({ runner }, [x], [y], { op }) {
    const rows = rowsOf(x.shape);
    runner.dispatch({
      label: `reduce-rows-${op}`,
      code,
      entryPoint: 'rows',
      constants: { OP: OP_CODE[op], WG: rowWorkgroupSize(x.shape[x.shape.length - 1]) },
      uniforms: params({ rows, V: x.shape[x.shape.length - 1], groups: 0 }),
      buffers: [x.buffer, y.buffer],
      workgroups: rowGrid(rows),
    });
  },
};

export const sumAllOp: OpDef<SumAllAttrs> = {
  name: 'sum-all',
  infer([x], { op }) {
    check(x.dtype === 'f32', `sumAll: f32 input expected, got ${x.dtype}`);
    check(op === 'sum' || op === 'sumsq', `sumAll: op must be sum or sumsq, got ${op}`);
    return [{ shape: [1], dtype: 'f32' }];
  },
  ref: sumAllRef,
  cpu(_ctx, [x], [y], { op }) {
    y.f32[0] = sumAllOf(x.f32, op);
  },
  gpu({ runner }, [x], [y], { op }) {
    const n = x.numel;
    const groups = Math.max(1, Math.min(MAX_GROUPS, Math.ceil(n / SUM_WG)));
    const partials = runner.pool.acquire(groups * 4, 'sum-all-partials');
    runner.dispatch({
      label: `sum-all-${op}-partial`,
      code,
      entryPoint: 'partial',
      constants: { OP: OP_CODE[op], WG: SUM_WG },
      uniforms: params({ rows: 0, V: n, groups }),
      buffers: [x.buffer, partials],
      workgroups: [groups],
    });
    runner.dispatch({
      label: 'sum-all-final',
      code,
      entryPoint: 'rows',
      constants: { OP: OP_CODE.sum, WG: SUM_WG },
      uniforms: params({ rows: 1, V: groups, groups: 0 }),
      buffers: [partials, y.buffer],
      workgroups: [1],
    });
    // Later dispatches that reuse this buffer are ordered after the two above.
    runner.pool.release(partials);
  },
};

/** Reduce the last axis of x [..., V] to [rows]. */
export async function reduceRows(be: Backend, x: Tensor, attrs: ReduceRowsAttrs): Promise<Tensor> {
  const [y] = await be.run(reduceRowsOp, [x], attrs);
  return y;
}

/** Σx or Σx² over every element, as a [1] tensor (e.g. a gradient's squared norm for clipping). */
export async function sumAll(be: Backend, x: Tensor, attrs: SumAllAttrs): Promise<Tensor> {
  const [y] = await be.run(sumAllOp, [x], attrs);
  return y;
}
