// Row-wise kernels at transformer sizes: LayerNorm ([256, 768], [512, 768], [128, 1024], [256, 2048]) vs ORT's LayerNormalization, and Softmax
// [3072, 32] vs ORT's Softmax. Softmax is looked up with import.meta.glob so the bench runs (and says "not yet
// available") until workers/kernels/softmax/softmax.ts exists; it is then called as softmax(backend, x).
import type { Backend, Tensor } from '../../workers/backend/backend';
import { layerNorm } from '../../workers/kernels/layernorm/layernorm';
import { ortOneNode } from '../lib/ort';
import type { BenchCase, Runnable } from '../lib/types';

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
const LAYERNORM_SHAPES: [number, number][] = [
  [256, 768],
  [512, 768],
  [128, 1024],
  [256, 2048],
];

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

type SoftmaxFn = (backend: Backend, x: Tensor) => Promise<Tensor | Tensor[]>;
const softmaxModules = import.meta.glob<{ softmax?: SoftmaxFn }>('../../workers/kernels/softmax/softmax.ts');

const softmaxCase: BenchCase = {
  group: 'softmax',
  shape: '3072×32',
  async ours({ backend, random }) {
    const load = Object.values(softmaxModules)[0];
    const softmax = load ? (await load()).softmax : undefined;
    if (!softmax) return null;
    const x = backend.upload(random(3072 * 32), [3072, 32]);
    return runnable(backend, [x], () => softmax(backend, x));
  },
  peer({ random, ortBuild }) {
    return ortOneNode(
      ortBuild,
      {
        opType: 'Softmax',
        opset: 13,
        inputs: [{ name: 'X', shape: [3072, 32] }],
        output: { name: 'Y', shape: [3072, 32] },
        attrs: [{ name: 'axis', int: -1 }],
      },
      [random(3072 * 32)],
    );
  },
};

export const normCases: BenchCase[] = [...LAYERNORM_SHAPES.map(layerNormCase), softmaxCase];
