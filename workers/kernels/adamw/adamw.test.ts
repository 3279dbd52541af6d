import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../backend/backend';
import { expectClose } from '../../../tests/helpers/compare';
import { testBackend } from '../../../tests/helpers/gpu';
import { f32, randInt, randn, rng } from '../../../tests/helpers/random';
import { adamw } from './adamw';
import { adamwRef, type AdamWAttrs } from './adamw.ref';

// One step is a handful of f32 roundings on values of order 1 (params) and lr (the update): a few ulp of the
// parameter. Each step is checked from the GPU's own f32 state, so errors do not compound across steps.
const TOL = { atol: 1e-6, rtol: 1e-6 };

const host = (shape: number[], data: Float64Array): HostTensor => ({ shape, dtype: 'f32', data });

describe('adamw', () => {
  it('pinned case: first step is p·(1 − lr·wd) − lr·g/(|g| + eps)', async () => {
    const be = await testBackend();
    const p = be.upload([1, -2], [2]);
    const g = be.upload([2, -0.5], [2]);
    const m = be.zeros([2]);
    const v = be.zeros([2]);
    await adamw(be, p, g, m, v, { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 0, weightDecay: 0.5, step: 1 });
    // decay 0.95: 1·0.95 − 0.1 = 0.85 and −2·0.95 + 0.1 = −1.8; m = 0.1·g; v = 0.001·g².
    expectClose(await be.download(p), [0.85, -1.8], { atol: 1e-7, rtol: 0 }, 'param');
    expectClose(await be.download(m), [0.2, -0.05], { atol: 1e-8, rtol: 0 }, 'm');
    expectClose(await be.download(v), [0.004, 0.00025], { atol: 1e-9, rtol: 0 }, 'v');
  });

  it('matches the float64 reference over three chained steps on ragged sizes', async () => {
    const be = await testBackend();
    const r = rng(5);
    const sizes = [1, 255, 257, randInt(2, 5000, r), 70_001];
    for (const [i, n] of sizes.entries()) {
      const attrs: Omit<AdamWAttrs, 'step'> = {
        lr: 10 ** -randInt(1, 3, r),
        beta1: 0.9,
        beta2: 0.999,
        eps: 1e-8,
        weightDecay: i % 2 ? 0.01 : 0,
        gradScale: i === 2 ? 0.37 : undefined,
      };
      let state = [host([n], f32(randn(n, 10 * i))), host([n], new Float64Array(n)), host([n], new Float64Array(n))];
      const [p, m, v] = state.map((h) => be.upload(h.data, h.shape));
      for (let step = 1; step <= 3; step++) {
        const g = f32(randn(n, 10 * i + step));
        const tg = be.upload(g, [n]);
        const out = await adamw(be, p, tg, m, v, { ...attrs, step });
        expect(out[0]).toBe(p); // updated in place
        // The reference continues from the GPU's own f32 state, so each step is checked on its own.
        const [rp, rm, rv] = adamwRef([state[0], host([n], g), state[1], state[2]], { ...attrs, step });
        const label = `adamw n=${n} step ${step}`;
        expectClose(await be.download(p), rp.data, TOL, `${label} param`);
        expectClose(await be.download(m), rm.data, TOL, `${label} m`);
        expectClose(await be.download(v), rv.data, { atol: 1e-9, rtol: 1e-6 }, `${label} v`);
        state = await Promise.all([p, m, v].map(async (t) => host([n], Float64Array.from(await be.download(t)))));
        tg.dispose();
      }
      [p, m, v].forEach((t) => t.dispose());
    }
  });

  it('rejects a step count of 0 and mismatched sizes', async () => {
    const be = await testBackend();
    const [a, b] = [be.zeros([3]), be.zeros([4])];
    const base = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 };
    await expect(adamw(be, a, a, a, a, { ...base, step: 0 })).rejects.toThrow(/1-based/);
    await expect(adamw(be, a, b, a, a, { ...base, step: 1 })).rejects.toThrow(/differs in size/);
  });
});
