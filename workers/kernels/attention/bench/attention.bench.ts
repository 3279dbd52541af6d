// Fused vs composed attention forward on this adapter, for the decision recorded at the top of attention.ts.
// Run: npx vitest bench --run --project gpu-node workers/kernels/attention/bench
// (or --project gpu-chromium). The composed variant is permute heads (with repeat_kv) → matmul (q·kᵀ, the
// project's tiled kernel) → masked softmax → matmul (·v) → permute back; it exists only here, and each case first
// asserts that both variants agree, so the timing compares two correct implementations.
import { bench, describe, expect } from 'vitest';
import type { WebGpuBackend } from '../../../backend/webgpu-backend';
import { allocTensor, type GpuTensor } from '../../../gpu/tensor';
import { uniformStruct } from '../../../gpu/uniforms';
import { testBackend } from '../../../../tests/helpers/gpu';
import { randn } from '../../../../tests/helpers/random';
import { matmul } from '../../matmul/matmul';
import { attention } from '../attention';
import softmaxCode from './masked-softmax.wgsl?raw';
import permuteCode from './permute-heads.wgsl?raw';

const permuteParams = uniformStruct(
  { L: 'u32', NH: 'u32', NHsrc: 'u32', HS: 'u32', group: 'u32', inverse: 'u32', total: 'u32' },
  [permuteCode],
);
const softmaxParams = uniformStruct({ T: 'u32', S: 'u32', NH: 'u32', causal: 'u32', offset: 'i32', hasMask: 'u32' }, [
  softmaxCode,
]);

interface Shape {
  name: string;
  B: number;
  T: number;
  S: number;
  NH: number;
  NKV: number;
  HS: number;
  causal: boolean;
}

const SHAPES: Shape[] = [
  { name: 'XLM-R-like B2 T32 NH12 HS64', B: 2, T: 32, S: 32, NH: 12, NKV: 12, HS: 64, causal: false },
  { name: 'Llama-like B1 T64 NH8 NKV2 HS64 causal', B: 1, T: 64, S: 64, NH: 8, NKV: 2, HS: 64, causal: true },
  { name: 'decoding B1 T1 S128 NH8 NKV2 HS64', B: 1, T: 1, S: 128, NH: 8, NKV: 2, HS: 64, causal: true },
];

function permute(
  be: WebGpuBackend,
  src: GpuTensor,
  B: number,
  L: number,
  NH: number,
  NHsrc: number,
  HS: number,
  inverse: boolean,
): GpuTensor {
  const dst = allocTensor(be.runner, inverse ? [B, L, NH, HS] : [B, NH, L, HS], 'f32');
  const total = B * NH * L * HS;
  be.runner.dispatch({
    label: 'permute-heads',
    code: permuteCode,
    entryPoint: 'main',
    uniforms: permuteParams({ L, NH, NHsrc, HS, group: NH / NHsrc, inverse: inverse ? 1 : 0, total }),
    buffers: [src.buffer, dst.buffer],
    workgroups: [Math.ceil(total / 256)],
  });
  return dst;
}

async function composed(
  be: WebGpuBackend,
  s: Shape,
  q: GpuTensor,
  k: GpuTensor,
  v: GpuTensor,
  mask: GpuTensor,
): Promise<GpuTensor> {
  const qP = permute(be, q, s.B, s.T, s.NH, s.NH, s.HS, false);
  const kP = permute(be, k, s.B, s.S, s.NH, s.NKV, s.HS, false);
  const vP = permute(be, v, s.B, s.S, s.NH, s.NKV, s.HS, false);
  const scores = (await matmul(be, qP, kP, { transB: true, alpha: 1 / Math.sqrt(s.HS) })) as GpuTensor;
  be.runner.dispatch({
    label: 'masked-softmax',
    code: softmaxCode,
    entryPoint: 'main',
    uniforms: softmaxParams({ T: s.T, S: s.S, NH: s.NH, causal: s.causal ? 1 : 0, offset: s.S - s.T, hasMask: 1 }),
    buffers: [scores.buffer, mask.buffer],
    workgroups: [s.T, s.NH, s.B],
  });
  const o = (await matmul(be, scores, vP)) as GpuTensor;
  const out = permute(be, o, s.B, s.T, s.NH, s.NH, s.HS, true);
  [qP, kP, vP, scores, o].forEach((t) => t.dispose());
  return out;
}

for (const s of SHAPES) {
  describe(s.name, async () => {
    const be = await testBackend();
    const q = be.upload(Float32Array.from(randn(s.B * s.T * s.NH * s.HS, 1)), [s.B, s.T, s.NH, s.HS]);
    const k = be.upload(Float32Array.from(randn(s.B * s.S * s.NKV * s.HS, 2)), [s.B, s.S, s.NKV, s.HS]);
    const v = be.upload(Float32Array.from(randn(s.B * s.S * s.NKV * s.HS, 3)), [s.B, s.S, s.NKV, s.HS]);
    const keyMask = be.upload(new Float32Array(s.B * s.S).fill(1), [s.B, s.S]);
    const opts = { scale: 1 / Math.sqrt(s.HS), causal: s.causal };
    // Both variants must agree before their times mean anything (this also compiles every pipeline).
    const [fo, fp] = await attention(be, q, k, v, opts, { keyMask });
    const co = await composed(be, s, q, k, v, keyMask);
    const [a, b] = [await be.download(fo), await be.download(co)];
    a.forEach((x, i) => expect(Math.abs(x - b[i])).toBeLessThan(1e-4));
    [fo, fp, co].forEach((t) => t.dispose());

    const opt = { iterations: 20, warmupIterations: 2, time: 0 };
    bench(
      'fused',
      async () => {
        const [o, p] = await attention(be, q, k, v, opts, { keyMask });
        await be.sync();
        o.dispose();
        p.dispose();
      },
      opt,
    );
    bench(
      'composed',
      async () => {
        const o = await composed(be, s, q, k, v, keyMask);
        await be.sync();
        o.dispose();
      },
      opt,
    );
  });
}
