// Every op's CPU kernel (OpDef.cpu, run by the CpuBackend) against its float64 reference, on ragged random shapes
// (sizes 1, odd, non-multiples of the 4×4 blocks and the 64-row weight blocks) plus pinned cases. Most ops share
// their maths with the reference (written once over Float32Array / Float64Array), so for them this checks the
// float32 storage, the wiring and the inputs' order; matmul, linear and GELU's Φ differ from the reference on
// purpose. matmul and linear run twice: on the plain-JS kernels and on onnxruntime-web's wasm engine (forced for
// every size, weights fed in small row blocks so ragged blocks are crossed), each with its own declared tolerance.
// Pure CPU: lives in the `unit` project so the GPU projects do not run it again in Chromium and on lavapipe.
import { describe, expect, it } from 'vitest';
import type { HostTensor, OpDef } from '../../../workers/backend/backend';
import { CpuBackend } from '../../../workers/backend/cpu-backend';
import { geluOp, reluOp, siluOp, tanhOp } from '../../../workers/kernels/activation/activation';
import { attentionOp } from '../../../workers/kernels/attention/attention';
import { concatOp } from '../../../workers/kernels/concat/concat';
import { crossEntropyOp, tokenLogprobsOp } from '../../../workers/kernels/cross-entropy/cross-entropy';
import {
  addOp,
  addScaledOp,
  castOp,
  mulOp,
  scaleOp,
  sumToShapeOp,
} from '../../../workers/kernels/elementwise/elementwise';
import { embeddingOp } from '../../../workers/kernels/embedding/embedding';
import { gatedOp } from '../../../workers/kernels/gated/gated';
import { layerNormOp } from '../../../workers/kernels/layernorm/layernorm';
import { linearOp } from '../../../workers/kernels/linear/linear';
import { matmulOp } from '../../../workers/kernels/matmul/matmul';
import { ortGemmEngine } from '../../../workers/kernels/ort-matmul/ort-matmul';
import { quantize } from '../../../workers/kernels/quantize/quantize';
import { reduceRowsOp, sumAllOp, topkOp } from '../../../workers/kernels/reduce/reduce';
import { rmsNormOp } from '../../../workers/kernels/rmsnorm/rmsnorm';
import { ropeOpDef } from '../../../workers/kernels/rope/rope';
import { softmaxOp } from '../../../workers/kernels/softmax/softmax';
import { expectClose, type Tolerance } from '../../helpers/compare';
import { f32, randInt, randn, rng } from '../../helpers/random';
import { CpuTensor } from '../../../workers/backend/cpu-tensor';

// Sums of K f32 products (K ≤ ~300 here, unit-variance inputs): the CPU kernels sum in float64 and round once,
// so the error is the inputs' own f32 rounding seen through the reference: a few ulp of the result.
const DOT: Tolerance = { atol: 2e-5, rtol: 2e-6 };
// Pointwise maths and normalisations: one f32 rounding of the output (erf/exp/tanh evaluated in float64).
const POINT: Tolerance = { atol: 1e-6, rtol: 1e-6 };
// Exact moves (gather, concat, rope's 2-term sums, top-k values): f32 rounding only.
const EXACT: Tolerance = { atol: 0, rtol: 2e-7 };

// ORT's MLAS sums in float32 (blocked, with FMA), so the error grows with K like √K·2⁻²⁴·Σ|a·b| instead of one
// final rounding: measured up to 5.2e-6 on results near 17 (K 43). ~5× room; a wrong transpose, bias or block
// offset moves results by O(1).
const ORT_DOT: Tolerance = { atol: 3e-5, rtol: 3e-6 };

const ort = ortGemmEngine({ minWork: 0, minRows: 0, blockFloats: 40 * 64 });
const ENGINES = [
  { name: 'js', be: new CpuBackend(), tol: DOT },
  { name: 'ort', be: new CpuBackend({ gemm: ort }), tol: ORT_DOT },
] as const;
const be = ENGINES[0].be;
const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const hf = (shape: number[], seed: number, scale = 1): HostTensor => ({
  shape,
  dtype: 'f32',
  data: f32(randn(numel(shape), seed, scale)),
});
const hi = (shape: number[], data: Int32Array): HostTensor => ({ shape, dtype: 'i32', data });

