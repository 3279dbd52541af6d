// LayerNorm, RMSNorm and the masked softmax on f16 activations (the inference path of an f16 model): x f16 →
// y f16 with statistics in f32, all maths in f32. The kernels store halves per element with shader-f16, so
// this file runs in the lavapipe project (an adapter with the feature); elsewhere the ops refuse f16 inputs.
import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../workers/backend/backend';
import { WebGpuBackend } from '../../workers/backend/webgpu-backend';
import { decodeHalf, encodeHalf } from '../../workers/gpu/f16';
import { layerNorm } from '../../workers/kernels/layernorm/layernorm';
import { layerNormRef } from '../../workers/kernels/layernorm/layernorm.ref';
import { rmsNorm } from '../../workers/kernels/rmsnorm/rmsnorm';
import { rmsNormRef } from '../../workers/kernels/rmsnorm/rmsnorm.ref';
import { softmax } from '../../workers/kernels/softmax/softmax';
import { softmaxRef } from '../../workers/kernels/softmax/softmax.ref';
import { expectClose } from '../helpers/compare';
import { testGpu } from '../helpers/gpu';
import { f32, randInt, randn, rng } from '../helpers/random';

/** Values exactly representable in f16 (what an f16 upload stores). */
const half = (x: Float64Array) => Float64Array.from(decodeHalf(encodeHalf(x), x.length));
const h = (shape: number[], data: Float64Array): HostTensor => ({ shape, dtype: 'f16', data });
const s = (shape: number[], data: Float64Array): HostTensor => ({ shape, dtype: 'f32', data });

// The f32 kernels' forward budget (1e-5 abs + 1e-5 rel, layernorm/rmsnorm tests) for the statistics; the f16
// output adds one rounding (WGSL may take either neighbour: one f16 ulp, 2⁻¹⁰ relative; 2⁻²⁴ below normals).
const STAT_TOL = { atol: 1e-5, rtol: 1e-5 };
const Y_TOL = { atol: 1e-5 + 2 ** -24, rtol: 1e-5 + 2 ** -10 };
// softmax: a few f32 roundings in exp and the row sum (≤ 1e-6 on probabilities ≤ 1), then the f16 rounding.
const P_TOL = { atol: 1e-6 + 2 ** -24, rtol: 2 ** -10 };

async function f16Backend(): Promise<WebGpuBackend> {
  const be = new WebGpuBackend(await testGpu());
  expect(be.features.f16).toBe(true);
  return be;
}

