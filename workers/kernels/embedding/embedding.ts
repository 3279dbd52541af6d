// Row gather (token embeddings, or rows of activations at selected positions such as an MLM's <mask> tokens)
// and its backward, a deterministic atomic-free scatter-add into the table gradient.
// Reference: embedding.ref.ts. Kernel: embedding.wgsl. Ids outside [0, V) gather zeros and scatter nothing:
// ids live on the GPU, so the op cannot check them before it runs.
import type { Backend, OpDef, Tensor } from '../../backend/backend';
import { check } from '../../gpu/errors';
import { uniformStruct } from '../../gpu/uniforms';
import { allocTensor } from '../../gpu/tensor';
import { flatGrid } from '../elementwise/grid';
import { embeddingBackwardRef, embeddingRef, gatherRows } from './embedding.ref';
import code from './embedding.wgsl?raw';

/** embedding.wgsl `Params`: n = invocations needed (S·C gather and scatter, S links, V·C zero). */
const params = uniformStruct({ n: 'u32', S: 'u32', C: 'u32', V: 'u32' }, [code]);

export interface EmbeddingBackwardAttrs {
  /** V, the number of rows of the table whose gradient is built. */
  numRows: number;
}

const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

export const embeddingOp: OpDef<Record<string, never>> = {
  name: 'embedding',
  infer([table, ids]) {
    check(
      table.dtype === 'f32' && table.shape.length === 2,
      () => `embedding: table must be f32 [V, C], got ${table.dtype} [${table.shape}]`,
    );
    check(ids.dtype === 'i32', `embedding: ids must be i32, got ${ids.dtype}`);
    return [{ shape: [...ids.shape, table.shape[1]], dtype: 'f32' }];
  },
  ref: embeddingRef,
  cpu: (_ctx, [table, ids], [out]) => gatherRows(table.f32, table.shape[0], table.shape[1], ids.i32, out.f32),
  gpu({ runner }, [table, ids], [out]) {
    const [V, C] = table.shape;
    const S = ids.numel;
    runner.dispatch({
      label: 'embedding',
      code,
      entryPoint: 'gather',
      uniforms: params({ n: S * C, S, C, V }),
      buffers: [table.buffer, ids.buffer, out.buffer],
      workgroups: flatGrid(S * C),
    });
  },
};

export const embeddingBackwardOp: OpDef<EmbeddingBackwardAttrs> = {
  name: 'embedding-backward',
  infer([ids, dOut], { numRows }) {
    check(ids.dtype === 'i32', `embeddingBackward: ids must be i32, got ${ids.dtype}`);
    check(dOut.dtype === 'f32', `embeddingBackward: dOut must be f32, got ${dOut.dtype}`);
    check(
      Number.isInteger(numRows) && numRows >= 0,
      `embeddingBackward: numRows must be a non-negative integer, got ${numRows}`,
    );
    const lead = dOut.shape.slice(0, -1);
    check(
      dOut.shape.length === ids.shape.length + 1 && lead.every((d, i) => d === ids.shape[i]),
      () => `embeddingBackward: dOut [${dOut.shape}] must be [...ids [${ids.shape}], C]`,
    );
    return [{ shape: [numRows, dOut.shape[dOut.shape.length - 1]], dtype: 'f32' }];
  },
  ref: embeddingBackwardRef,
  gpu({ runner }, [ids, dOut], [dTable], { numRows }) {
    const C = dOut.shape[dOut.shape.length - 1];
    const S = ids.numel;
    const V = numRows;
    const uniforms = (n: number) => params({ n, S, C, V });
    runner.dispatch({
      label: 'embedding-backward-zero',
      code,
      entryPoint: 'zero',
      uniforms: uniforms(V * C),
      buffers: [dTable.buffer],
      workgroups: flatGrid(V * C),
    });
    if (S === 0 || C === 0) return;
    // Scratch [S, 2] chain links; released right away: later users of the buffer are ordered after this work.
    const links = allocTensor(runner, [S, 2], 'i32', 'embedding-links');
    runner.dispatch({
      label: 'embedding-backward-links',
      code,
      entryPoint: 'links',
      uniforms: uniforms(S),
      buffers: [ids.buffer, links.buffer],
      workgroups: flatGrid(S),
    });
    runner.dispatch({
      label: 'embedding-backward-scatter',
      code,
      entryPoint: 'scatter',
      uniforms: uniforms(S * C),
      buffers: [ids.buffer, links.buffer, dOut.buffer, dTable.buffer],
      workgroups: flatGrid(S * C),
    });
    links.dispose();
  },
};

/** table [V, C] gathered at ids i32 [...S] → [...S, C]; out-of-range ids give zero rows. */
export async function embedding(be: Backend, table: Tensor, ids: Tensor): Promise<Tensor> {
  return (await be.run(embeddingOp, [table, ids], {}))[0];
}

/** dTable [V, C] = scatter-add of dOut [...S, C] at ids [...S]; repeated ids accumulate in position order. */
export async function embeddingBackward(
  be: Backend,
  ids: Tensor,
  dOut: Tensor,
  attrs: EmbeddingBackwardAttrs,
): Promise<Tensor> {
  return (await be.run(embeddingBackwardOp, [ids, dOut], attrs))[0];
}
