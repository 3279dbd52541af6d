import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../backend/backend';
import { expectClose } from '../../../tests/helpers/compare';
import { testBackend } from '../../../tests/helpers/gpu';
import { expectGradMatches, numericGrad } from '../../../tests/helpers/gradcheck';
import { f32, randInt, randn, rng } from '../../../tests/helpers/random';
import { attention, attentionBackward } from './attention';
import { attentionBackwardRef, attentionRef } from './attention.ref';
import type { AttentionAttrs } from './attention-shapes';

// f32 dot products over HS ≤ 80 feed exp(); probs carry ~HS·eps relative error of the scores (|score| ≲ 10),
// and out/dq/dk/dv sum up to S·group terms of those. Measured worst |diff| on SwiftShader: probs 2.9e-7,
// out 9.3e-7, dq 5.4e-7, dk 1.2e-6, dv 1.0e-6; the bounds leave about 5× headroom for other adapters.
const FWD_TOL = { atol: 5e-6, rtol: 5e-5 };
const BWD_TOL = { atol: 1e-5, rtol: 5e-5 };

interface Case {
  B: number;
  T: number;
  S: number;
  NH: number;
  NKV: number;
  HS: number;
  causal?: boolean;
  causalOffset?: number;
  /** 0: none, 3: [NH, T, S], 1: [1, NH, T, S], 4: [B, NH, T, S] */
  bias?: 0 | 1 | 3 | 4;
  mask?: boolean;
}

const host = (shape: number[], data: Float64Array): HostTensor => ({ shape, dtype: 'f32', data });
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

async function check(c: Case, seed: number) {
  const be = await testBackend();
  const qShape = [c.B, c.T, c.NH, c.HS];
  const kShape = [c.B, c.S, c.NKV, c.HS];
  const scale = 1 / Math.sqrt(c.HS);
  const q = f32(randn(size(qShape), seed));
  const k = f32(randn(size(kShape), seed + 1));
  const v = f32(randn(size(kShape), seed + 2));
  const hosts = [host(qShape, q), host(kShape, k), host(kShape, v)];
  const attrs: AttentionAttrs = {
    scale,
    causal: c.causal,
    causalOffset: c.causalOffset,
    hasBias: Boolean(c.bias),
    hasMask: c.mask,
  };
  if (c.bias) {
    const shape = c.bias === 3 ? [c.NH, c.T, c.S] : [c.bias === 1 ? 1 : c.B, c.NH, c.T, c.S];
    hosts.push(host(shape, f32(randn(size(shape), seed + 3))));
  }
  if (c.mask) {
    const r = rng(seed + 4);
    // Pad the tail of every row but the first (right padding), keeping at least one key.
    const m = new Float64Array(c.B * c.S).fill(1);
    for (let b = 1; b < c.B; b++) for (let j = randInt(1, c.S, r); j < c.S; j++) m[b * c.S + j] = 0;
    hosts.push(host([c.B, c.S], m));
  }
  const [outRef, probsRef] = attentionRef(hosts, attrs);
  const t = hosts.map((h) => be.upload(h.data, h.shape));
  const extras = { bias: c.bias ? t[3] : undefined, keyMask: c.mask ? t[c.bias ? 4 : 3] : undefined };
  const [out, probs] = await attention(
    be,
    t[0],
    t[1],
    t[2],
    { scale, causal: c.causal, causalOffset: c.causalOffset },
    extras,
  );
  const label = `attention ${JSON.stringify(c)}`;
  expect(out.shape).toEqual(outRef.shape);
  expect(probs.shape).toEqual(probsRef.shape);
  expectClose(await be.download(probs), probsRef.data, FWD_TOL, `${label} probs`);
  expectClose(await be.download(out), outRef.data, FWD_TOL, `${label} out`);
  // Backward from the GPU's own probs (f32), exactly as a model would use it.
  const dOut = f32(randn(size(qShape), seed + 5));
  const probsHost = host(probsRef.shape, Float64Array.from(await be.download(probs)));
  const grads = attentionBackwardRef([hosts[0], hosts[1], hosts[2], probsHost, host(qShape, dOut)], { scale });
  const tdOut = be.upload(dOut, qShape);
  const got = await attentionBackward(be, t[0], t[1], t[2], probs, tdOut, { scale });
  for (const [i, name] of ['dq', 'dk', 'dv'].entries()) {
    expect(got[i].shape).toEqual(grads[i].shape);
    expectClose(await be.download(got[i]), grads[i].data, BWD_TOL, `${label} ${name}`);
  }
  [...t, out, probs, tdOut, ...got].forEach((x) => x.dispose());
}

