// A lost device becomes a typed error the caller can act on: pending and later reads reject with DeviceLostError
// instead of hanging, and new dispatches are refused.
import { describe, expect, it } from 'vitest';
import { WebGpuBackend } from '../backend/webgpu-backend';
import { DeviceLostError } from './errors';
import { matmul } from '../kernels/matmul/matmul';
import { testGpu } from '../../tests/helpers/gpu';

describe('device loss', () => {
  it('turns destroy() into DeviceLostError on reads and dispatches, without hanging', async () => {
    const gpu = await testGpu();
    const be = new WebGpuBackend(gpu);
    const a = be.upload([1, 2, 3, 4], [2, 2]);
    const c = await matmul(be, a, a);
    expect(Array.from(await be.download(c))).toEqual([7, 10, 15, 22]);
    gpu.device.destroy();
    const lost = await gpu.lost;
    expect(lost).toBeInstanceOf(DeviceLostError);
    expect(lost.reason).toBe('destroyed');
    await expect(be.download(c)).rejects.toBeInstanceOf(DeviceLostError);
    await expect(matmul(be, a, a)).rejects.toBeInstanceOf(DeviceLostError);
  });
});
