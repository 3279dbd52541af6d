// Cross-entropy with integer labels over logits [N, V] (loss per row; the caller divides by the counted tokens),
// its backward with a uniform scale or per-row weights, and per-token log-probs (for the likelihood-based
// bias metrics). Kernel: cross-entropy.wgsl; reference: cross-entropy.ref.ts.
import type { Backend, OpDef, Tensor, TensorSpec } from '../../backend/backend';
import { check } from '../../gpu/errors';
import { uniformStruct } from '../../gpu/uniforms';
import { rowGrid, rowWorkgroupSize } from '../reduce/row-grid';
import {
  crossEntropyBackwardRef,
  crossEntropyRef,
  crossEntropyRows,
  tokenLogprobsRef,
  tokenLogprobsRows,
  DEFAULT_IGNORE_INDEX,
  type CrossEntropyAttrs,
  type CrossEntropyBackwardAttrs,
} from './cross-entropy.ref';
import code from './cross-entropy.wgsl?raw';

export type { CrossEntropyAttrs, CrossEntropyBackwardAttrs };
export { DEFAULT_IGNORE_INDEX };

function checkLogitsLabels(op: string, logits: TensorSpec, labels: TensorSpec): [number, number] {
  check(
    logits.dtype === 'f32' && logits.shape.length === 2,
    () => `${op}: logits must be f32 [N, V], got ${logits.dtype} [${logits.shape}]`,
  );
  const [N, V] = logits.shape;
  check(V >= 1, `${op}: V must be ≥ 1`);
  check(
    labels.dtype === 'i32' && labels.shape.length === 1 && labels.shape[0] === N,
    () => `${op}: labels must be i32 [${N}], got ${labels.dtype} [${labels.shape}]`,
  );
  return [N, V];
}

/** cross-entropy.wgsl `Params`: scale = the backward's weight of every row without per-row weights; nanBits is
 *  always 0x7fc00000 (a NaN must come from run-time data: WGSL rejects NaN constants). */
const params = uniformStruct({ rows: 'u32', V: 'u32', ignoreIndex: 'i32', scale: 'f32', nanBits: 'u32' }, [code]);

function uniforms(N: number, V: number, ignoreIndex: number, scale: number) {
  return params({ rows: N, V, ignoreIndex, scale, nanBits: 0x7fc00000 });
}

export const crossEntropyOp: OpDef<CrossEntropyAttrs> = {
  name: 'cross-entropy',
  infer([logits, labels]) {
    const [N] = checkLogitsLabels('crossEntropy', logits, labels);
    return [
      { shape: [N], dtype: 'f32' },
      { shape: [N], dtype: 'f32' },
    ];
  },
  ref: crossEntropyRef,
  cpu: (_ctx, [logits, labels], [loss, lse], attrs) =>
    crossEntropyRows(
      logits.f32,
      labels.i32,
      logits.shape[1],
      attrs.ignoreIndex ?? DEFAULT_IGNORE_INDEX,
      loss.f32,
      lse.f32,
    ),
  gpu({ runner }, [logits, labels], [loss, lse], attrs) {
    const [N, V] = logits.shape;
    runner.dispatch({
      label: 'cross-entropy',
      code,
      entryPoint: 'forward',
      constants: { WG: rowWorkgroupSize(V) },
      uniforms: uniforms(N, V, attrs.ignoreIndex ?? DEFAULT_IGNORE_INDEX, 1),
      buffers: [logits.buffer, labels.buffer, loss.buffer, lse.buffer],
      workgroups: rowGrid(N),
    });
  },
};

export const crossEntropyBackwardOp: OpDef<CrossEntropyBackwardAttrs> = {
  name: 'cross-entropy-backward',
  infer([logits, labels, lse, weights], attrs) {
    const [N, V] = checkLogitsLabels('crossEntropyBackward', logits, labels);
    check(
      lse.dtype === 'f32' && `${lse.shape}` === `${N}`,
      () => `crossEntropyBackward: lse must be f32 [${N}], got [${lse.shape}]`,
    );
    check(!!attrs.hasWeights === !!weights, 'crossEntropyBackward: hasWeights must match the inputs');
    if (weights)
      check(
        weights.dtype === 'f32' && `${weights.shape}` === `${N}`,
        () => `crossEntropyBackward: weights must be f32 [${N}], got [${weights.shape}]`,
      );
    return [{ shape: [N, V], dtype: 'f32' }];
  },
  ref: crossEntropyBackwardRef,
  gpu({ runner }, [logits, labels, lse, weights], [dlogits], attrs) {
    const [N, V] = logits.shape;
    runner.dispatch({
      label: 'cross-entropy-backward',
      code,
      entryPoint: weights ? 'backward_weighted' : 'backward',
      constants: { WG: rowWorkgroupSize(V) },
      uniforms: uniforms(N, V, attrs.ignoreIndex ?? DEFAULT_IGNORE_INDEX, attrs.scale ?? 1),
      buffers: [logits.buffer, labels.buffer, lse.buffer, dlogits.buffer, ...(weights ? [weights.buffer] : [])],
      workgroups: rowGrid(N),
    });
  },
};

export const tokenLogprobsOp: OpDef<Record<string, never>> = {
  name: 'token-logprobs',
  infer([logits, labels]) {
    const [N] = checkLogitsLabels('tokenLogprobs', logits, labels);
    return [{ shape: [N], dtype: 'f32' }];
  },
  ref: tokenLogprobsRef,
  cpu: (_ctx, [logits, labels], [out]) => tokenLogprobsRows(logits.f32, labels.i32, logits.shape[1], out.f32),
  gpu({ runner }, [logits, labels], [out]) {
    const [N, V] = logits.shape;
    runner.dispatch({
      label: 'token-logprobs',
      code,
      entryPoint: 'logprobs',
      constants: { WG: rowWorkgroupSize(V) },
      uniforms: uniforms(N, V, 0, 1),
      buffers: [logits.buffer, labels.buffer, out.buffer],
      workgroups: rowGrid(N),
    });
  },
};

/** → [loss [N] (−log softmax(logits)[label], 0 where ignored), lse [N] (kept for the backward)]. */
export async function crossEntropy(
  be: Backend,
  logits: Tensor,
  labels: Tensor,
  attrs: CrossEntropyAttrs = {},
): Promise<Tensor[]> {
  return be.run(crossEntropyOp, [logits, labels], attrs);
}

/** dlogits [N, V] = w_i · (softmax(logits_i) − onehot(label_i)), w_i = weights[i] if given else scale; 0 rows where ignored. */
export async function crossEntropyBackward(
  be: Backend,
  logits: Tensor,
  labels: Tensor,
  lse: Tensor,
  attrs: Omit<CrossEntropyBackwardAttrs, 'hasWeights'> = {},
  weights?: Tensor,
): Promise<Tensor> {
  const inputs = weights ? [logits, labels, lse, weights] : [logits, labels, lse];
  const [d] = await be.run(crossEntropyBackwardOp, inputs, { ...attrs, hasWeights: !!weights });
  return d;
}

/** [N] = log softmax(logits)[label], 0 where label < 0. */
export async function tokenLogprobs(be: Backend, logits: Tensor, labels: Tensor): Promise<Tensor> {
  const [out] = await be.run(tokenLogprobsOp, [logits, labels], {});
  return out;
}