/** Runs `op` on the CPU backend and on its reference; compares every output. */
async function checkOp<A>(
  op: OpDef<A>,
  inputs: HostTensor[],
  attrs: A,
  tol: Tolerance | Tolerance[],
  label = '',
  be = ENGINES[0].be,
) {
  const refs = op.ref(inputs, attrs);
  const ts = inputs.map((h) => be.upload(h.data, h.shape, h.dtype));
  const outs = await be.run(op, ts, attrs);
  expect(outs.length, `${op.name} ${label}: outputs`).toBe(refs.length);
  for (let i = 0; i < refs.length; i++) {
    expect([...outs[i].shape]).toEqual(refs[i].shape);
    const t = Array.isArray(tol) ? tol[i] : tol;
    const got = Float64Array.from(await be.download(outs[i]));
    const want = Float64Array.from(refs[i].data);
    // NaN (a label outside the vocabulary) must come back as NaN; compare the rest numerically.
    want.forEach((w, j) => {
      if (Number.isNaN(w)) {
        expect(got[j], `${op.name} ${label} output ${i} element ${j}`).toBeNaN();
        got[j] = want[j] = 0;
      }
    });
    expectClose(got, want, t, `${op.name} ${label} output ${i}`);
  }
  outs.forEach((o) => o.dispose());
  ts.forEach((t) => t.dispose());
}

