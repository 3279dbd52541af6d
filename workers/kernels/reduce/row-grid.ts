// Dispatch geometry shared by the row kernels (normalisation, softmax, reductions, losses): one workgroup per
// row, rows spread over x then y so row counts above the 65,535-per-dimension limit work. WGSL side:
// row = wg.y * num_workgroups.x + wg.x, workgroups past the last row return at once, and the workgroup size is
// the override constant WG.
import type { Workgroups } from '../../gpu/runner';

const MAX_X = 65535;

/**
 * Invocations per row workgroup (a power of two, ≥ 16). Measured on SwiftShader (2 cores), a workgroup's cost
 * grows with its size far more than with its work: softmax over [512, 768] took ~0.1 s with 16 invocations
 * per row and ~1.5 s with 256. So rows of model widths get 16; only vocabulary-sized rows, which are few and
 * long, get 256 so a real GPU spreads them.
 */
export function rowWorkgroupSize(C: number): number {
  return C <= 1024 ? 16 : C <= 8192 ? 64 : 256;
}

/** Number of rows of a [..., C] tensor: every leading dim flattened (1 for a rank-1 tensor). */
export function rowsOf(shape: readonly number[]): number {
  return shape.slice(0, -1).reduce((a, b) => a * b, 1);
}

export function rowGrid(rows: number): Workgroups {
  if (rows === 0) return [0];
  const x = Math.min(rows, MAX_X);
  return [x, Math.ceil(rows / x)];
}
