// linear / linearBackwardInput on the GPU vs the float64 reference, for f32, q8, q4 and (when the adapter has
// shader-f16) f16 weights; the f16 error path on adapters without the feature; the reference backward vs
// central differences.
import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../backend/backend';
import type { WebGpuBackend } from '../../backend/webgpu-backend';
import { WebGpuBackend as Backend } from '../../backend/webgpu-backend';
import { decodeHalf, encodeHalf } from '../../gpu/f16';
import { expectClose } from '../../../tests/helpers/compare';
import { testBackend, testGpu } from '../../../tests/helpers/gpu';
import { expectGradMatches, numericGrad } from '../../../tests/helpers/gradcheck';
import { f32, randInt, randn, rng } from '../../../tests/helpers/random';
import { quantize } from '../quantize/quantize';
import {
  linear,
  linearBackwardInput,
  linearBackwardInputOp,
  linearKernel,
  linearOp,
  UnsupportedWeightError,
  type LinearKernel,
} from './linear';
import { linearBackwardInputRef, linearBackwardRef, linearRef } from './linear.ref';
import type { WeightDType } from './linear-shapes';

// f32 accumulation of R unit-variance products (R = K forward, N backward): error grows like sqrt(R)·eps; the
// reference sees the exact weight values the GPU uses (dequantised / f16-rounded), so nothing else differs.
const TOL = { atol: 2e-5, rtol: 1e-5 };

const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** Weights [N, K] of a given storage dtype: what to upload and what the reference sees. */
function makeWeight(
  N: number,
  K: number,
  dtype: WeightDType,
  seed: number,
): { upload: ArrayLike<number>; host: HostTensor } {
  const w = f32(randn(N * K, seed));
  if (dtype === 'f32') return { upload: w, host: { shape: [N, K], dtype, data: w } };
  if (dtype === 'f16')
    return { upload: w, host: { shape: [N, K], dtype, data: Float64Array.from(decodeHalf(encodeHalf(w), N * K)) } };
  const words = quantize(Float32Array.from(w), [N, K], dtype);
  return { upload: words, host: { shape: [N, K], dtype, data: words } };
}

async function checkCase(
  be: WebGpuBackend,
  lead: number[],
  N: number,
  K: number,
  dtype: WeightDType,
  withBias: boolean,
  seed: number,
) {
  const xs = [...lead, K];
  const x = f32(randn(prod(xs), seed));
  const w = makeWeight(N, K, dtype, seed + 1);
  const b = f32(randn(N, seed + 2));
  const dyShape = [...lead, N];
  const dy = f32(randn(prod(dyShape), seed + 3));
  const tx = be.upload(x, xs);
  const tw = be.upload(w.upload, [N, K], dtype);
  const tb = withBias ? be.upload(b, [N]) : null;
  const tdy = be.upload(dy, dyShape);
  const label = JSON.stringify({ lead, N, K, dtype, withBias });

  const [yRef] = linearRef([
    { shape: xs, dtype: 'f32', data: x },
    w.host,
    ...(withBias ? [{ shape: [N], dtype: 'f32' as const, data: b }] : []),
  ]);
  const [dxRef] = linearBackwardInputRef([{ shape: dyShape, dtype: 'f32', data: dy }, w.host]);
  const outs = [];
  // Both kernels wherever they apply, so each is held to the reference on the same shapes.
  for (const kernel of ['tiled', 'vec4'] as LinearKernel[]) {
    if (kernel === 'vec4' && linearKernel('forward', N, K, dtype) === 'vec4') {
      const [ty] = await be.run(linearOp, tb ? [tx, tw, tb] : [tx, tw], { kernel });
      expectClose(
        await be.download(ty),
        yRef.data,
        { atol: TOL.atol * Math.sqrt(K), rtol: TOL.rtol },
        `linear ${kernel} ${label}`,
      );
      outs.push(ty);
    }
    if (kernel === 'vec4' && linearKernel('backward', N, K, dtype) === 'vec4') {
      const [tdx] = await be.run(linearBackwardInputOp, [tdy, tw], { kernel });
      expectClose(
        await be.download(tdx),
        dxRef.data,
        { atol: TOL.atol * Math.sqrt(N), rtol: TOL.rtol },
        `linearBackwardInput ${kernel} ${label}`,
      );
      outs.push(tdx);
    }
    if (kernel === 'tiled' && dtype !== 'f16') {
      const [ty] = await be.run(linearOp, tb ? [tx, tw, tb] : [tx, tw], { kernel });
      expectClose(
        await be.download(ty),
        yRef.data,
        { atol: TOL.atol * Math.sqrt(K), rtol: TOL.rtol },
        `linear ${kernel} ${label}`,
      );
      const [tdx] = await be.run(linearBackwardInputOp, [tdy, tw], { kernel });
      expectClose(
        await be.download(tdx),
        dxRef.data,
        { atol: TOL.atol * Math.sqrt(N), rtol: TOL.rtol },
        `linearBackwardInput ${kernel} ${label}`,
      );
      outs.push(ty, tdx);
    }
  }
  // The public functions, with whatever kernel they pick.
  const ty = await linear(be, tx, tw, tb);
  expect(ty.shape).toEqual(yRef.shape);
  expectClose(await be.download(ty), yRef.data, { atol: TOL.atol * Math.sqrt(K), rtol: TOL.rtol }, `linear ${label}`);
  const tdx = await linearBackwardInput(be, tdy, tw);
  expect(tdx.shape).toEqual(dxRef.shape);
  expectClose(
    await be.download(tdx),
    dxRef.data,
    { atol: TOL.atol * Math.sqrt(N), rtol: TOL.rtol },
    `linearBackwardInput ${label}`,
  );
  outs.forEach((t) => t.dispose());
  [tx, tw, tb, tdy, ty, tdx].forEach((t) => t?.dispose());
}

