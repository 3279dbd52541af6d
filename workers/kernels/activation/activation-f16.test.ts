// f16 tensors through the pointwise activations and the gated units (the inference path of f16 activations):
// f16 in, f16 out, maths in f32. The kernels read and write halves with core WGSL's pack/unpack builtins, so
// this file runs on every adapter (Node, Chromium, and lavapipe with shader-f16).
import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../backend/backend';
import { decodeHalf, encodeHalf } from '../../gpu/f16';
import { expectClose } from '../../../tests/helpers/compare';
import { testBackend } from '../../../tests/helpers/gpu';
import { randInt, randn, rng } from '../../../tests/helpers/random';
import { gated } from '../gated/gated';
import { gatedRef } from '../gated/gated.ref';
import { gelu, silu, tanh, relu } from './activation';
import { activationRef, type PointwiseKind } from './activation.ref';

// The f32 maths (activation.test.ts: 4e-7 abs + 2⁻²² rel; gated.test.ts: 2e-6 abs + 2⁻²¹ rel) then one rounding
// to f16: WGSL lets a conversion take either neighbour, so one f16 ulp, 2⁻¹⁰ relative, plus the subnormal
// spacing 2⁻²⁴ near zero.
const ACT_TOL = { atol: 4e-7 + 2 ** -24, rtol: 2 ** -10 + 2 ** -22 };
const GATED_TOL = { atol: 2e-6 + 2 ** -24, rtol: 2 ** -10 + 2 ** -21 };

/** Values exactly representable in f16 (what an f16 upload stores). */
const half = (x: Float64Array) => Float64Array.from(decodeHalf(encodeHalf(x), x.length));
const host = (shape: number[], data: Float64Array): HostTensor => ({ shape, dtype: 'f16', data });
const KINDS: PointwiseKind[] = ['gelu', 'gelu_tanh', 'silu', 'relu', 'tanh'];

describe('activations on f16 tensors', () => {
  it('pinned case: silu and relu of f16 values, and an odd length (the last word is half padding)', async () => {
    const be = await testBackend();
    const x = be.upload([1, -1, 2, -3, 0], [5], 'f16');
    const y = await silu(be, x);
    expect(y.dtype).toBe('f16');
    // silu(1) = 0.7310585786300049 → f16 0.73095703125 (nearest) or 0.7314453125
    expectClose(
      await be.download(y),
      [0.7310585786300049, -0.2689414213699951, 1.7615941559557649, -0.14227761953270034, 0],
      ACT_TOL,
      'silu f16',
    );
    expect(Array.from(await be.download(await relu(be, x)))).toEqual([1, 0, 2, 0, 0]);
  });

  it('forward of every kind and the gated units match the reference on ragged shapes', async () => {
    const be = await testBackend();
    const r = rng(41);
    for (let i = 0; i < 5; i++) {
      const shape = i === 0 ? [1] : Array.from({ length: randInt(1, 3, r) }, () => randInt(1, 60, r));
      const n = shape.reduce((a, b) => a * b, 1);
      const X = half(randn(n, 70 + i, 3));
      const U = half(randn(n, 80 + i));
      const tx = be.upload(X, shape, 'f16');
      const tu = be.upload(U, shape, 'f16');
      for (const kind of KINDS) {
        const y =
          kind === 'gelu' || kind === 'gelu_tanh'
            ? await gelu(be, tx, { approximate: kind === 'gelu' ? 'none' : 'tanh' })
            : kind === 'silu'
              ? await silu(be, tx)
              : kind === 'relu'
                ? await relu(be, tx)
                : await tanh(be, tx);
        expect(y.dtype).toBe('f16');
        const [ref] = activationRef(kind, [host(shape, X)]);
        expect(ref.dtype).toBe('f16');
        expectClose(await be.download(y), ref.data, ACT_TOL, `${kind} f16 [${shape}]`);
        y.dispose();
        if (kind === 'tanh') continue;
        const g = await gated(be, tx, tu, { act: kind });
        expect(g.dtype).toBe('f16');
        expectClose(
          await be.download(g),
          gatedRef([host(shape, X), host(shape, U)], kind)[0].data,
          GATED_TOL,
          `gated ${kind} f16 [${shape}]`,
        );
        g.dispose();
      }
      [tx, tu].forEach((t) => t.dispose());
    }
  });

  it('a product beyond f16 range becomes ±inf without disturbing its neighbour in the same word', async () => {
    const be = await testBackend();
    const g = be.upload([300, 1, -300, 2], [4], 'f16');
    const u = be.upload([400, 3, 400, -1], [4], 'f16');
    const out = await be.download(await gated(be, g, u, { act: 'relu' }));
    expect(out[0]).toBe(Infinity); // 120,000 > 65,504
    expect(Array.from(out.slice(1))).toEqual([3, 0, -2]);
  });

  it('rejects mixed f32 / f16 inputs of a gated unit', async () => {
    const be = await testBackend();
    await expect(gated(be, be.zeros([2], 'f16'), be.zeros([2]), { act: 'silu' })).rejects.toThrow(/two f32 or two f16/);
  });
});
