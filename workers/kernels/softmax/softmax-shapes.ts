// Shape rules of the masked softmax, shared by the dispatcher and the reference.
import { check } from '../../gpu/errors';

export interface SoftmaxAttrs {
  /** Multiplies the scores before the bias is added (default 1). */
  scale?: number;
  /** Query i sees keys ≤ i + causalOffset. */
  causal?: boolean;
  /** Default Tk − Tq: the queries are the last Tq positions (decoding with a KV cache). */
  causalOffset?: number;
}

/** Op attributes: which optional inputs follow x, in the order [x, bias?, keyMask?]. */
export interface SoftmaxOpAttrs extends SoftmaxAttrs {
  hasBias?: boolean;
  hasKeyMask?: boolean;
}

export interface SoftmaxShapes {
  rows: number;
  Tq: number;
  Tk: number;
  /** NH · Tq (rank-4 inputs) — rows that share one key-mask row. */
  rowsPerBatch: number;
  /** Rows of the bias; row r of x reads bias row r % biasRows. */
  biasRows: number;
  offset: number;
}

export function softmaxShapes(shapes: readonly (readonly number[])[], attrs: SoftmaxOpAttrs): SoftmaxShapes {
  const x = shapes[0];
  check(x.length >= 1 && x[x.length - 1] >= 1, () => `softmax: need a non-empty last axis, got [${x}]`);
  const Tk = x[x.length - 1];
  const Tq = x.length >= 2 ? x[x.length - 2] : 1;
  const rows = x.slice(0, -1).reduce((a, b) => a * b, 1);
  const masked = attrs.hasBias || attrs.hasKeyMask;
  check(!masked || x.length === 4, () => `softmax: bias and key mask need scores [B, NH, Tq, Tk], got [${x}]`);
  const [B, NH] = x.length === 4 ? x : [1, 1];
  let biasRows = rows;
  let next = 1;
  if (attrs.hasBias) {
    const b = shapes[next++];
    const inner = `${NH},${Tq},${Tk}`;
    const ok =
      (b.length === 3 && `${b}` === inner) ||
      (b.length === 4 && (b[0] === 1 || b[0] === B) && `${b.slice(1)}` === inner);
    check(ok, () => `softmax: bias must be [${inner}] or [1|${B},${inner}], got [${b}]`);
    biasRows = b.length === 4 && b[0] === B ? rows : NH * Tq;
  }
  if (attrs.hasKeyMask) {
    const m = shapes[next++];
    check(m.length === 2 && m[0] === B && m[1] === Tk, () => `softmax: keyMask must be [${B}, ${Tk}], got [${m}]`);
  }
  check(shapes.length === next, () => `softmax: expected ${next} inputs, got ${shapes.length}`);
  const offset = attrs.causalOffset ?? Tk - Tq;
  check(Number.isInteger(offset), 'softmax: causalOffset must be an integer');
  return { rows, Tq, Tk, rowsPerBatch: NH * Tq, biasRows, offset };
}
