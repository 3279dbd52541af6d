// Shape and dtype rules of the linear op family, shared by the dispatchers and the reference.
import type { DType } from '../../backend/backend';
import { check } from '../../gpu/errors';
import { QUANT_GROUP } from '../../gpu/quant-layout';

export type WeightDType = 'f32' | 'f16' | 'q8' | 'q4';
const WEIGHT_DTYPES: readonly DType[] = ['f32', 'f16', 'q8', 'q4'];

/** Anything with a shape and dtype: a Spec, a GpuTensor, a HostTensor. */
export interface Spec {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

export interface LinearShapes {
  /** Rows: the product of the activation's leading dims. */
  M: number;
  N: number;
  K: number;
}

/** The adapter cannot run this weight dtype (f16 weights without the shader-f16 feature). */
export class UnsupportedWeightError extends Error {
  override readonly name = 'UnsupportedWeightError';
}

export function checkWeight(op: string, w: Spec): { N: number; K: number } {
  check(
    WEIGHT_DTYPES.includes(w.dtype),
    () => `${op}: weight dtype ${w.dtype} is not one of ${WEIGHT_DTYPES.join(', ')}`,
  );
  check(w.shape.length === 2, () => `${op}: weight must be [N, K], got [${w.shape}]`);
  const [N, K] = w.shape;
  check(
    (w.dtype !== 'q8' && w.dtype !== 'q4') || K % QUANT_GROUP === 0,
    () => `${op}: quantised weight [${w.shape}] needs K to be a multiple of ${QUANT_GROUP}`,
  );
  return { N, K };
}

/** x [..., K] with w [N, K] (and bias [N]) → y [..., N]. */
export function linearShapes(x: Spec, w: Spec, bias?: Spec): LinearShapes & { outShape: number[] } {
  const { N, K } = checkWeight('linear', w);
  // f16 activations (inference) pair with f16 weights: the f16 kernel reads both as halves.
  check(
    x.dtype === 'f32' || (x.dtype === 'f16' && w.dtype === 'f16'),
    () => `linear: activations must be f32, or f16 with f16 weights; got ${x.dtype} with ${w.dtype} weights`,
  );
  check(
    x.shape.length >= 1 && x.shape[x.shape.length - 1] === K,
    () => `linear: x [${x.shape}] does not end in K = ${K} of weight [${w.shape}]`,
  );
  if (bias) {
    check(bias.dtype === 'f32', `linear: bias must be f32, got ${bias.dtype}`);
    check(bias.shape.length === 1 && bias.shape[0] === N, () => `linear: bias [${bias.shape}] does not match N = ${N}`);
  }
  const lead = x.shape.slice(0, -1);
  return { M: lead.reduce((a, b) => a * b, 1), N, K, outShape: [...lead, N] };
}

/** dy [..., N] with w [N, K] → dx [..., K]. */
export function linearBackwardInputShapes(dy: Spec, w: Spec): LinearShapes & { outShape: number[] } {
  const { N, K } = checkWeight('linearBackwardInput', w);
  check(dy.dtype === 'f32', `linearBackwardInput: dy must be f32, got ${dy.dtype}`);
  check(
    dy.shape.length >= 1 && dy.shape[dy.shape.length - 1] === N,
    () => `linearBackwardInput: dy [${dy.shape}] does not end in N = ${N} of weight [${w.shape}]`,
  );
  const lead = dy.shape.slice(0, -1);
  return { M: lead.reduce((a, b) => a * b, 1), N, K, outShape: [...lead, K] };
}
