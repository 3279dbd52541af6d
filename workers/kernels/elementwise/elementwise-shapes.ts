// Shape rules of the elementwise ops, shared by the dispatcher and the reference: `b` broadcasts over `a`
// when b's shape equals the trailing dims of a's shape (bias [C] on [N, C], a [T, C] table on [B, T, C]).
import { check } from '../../gpu/errors';

export function numelOf(shape: readonly number[]): number {
  return shape.reduce((x, y) => x * y, 1);
}

/** True when `tail` equals the last tail.length dims of `shape`. */
export function isTrailing(shape: readonly number[], tail: readonly number[]): boolean {
  if (tail.length > shape.length) return false;
  const off = shape.length - tail.length;
  return tail.every((d, i) => d === shape[off + i]);
}

export function checkBroadcast(op: string, a: readonly number[], b: readonly number[]): void {
  check(isTrailing(a, b), () => `${op}: b [${b}] must equal a [${a}] or its trailing dims`);
}

/** [N, M] of a sum over leading dims: M = numel(shape), N = numel(x) / M. */
export function sumToShapeDims(x: readonly number[], shape: readonly number[]): { N: number; M: number } {
  check(isTrailing(x, shape), () => `sumToShape: target [${shape}] must equal the trailing dims of [${x}]`);
  const M = numelOf(shape);
  return { N: numelOf(x.slice(0, x.length - shape.length)), M };
}
