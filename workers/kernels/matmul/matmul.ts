// Batched matmul op: C = alpha · op(A) · op(B), with op = identity or transpose per operand and B optionally
// 2-D (broadcast over A's batch, as for weights). f32 in, f32 out; f16 and quantised weights have their own ops.
import type { Backend, OpDef, Tensor } from '../../backend/backend';
import { check } from '../../gpu/errors';
import { uniformStruct } from '../../gpu/uniforms';
import { matmulCpu } from './matmul.cpu';
import { matmulRef } from './matmul.ref';
import { matmulShapes, type MatmulAttrs } from './matmul-shapes';
import code from './matmul.wgsl?raw';
import codeVec4 from './matmul-vec4.wgsl?raw';

/** matmul.wgsl and matmul-vec4.wgsl `Params`: sizes, element strides of A (batch, row, k), B (batch, k, col), C's batch stride, output scale. */
const params = uniformStruct(
  {
    M: 'u32',
    N: 'u32',
    K: 'u32',
    batch: 'u32',
    sAb: 'u32',
    sAm: 'u32',
    sAk: 'u32',
    sBb: 'u32',
    sBk: 'u32',
    sBn: 'u32',
    sCb: 'u32',
    alpha: 'f32',
  },
  [code, codeVec4],
);

export type { MatmulAttrs };

/** Which kernel runs: 'vec4' (matmul-vec4.wgsl, 4×4 per invocation, no workgroup memory) when the contiguous
 *  axis of both operands is a multiple of 4, else 'tiled' (matmul.wgsl, any shape). */
export function matmulVariant(M: number, N: number, K: number, attrs: MatmulAttrs): 'vec4' | 'tiled' {
  const aligned = (attrs.transA ? M % 4 === 0 : K % 4 === 0) && (attrs.transB ? K % 4 === 0 : N % 4 === 0);
  return aligned ? 'vec4' : 'tiled';
}

export const matmulOp: OpDef<MatmulAttrs> = {
  name: 'matmul',
  infer([a, b], attrs) {
    check(a.dtype === 'f32' && b.dtype === 'f32', `matmul: f32 operands expected, got ${a.dtype} and ${b.dtype}`);
    return [{ shape: matmulShapes(a.shape, b.shape, attrs).outShape, dtype: 'f32' }];
  },
  ref: matmulRef,
  cpu: matmulCpu,
  gpu({ runner }, [a, b], [c], attrs) {
    const { M, N, K, batch, broadcastB } = matmulShapes(a.shape, b.shape, attrs);
    const [sAm, sAk] = attrs.transA ? [1, M] : [K, 1];
    const [sBk, sBn] = attrs.transB ? [1, K] : [N, 1];
    const vec4 = matmulVariant(M, N, K, attrs) === 'vec4';
    runner.dispatch({
      label: vec4 ? 'matmul-vec4' : 'matmul',
      code: vec4 ? codeVec4 : code,
      entryPoint: 'main',
      constants: vec4 ? { TRANS_A: attrs.transA ? 1 : 0, TRANS_B: attrs.transB ? 1 : 0 } : undefined,
      uniforms: params({
        M,
        N,
        K,
        batch,
        sAb: M * K,
        sAm,
        sAk,
        sBb: broadcastB ? 0 : K * N,
        sBk,
        sBn,
        sCb: M * N,
        alpha: attrs.alpha ?? 1,
      }),
      buffers: [a.buffer, b.buffer, c.buffer],
      // vec4: an 8×8 workgroup of 4×4 blocks covers 32×32 of C; tiled: 64×64.
      workgroups: vec4 ? [Math.ceil(N / 32), Math.ceil(M / 32), batch] : [Math.ceil(N / 64), Math.ceil(M / 64), batch],
    });
  },
};

export async function matmul(backend: Backend, a: Tensor, b: Tensor, attrs: MatmulAttrs = {}): Promise<Tensor> {
  const [c] = await backend.run(matmulOp, [a, b], attrs);
  return c;
}