describe('CPU ops vs float64 references', () => {
  it.each(ENGINES)(
    'matmul on $name: all transpose forms, batched and broadcast B, ragged shapes, alpha',
    async ({ name, be, tol }) => {
      const runs = ort.runs;
      const r = rng(11);
      for (let i = 0; i < 12; i++) {
        const [M, N, K] = [randInt(1, 37, r), randInt(1, 90, r), randInt(1, 70, r)];
        const transA = i % 2 === 1;
        const transB = i % 4 >= 2;
        const batch = i % 3 === 0 ? [] : [randInt(1, 3, r)];
        const bBatch = i % 3 === 2 ? [] : batch;
        const a = hf([...batch, ...(transA ? [K, M] : [M, K])], 100 + i);
        const b = hf([...bBatch, ...(transB ? [N, K] : [K, N])], 200 + i);
        await checkOp(
          matmulOp,
          [a, b],
          { transA, transB, alpha: i === 5 ? 0.37 : undefined },
          tol,
          `${name} M${M} N${N} K${K} ${transA}/${transB}`,
          be,
        );
      }
      // Pinned: [[1,2],[3,4]] · [[5,6],[7,8]] = [[19,22],[43,50]].
      const c = await be.run(matmulOp, [be.upload([1, 2, 3, 4], [2, 2]), be.upload([5, 6, 7, 8], [2, 2])], {});
      expect([...(await be.download(c[0]))]).toEqual([19, 22, 43, 50]);
      // The ORT engine really ran every product (and the JS one none).
      expect(ort.runs - runs > 12, `${name}: ORT runs`).toBe(name === 'ort');
      // The first ORT product starts the wasm engine: seconds on a shared 2-core machine.
    },
    30_000,
  );

  it.each(ENGINES)(
    'linear on $name: f32, q8 and q4 weights (dequantised in the op), with and without bias, > 64 output rows',
    async ({ name, be, tol }) => {
      const runs = ort.runs;
      const r = rng(12);
      for (const dtype of ['f32', 'q8', 'q4'] as const)
        for (let i = 0; i < 4; i++) {
          const [M, N, K] = [randInt(1, 9, r), randInt(1, 150, r), 32 * randInt(1, 4, r)];
          const w = randn(N * K, 300 + i, 0.5);
          const wHost: HostTensor =
            dtype === 'f32'
              ? { shape: [N, K], dtype, data: f32(w) }
              : { shape: [N, K], dtype, data: quantize(w, [N, K], dtype) };
          const inputs = [hf([2, M, K], 400 + i), wHost];
          if (i % 2) inputs.push(hf([N], 500 + i));
          await checkOp(linearOp, inputs, {}, tol, `${name} ${dtype} M${M} N${N} K${K}`, be);
        }
      expect(ort.runs - runs >= 12, `${name}: ORT runs`).toBe(name === 'ort');
    },
  );

  it('embedding: gather with repeated and out-of-range ids', async () => {
    const ids = Int32Array.from([3, 0, 3, 7, -1, 9, 2]);
    await checkOp(embeddingOp, [hf([8, 5], 1), hi([7], ids)], {}, EXACT);
    await checkOp(embeddingOp, [hf([8, 3], 2), hi([2, 3], ids.subarray(0, 6))], {}, EXACT, 'rank 2 ids');
  });

  it('layernorm and rmsnorm (values and the saved mean / rstd)', async () => {
    for (const [rows, C] of [
      [1, 1],
      [3, 7],
      [5, 768],
      [2, 33],
    ]) {
      await checkOp(
        layerNormOp,
        [hf([rows, C], C, 2), hf([C], C + 1), hf([C], C + 2)],
        { eps: 1e-5 },
        POINT,
        `[${rows},${C}]`,
      );
      await checkOp(rmsNormOp, [hf([rows, C], C + 3, 2), hf([C], C + 4)], { eps: 1e-6 }, POINT, `[${rows},${C}]`);
    }
  });

  it('softmax: plain, causal with offset, T5 bias, key mask with a fully masked row', async () => {
    await checkOp(softmaxOp, [hf([3, 5, 9], 1, 3)], { scale: 0.5 }, POINT);
    await checkOp(softmaxOp, [hf([2, 3, 4, 6], 2, 3)], { causal: true }, POINT, 'causal');
    await checkOp(softmaxOp, [hf([2, 3, 1, 6], 3, 3)], { causal: true, causalOffset: 2 }, POINT, 'causal offset');
    const mask = Float64Array.from([0, 0, 0, 0, 0, 1, 0, 1, 1, 0]);
    const x = hf([2, 3, 4, 5], 4, 3);
    await checkOp(
      softmaxOp,
      [x, hf([3, 4, 5], 5), { shape: [2, 5], dtype: 'f32', data: mask }],
      { hasBias: true, hasKeyMask: true },
      POINT,
      'bias+mask',
    );
    await checkOp(softmaxOp, [x, hf([2, 3, 4, 5], 6)], { hasBias: true, causal: true }, POINT, 'per-batch bias');
  });

  it('attention: MHA, GQA causal, KV-cache decoding, T5 bias and key mask', async () => {
    const q = (B: number, T: number, NH: number, HS: number, s: number) => hf([B, T, NH, HS], s);
    await checkOp(
      attentionOp,
      [q(2, 5, 4, 8, 1), q(2, 5, 4, 8, 2), q(2, 5, 4, 8, 3)],
      { scale: 1 / Math.sqrt(8) },
      POINT,
      'mha',
    );
    await checkOp(
      attentionOp,
      [q(1, 7, 6, 4, 4), q(1, 7, 2, 4, 5), q(1, 7, 2, 4, 6)],
      { scale: 0.5, causal: true },
      POINT,
      'gqa causal',
    );
    await checkOp(
      attentionOp,
      [q(1, 1, 4, 6, 7), q(1, 9, 2, 6, 8), q(1, 9, 2, 6, 9)],
      { scale: 0.4, causal: true },
      POINT,
      'decode',
    );
    const mask: HostTensor = {
      shape: [2, 6],
      dtype: 'f32',
      data: Float64Array.from([1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
    };
    await checkOp(
      attentionOp,
      [q(2, 3, 2, 4, 10), q(2, 6, 2, 4, 11), q(2, 6, 2, 4, 12), hf([1, 2, 3, 6], 13), mask],
      { scale: 1, hasBias: true, hasMask: true },
      POINT,
      't5',
    );
  });

  it('rope (shared and per-row tables), activations, gated units', async () => {
    await checkOp(ropeOpDef, [hf([2, 3, 2, 8], 1), hf([3, 4], 2), hf([3, 4], 3)], {}, POINT);
    await checkOp(ropeOpDef, [hf([2, 3, 1, 4], 4), hf([2, 3, 2], 5), hf([2, 3, 2], 6)], {}, POINT, 'per-row');
    const x = hf([5, 13], 7, 3);
    await checkOp(geluOp, [x], { approximate: 'none' }, POINT, 'erf');
    await checkOp(geluOp, [x], { approximate: 'tanh' }, POINT, 'tanh');
    for (const op of [siluOp, reluOp, tanhOp]) await checkOp(op, [x], {}, POINT);
    for (const act of ['silu', 'gelu', 'gelu_tanh', 'relu'] as const)
      await checkOp(gatedOp, [x, hf([5, 13], 8)], { act }, POINT, act);
  });

  it('elementwise: add / mul broadcast, scale, in-place addScaled, sumToShape, cast f32', async () => {
    const a = hf([3, 4, 5], 1);
    await checkOp(addOp, [a, hf([4, 5], 2)], {}, POINT);
    await checkOp(mulOp, [a, hf([5], 3)], {}, POINT);
    await checkOp(mulOp, [a, hf([3, 4, 5], 4)], {}, POINT, 'same shape');
    await checkOp(scaleOp, [a], { s: -0.3 }, POINT);
    await checkOp(sumToShapeOp, [a], { shape: [5] }, POINT);
    await checkOp(castOp, [a], { dtype: 'f32' }, EXACT);
    await expect(be.run(castOp, [be.upload([1], [1])], { dtype: 'f16' })).rejects.toThrow(/does not store f16/);
    // addScaled aliases its output to the accumulator: the same tensor object comes back, updated.
    const acc = be.upload([1, 2, 3], [3]);
    const [out] = await be.run(addScaledOp, [acc, be.upload([10, 20, 30], [3])], { alpha: 0.5 });
    expect(out).toBe(acc);
    expect([...(await be.download(acc))]).toEqual([6, 12, 18]);
  });

  it('reductions, sum-all and top-k (ties lower index first)', async () => {
    const x = hf([4, 37], 1, 2);
    for (const op of ['sum', 'max', 'logsumexp', 'sumsq'] as const) await checkOp(reduceRowsOp, [x], { op }, DOT, op);
    for (const op of ['sum', 'sumsq'] as const) await checkOp(sumAllOp, [x], { op }, DOT, op);
    for (const k of [1, 5, 37]) await checkOp(topkOp, [x], { k }, [EXACT, EXACT], `k${k}`);
    const ties: HostTensor = { shape: [1, 6], dtype: 'f32', data: Float64Array.from([1, 3, 3, -0, 0, 3]) };
    await checkOp(topkOp, [ties], { k: 5 }, [EXACT, EXACT], 'ties');
  });

  it('cross-entropy (ignore index, bad label → NaN) and token log-probs', async () => {
    const logits = hf([6, 11], 1, 3);
    const labels = hi([6], Int32Array.from([0, 10, -100, 4, 11, 2]));
    await checkOp(crossEntropyOp, [logits, labels], {}, [POINT, POINT]);
    await checkOp(tokenLogprobsOp, [logits, hi([6], Int32Array.from([0, 10, -1, 4, 11, 2]))], {}, POINT);
  });

  it('concat along axis 1', async () => {
    await checkOp(concatOp, [hf([2, 3, 2, 4], 1), hf([2, 1, 2, 4], 2)], {}, EXACT);
  });

  it('every forward op inference uses has a CPU kernel, training ops have none; outputs are CpuTensors', async () => {
    const [y] = await be.run(scaleOp, [be.upload([1, 2], [2])], { s: 2 });
    expect(y).toBeInstanceOf(CpuTensor);
    const modules = import.meta.glob(['../../../workers/kernels/*/*.ts', '!../../../workers/kernels/**/*.test.ts'], {
      eager: true,
    });
    const ops = new Map<string, OpDef<unknown>>();
    for (const mod of Object.values(modules))
      for (const v of Object.values(mod as Record<string, unknown>)) {
        const op = v as OpDef<unknown>;
        if (
          op &&
          typeof op === 'object' &&
          typeof op.name === 'string' &&
          typeof op.infer === 'function' &&
          typeof op.gpu === 'function'
        )
          ops.set(op.name, op);
      }
    const withCpu = [...ops.values()].filter((op) => op.cpu).map((op) => op.name);
    const gpuOnly = [...ops.values()].filter((op) => !op.cpu).map((op) => op.name);
    const forward = [
      'add',
      'add-scaled',
      'attention',
      'cast',
      'concat',
      'cross-entropy',
      'embedding',
      'gated',
      'gelu',
      'layernorm',
      'linear',
      'matmul',
      'mul',
    ];
    forward.push(
      'reduce-rows',
      'relu',
      'rmsnorm',
      'rope',
      'scale',
      'silu',
      'softmax',
      'sum-all',
      'sum-to-shape',
      'tanh',
      'token-logprobs',
      'topk',
    );
    expect(withCpu.sort()).toEqual(forward.sort());
    const training = [
      'adamw',
      'attention-backward',
      'cross-entropy-backward',
      'embedding-backward',
      'gated-backward',
      'gelu-backward',
      'layernorm-backward',
    ];
    training.push(
      'linear-backward-input',
      'relu-backward',
      'rmsnorm-backward',
      'rope-backward',
      'silu-backward',
      'soft-cross-entropy',
      'soft-cross-entropy-backward',
    );
    training.push('softmax-backward', 'sum-squares', 'tanh-backward');
    expect(gpuOnly.sort()).toEqual(training.sort());
  });
});