describe('attention', () => {
  it('pinned case: two keys with scores 0 and ln 3, a third padded away', async () => {
    const be = await testBackend();
    // probs = [1/4, 3/4, 0]; out = 1/4·1 + 3/4·5 = 4. Third key has a huge score but keyMask 0.
    const q = be.upload([1], [1, 1, 1, 1]);
    const k = be.upload([0, Math.log(3), 50], [1, 3, 1, 1]);
    const v = be.upload([1, 5, 100], [1, 3, 1, 1]);
    const keyMask = be.upload([1, 1, 0], [1, 3]);
    const [out, probs] = await attention(be, q, k, v, { scale: 1 }, { keyMask });
    expectClose(await be.download(probs), [0.25, 0.75, 0], { atol: 1e-6, rtol: 0 }, 'pinned probs');
    expectClose(await be.download(out), [4], { atol: 1e-5, rtol: 0 }, 'pinned out');
  });

  it('matches the float64 reference (forward and backward) on random shapes', async () => {
    const r = rng(11);
    const cases: Case[] = [
      { B: 2, T: 5, S: 5, NH: 4, NKV: 4, HS: 8, mask: true },
      { B: 2, T: 7, S: 7, NH: 4, NKV: 2, HS: 8, causal: true, mask: true },
      { B: 1, T: 1, S: 37, NH: 6, NKV: 2, HS: 16, causal: true }, // decoding with a KV cache (offset S − 1)
      { B: 3, T: 9, S: 9, NH: 2, NKV: 1, HS: 5, causal: true, causalOffset: -1 }, // row 0 fully masked: uniform
      { B: 2, T: 6, S: 11, NH: 3, NKV: 3, HS: 8, causal: true, causalOffset: 2, bias: 4 },
      { B: 2, T: 13, S: 13, NH: 4, NKV: 4, HS: 8, bias: 3, mask: true }, // T5 encoder
      { B: 1, T: 4, S: 70, NH: 2, NKV: 1, HS: 72, bias: 1 }, // S and HS past the workgroup size
      { B: 1, T: 1, S: 1, NH: 1, NKV: 1, HS: 1 },
    ];
    for (let i = 0; i < 3; i++) {
      const NKV = randInt(1, 3, r);
      const S = randInt(1, 90, r);
      cases.push({
        B: randInt(1, 3, r),
        T: randInt(1, S, r),
        S,
        NH: NKV * randInt(1, 3, r),
        NKV,
        HS: randInt(1, 40, r),
        causal: i !== 1,
        mask: i !== 0,
        bias: i === 2 ? 4 : 0,
      });
    }
    for (const [i, c] of cases.entries()) await check(c, 300 + 10 * i);
  });

  it('rejects heads that do not divide into kv heads, and a bias of the wrong shape', async () => {
    const be = await testBackend();
    const q = be.zeros([1, 2, 3, 4]);
    const k = be.zeros([1, 2, 2, 4]);
    await expect(attention(be, q, k, k, { scale: 1 })).rejects.toThrow(/multiple of NKV/);
    const k3 = be.zeros([1, 2, 3, 4]);
    await expect(attention(be, q, k3, k3, { scale: 1 }, { bias: be.zeros([3, 2, 3]) })).rejects.toThrow(/bias/);
  });

  it('reference backward agrees with central differences (GQA, padding, causal offset, bias)', () => {
    const [B, T, S, NH, NKV, HS] = [2, 3, 4, 4, 2, 3];
    const qShape = [B, T, NH, HS];
    const kShape = [B, S, NKV, HS];
    const attrs: AttentionAttrs = { scale: 0.7, causal: true, causalOffset: 1, hasBias: true, hasMask: true };
    const q = randn(size(qShape), 1);
    const k = randn(size(kShape), 2);
    const v = randn(size(kShape), 3);
    const bias = host([NH, T, S], randn(NH * T * S, 4));
    const mask = host([B, S], Float64Array.from([1, 1, 1, 1, 1, 1, 0, 0]));
    const w = randn(size(qShape), 5);
    const fwd = (qq: Float64Array, kk: Float64Array, vv: Float64Array) =>
      attentionRef([host(qShape, qq), host(kShape, kk), host(kShape, vv), bias, mask], attrs);
    const [, probs] = fwd(q, k, v);
    const [dq, dk, dv] = attentionBackwardRef(
      [host(qShape, q), host(kShape, k), host(kShape, v), probs, host(qShape, w)],
      attrs,
    );
    expectGradMatches(
      dq.data,
      numericGrad((x) => fwd(x, k, v)[0].data as Float64Array, q, w),
      'dq',
    );
    expectGradMatches(
      dk.data,
      numericGrad((x) => fwd(q, x, v)[0].data as Float64Array, k, w),
      'dk',
    );
    expectGradMatches(
      dv.data,
      numericGrad((x) => fwd(q, k, x)[0].data as Float64Array, v, w),
      'dv',
    );
  });
});
