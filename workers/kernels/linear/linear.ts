// The linear op family over frozen weights of any storage dtype (f32, f16, q8, q4), f32 activations:
//   linear(x [..., K], w [N, K], bias? [N]) → y [..., N] = x·Wᵀ + bias
//   linearBackwardInput(dy [..., N], w [N, K]) → dx [..., K] = dy·W   (gradients through frozen base weights)
// Weight gradients of trainable f32 weights use matmul(dy2d, x2d, { transA: true }). Reference: linear.ref.ts.
import type { Backend, KernelContext, OpDef, Tensor } from '../../backend/backend';
import type { GpuTensor } from '../../gpu/tensor';
import { quantDataOffset } from '../../gpu/quant-layout';
import { linearCpu } from './linear.cpu';
import { linearBackwardInputRef, linearRef } from './linear.ref';
import { UnsupportedWeightError, linearBackwardInputShapes, linearShapes } from './linear-shapes';
import code from './linear.wgsl?raw';
import codeF16 from './linear-f16.wgsl?raw';
import codeVec4 from './linear-vec4.wgsl?raw';
import { check } from '../../gpu/errors';
import { uniformStruct } from '../../gpu/uniforms';

export { UnsupportedWeightError };

/** linear.wgsl and linear-vec4.wgsl `Params`: qdata = word offset of the packed integers of q8/q4 weights (0 for f32). */
const params = uniformStruct({ M: 'u32', N: 'u32', K: 'u32', qdata: 'u32' }, [code, codeVec4]);
/** linear-f16.wgsl `Params`. */
const paramsF16 = uniformStruct({ M: 'u32', N: 'u32', K: 'u32' }, [codeF16]);
/** 'vec4': linear-vec4.wgsl (4×4 per invocation, no workgroup memory; needs aligned shapes, not f16);
 *  'tiled': linear.wgsl / linear-f16.wgsl (64×64 workgroup tiles, any shape). */
export type LinearKernel = 'vec4' | 'tiled';

export interface LinearAttrs {
  /** Force a kernel (tests use this to cover both); by default vec4 whenever the shapes allow it. */
  kernel?: LinearKernel;
}

const WDTYPE = { f32: 0, q8: 1, q4: 2 } as const;

/** The kernel a forward or input-gradient dispatch uses for weights [N, K] of this dtype. */
export function linearKernel(
  dir: 'forward' | 'backward',
  N: number,
  K: number,
  dtype: string,
  attrs: LinearAttrs = {},
): LinearKernel {
  // vec4 reads X / dY rows and W rows in runs of 4: K (and for the backward N) must be multiples of 4.
  const aligned = dtype !== 'f16' && K % 4 === 0 && (dir === 'forward' || N % 4 === 0);
  check(
    attrs.kernel !== 'vec4' || aligned,
    () => `linear: the vec4 kernel cannot take N = ${N}, K = ${K} (${dtype}, ${dir})`,
  );
  return attrs.kernel ?? (aligned ? 'vec4' : 'tiled');
}

interface Dispatch {
  label: string;
  entryPoint: string;
  buffers: GPUBuffer[];
  w: GpuTensor;
  M: number;
  N: number;
  K: number;
  /** Output columns: N forward, K backward. */
  cols: number;
  kernel: LinearKernel;
}

function dispatch(ctx: KernelContext, { label, entryPoint, buffers, w, M, N, K, cols, kernel }: Dispatch) {
  if (w.dtype === 'f16' && !ctx.f16)
    throw new UnsupportedWeightError(
      `${label}: f16 weights need the WebGPU 'shader-f16' feature, which this adapter does not offer; load the weights as f32, q8 or q4`,
    );
  const f16 = w.dtype === 'f16';
  const tile = kernel === 'vec4' ? 32 : 64;
  ctx.runner.dispatch({
    label: `${label}-${w.dtype}-${kernel}`,
    code: f16 ? codeF16 : kernel === 'vec4' ? codeVec4 : code,
    entryPoint,
    constants: f16 ? undefined : { WDTYPE: WDTYPE[w.dtype as keyof typeof WDTYPE] },
    uniforms: f16
      ? paramsF16({ M, N, K })
      : params({ M, N, K, qdata: w.dtype === 'f32' ? 0 : quantDataOffset(w.shape) }),
    buffers,
    workgroups: [Math.ceil(cols / tile), Math.ceil(M / tile)],
  });
}

export const linearOp: OpDef<LinearAttrs> = {
  name: 'linear',
  infer([x, w, bias], attrs) {
    const { N, K, outShape } = linearShapes(x, w, bias);
    linearKernel('forward', N, K, w.dtype, attrs);
    return [{ shape: outShape, dtype: x.dtype }];
  },
  ref: linearRef,
  cpu: linearCpu,
  gpu(ctx, [x, w, bias], [y], attrs) {
    const { M, N, K } = linearShapes(x, w, bias);
    const buffers = bias ? [x.buffer, w.buffer, y.buffer, bias.buffer] : [x.buffer, w.buffer, y.buffer];
    const kernel = linearKernel('forward', N, K, w.dtype, attrs);
    // f16 activations: the _h entry points of linear-f16.wgsl (x and y as f16, f32 accumulation).
    const h = x.dtype === 'f16' ? '_h' : '';
    dispatch(ctx, {
      label: `linear${h}`,
      entryPoint: `${bias ? 'forward_bias' : 'forward'}${h}`,
      buffers,
      w,
      M,
      N,
      K,
      cols: N,
      kernel,
    });
  },
};

export const linearBackwardInputOp: OpDef<LinearAttrs> = {
  name: 'linear-backward-input',
  infer([dy, w], attrs) {
    const { N, K, outShape } = linearBackwardInputShapes(dy, w);
    linearKernel('backward', N, K, w.dtype, attrs);
    return [{ shape: outShape, dtype: 'f32' }];
  },
  ref: linearBackwardInputRef,
  gpu(ctx, [dy, w], [dx], attrs) {
    const { M, N, K } = linearBackwardInputShapes(dy, w);
    const kernel = linearKernel('backward', N, K, w.dtype, attrs);
    const buffers = [dy.buffer, w.buffer, dx.buffer];
    dispatch(ctx, {
      label: 'linear-backward-input',
      entryPoint: 'backward_input',
      buffers,
      w,
      M,
      N,
      K,
      cols: K,
      kernel,
    });
  },
};

/** y [..., N] = x [..., K] · wᵀ + bias, for w [N, K] stored as f32, f16 (needs shader-f16), q8 or q4;
 *  x f16 (with f16 weights) gives y f16, accumulated in f32. */
export async function linear(backend: Backend, x: Tensor, w: Tensor, bias?: Tensor | null): Promise<Tensor> {
  const [y] = await backend.run(linearOp, bias ? [x, w, bias] : [x, w], {});
  return y;
}

/** dx [..., K] = dy [..., N] · w, for w [N, K] of any weight dtype. */
export async function linearBackwardInput(backend: Backend, dy: Tensor, w: Tensor): Promise<Tensor> {
  const [dx] = await backend.run(linearBackwardInputOp, [dy, w], {});
  return dx;
}
