// Squared L2 norm over a list of tensors (the gradients before clipping), accumulated on the GPU into a
// one-element tensor so only one number is read back; float64 reference in grad-norm.ref.ts.
import type { Backend, OpDef, Tensor } from '../../backend/backend';
import { check } from '../../gpu/errors';
import { uniformStruct } from '../../gpu/uniforms';
import { sumSquaresRef } from './grad-norm.ref';
import code from './grad-norm.wgsl?raw';

/** grad-norm.wgsl `Params`: stride = invocations in the whole grid. */
const params = uniformStruct({ n: 'u32', stride: 'u32' }, [code]);

const WG = 256;
/** Partial sums per tensor: enough workgroups to fill a GPU, few enough for one finishing workgroup. */
const MAX_GROUPS = 256;

/** acc [1] += Σ x² (acc updated in place). */
export const sumSquaresOp: OpDef<Record<string, never>> = {
  name: 'sum-squares',
  infer([acc, x]) {
    check(acc.dtype === 'f32' && x.dtype === 'f32', 'sum-squares: f32 tensors expected');
    check(
      acc.shape.reduce((a, b) => a * b, 1) === 1,
      () => `sum-squares: accumulator must have one element, got [${acc.shape}]`,
    );
    return [{ shape: [...acc.shape], dtype: 'f32', alias: 0 }];
  },
  ref: sumSquaresRef,
  gpu({ runner }, [acc, x]) {
    const n = x.numel;
    if (n === 0) return;
    const groups = Math.min(MAX_GROUPS, Math.ceil(n / WG));
    const partials = runner.pool.acquire(groups * 4, 'sum-squares-partials');
    runner.dispatch({
      label: 'sum-squares-partial',
      code,
      entryPoint: 'partial',
      uniforms: params({ n, stride: groups * WG }),
      buffers: [x.buffer, partials],
      workgroups: [groups],
    });
    runner.dispatch({
      label: 'sum-squares-finish',
      code,
      entryPoint: 'finish',
      uniforms: params({ n: groups, stride: WG }),
      buffers: [partials, acc.buffer],
      workgroups: [1],
    });
    // Later users of this pooled buffer are recorded after both dispatches, so releasing now is safe.
    runner.pool.release(partials);
  },
};

/** Σ over all tensors of Σ x², as a [1] tensor on the device. */
export async function gradNormSquared(be: Backend, grads: readonly Tensor[]): Promise<Tensor> {
  const acc = be.zeros([1]);
  for (const g of grads) await be.run(sumSquaresOp, [acc, g], {});
  return acc;
}
