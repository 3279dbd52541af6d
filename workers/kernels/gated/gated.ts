// Gated units act(gate) ⊙ up and their backward, fused into one pass each: SwiGLU (Llama, act 'silu'),
// gated-GELU (FLAN-T5, 'gelu_tanh'; 'gelu' for the erf form), and 'relu'. Reference: gated.ref.ts.
// Kernel: the gated_forward / gated_backward entry points of ../activation/activation.wgsl, which hold the
// activation maths (the float32 erf fit) once for both folders.
import type { Backend, OpDef, Tensor } from '../../backend/backend';
import { check } from '../../gpu/errors';
import { ACT_CODE, activationParams, sameShapes } from '../activation/activation';
import { activationInto, type ActKind } from '../activation/activation.ref';
import { normalCdfF32 } from '../activation/erf32';
import code from '../activation/activation.wgsl?raw';
import { flatGrid } from '../elementwise/grid';
import { gatedBackwardRef, gatedRef } from './gated.ref';

export interface GatedAttrs {
  act: ActKind;
}

function checkAct(name: string, act: ActKind): void {
  check(act in ACT_CODE, `${name}: act must be one of ${Object.keys(ACT_CODE).join(', ')}, got ${act}`);
}

export const gatedOp: OpDef<GatedAttrs> = {
  name: 'gated',
  infer([gate, up], { act }) {
    checkAct('gated', act);
    const both = gate.dtype === up.dtype && (gate.dtype === 'f32' || gate.dtype === 'f16');
    check(both, `gated: two f32 or two f16 inputs expected, got ${gate.dtype} and ${up.dtype}`);
    sameShapes('gated', [gate.shape, up.shape]);
    return [{ shape: [...gate.shape], dtype: gate.dtype }];
  },
  ref: (inputs, { act }) => gatedRef(inputs, act),
  cpu: (_ctx, [gate, up], [out], { act }) => activationInto(act, gate.f32, out.f32, up.f32, normalCdfF32),
  gpu({ runner }, [gate, up], [out], { act }) {
    // f16 in, f16 out (inference): one invocation per pair of halves, maths in f32.
    const h = gate.dtype === 'f16';
    runner.dispatch({
      label: h ? 'gated-f16' : 'gated',
      code,
      entryPoint: h ? 'gated_forward_h' : 'gated_forward',
      constants: { ACT: ACT_CODE[act] },
      uniforms: activationParams({ n: gate.numel }),
      buffers: [gate.buffer, up.buffer, out.buffer],
      workgroups: flatGrid(h ? Math.ceil(gate.numel / 2) : gate.numel),
    });
  },
};

export const gatedBackwardOp: OpDef<GatedAttrs> = {
  name: 'gated-backward',
  infer([gate, up, dy], { act }) {
    checkAct('gatedBackward', act);
    check(
      [gate, up, dy].every((t) => t.dtype === 'f32'),
      'gatedBackward: f32 inputs expected',
    );
    sameShapes('gatedBackward', [gate.shape, up.shape, dy.shape]);
    return [
      { shape: [...gate.shape], dtype: 'f32' },
      { shape: [...gate.shape], dtype: 'f32' },
    ];
  },
  ref: (inputs, { act }) => gatedBackwardRef(inputs, act),
  gpu({ runner }, [gate, up, dy], [dGate, dUp], { act }) {
    runner.dispatch({
      label: 'gated-backward',
      code,
      entryPoint: 'gated_backward',
      constants: { ACT: ACT_CODE[act] },
      uniforms: activationParams({ n: gate.numel }),
      buffers: [gate.buffer, up.buffer, dy.buffer, dGate.buffer, dUp.buffer],
      workgroups: flatGrid(gate.numel),
    });
  },
};

/** act(gate) ⊙ up, same shapes; f32 or f16 (f16 out, maths in f32). */
export async function gated(be: Backend, gate: Tensor, up: Tensor, attrs: GatedAttrs): Promise<Tensor> {
  return (await be.run(gatedOp, [gate, up], attrs))[0];
}

/** [dGate, dUp] of act(gate) ⊙ up given dOut. */
export async function gatedBackward(
  be: Backend,
  gate: Tensor,
  up: Tensor,
  dy: Tensor,
  attrs: GatedAttrs,
): Promise<Tensor[]> {
  return be.run(gatedBackwardOp, [gate, up, dy], attrs);
}
