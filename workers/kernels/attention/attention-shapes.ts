// Shape rules of grouped-query attention, shared by the dispatchers and the float64 reference.
// Layouts: q [B, T, NH, HS], k/v [B, S, NKV, HS] (the [B, T, C] outputs of the projections, read through
// strides), optional bias [NH, T, S] or [1|B, NH, T, S], optional keyMask [B, S], probs [B, NH, T, S].
import { check } from '../../gpu/errors';

export interface AttentionAttrs {
  /** Multiplies q·kᵀ before the bias is added (1/sqrt(HS) for BERT/Llama, 1 for T5). */
  scale: number;
  causal?: boolean;
  /** Query row i sees keys j ≤ i + causalOffset; default S − T (the queries are the last T positions). */
  causalOffset?: number;
  /** Set by the dispatcher: which optional inputs follow q, k, v (bias first, then keyMask). */
  hasBias?: boolean;
  hasMask?: boolean;
}

export interface AttentionShapes {
  B: number;
  T: number;
  S: number;
  NH: number;
  NKV: number;
  HS: number;
  /** Query heads per kv head: query head h reads kv head floor(h / group). */
  group: number;
  /** Element stride of the bias between batch rows: 0 when it is shared by the batch. */
  biasBatchStride: number;
  causalOffset: number;
}

const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

export function attentionShapes(shapes: readonly (readonly number[])[], attrs: AttentionAttrs): AttentionShapes {
  const [q, k, v] = shapes;
  check(
    q.length === 4 && k.length === 4,
    () => `attention: q [B, T, NH, HS] and k [B, S, NKV, HS] expected, got [${q}] and [${k}]`,
  );
  const [B, T, NH, HS] = q;
  const [Bk, S, NKV, HSk] = k;
  check(same(k, v), () => `attention: k [${k}] and v [${v}] differ`);
  check(Bk === B && HSk === HS, () => `attention: q [${q}] and k [${k}] disagree on B or HS`);
  check(NKV > 0 && NH % NKV === 0, () => `attention: NH ${NH} is not a multiple of NKV ${NKV}`);
  check(HS <= 256, () => `attention: head size ${HS} > 256 is not supported`);
  let next = 3;
  let biasBatchStride = 0;
  if (attrs.hasBias) {
    const bias = shapes[next++];
    check(bias !== undefined, 'attention: hasBias set but no bias input');
    const tail = bias.slice(-3);
    check(
      same(tail, [NH, T, S]) && (bias.length === 3 || (bias.length === 4 && (bias[0] === 1 || bias[0] === B))),
      () => `attention: bias [${bias}] must be [NH, T, S] or [1|B, NH, T, S] = [${B}, ${NH}, ${T}, ${S}]`,
    );
    biasBatchStride = bias.length === 4 && bias[0] === B && B > 1 ? NH * T * S : 0;
  }
  if (attrs.hasMask) {
    const mask = shapes[next++];
    check(mask !== undefined && same(mask, [B, S]), () => `attention: keyMask [${mask}] must be [B, S] = [${B}, ${S}]`);
  }
  check(shapes.length === next, () => `attention: ${shapes.length} inputs, expected ${next}`);
  return { B, T, S, NH, NKV, HS, group: NH / NKV, biasBatchStride, causalOffset: attrs.causalOffset ?? S - T };
}
