// Pointwise activations and their backward: gelu (erf or tanh form), silu, relu, tanh. Forward takes f32 or f16
// (f16 out, maths in f32: the inference path of f16 activations); backward is f32 (training).
// Reference: activation.ref.ts. Kernel: activation.wgsl (entry points forward / backward, ACT override).
import type { Backend, OpDef, Tensor } from '../../backend/backend';
import { check } from '../../gpu/errors';
import { uniformStruct } from '../../gpu/uniforms';
import { flatGrid } from '../elementwise/grid';
import {
  activationBackwardRef,
  activationInto,
  activationRef,
  type ActKind,
  type PointwiseKind,
} from './activation.ref';
import code from './activation.wgsl?raw';
import { normalCdfF32 } from './erf32';

/** activation.wgsl `Params` (also bound by the gated units, ../gated). */
export const activationParams = uniformStruct({ n: 'u32' }, [code]);

export type { ActKind, PointwiseKind };

export interface GeluAttrs {
  /** 'none': x·Φ(x) with erf (XLM-R "gelu"); 'tanh': the tanh approximation (T5 "gelu_new"). */
  approximate: 'none' | 'tanh';
}

/** The ACT override of activation.wgsl for each kind. */
export const ACT_CODE: Record<ActKind, number> = { gelu: 0, gelu_tanh: 1, silu: 2, relu: 3 };
// tanh stays out of ACT_CODE, which the gated units accept as their list of kinds.
const POINTWISE_CODE: Record<PointwiseKind, number> = { ...ACT_CODE, tanh: 4 };

const sameShapes = (name: string, shapes: readonly (readonly number[])[]) =>
  check(
    shapes.every((s) => s.length === shapes[0].length && s.every((d, i) => d === shapes[0][i])),
    () => `${name}: shapes differ: ${shapes.map((s) => `[${s}]`).join(', ')}`,
  );

function forwardOp<A>(name: string, kindOf: (a: A) => PointwiseKind): OpDef<A> {
  return {
    name,
    infer([x]) {
      check(x.dtype === 'f32' || x.dtype === 'f16', `${name}: f32 or f16 input expected, got ${x.dtype}`);
      return [{ shape: [...x.shape], dtype: x.dtype }];
    },
    ref: (inputs, attrs) => activationRef(kindOf(attrs), inputs),
    cpu: (_ctx, [x], [y], attrs) => activationInto(kindOf(attrs), x.f32, y.f32, null, normalCdfF32),
    gpu({ runner }, [x], [y], attrs) {
      // f16 in, f16 out (inference): one invocation per pair of halves, maths in f32.
      const h = x.dtype === 'f16';
      runner.dispatch({
        label: h ? `${name}-f16` : name,
        code,
        entryPoint: h ? 'forward_h' : 'forward',
        constants: { ACT: POINTWISE_CODE[kindOf(attrs)] },
        uniforms: activationParams({ n: x.numel }),
        buffers: [x.buffer, y.buffer],
        workgroups: flatGrid(h ? Math.ceil(x.numel / 2) : x.numel),
      });
    },
  };
}

function backwardOp<A>(name: string, kindOf: (a: A) => PointwiseKind): OpDef<A> {
  return {
    name,
    infer([x, dy]) {
      check(x.dtype === 'f32' && dy.dtype === 'f32', `${name}: f32 inputs expected, got ${x.dtype} and ${dy.dtype}`);
      sameShapes(name, [x.shape, dy.shape]);
      return [{ shape: [...x.shape], dtype: 'f32' }];
    },
    ref: (inputs, attrs) => activationBackwardRef(kindOf(attrs), inputs),
    gpu({ runner }, [x, dy], [dx], attrs) {
      runner.dispatch({
        label: name,
        code,
        entryPoint: 'backward',
        constants: { ACT: POINTWISE_CODE[kindOf(attrs)] },
        uniforms: activationParams({ n: x.numel }),
        buffers: [x.buffer, dy.buffer, dx.buffer],
        workgroups: flatGrid(x.numel),
      });
    },
  };
}

const geluKind = (a: GeluAttrs): ActKind => {
  check(
    a.approximate === 'none' || a.approximate === 'tanh',
    `gelu: approximate must be 'none' or 'tanh', got ${a.approximate}`,
  );
  return a.approximate === 'none' ? 'gelu' : 'gelu_tanh';
};

export const geluOp = forwardOp<GeluAttrs>('gelu', geluKind);
export const geluBackwardOp = backwardOp<GeluAttrs>('gelu-backward', geluKind);
export const siluOp = forwardOp<Record<string, never>>('silu', () => 'silu');
export const siluBackwardOp = backwardOp<Record<string, never>>('silu-backward', () => 'silu');
export const reluOp = forwardOp<Record<string, never>>('relu', () => 'relu');
export const reluBackwardOp = backwardOp<Record<string, never>>('relu-backward', () => 'relu');
export const tanhOp = forwardOp<Record<string, never>>('tanh', () => 'tanh');
export const tanhBackwardOp = backwardOp<Record<string, never>>('tanh-backward', () => 'tanh');

export { sameShapes };

export async function gelu(be: Backend, x: Tensor, attrs: GeluAttrs): Promise<Tensor> {
  return (await be.run(geluOp, [x], attrs))[0];
}

/** dx = dy · gelu'(x). */
export async function geluBackward(be: Backend, x: Tensor, dy: Tensor, attrs: GeluAttrs): Promise<Tensor> {
  return (await be.run(geluBackwardOp, [x, dy], attrs))[0];
}

export async function silu(be: Backend, x: Tensor): Promise<Tensor> {
  return (await be.run(siluOp, [x], {}))[0];
}

export async function siluBackward(be: Backend, x: Tensor, dy: Tensor): Promise<Tensor> {
  return (await be.run(siluBackwardOp, [x, dy], {}))[0];
}

export async function relu(be: Backend, x: Tensor): Promise<Tensor> {
  return (await be.run(reluOp, [x], {}))[0];
}

/** dx = dy where x > 0, else 0. */
export async function reluBackward(be: Backend, x: Tensor, dy: Tensor): Promise<Tensor> {
  return (await be.run(reluBackwardOp, [x, dy], {}))[0];
}

export async function tanh(be: Backend, x: Tensor): Promise<Tensor> {
  return (await be.run(tanhOp, [x], {}))[0];
}

/** dx = dy · (1 − tanh²(x)), from the input x (not the output: 1 − y² loses all precision where |y| → 1). */
export async function tanhBackward(be: Backend, x: Tensor, dy: Tensor): Promise<Tensor> {
  return (await be.run(tanhBackwardOp, [x, dy], {}))[0];
}
