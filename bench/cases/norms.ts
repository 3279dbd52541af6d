// Row-wise kernels at transformer sizes: LayerNorm ([256, 768], [512, 768], [128, 1024], [256, 2048]) vs ORT's
// LayerNormalization, and Softmax [3072, 32] vs ORT's Softmax; --quick: LayerNorm [16, 64], Softmax [64, 32].
import type { Backend, Tensor } from '../../workers/backend/backend';
import { layerNorm } from '../../workers/kernels/layernorm/layernorm';
import { softmax } from '../../workers/kernels/softmax/softmax';
import { ortOneNode } from '../lib/ort';
import type { BenchCase, BenchScale, Runnable } from '../lib/types';

const EPS = 1e-5;

function runnable(backend: Backend, inputs: Tensor[], op: () => Promise<Tensor | Tensor[]>): Runnable {
  return {
    async run() {
      const out = await op();
      await backend.sync();
      for (const t of Array.isArray(out) ? out : [out]) t.dispose();
    },
    dispose() {
      inputs.forEach((t) => t.dispose());
    },
  };
}

/** LayerNorm at transformer shapes (rows × hidden): xlm-roberta-base batches, and a large model's width. */
const LAYERNORM_FULL: [number, number][] = [
  [256, 768],
  [512, 768],
  [128, 1024],
  [256, 2048],
];
const LAYERNORM_QUICK: [number, number][] = [[16, 64]];

function layerNormCase([rows, C]: [number, number]): BenchCase {
  return {
    group: 'layernorm',
    shape: `${rows}×${C}`,
    async ours({ backend, random }) {
      const x = backend.upload(random(rows * C), [rows, C]);
      const g = backend.upload(random(C), [C]);
      const b = backend.upload(random(C), [C]);
      return runnable(backend, [x, g, b], () => layerNorm(backend, x, g, b, { eps: EPS }));
    },
    peer({ random, ortBuild }) {
      return ortOneNode(
        ortBuild,
        {
          opType: 'LayerNormalization',
          opset: 17,
          inputs: [
            { name: 'X', shape: [rows, C] },
            { name: 'Scale', shape: [C] },
            { name: 'B', shape: [C] },
          ],
          output: { name: 'Y', shape: [rows, C] },
          attrs: [
            { name: 'axis', int: -1 },
            { name: 'epsilon', float: EPS },
          ],
        },
        [random(rows * C), random(C), random(C)],
      );
    },
  };
}

function softmaxCase(rows: number, cols: number): BenchCase {
  return {
    group: 'softmax',
    shape: `${rows}×${cols}`,
    async ours({ backend, random }) {
      const x = backend.upload(random(rows * cols), [rows, cols]);
      return runnable(backend, [x], () => softmax(backend, x));
    },
    peer({ random, ortBuild }) {
      return ortOneNode(
        ortBuild,
        {
          opType: 'Softmax',
          opset: 13,
          inputs: [{ name: 'X', shape: [rows, cols] }],
          output: { name: 'Y', shape: [rows, cols] },
          attrs: [{ name: 'axis', int: -1 }],
        },
        [random(rows * cols)],
      );
    },
  };
}

export function normCases(scale: BenchScale): BenchCase[] {
  if (scale === 'quick') return [...LAYERNORM_QUICK.map(layerNormCase), softmaxCase(64, 32)];
  return [...LAYERNORM_FULL.map(layerNormCase), softmaxCase(3072, 32)];
}
