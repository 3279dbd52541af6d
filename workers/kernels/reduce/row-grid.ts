// Dispatch geometry shared by the row kernels (normalisation, softmax, reductions, losses): one workgroup of
// ROW_WG invocations per row, rows spread over x then y so row counts above the 65,535-per-dimension limit work.
// WGSL side: row = wg.y * num_workgroups.x + wg.x, and workgroups past the last row return at once.
import type { Workgroups } from '../../gpu/runner';

/** Invocations per row workgroup: the largest size every adapter we target allows. */
export const ROW_WG = 256;
const MAX_X = 65535;

/** Number of rows of a [..., C] tensor: every leading dim flattened (1 for a rank-1 tensor). */
export function rowsOf(shape: readonly number[]): number {
  return shape.slice(0, -1).reduce((a, b) => a * b, 1);
}

export function rowGrid(rows: number): Workgroups {
  if (rows === 0) return [0];
  const x = Math.min(rows, MAX_X);
  return [x, Math.ceil(rows / x)];
}
