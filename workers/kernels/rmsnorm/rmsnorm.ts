// RMSNorm over the last axis: Llama's RMSNorm and T5's LayerNorm (no mean subtraction, no bias; like Hugging
// Face we compute the variance in float32). Returns rstd per row for the backward pass.
// x may be f16 (inference: y f16, rstd f32, maths in f32; needs shader-f16).
// Kernels: rmsnorm.wgsl, rmsnorm-f16.wgsl; reference: rmsnorm.ref.ts.
import type { Backend, OpDef, Tensor } from '../../backend/backend';
import { check } from '../../gpu/errors';
import { uniformStruct } from '../../gpu/uniforms';
import { rowGrid, rowWorkgroupSize, rowsOf } from '../reduce/row-grid';
import { rmsNormBackwardRef, rmsNormRef, rmsNormRows, type RmsNormAttrs } from './rmsnorm.ref';
import code from './rmsnorm.wgsl?raw';
import codeF16 from './rmsnorm-f16.wgsl?raw';

/** rmsnorm.wgsl and rmsnorm-f16.wgsl `Params`. */
const params = uniformStruct({ rows: 'u32', C: 'u32', eps: 'f32' }, [code, codeF16]);

export type { RmsNormAttrs };

/** Row lanes per column in the parameter-gradient workgroups (LANES in the .wgsl). */
const LANES = 16;
/** Rows per workgroup of the f16 forward (one per invocation, as layernorm's forward_vec4). */
const F16_ROWS = 32;

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export const rmsNormOp: OpDef<RmsNormAttrs> = {
  name: 'rmsnorm',
  infer([x, gamma], { eps }) {
    check(
      (x.dtype === 'f32' || x.dtype === 'f16') && gamma.dtype === 'f32',
      () => `rmsNorm: x f32 or f16 and gamma f32 expected; got ${x.dtype}, ${gamma.dtype}`,
    );
    check(
      x.shape.length >= 1 && x.shape[x.shape.length - 1] >= 1,
      () => `rmsNorm: x needs a non-empty last axis, got [${x.shape}]`,
    );
    const C = x.shape[x.shape.length - 1];
    check(sameShape(gamma.shape, [C]), () => `rmsNorm: gamma must be [${C}], got [${gamma.shape}]`);
    check(eps >= 0, 'rmsNorm: eps must be ≥ 0');
    return [
      { shape: [...x.shape], dtype: x.dtype },
      { shape: [rowsOf(x.shape)], dtype: 'f32' },
    ];
  },
  ref: rmsNormRef,
  cpu: (_ctx, [x, gamma], [y, rstd], { eps }) =>
    rmsNormRows(x.f32, gamma.f32, x.shape[x.shape.length - 1], eps, y.f32, rstd.f32),
  gpu({ runner, f16 }, [x, gamma], [y, rstd], { eps }) {
    const rows = rowsOf(x.shape);
    const C = x.shape[x.shape.length - 1];
    if (x.dtype === 'f16') {
      check(f16, "rmsNorm: f16 activations need the WebGPU 'shader-f16' feature, which this adapter does not offer");
      runner.dispatch({
        label: 'rmsnorm-f16',
        code: codeF16,
        entryPoint: 'forward',
        constants: { WG: F16_ROWS },
        uniforms: params({ rows, C, eps }),
        buffers: [x.buffer, gamma.buffer, y.buffer, rstd.buffer],
        workgroups: rowGrid(Math.ceil(rows / F16_ROWS)),
      });
      return;
    }
    runner.dispatch({
      label: 'rmsnorm',
      code,
      entryPoint: 'forward',
      constants: { WG: rowWorkgroupSize(C) },
      uniforms: params({ rows, C, eps }),
      buffers: [x.buffer, gamma.buffer, y.buffer, rstd.buffer],
      workgroups: rowGrid(rows),
    });
  },
};

export const rmsNormBackwardOp: OpDef<Record<string, never>> = {
  name: 'rmsnorm-backward',
  infer([x, gamma, rstd, dy]) {
    check(
      [x, gamma, rstd, dy].every((t) => t.dtype === 'f32'),
      'rmsNormBackward: f32 tensors expected',
    );
    const C = x.shape[x.shape.length - 1];
    check(sameShape(dy.shape, x.shape), () => `rmsNormBackward: dy [${dy.shape}] must match x [${x.shape}]`);
    check(sameShape(gamma.shape, [C]), () => `rmsNormBackward: gamma must be [${C}], got [${gamma.shape}]`);
    check(
      sameShape(rstd.shape, [rowsOf(x.shape)]),
      () => `rmsNormBackward: rstd must be [${rowsOf(x.shape)}], got [${rstd.shape}]`,
    );
    return [
      { shape: [...x.shape], dtype: 'f32' },
      { shape: [C], dtype: 'f32' },
    ];
  },
  ref: rmsNormBackwardRef,
  gpu({ runner }, [x, gamma, rstd, dy], [dx, dgamma]) {
    const rows = rowsOf(x.shape);
    const C = x.shape[x.shape.length - 1];
    const WG = rowWorkgroupSize(C);
    runner.dispatch({
      label: 'rmsnorm-backward',
      code,
      entryPoint: 'backward',
      constants: { WG },
      uniforms: params({ rows, C, eps: 0 }),
      buffers: [x.buffer, gamma.buffer, rstd.buffer, dy.buffer, dx.buffer, dgamma.buffer],
      workgroups: rowGrid(rows + Math.ceil(C / (WG / LANES))),
    });
  },
};

/** y = x · rstd · gamma over the last axis → [y [..., C], rstd [rows]]. */
export async function rmsNorm(be: Backend, x: Tensor, gamma: Tensor, attrs: RmsNormAttrs): Promise<Tensor[]> {
  return be.run(rmsNormOp, [x, gamma], attrs);
}

/** → [dx [..., C], dgamma [C]] from the forward's rstd. */
export async function rmsNormBackward(
  be: Backend,
  x: Tensor,
  gamma: Tensor,
  rstd: Tensor,
  dy: Tensor,
): Promise<Tensor[]> {
  return be.run(rmsNormBackwardOp, [x, gamma, rstd, dy], {});
}
