// linear with f16 activations and f16 weights (the inference path of an f16 model): x f16 → y f16, products
// accumulated in f32. Needs shader-f16 (array<f16> in the kernel), so it runs in the lavapipe project only.
import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../workers/backend/backend';
import { WebGpuBackend } from '../../workers/backend/webgpu-backend';
import { decodeHalf, encodeHalf } from '../../workers/gpu/f16';
import { linear } from '../../workers/kernels/linear/linear';
import { linearRef } from '../../workers/kernels/linear/linear.ref';
import { expectClose } from '../helpers/compare';
import { testGpu } from '../helpers/gpu';
import { randInt, randn, rng } from '../helpers/random';

/** Values exactly representable in f16 (what an f16 upload stores). */
const half = (x: Float64Array) => Float64Array.from(decodeHalf(encodeHalf(x), x.length));
const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

// The f32 accumulation budget of linear.test.ts (2e-5·√K abs, 1e-5 rel: K unit-variance products), then one
// rounding of y to f16 (either neighbour is allowed in WGSL: one f16 ulp, 2⁻¹⁰ relative, 2⁻²⁴ below normals).
const tol = (K: number) => ({ atol: 2e-5 * Math.sqrt(K) + 2 ** -24, rtol: 1e-5 + 2 ** -10 });

describe('linear with f16 activations', () => {
  it('matches the float64 reference on ragged shapes, with and without bias', async () => {
    const be = new WebGpuBackend(await testGpu());
    expect(be.features.f16).toBe(true);
    const r = rng(23);
    for (let i = 0; i < 5; i++) {
      const lead = i === 0 ? [1] : i % 2 ? [randInt(1, 70, r)] : [2, randInt(1, 40, r)];
      const N = i === 1 ? 1 : randInt(1, 90, r);
      const K = i === 2 ? 1 : randInt(1, 100, r);
      const X = half(randn(prod(lead) * K, 300 + i));
      const W = half(randn(N * K, 400 + i));
      const B = Float64Array.from(Float32Array.from(randn(N, 500 + i)));
      const withBias = i % 2 === 0;
      const tx = be.upload(X, [...lead, K], 'f16');
      const tw = be.upload(W, [N, K], 'f16');
      const tb = withBias ? be.upload(B, [N]) : null;
      const y = await linear(be, tx, tw, tb);
      expect(y.dtype).toBe('f16');
      expect(y.shape).toEqual([...lead, N]);
      const host = (shape: number[], dtype: 'f16' | 'f32', data: Float64Array): HostTensor => ({ shape, dtype, data });
      const [ref] = linearRef([
        host([...lead, K], 'f16', X),
        host([N, K], 'f16', W),
        ...(withBias ? [host([N], 'f32', B)] : []),
      ]);
      expect(ref.dtype).toBe('f16');
      expectClose(await be.download(y), ref.data, tol(K), `linear f16 ${JSON.stringify({ lead, N, K, withBias })}`);
      [tx, tw, tb, y].forEach((t) => t?.dispose());
    }
  });

  it('pinned case, and f16 activations with non-f16 weights are refused', async () => {
    const be = new WebGpuBackend(await testGpu());
    const x = be.upload([1, 2, 0.5, -1], [2, 2], 'f16');
    const w = be.upload([1, 0.25, -2, 4], [2, 2], 'f16');
    // y = x·wᵀ + [0.5, -1]: [1 + 0.5, -2 + 8] + b, [0.5 - 0.25, -1 - 4] + b
    const y = await linear(be, x, w, be.upload([0.5, -1], [2]));
    expect(Array.from(await be.download(y))).toEqual([2, 5, 0.75, -6]);
    await expect(linear(be, x, be.upload([1, 0, 0, 1], [2, 2]))).rejects.toThrow(/f16 with f16 weights/);
  });
});
