// LayerNorm over the last axis as in torch.nn.LayerNorm (biased variance), returning the per-row mean and
// rstd for the backward pass. x may be f16 (inference: y f16, statistics f32, maths in f32; needs shader-f16).
// Kernels: layernorm.wgsl, layernorm-f16.wgsl; reference: layernorm.ref.ts.
import type { Backend, OpDef, Tensor } from '../../backend/backend';
import { check } from '../../gpu/errors';
import { uniformStruct } from '../../gpu/uniforms';
import { rowGrid, rowWorkgroupSize, rowsOf } from '../reduce/row-grid';
import { layerNormBackwardRef, layerNormRef, layerNormRows, type LayerNormAttrs } from './layernorm.ref';
import code from './layernorm.wgsl?raw';
import codeF16 from './layernorm-f16.wgsl?raw';

/** layernorm.wgsl and layernorm-f16.wgsl `Params`. */
const params = uniformStruct({ rows: 'u32', C: 'u32', eps: 'f32' }, [code, codeF16]);

export type { LayerNormAttrs };

/** Row lanes per column in the parameter-gradient workgroups (LANES in the .wgsl). */
const LANES = 16;
/** Rows per workgroup of forward_vec4 (one per invocation); 4 to 64 measured alike on SwiftShader at 256×768. */
const VEC4_ROWS = 32;

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export const layerNormOp: OpDef<LayerNormAttrs> = {
  name: 'layernorm',
  infer([x, gamma, beta], { eps }) {
    check(
      (x.dtype === 'f32' || x.dtype === 'f16') && gamma.dtype === 'f32' && beta.dtype === 'f32',
      () => `layerNorm: x f32 or f16, gamma and beta f32 expected; got ${x.dtype}, ${gamma.dtype}, ${beta.dtype}`,
    );
    check(
      x.shape.length >= 1 && x.shape[x.shape.length - 1] >= 1,
      () => `layerNorm: x needs a non-empty last axis, got [${x.shape}]`,
    );
    const C = x.shape[x.shape.length - 1];
    check(
      sameShape(gamma.shape, [C]) && sameShape(beta.shape, [C]),
      () => `layerNorm: gamma/beta must be [${C}], got [${gamma.shape}], [${beta.shape}]`,
    );
    check(eps >= 0, 'layerNorm: eps must be ≥ 0');
    const rows = rowsOf(x.shape);
    return [
      { shape: [...x.shape], dtype: x.dtype },
      { shape: [rows], dtype: 'f32' },
      { shape: [rows], dtype: 'f32' },
    ];
  },
  ref: layerNormRef,
  cpu: (_ctx, [x, gamma, beta], [y, mean, rstd], { eps }) =>
    layerNormRows(x.f32, gamma.f32, beta.f32, x.shape[x.shape.length - 1], eps, y.f32, mean.f32, rstd.f32),
  gpu({ runner, f16 }, [x, gamma, beta], [y, mean, rstd], { eps }) {
    const rows = rowsOf(x.shape);
    const C = x.shape[x.shape.length - 1];
    if (x.dtype === 'f16') {
      check(f16, "layerNorm: f16 activations need the WebGPU 'shader-f16' feature, which this adapter does not offer");
      runner.dispatch({
        label: 'layernorm-f16',
        code: codeF16,
        entryPoint: 'forward',
        constants: { WG: VEC4_ROWS },
        uniforms: params({ rows, C, eps }),
        buffers: [x.buffer, gamma.buffer, beta.buffer, y.buffer, mean.buffer, rstd.buffer],
        workgroups: rowGrid(Math.ceil(rows / VEC4_ROWS)),
      });
      return;
    }
    const vec4 = C % 4 === 0;
    runner.dispatch({
      label: 'layernorm',
      code,
      entryPoint: vec4 ? 'forward_vec4' : 'forward',
      constants: { WG: vec4 ? VEC4_ROWS : rowWorkgroupSize(C) },
      uniforms: params({ rows, C, eps }),
      buffers: [x.buffer, gamma.buffer, beta.buffer, y.buffer, mean.buffer, rstd.buffer],
      workgroups: rowGrid(vec4 ? Math.ceil(rows / VEC4_ROWS) : rows),
    });
  },
};

export const layerNormBackwardOp: OpDef<Record<string, never>> = {
  name: 'layernorm-backward',
  infer([x, gamma, mean, rstd, dy]) {
    check(
      [x, gamma, mean, rstd, dy].every((t) => t.dtype === 'f32'),
      'layerNormBackward: f32 tensors expected',
    );
    const C = x.shape[x.shape.length - 1];
    const rows = rowsOf(x.shape);
    check(sameShape(dy.shape, x.shape), () => `layerNormBackward: dy [${dy.shape}] must match x [${x.shape}]`);
    check(sameShape(gamma.shape, [C]), () => `layerNormBackward: gamma must be [${C}], got [${gamma.shape}]`);
    check(
      sameShape(mean.shape, [rows]) && sameShape(rstd.shape, [rows]),
      () => `layerNormBackward: mean/rstd must be [${rows}]`,
    );
    return [
      { shape: [...x.shape], dtype: 'f32' },
      { shape: [C], dtype: 'f32' },
      { shape: [C], dtype: 'f32' },
    ];
  },
  ref: layerNormBackwardRef,
  gpu({ runner }, [x, gamma, mean, rstd, dy], [dx, dgamma, dbeta]) {
    const rows = rowsOf(x.shape);
    const C = x.shape[x.shape.length - 1];
    const WG = rowWorkgroupSize(C);
    runner.dispatch({
      label: 'layernorm-backward',
      code,
      entryPoint: 'backward',
      constants: { WG },
      uniforms: params({ rows, C, eps: 0 }),
      buffers: [x.buffer, gamma.buffer, mean.buffer, rstd.buffer, dy.buffer, dx.buffer, dgamma.buffer, dbeta.buffer],
      workgroups: rowGrid(rows + Math.ceil(C / (WG / LANES))),
    });
  },
};

/** y = LayerNorm(x) · gamma + beta over the last axis → [y [..., C], mean [rows], rstd [rows]]. */
export async function layerNorm(
  be: Backend,
  x: Tensor,
  gamma: Tensor,
  beta: Tensor,
  attrs: LayerNormAttrs,
): Promise<Tensor[]> {
  return be.run(layerNormOp, [x, gamma, beta], attrs);
}

/** → [dx [..., C], dgamma [C], dbeta [C]] from the forward's mean and rstd. */
export async function layerNormBackward(
  be: Backend,
  x: Tensor,
  gamma: Tensor,
  mean: Tensor,
  rstd: Tensor,
  dy: Tensor,
): Promise<Tensor[]> {
  return be.run(layerNormBackwardOp, [x, gamma, mean, rstd, dy], {});
}
