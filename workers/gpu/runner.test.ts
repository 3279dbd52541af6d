// The runner's bookkeeping: pooled buffers are reused and counted, pipelines are compiled once per
// (shader, entry point, constants), GPU timestamps come back per dispatch where the adapter has them.
import { describe, expect, it } from 'vitest';
import { testGpu } from '../../tests/helpers/gpu';
import { WebGpuBackend } from '../backend/webgpu-backend';
import { matmul } from '../kernels/matmul/matmul';
import { EXACT_ABOVE, sizeClass } from './buffer-pool';

describe('runner', () => {
  it('size classes cover the request with at most 12.5% slack above 64 KiB', () => {
    for (const n of [1, 255, 256, 257, 65536, 65537, 1e6, 123456789]) {
      const c = sizeClass(n);
      expect(c).toBeGreaterThanOrEqual(n);
      if (n > 65536) expect(c / n).toBeLessThanOrEqual(1.125);
    }
  });

  it('keeps large buffers within 64 KiB of the request, so a tensor under the device limit stays under it', () => {
    const embedding = 128256 * 2048 * 4; // Llama-3.2-1B's f32 embedding table: 1,002 MiB
    expect(sizeClass(embedding)).toBe(embedding);
    expect(sizeClass(EXACT_ABOVE + 1)).toBe(EXACT_ABOVE + 65536);
    expect(sizeClass(1023.99 * 2 ** 20)).toBeLessThanOrEqual(2 ** 30);
  });

  it('reuses released buffers and tracks live and peak bytes', async () => {
    const be = new WebGpuBackend(await testGpu());
    const pool = be.runner.pool;
    const a = be.zeros([1000]);
    const s1 = pool.getStats();
    a.dispose();
    expect(pool.getStats().liveBytes).toBe(s1.liveBytes - sizeClass(4000));
    const b = be.zeros([990]); // same size class: no new allocation
    expect(pool.getStats().allocatedBytes).toBe(s1.allocatedBytes);
    expect(pool.getStats().peakLiveBytes).toBe(s1.peakLiveBytes);
    b.dispose();
    expect(() => b.dispose()).not.toThrow(); // disposing twice is a no-op
  });

  it('compiles a pipeline once and reuses it', async () => {
    const be = new WebGpuBackend(await testGpu());
    const x = be.upload([1, 2, 3, 4], [2, 2]);
    (await matmul(be, x, x)).dispose();
    const n = be.runner.pipelines.size;
    for (let i = 0; i < 3; i++) (await matmul(be, x, x, { transB: true })).dispose();
    expect(be.runner.pipelines.size).toBeLessThanOrEqual(n + 1);
    await be.sync();
  });

  it('returns per-dispatch GPU timings when the adapter has timestamp queries', async () => {
    const gpu = await testGpu();
    const be = new WebGpuBackend(gpu);
    const x = be.upload(new Float32Array(64 * 64).fill(1), [64, 64]);
    const started = be.runner.startProfiling();
    expect(started).toBe(gpu.info.features.timestamps);
    if (!started) return; // the adapter has no timestamp-query: nothing to time (asserted above)
    (await matmul(be, x, x)).dispose();
    const timings = await be.runner.stopProfiling();
    expect(timings.some((t) => t.label.startsWith('matmul'))).toBe(true);
    expect(timings.every((t) => Number.isFinite(t.ms) && t.ms >= 0)).toBe(true);
  });
});
