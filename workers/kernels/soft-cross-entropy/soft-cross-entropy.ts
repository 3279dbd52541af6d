// Cross-entropy to a frozen reference model's distribution (the KL-to-reference term of unlearning): loss per
// row and its backward with a uniform scale or per-row weights. Equals KL(p_ref ‖ p_θ) up to the reference
// entropy (same gradient); `eps` adds a constant inside the log, as the study's log(p_θ + 1e-12)
// (soft-cross-entropy.ref.ts).
// Kernel: soft-cross-entropy.wgsl.
import type { Backend, OpDef, Tensor, TensorSpec } from '../../backend/backend';
import { check } from '../../gpu/errors';
import { uniformStruct } from '../../gpu/uniforms';
import { rowGrid, rowWorkgroupSize } from '../reduce/row-grid';
import {
  softCrossEntropyBackwardRef,
  softCrossEntropyRef,
  type SoftCrossEntropyAttrs,
  type SoftCrossEntropyBackwardAttrs,
} from './soft-cross-entropy.ref';
import code from './soft-cross-entropy.wgsl?raw';

/** soft-cross-entropy.wgsl `Params`: scale = the backward's weight of every row without per-row weights; eps is
 *  added to q inside the log (0 = exact log-softmax). */
const params = uniformStruct({ rows: 'u32', V: 'u32', scale: 'f32', eps: 'f32' }, [code]);

export type { SoftCrossEntropyAttrs, SoftCrossEntropyBackwardAttrs };

function checkPair(op: string, logits: TensorSpec, ref: TensorSpec): [number, number] {
  check(
    logits.dtype === 'f32' && logits.shape.length === 2 && logits.shape[1] >= 1,
    () => `${op}: logits must be f32 [N, V], got ${logits.dtype} [${logits.shape}]`,
  );
  check(
    ref.dtype === 'f32' && `${ref.shape}` === `${logits.shape}`,
    () => `${op}: refLogits [${ref.shape}] must match logits [${logits.shape}]`,
  );
  return [logits.shape[0], logits.shape[1]];
}

export const softCrossEntropyOp: OpDef<SoftCrossEntropyAttrs> = {
  name: 'soft-cross-entropy',
  infer([logits, ref]) {
    const [N] = checkPair('softCrossEntropy', logits, ref);
    return [{ shape: [N], dtype: 'f32' }];
  },
  ref: softCrossEntropyRef,
  gpu({ runner }, [logits, ref], [loss], attrs) {
    const [N, V] = logits.shape;
    runner.dispatch({
      label: 'soft-cross-entropy',
      code,
      entryPoint: 'forward',
      constants: { WG: rowWorkgroupSize(V) },
      uniforms: params({ rows: N, V, scale: 1, eps: checkEps(attrs.eps) }),
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
    if (weights)
      check(
        weights.dtype === 'f32' && `${weights.shape}` === `${N}`,
        () => `softCrossEntropyBackward: weights must be f32 [${N}], got [${weights.shape}]`,
      );
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
      uniforms: params({ rows: N, V, scale: attrs.scale ?? 1, eps: checkEps(attrs.eps) }),
      buffers: [logits.buffer, ref.buffer, d.buffer, ...(weights ? [weights.buffer] : [])],
      workgroups: rowGrid(N),
    });
  },
};

function checkEps(eps: number | undefined): number {
  check(eps === undefined || (eps >= 0 && eps < 1), () => `softCrossEntropy: eps must be in [0, 1), got ${eps}`);
  return eps ?? 0;
}

/** [N] = −Σ_v softmax(refLogits)(v) · log(softmax(logits)(v) + eps); eps 0 (default) = log_softmax. */
export async function softCrossEntropy(
  be: Backend,
  logits: Tensor,
  refLogits: Tensor,
  attrs: SoftCrossEntropyAttrs = {},
): Promise<Tensor> {
  const [loss] = await be.run(softCrossEntropyOp, [logits, refLogits], attrs);
  return loss;
}

/** dlogits [N, V] of the loss above times w_i = weights[i] if given else scale; with eps 0 it is
 *  w_i · (softmax(logits_i) − softmax(refLogits_i)). */
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
