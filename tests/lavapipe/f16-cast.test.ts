// f32 → f16 → f32 on an adapter with shader-f16: the GPU rounds exactly as IEEE round-to-nearest-even (our CPU
// encoder in workers/gpu/f16.ts), including subnormals, overflow to infinity and ties.
import { describe, expect, it } from 'vitest';
import { WebGpuBackend } from '../../workers/backend/webgpu-backend';
import { fromHalf, toHalf } from '../../workers/gpu/f16';
import { cast } from '../../workers/kernels/elementwise/elementwise';
import { testGpu } from '../helpers/gpu';

describe('cast with shader-f16', () => {
  it('rounds like IEEE half, both ways', async () => {
    const be = new WebGpuBackend(await testGpu());
    expect(be.ctx.f16).toBe(true);
    const values = [
      0,
      -0,
      1,
      -1,
      0.1,
      1 / 3,
      65504,
      65520,
      1e6,
      -1e6,
      6e-8,
      3e-8,
      1e-9,
      2049,
      2051,
      1.0009765625,
      Math.PI,
    ];
    const x = be.upload(values, [values.length]);
    const h = await cast(be, x, 'f16');
    expect(h.dtype).toBe('f16');
    const back = await cast(be, h, 'f32');
    const got = Array.from(await be.download(back));
    const want = values.map((v) => fromHalf(toHalf(v)));
    expect(got).toEqual(want);
  });
});
