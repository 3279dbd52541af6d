// The linear op family over frozen weights of any storage dtype (f32, f16, q8, q4), f32 activations:
//   linear(x [..., K], w [N, K], bias? [N]) → y [..., N] = x·Wᵀ + bias
//   linearBackwardInput(dy [..., N], w [N, K]) → dx [..., K] = dy·W   (gradients through frozen base weights)
// Weight gradients of trainable f32 weights use matmul(dy2d, x2d, { transA: true }). Reference: linear.ref.ts.
import type { Backend, KernelContext, OpDef, Tensor } from '../../backend/backend';
import type { GpuTensor } from '../../gpu/tensor';
import { quantDataOffset } from '../../gpu/quant-layout';
import { linearBackwardInputRef, linearRef } from './linear.ref';
import { UnsupportedWeightError, linearBackwardInputShapes, linearShapes } from './linear-shapes';
import code from './linear.wgsl?raw';
import codeF16 from './linear-f16.wgsl?raw';

export { UnsupportedWeightError };
export type LinearAttrs = Record<string, never>;

const TILE = 64;
const WDTYPE = { f32: 0, q8: 1, q4: 2 } as const;

function dispatch(ctx: KernelContext, label: string, entryPoint: string, buffers: GPUBuffer[], w: GpuTensor, M: number, N: number, K: number, cols: number) {
  if (w.dtype === 'f16' && !ctx.f16)
    throw new UnsupportedWeightError(
      `${label}: f16 weights need the WebGPU 'shader-f16' feature, which this adapter does not offer; load the weights as f32, q8 or q4`,
    );
  const f16 = w.dtype === 'f16';
  ctx.runner.dispatch({
    label: `${label}-${w.dtype}`,
    code: f16 ? codeF16 : code,
    entryPoint,
    constants: f16 ? undefined : { WDTYPE: WDTYPE[w.dtype as keyof typeof WDTYPE] },
    uniforms: [{ u32: M }, { u32: N }, { u32: K }, { u32: f16 || w.dtype === 'f32' ? 0 : quantDataOffset(w.shape) }],
    buffers,
    workgroups: [Math.ceil(cols / TILE), Math.ceil(M / TILE)],
  });
}

export const linearOp: OpDef<LinearAttrs> = {
  name: 'linear',
  infer([x, w, bias]) {
    return [{ shape: linearShapes(x, w, bias).outShape, dtype: 'f32' }];
  },
  ref: linearRef,
  gpu(ctx, [x, w, bias], [y]) {
    const { M, N, K } = linearShapes(x, w, bias);
    const buffers = bias ? [x.buffer, w.buffer, y.buffer, bias.buffer] : [x.buffer, w.buffer, y.buffer];
    dispatch(ctx, 'linear', bias ? 'forward_bias' : 'forward', buffers, w, M, N, K, N);
  },
};

export const linearBackwardInputOp: OpDef<LinearAttrs> = {
  name: 'linearBackwardInput',
  infer([dy, w]) {
    return [{ shape: linearBackwardInputShapes(dy, w).outShape, dtype: 'f32' }];
  },
  ref: linearBackwardInputRef,
  gpu(ctx, [dy, w], [dx]) {
    const { M, N, K } = linearBackwardInputShapes(dy, w);
    dispatch(ctx, 'linearBackwardInput', 'backward_input', [dy.buffer, w.buffer, dx.buffer], w, M, N, K, K);
  },
};

/** y [..., N] = x [..., K] · wᵀ + bias, for w [N, K] stored as f32, f16 (needs shader-f16), q8 or q4. */
export async function linear(backend: Backend, x: Tensor, w: Tensor, bias?: Tensor | null): Promise<Tensor> {
  const [y] = await backend.run(linearOp, bias ? [x, w, bias] : [x, w], {} as LinearAttrs);
  return y;
}

/** dx [..., K] = dy [..., N] · w, for w [N, K] of any weight dtype. */
export async function linearBackwardInput(backend: Backend, dy: Tensor, w: Tensor): Promise<Tensor> {
  const [dx] = await backend.run(linearBackwardInputOp, [dy, w], {} as LinearAttrs);
  return dx;
}
