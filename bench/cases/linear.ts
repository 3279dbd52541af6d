// linear (y = x·Wᵀ, W [N, K] as stored in checkpoints) with f32, q8 and q4 weights at the xlm-roberta-base FFN
// shape, and its input gradient (dx = dy·W, the LoRA path through frozen weights). The peer is ORT's f32 MatMul
// of the same size: it has no counterpart of our quantised formats in a one-node graph, so for q8/q4 the ratio
// says what quantised weights cost or save relative to a plain f32 matmul, not a like-for-like race.
// --quick: 32 × 64 → 128.
import type { Tensor } from '../../workers/backend/backend';
import { linear, linearBackwardInput } from '../../workers/kernels/linear/linear';
import { quantize } from '../../workers/kernels/quantize/quantize';
import { ortOneNode } from '../lib/ort';
import type { BenchCase, BenchEnv, BenchScale } from '../lib/types';

type WDType = 'f32' | 'q8' | 'q4';
/** Rows M, in features K, out features N. */
type Dims = [number, number, number];
const FULL: Dims = [256, 768, 3072];
const QUICK: Dims = [32, 64, 128];

function weight({ backend, random }: BenchEnv, dtype: WDType, [, K, N]: Dims): Tensor {
  const w = random(N * K);
  return dtype === 'f32' ? backend.upload(w, [N, K]) : backend.upload(quantize(w, [N, K], dtype), [N, K], dtype);
}

function ortMatmul(env: BenchEnv, rows: number, inner: number, cols: number) {
  return ortOneNode(
    env.ortBuild,
    {
      opType: 'MatMul',
      opset: 13,
      inputs: [
        { name: 'A', shape: [rows, inner] },
        { name: 'B', shape: [inner, cols] },
      ],
      output: { name: 'C', shape: [rows, cols] },
    },
    [env.random(rows * inner), env.random(inner * cols)],
  );
}

function forwardCase(dtype: WDType, dims: Dims): BenchCase {
  const [M, K, N] = dims;
  return {
    group: `linear ${dtype}`,
    shape: `${M}×${K}→${N}`,
    flops: 2 * M * K * N,
    async ours(env) {
      const { backend, random } = env;
      const x = backend.upload(random(M * K), [M, K]);
      const w = weight(env, dtype, dims);
      const b = backend.upload(random(N), [N]);
      return {
        async run() {
          const y = await linear(backend, x, w, b);
          await backend.sync();
          y.dispose();
        },
        dispose: () => [x, w, b].forEach((t) => t.dispose()),
      };
    },
    peer: (env) => ortMatmul(env, M, K, N),
  };
}

function backwardCase(dtype: WDType, dims: Dims): BenchCase {
  const [M, K, N] = dims;
  return {
    group: `linear dx ${dtype}`,
    shape: `${M}×${N}→${K}`,
    flops: 2 * M * K * N,
    async ours(env) {
      const { backend, random } = env;
      const dy = backend.upload(random(M * N), [M, N]);
      const w = weight(env, dtype, dims);
      return {
        async run() {
          const dx = await linearBackwardInput(backend, dy, w);
          await backend.sync();
          dx.dispose();
        },
        dispose: () => [dy, w].forEach((t) => t.dispose()),
      };
    },
    peer: (env) => ortMatmul(env, M, N, K),
  };
}

export function linearCases(scale: BenchScale): BenchCase[] {
  const dims = scale === 'quick' ? QUICK : FULL;
  return [
    forwardCase('f32', dims),
    forwardCase('q8', dims),
    forwardCase('q4', dims),
    backwardCase('f32', dims),
    backwardCase('q4', dims),
  ];
}
