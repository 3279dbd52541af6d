// Cross-entropy to a frozen reference model's distribution (the KL-to-reference term of unlearning): loss per
// row and its backward with a uniform scale or per-row weights. Equals KL(p_ref ‖ p_θ) up to the reference
// entropy (same gradient); see soft-cross-entropy.ref.ts for that and for the study's +1e-12 inside the log.
// Kernel: soft-cross-entropy.wgsl.
import type { Backend, OpDef, Tensor, TensorSpec } from '../../backend/backend';
import { check } from '../../gpu/errors';
import { uniformStruct } from '../../gpu/uniforms';
import { rowGrid, rowWorkgroupSize } from '../reduce/row-grid';
import { softCrossEntropyBackwardRef, softCrossEntropyRef, type SoftCrossEntropyBackwardAttrs } from './soft-cross-entropy.ref';
import code from './soft-cross-entropy.wgsl?raw';

/** soft-cross-entropy.wgsl `Params`: scale = the backward's weight of every row without per-row weights. */
const params = uniformStruct({ rows: 'u32', V: 'u32', scale: 'f32' }, [code]);

export type { SoftCrossEntropyBackwardAttrs };

function checkPair(op: string, logits: TensorSpec, ref: TensorSpec): [number, number] {
  check(logits.dtype === 'f32' && logits.shape.length === 2 && logits.shape[1] >= 1, () => `${op}: logits must be f32 [N, V], got ${logits.dtype} [${logits.shape}]`);
  check(ref.dtype === 'f32' && `${ref.shape}` === `${logits.shape}`, () => `${op}: refLogits [${ref.shape}] must match logits [${logits.shape}]`);
  return [logits.shape[0], logits.shape[1]];
}

export const softCrossEntropyOp: OpDef<Record<string, never>> = {
  name: 'soft-cross-entropy',
  infer([logits, ref]) {
    const [N] = checkPair('softCrossEntropy', logits, ref);
    return [{ shape: [N], dtype: 'f32' }];
  },
  ref: softCrossEntropyRef,
  gpu({ runner }, [logits, ref], [loss]) {
    const [N, V] = logits.shape;
    runner.dispatch({
      label: 'soft-cross-entropy',
      code,
      entryPoint: 'forward',
      constants: { WG: rowWorkgroupSize(V) },
      uniforms: params({ rows: N, V, scale: 1 }),
      buffers: [logits.buffer, ref.buffer, loss.buffer],
      workgroups: rowGrid(N),
    });
  },
};

export const softCrossEntropyBackwardOp: OpDef<SoftCrossEntropyBackwardAttrs> = {
  name: 'soft-cross-entropy-backward',
  infer([logits, ref, weights], attrs) {
    const [N, V] = checkPair('softCrossEntropyBackward', logits, ref);
    check(!!attrs.hasWeights === !!weights, 'softCrossEntropyBackward: hasWeights must match the inputs');
    if (weights) check(weights.dtype === 'f32' && `${weights.shape}` === `${N}`, () => `softCrossEntropyBackward: weights must be f32 [${N}], got [${weights.shape}]`);
    return [{ shape: [N, V], dtype: 'f32' }];
  },
  ref: softCrossEntropyBackwardRef,
  gpu({ runner }, [logits, ref, weights], [d], attrs) {
    const [N, V] = logits.shape;
    runner.dispatch({
      label: 'soft-cross-entropy-backward',
      code,
      entryPoint: weights ? 'backward_weighted' : 'backward',
      constants: { WG: rowWorkgroupSize(V) },
      uniforms: params({ rows: N, V, scale: attrs.scale ?? 1 }),
      buffers: [logits.buffer, ref.buffer, d.buffer, ...(weights ? [weights.buffer] : [])],
      workgroups: rowGrid(N),
    });
  },
};

/** [N] = −Σ_v softmax(refLogits)(v) · log_softmax(logits)(v). */
export async function softCrossEntropy(be: Backend, logits: Tensor, refLogits: Tensor): Promise<Tensor> {
  const [loss] = await be.run(softCrossEntropyOp, [logits, refLogits], {});
  return loss;
}

/** dlogits [N, V] = w_i · (softmax(logits_i) − softmax(refLogits_i)), w_i = weights[i] if given else scale. */
export async function softCrossEntropyBackward(
  be: Backend,
  logits: Tensor,
  refLogits: Tensor,
  attrs: Omit<SoftCrossEntropyBackwardAttrs, 'hasWeights'> = {},
  weights?: Tensor,
): Promise<Tensor> {
  const inputs = weights ? [logits, refLogits, weights] : [logits, refLogits];
  const [d] = await be.run(softCrossEntropyBackwardOp, inputs, { ...attrs, hasWeights: !!weights });
  return d;
}