async function randomCases(be: WebGpuBackend, dtype: WeightDType, seed: number) {
  const r = rng(seed);
  for (let i = 0; i < 5; i++) {
    const lead = i === 0 ? [1] : i % 3 === 0 ? [] : i % 3 === 1 ? [randInt(1, 70, r)] : [2, randInt(1, 40, r)];
    if (lead.length === 0) lead.push(randInt(1, 90, r));
    // Odd cases are aligned for the vec4 kernel (K, and for the input gradient N, multiples of 4).
    const N = i === 1 ? 1 : i % 2 ? 4 * randInt(1, 22, r) : randInt(1, 90, r);
    const K =
      dtype === 'q8' || dtype === 'q4'
        ? 32 * randInt(1, 3, r)
        : i === 2
          ? 1
          : i % 2
            ? 4 * randInt(1, 25, r)
            : randInt(1, 100, r);
    await checkCase(be, lead, N, K, dtype, i % 3 !== 1, seed * 100 + i);
  }
}

describe('linear', () => {
  it('pinned f32 case with bias, and its input gradient', async () => {
    const be = await testBackend();
    const x = be.upload([1, 2, 3, 4, 5, 6], [2, 3]);
    const w = be.upload([1, 0, -1, 2, 1, 0], [2, 3]);
    const b = be.upload([0.5, -1], [2]);
    expect(Array.from(await be.download(await linear(be, x, w, b)))).toEqual([-1.5, 3, -1.5, 12]);
    const dy = be.upload([1, 0, 0, 1, 2, -1], [3, 2]);
    expect(Array.from(await be.download(await linearBackwardInput(be, dy, w)))).toEqual([1, 0, -1, 2, 1, 0, 0, -1, -2]);
  });

  it('pinned q4 case: dequantised by hand', async () => {
    const be = await testBackend();
    const w = new Float32Array(64);
    w.set([1, -0.5, 0.25, -1]); // row 0 → 1, -0.5, 0.25, -0.875 (clamped), zeros (scale -1/8)
    w[32 + 5] = 2; // row 1 → a single 2 (scale -1/4)
    const tw = be.upload(quantize(w, [2, 32], 'q4'), [2, 32], 'q4');
    const x = be.upload(new Float32Array(32).fill(1), [1, 32]);
    expect(Array.from(await be.download(await linear(be, x, tw)))).toEqual([-0.125, 2]);
  });

  for (const dtype of ['f32', 'q8', 'q4'] as WeightDType[])
    it(`${dtype} weights: forward and input gradient match the reference on ragged shapes`, async () => {
      await randomCases(await testBackend(), dtype, { f32: 3, q8: 5, q4: 7 }[dtype as 'f32' | 'q8' | 'q4']);
    });

  it('f16 weights: match the reference when the adapter has shader-f16, else fail with a clear error', async () => {
    const be = await testBackend();
    if (be.ctx.f16) await randomCases(be, 'f16', 9);
    // Always exercise the error path: on an f16-capable adapter, on a device created without the feature.
    const noF16 = be.ctx.f16 ? new Backend(await testGpu({ f16: true })) : be;
    const x = noF16.upload([1, 2], [1, 2]);
    const w = noF16.upload([1, 2, 3, 4], [2, 2], 'f16');
    await expect(linear(noF16, x, w)).rejects.toThrow(UnsupportedWeightError);
    await expect(linearBackwardInput(noF16, x, w)).rejects.toThrow(/shader-f16/);
  });

  it('rejects mismatched shapes and unaligned quantised weights before dispatching', async () => {
    const be = await testBackend();
    const x = be.zeros([2, 3]);
    await expect(linear(be, x, be.zeros([4, 5]))).rejects.toThrow(/does not end in K/);
    await expect(linear(be, x, be.zeros([4, 3]), be.zeros([3]))).rejects.toThrow(/bias/);
    await expect(linear(be, be.zeros([1, 48]), be.zeros([2, 48], 'q8'))).rejects.toThrow(/multiple of 32/);
  });

  it('reference backward agrees with central differences', () => {
    const [M, N, K] = [3, 4, 5];
    const x = randn(M * K, 1);
    const w = randn(N * K, 2);
    const b = randn(N, 3);
    const probe = randn(M * N, 4);
    const hx = (d: Float64Array): HostTensor => ({ shape: [M, K], dtype: 'f32', data: d });
    const hw = (d: Float64Array): HostTensor => ({ shape: [N, K], dtype: 'f32', data: d });
    const hb = (d: Float64Array): HostTensor => ({ shape: [N], dtype: 'f32', data: d });
    const y = (xx: Float64Array, ww: Float64Array, bb: Float64Array) =>
      linearRef([hx(xx), hw(ww), hb(bb)])[0].data as Float64Array;
    const { dx, dw, db } = linearBackwardRef(hx(x), hw(w), { shape: [M, N], dtype: 'f32', data: probe });
    expectGradMatches(
      dx.data,
      numericGrad((v) => y(v, w, b), x, probe),
      'dx',
    );
    expectGradMatches(
      dw.data,
      numericGrad((v) => y(x, v, b), w, probe),
      'dw',
    );
    expectGradMatches(
      db.data,
      numericGrad((v) => y(x, w, v), b, probe),
      'db',
    );
  });
});
