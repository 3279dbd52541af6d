// Rotary position embedding on [B, T, NH, HS] with cos/sin tables [T, HS/2] (shared) or [B, T, HS/2] (per
// batch row), and its backward. Llama's rotate_half pairing. Tables come from ropeTables (rope-tables.ts).
// Reference: rope.ref.ts. Kernel: rope.wgsl.
import type { Backend, OpDef, Tensor, TensorSpec } from '../../backend/backend';
import { check } from '../../gpu/errors';
import { uniformStruct } from '../../gpu/uniforms';
import { flatGrid } from '../elementwise/grid';
import { ropeBackwardRef, ropeRef, rotateInto } from './rope.ref';
import code from './rope.wgsl?raw';

/** rope.wgsl `Params`: n pairs, H2 = HS/2, perRow 1 for [B, T, HS/2] tables, sign +1 forward / −1 backward. */
const params = uniformStruct({ n: 'u32', T: 'u32', NH: 'u32', H2: 'u32', perRow: 'u32', sign: 'f32' }, [code]);

export { ropeInvFreq, ropeTables, type Llama3RopeScaling, type RopeTableOptions } from './rope-tables';

function ropeInfer(name: string, [x, cos, sin]: readonly TensorSpec[]): TensorSpec[] {
  check(
    [x, cos, sin].every((t) => t.dtype === 'f32'),
    `${name}: f32 tensors expected`,
  );
  check(
    x.shape.length === 4 && x.shape[3] % 2 === 0,
    () => `${name}: x must be [B, T, NH, HS] with even HS, got [${x.shape}]`,
  );
  const [B, T, , HS] = x.shape;
  const shared = [T, HS / 2];
  const perRow = [B, T, HS / 2];
  const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
  check(same(cos.shape, sin.shape), () => `${name}: cos [${cos.shape}] and sin [${sin.shape}] differ`);
  check(
    same(cos.shape, shared) || same(cos.shape, perRow),
    () => `${name}: tables must be [${shared}] or [${perRow}] for x [${x.shape}], got [${cos.shape}]`,
  );
  return [{ shape: [...x.shape], dtype: 'f32' }];
}

function ropeOp(name: string, sign: 1 | -1, ref: OpDef<Record<string, never>>['ref']): OpDef<Record<string, never>> {
  return {
    name,
    infer: (inputs) => ropeInfer(name, inputs),
    ref,
    // The backward rotation is training's: WebGPU only, like every backward op.
    cpu:
      sign === 1
        ? (_ctx, [x, cos, sin], [y]) => rotateInto(x.f32, x.shape, cos.f32, sin.f32, cos.shape.length === 3, 1, y.f32)
        : undefined,
    gpu({ runner }, [x, cos, sin], [y]) {
      const [, T, NH, HS] = x.shape;
      const n = x.numel / 2;
      runner.dispatch({
        label: name,
        code,
        entryPoint: 'main',
        uniforms: params({ n, T, NH, H2: HS / 2, perRow: cos.shape.length === 3 ? 1 : 0, sign }),
        buffers: [x.buffer, cos.buffer, sin.buffer, y.buffer],
        workgroups: flatGrid(n),
      });
    },
  };
}

export const ropeOpDef = ropeOp('rope', 1, ropeRef);
export const ropeBackwardOpDef = ropeOp('rope-backward', -1, ropeBackwardRef);

/** x [B, T, NH, HS] rotated by the angles in cos/sin ([T, HS/2] or [B, T, HS/2]). */
export async function rope(be: Backend, x: Tensor, cos: Tensor, sin: Tensor): Promise<Tensor> {
  return (await be.run(ropeOpDef, [x, cos, sin], {}))[0];
}

/** dx from dy: the rotation by the negative angles. */
export async function ropeBackward(be: Backend, dy: Tensor, cos: Tensor, sin: Tensor): Promise<Tensor> {
  return (await be.run(ropeBackwardOpDef, [dy, cos, sin], {}))[0];
}
