// Dispatch geometry of the flat elementwise kernels in this folder and its siblings (activation, gated,
// embedding, rope): EW_WG invocations per workgroup, workgroups spread over x then y so tensors with more than
// 65,535 × EW_WG elements still fit one dispatch.
// WGSL side: i = (wg.y * num_workgroups.x + wg.x) * EW_WG + lid.x, and invocations past the end return.
import type { Workgroups } from '../../gpu/runner';

/** Invocations per workgroup; must equal the `@workgroup_size` of the flat entry points. */
export const EW_WG = 256;
const MAX_X = 65535;

export function flatGrid(n: number): Workgroups {
  const groups = Math.ceil(n / EW_WG);
  if (groups === 0) return [0];
  const x = Math.min(groups, MAX_X);
  return [x, Math.ceil(groups / x)];
}
