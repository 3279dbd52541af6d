// Batched matmul op: C = alpha · op(A) · op(B), with op = identity or transpose per operand and B optionally
// 2-D (broadcast over A's batch, as for weights). f32 in, f32 out; f16 and quantised weights have their own ops.
import type { Backend, OpDef, Tensor } from '../../backend/backend';
import { check } from '../../gpu/errors';
import { matmulRef } from './matmul.ref';
import { matmulShapes, type MatmulAttrs } from './matmul-shapes';
import code from './matmul.wgsl?raw';

export type { MatmulAttrs };

export const matmulOp: OpDef<MatmulAttrs> = {
  name: 'matmul',
  infer([a, b], attrs) {
    check(a.dtype === 'f32' && b.dtype === 'f32', `matmul: f32 operands expected, got ${a.dtype} and ${b.dtype}`);
    return [{ shape: matmulShapes(a.shape, b.shape, attrs).outShape, dtype: 'f32' }];
  },
  ref: matmulRef,
  gpu({ runner }, [a, b], [c], attrs) {
    const { M, N, K, batch, broadcastB } = matmulShapes(a.shape, b.shape, attrs);
    const [sAm, sAk] = attrs.transA ? [1, M] : [K, 1];
    const [sBk, sBn] = attrs.transB ? [1, K] : [N, 1];
    runner.dispatch({
      label: 'matmul',
      code,
      entryPoint: 'main',
      uniforms: [
        { u32: M }, { u32: N }, { u32: K }, { u32: batch },
        { u32: M * K }, { u32: sAm }, { u32: sAk }, { u32: broadcastB ? 0 : K * N },
        { u32: sBk }, { u32: sBn }, { u32: M * N }, { f32: attrs.alpha ?? 1 },
      ],
      buffers: [a.buffer, b.buffer, c.buffer],
      workgroups: [Math.ceil(N / 64), Math.ceil(M / 64), batch],
    });
  },
};

export async function matmul(backend: Backend, a: Tensor, b: Tensor, attrs: MatmulAttrs = {}): Promise<Tensor> {
  const [c] = await backend.run(matmulOp, [a, b], attrs);
  return c;
}
