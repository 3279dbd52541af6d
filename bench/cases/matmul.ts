// f32 matmul C[M, N] = A[M, K]·B[K, N]: ours vs ORT's MatMul node, at 256³, 512×512×2048 and the
// xlm-roberta-base projection shapes (256 tokens: attention projections, FFN up, FFN down); --quick: one small
// non-square shape.
import { matmul } from '../../workers/kernels/matmul/matmul';
import { ortOneNode, ortOutput } from '../lib/ort';
import type { BenchCase, BenchScale } from '../lib/types';

const FULL: [number, number, number][] = [
  [256, 256, 256],
  [512, 512, 2048],
  [256, 768, 768],
  [256, 768, 3072],
  [256, 3072, 768],
];
const QUICK: [number, number, number][] = [[64, 96, 48]];

function graph(M: number, K: number, N: number) {
  return {
    opType: 'MatMul',
    opset: 13,
    inputs: [
      { name: 'A', shape: [M, K] },
      { name: 'B', shape: [K, N] },
    ],
    output: { name: 'C', shape: [M, N] },
  };
}

function matmulCase(M: number, K: number, N: number): BenchCase {
  return {
    group: 'matmul f32',
    shape: `${M}×${K}×${N}`,
    flops: 2 * M * K * N,
    async ours({ backend, random }) {
      const a = backend.upload(random(M * K), [M, K]);
      const b = backend.upload(random(K * N), [K, N]);
      return {
        async run() {
          const c = await matmul(backend, a, b);
          await backend.sync();
          c.dispose();
        },
        dispose() {
          a.dispose();
          b.dispose();
        },
      };
    },
    peer: ({ random, ortBuild }) => ortOneNode(ortBuild, graph(M, K, N), [random(M * K), random(K * N)]),
    async verify({ backend, random, ortBuild }) {
      const [a, b] = [random(M * K), random(K * N)];
      const ta = backend.upload(a, [M, K]);
      const tb = backend.upload(b, [K, N]);
      const tc = await matmul(backend, ta, tb);
      const ours = (await backend.download(tc)) as Float32Array;
      [ta, tb, tc].forEach((t) => t.dispose());
      const peer = await ortOutput(ortBuild, graph(M, K, N), [a, b]);
      return ours.reduce((worst, v, i) => Math.max(worst, Math.abs(v - peer[i])), 0);
    },
  };
}

export function matmulCases(scale: BenchScale): BenchCase[] {
  return (scale === 'quick' ? QUICK : FULL).map(([M, K, N]) => matmulCase(M, K, N));
}
