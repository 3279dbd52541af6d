// AdamW op: updates param, m and v in place (outputs alias inputs 0, 2, 3), exactly as torch.optim.AdamW with
// amsgrad off; float64 reference in adamw.ref.ts. gradNormSquared (for clipping) lives in ../grad-norm.
import type { Backend, OpDef, Tensor } from '../../backend/backend';
import { check } from '../../gpu/errors';
import { uniformStruct } from '../../gpu/uniforms';
import { adamwRef, adamwScalars, type AdamWAttrs } from './adamw.ref';
import code from './adamw.wgsl?raw';

/** adamw.wgsl `Params`: rowStride = invocations per workgroup row. */
const params = uniformStruct(
  {
    n: 'u32',
    rowStride: 'u32',
    decay: 'f32',
    beta1: 'f32',
    oneMinusBeta1: 'f32',
    beta2: 'f32',
    oneMinusBeta2: 'f32',
    stepSize: 'f32',
    bc2Sqrt: 'f32',
    eps: 'f32',
    gradScale: 'f32',
  },
  [code],
);

export type { AdamWAttrs };
export { gradNormSquared } from '../grad-norm/grad-norm';

const WG = 256;
const MAX_X = 65535; // maxComputeWorkgroupsPerDimension guaranteed by WebGPU

export const adamwOp: OpDef<AdamWAttrs> = {
  name: 'adamw',
  infer(inputs, a) {
    check(inputs.length === 4, 'adamw: inputs are param, grad, m, v');
    const n = inputs[0].shape.reduce((x, y) => x * y, 1);
    inputs.forEach((t, i) => {
      check(t.dtype === 'f32', () => `adamw: input ${i} must be f32, got ${t.dtype}`);
      check(
        t.shape.reduce((x, y) => x * y, 1) === n,
        () => `adamw: input ${i} [${t.shape}] differs in size from param [${inputs[0].shape}]`,
      );
    });
    check(Number.isInteger(a.step) && a.step >= 1, () => `adamw: step must be a 1-based integer, got ${a.step}`);
    const shape = [...inputs[0].shape];
    return [
      { shape, dtype: 'f32', alias: 0 },
      { shape, dtype: 'f32', alias: 2 },
      { shape, dtype: 'f32', alias: 3 },
    ];
  },
  ref: adamwRef,
  gpu({ runner }, [param, grad, m, v], _outs, a) {
    const n = param.numel;
    const { decay, stepSize, bc2Sqrt } = adamwScalars(a);
    const groups = Math.ceil(n / WG);
    const x = Math.min(groups, MAX_X);
    runner.dispatch({
      label: 'adamw',
      code,
      entryPoint: 'main',
      uniforms: params({
        n,
        rowStride: x * WG,
        decay,
        beta1: a.beta1,
        oneMinusBeta1: 1 - a.beta1,
        beta2: a.beta2,
        oneMinusBeta2: 1 - a.beta2,
        stepSize,
        bc2Sqrt,
        eps: a.eps,
        gradScale: a.gradScale ?? 1,
      }),
      buffers: [param.buffer, grad.buffer, m.buffer, v.buffer],
      workgroups: [x, Math.ceil(groups / x)],
    });
  },
};

/** One AdamW step; returns the same param, m, v tensors, updated in place. */
export async function adamw(
  be: Backend,
  param: Tensor,
  grad: Tensor,
  m: Tensor,
  v: Tensor,
  attrs: AdamWAttrs,
): Promise<[Tensor, Tensor, Tensor]> {
  const [p, mm, vv] = await be.run(adamwOp, [param, grad, m, v], attrs);
  return [p, mm, vv];
}
