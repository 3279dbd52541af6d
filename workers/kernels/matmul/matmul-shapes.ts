// Shape rules of batched matmul, shared by the dispatcher and the reference.
import { check } from '../../gpu/errors';

export interface MatmulAttrs {
  /** Read A as [.., K, M] and use its transpose. */
  transA?: boolean;
  /** Read B as [.., N, K] and use its transpose (the layout of nn.Linear weights). */
  transB?: boolean;
  alpha?: number;
}

export interface MatmulShapes {
  M: number;
  N: number;
  K: number;
  batch: number;
  broadcastB: boolean;
  outShape: number[];
}

export function matmulShapes(a: readonly number[], b: readonly number[], attrs: MatmulAttrs): MatmulShapes {
  check(a.length >= 2 && b.length >= 2, () => `matmul: operands need rank ≥ 2, got [${a}] and [${b}]`);
  const [a0, a1] = a.slice(-2);
  const [b0, b1] = b.slice(-2);
  const [M, K] = attrs.transA ? [a1, a0] : [a0, a1];
  const [Kb, N] = attrs.transB ? [b1, b0] : [b0, b1];
  check(
    K === Kb,
    () => `matmul: inner dimensions differ: A [${a}]${attrs.transA ? 'ᵀ' : ''} vs B [${b}]${attrs.transB ? 'ᵀ' : ''}`,
  );
  const batchDims = a.slice(0, -2);
  const batch = batchDims.reduce((x, y) => x * y, 1);
  const bBatch = b.slice(0, -2).reduce((x, y) => x * y, 1);
  const broadcastB = b.length === 2;
  check(
    broadcastB || (bBatch === batch && b.length === a.length),
    () => `matmul: batch dims of [${a}] and [${b}] differ (B may be 2-D to broadcast)`,
  );
  return { M, N, K, batch, broadcastB, outShape: [...batchDims, M, N] };
}
