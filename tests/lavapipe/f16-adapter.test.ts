// The gpu-lavapipe project exists to run the f16 kernel paths: it must really be on an adapter with shader-f16
// (Mesa 25's lavapipe, unpacked by scripts/lavapipe.sh), or the f16 tests in it would fall back to asserting the
// "needs shader-f16" error and prove nothing.
import { describe, expect, it } from 'vitest';
import { testGpu } from '../helpers/gpu';

describe('lavapipe adapter', () => {
  it('has shader-f16', async () => {
    const gpu = await testGpu();
    expect(process.env.VK_ICD_FILENAMES).toMatch(/lavapipe/);
    expect(gpu.info.features.f16).toBe(true);
  });
});
