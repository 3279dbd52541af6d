// concat along axis 1 of two f32 tensors [B, S1, ...rest] and [B, S2, ...rest] (KV-cache growth when decoding).
import type { Backend, OpDef, Tensor } from '../../backend/backend';
import { check } from '../../gpu/errors';
import { uniformStruct } from '../../gpu/uniforms';
import { concatDims, concatInto, concatRef } from './concat.ref';
import code from './concat.wgsl?raw';

/** concat.wgsl `Params`. */
const params = uniformStruct({ B: 'u32', S1: 'u32', S2: 'u32', D: 'u32' }, [code]);

const WG = 256;

export const concatOp: OpDef<Record<string, never>> = {
  name: 'concat',
  infer([a, c]) {
    check(a.dtype === 'f32' && c.dtype === 'f32', 'concat: f32 tensors expected');
    check(
      a.shape.length >= 2 && a.shape.length === c.shape.length,
      () => `concat: ranks of [${a.shape}] and [${c.shape}] differ or are < 2`,
    );
    check(
      a.shape[0] === c.shape[0] && a.shape.slice(2).every((d, i) => d === c.shape[i + 2]),
      () => `concat: [${a.shape}] and [${c.shape}] differ outside axis 1`,
    );
    return [{ shape: [a.shape[0], a.shape[1] + c.shape[1], ...a.shape.slice(2)], dtype: 'f32' }];
  },
  ref: concatRef,
  cpu: (_ctx, [a, c], [out]) => concatInto(a.f32, c.f32, out.f32, ...concatDims(a.shape, c.shape)),
  gpu({ runner }, [a, c], [out]) {
    const [B, S1, S2, D] = concatDims(a.shape, c.shape);
    const groups = Math.ceil((B * (S1 + S2) * D) / WG);
    const x = Math.min(groups, 65535);
    runner.dispatch({
      label: 'concat',
      code,
      entryPoint: 'main',
      uniforms: params({ B, S1, S2, D }),
      buffers: [a.buffer, c.buffer, out.buffer],
      workgroups: [x, Math.ceil(groups / x)],
    });
  },
};

export async function concat(be: Backend, a: Tensor, c: Tensor): Promise<Tensor> {
  const [out] = await be.run(concatOp, [a, c], {});
  return out;
}