describe('norms and softmax on f16 activations', () => {
  it('LayerNorm and RMSNorm match the reference on ragged shapes (y f16, statistics f32)', async () => {
    const be = await f16Backend();
    const r = rng(61);
    for (let i = 0; i < 5; i++) {
      const lead = i === 0 ? [1] : [randInt(1, 40, r), ...(i % 2 ? [] : [randInt(1, 3, r)])];
      const C = i === 1 ? 1 : i === 2 ? 768 : randInt(2, 130, r);
      const rows = lead.reduce((a, b) => a * b, 1);
      // An offset of 2 makes the mean matter (LayerNorm subtracts it; RMSNorm does not).
      const X = half(randn(rows * C, 600 + i).map((v) => v + 2));
      const G = f32(randn(C, 700 + i));
      const B = f32(randn(C, 800 + i));
      const tx = be.upload(X, [...lead, C], 'f16');
      const tg = be.upload(G, [C]);
      const tb = be.upload(B, [C]);
      const label = `[${lead}, ${C}]`;
      const ln = await layerNorm(be, tx, tg, tb, { eps: 1e-5 });
      expect(ln.map((t) => t.dtype)).toEqual(['f16', 'f32', 'f32']);
      const lnRef = layerNormRef([h([...lead, C], X), s([C], G), s([C], B)], { eps: 1e-5 });
      expect(lnRef[0].dtype).toBe('f16');
      expectClose(await be.download(ln[0]), lnRef[0].data, Y_TOL, `layerNorm y ${label}`);
      expectClose(await be.download(ln[1]), lnRef[1].data, STAT_TOL, `layerNorm mean ${label}`);
      expectClose(await be.download(ln[2]), lnRef[2].data, STAT_TOL, `layerNorm rstd ${label}`);
      const rms = await rmsNorm(be, tx, tg, { eps: 1e-6 });
      expect(rms.map((t) => t.dtype)).toEqual(['f16', 'f32']);
      const rmsRef = rmsNormRef([h([...lead, C], X), s([C], G)], { eps: 1e-6 });
      expectClose(await be.download(rms[0]), rmsRef[0].data, Y_TOL, `rmsNorm y ${label}`);
      expectClose(await be.download(rms[1]), rmsRef[1].data, STAT_TOL, `rmsNorm rstd ${label}`);
      [tx, tg, tb, ...ln, ...rms].forEach((t) => t.dispose());
    }
  });

  it('pinned LayerNorm row: [1, 2, 3, 4] in f16', async () => {
    const be = await f16Backend();
    const [y] = await layerNorm(
      be,
      be.upload([1, 2, 3, 4], [1, 4], 'f16'),
      be.upload([1, 1, 1, 1], [4]),
      be.upload([0, 0, 0, 0], [4]),
      { eps: 0 },
    );
    const k = 1 / Math.sqrt(1.25); // var = 1.25
    expectClose(await be.download(y), [-1.5 * k, -0.5 * k, 0.5 * k, 1.5 * k], Y_TOL, 'y');
  });

  it('softmax with scale, causal rule, bias and key mask matches the reference on f16 scores', async () => {
    const be = await f16Backend();
    const r = rng(71);
    for (let i = 0; i < 4; i++) {
      const [B, NH, Tq, Tk] = [randInt(1, 2, r), randInt(1, 3, r), randInt(1, 9, r), i === 0 ? 1 : randInt(1, 90, r)];
      const shape = [B, NH, Tq, Tk];
      const n = B * NH * Tq * Tk;
      const X = half(randn(n, 900 + i, 3));
      const bias = f32(randn(NH * Tq * Tk, 950 + i));
      const mask = Float64Array.from({ length: B * Tk }, (_, j) => (j % Tk === 0 || r() < 0.8 ? 1 : 0));
      const attrs = { scale: 0.5, causal: i % 2 === 1 };
      const withMasks = i >= 2;
      const tx = be.upload(X, shape, 'f16');
      const masks = withMasks ? { bias: be.upload(bias, [NH, Tq, Tk]), keyMask: be.upload(mask, [B, Tk]) } : {};
      const y = await softmax(be, tx, attrs, masks);
      expect(y.dtype).toBe('f16');
      const inputs = [h(shape, X), ...(withMasks ? [s([NH, Tq, Tk], bias), s([B, Tk], mask)] : [])];
      const [ref] = softmaxRef(inputs, { ...attrs, hasBias: withMasks, hasKeyMask: withMasks });
      expectClose(
        await be.download(y),
        ref.data,
        P_TOL,
        `softmax f16 [${shape}] ${JSON.stringify(attrs)} masks ${withMasks}`,
      );
    }
  });

  it('refuses f16 activations on a device without shader-f16', async () => {
    const be = new WebGpuBackend(await testGpu({ f16: true }));
    const x = be.upload([1, 2], [1, 2], 'f16');
    const g = be.upload([1, 1], [2]);
    await expect(layerNorm(be, x, g, be.upload([0, 0], [2]), { eps: 1e-5 })).rejects.toThrow(/shader-f16/);
    await expect(rmsNorm(be, x, g, { eps: 1e-5 })).rejects.toThrow(/shader-f16/);
    await expect(softmax(be, x)).rejects.toThrow(/shader-f16/);
  });
});
