// Study B loss terms (methods.md B.2) against hand-computed values, and their per-token weights checked against
// float64 central differences of the loss value (the weights are what the GPU CE backward consumes).
import { describe, expect, it } from 'vitest';
import {
  answerTerm,
  gradDiffKl,
  klTerm,
  npoTerm,
  softCrossEntropy,
  type AnswerBatch,
} from '../../workers/analysis/study-b/loss-weights';

const forget: AnswerBatch = {
  nll: [
    [1, 2, 3],
    [4, 5, 0],
  ],
  mask: [
    [0, 1, 1],
    [1, 0, 0],
  ],
};
const unk: AnswerBatch = {
  nll: [
    [0.5, 1],
    [2, 2],
  ],
  mask: [
    [1, 1],
    [0, 1],
  ],
};
const retain = [
  [1, 2],
  [3, 4],
];

function numericGrad(f: (nll: number[][]) => number, nll: number[][], h = 1e-6): number[][] {
  return nll.map((row, b) =>
    row.map((_, t) => {
      const up = nll.map((r) => r.slice());
      const dn = nll.map((r) => r.slice());
      up[b][t] += h;
      dn[b][t] -= h;
      return (f(up) - f(dn)) / (2 * h);
    }),
  );
}

describe('grad_diff_KL', () => {
  it('hand-computed terms, total and weights', () => {
    const r = gradDiffKl({ forget, unk, retainCe: retain });
    // forget means: (2+3)/2 = 2.5 and 4 → 3.25; unk: (0.5+1)/2 = .75 and 2 → 1.375; KL mean 2.5
    expect(r.lGA).toBeCloseTo(-3.25, 15);
    expect(r.lUnk).toBeCloseTo(1.375, 15);
    expect(r.lKL).toBeCloseTo(2.5, 15);
    expect(r.total).toBeCloseTo(0.25 * -3.25 + 0.5 * 1.375 + 2.5, 15);
    expect(r.forgetWeights).toEqual([
      [0, -0.0625, -0.0625],
      [-0.125, 0, 0],
    ]);
    expect(r.unkWeights).toEqual([
      [0.125, 0.125],
      [0, 0.25],
    ]);
    expect(r.retainWeights).toEqual([
      [0.25, 0.25],
      [0.25, 0.25],
    ]);
  });
  it('weights equal central differences of the total', () => {
    const r = gradDiffKl({ forget, unk, retainCe: retain });
    const gf = numericGrad(
      (nll) => gradDiffKl({ forget: { ...forget, nll }, unk, retainCe: retain }).total,
      forget.nll.map((x) => [...x]),
    );
    const gu = numericGrad(
      (nll) => gradDiffKl({ forget, unk: { ...unk, nll }, retainCe: retain }).total,
      unk.nll.map((x) => [...x]),
    );
    const gk = numericGrad(
      (ce) => gradDiffKl({ forget, unk, retainCe: ce }).total,
      retain.map((x) => [...x]),
    );
    for (const [a, n] of [
      [r.forgetWeights, gf],
      [r.unkWeights, gu],
      [r.retainWeights, gk],
    ] as const)
      a.flat().forEach((w, i) => expect(Math.abs(w - n.flat()[i])).toBeLessThan(1e-8));
  });
  it('quirks: pad-id-1 zeroing (opt-in) and the constant 1.0 when w_kl = 0', () => {
    const withIds = {
      ...forget,
      targetIds: [
        [7, 1, 9],
        [1, 7, 7],
      ],
    };
    const t = answerTerm(withIds, { zeroTokenId: 1 });
    // sample 0 keeps only t=2 (3), sample 1 loses its only token → contributes 0
    expect(t.counts).toEqual([1, 0]);
    expect(t.meanNll).toBeCloseTo(1.5, 15);
    const w0 = gradDiffKl({ forget, unk, retainCe: retain, weights: { kl: 0, unlearn: 0.25, unk: 0.5 } });
    expect(w0.total).toBeCloseTo(0.25 * -3.25 + 0.5 * 1.375 + 1.0, 15);
    expect(
      gradDiffKl({ forget, unk, retainCe: retain, weights: { kl: 0, unlearn: 0.25, unk: 0.5 }, klZeroConstant: false })
        .total,
    ).toBeCloseTo(0.25 * -3.25 + 0.5 * 1.375, 15);
  });
  it('KL term averages over every position and soft CE matches a hand case', () => {
    expect(klTerm([[1], [2, 3]]).value).toBe(2);
    // p_θ = softmax([0, 0]) = [.5, .5]; p_ref = [1, 0] → −log(.5 + 1e-12)
    expect(softCrossEntropy({ refProbs: [1, 0], logits: [0, 0] })).toBeCloseTo(-Math.log(0.5 + 1e-12), 15);
  });
});

describe('NPO', () => {
  it('hand case: equal θ and reference → 2·ln 2, weight −1 per answer token (β = 1)', () => {
    const r = npoTerm({ theta: { nll: [[1, 1]], mask: [[1, 1]] }, refNll: [2] });
    expect(r.value).toBeCloseTo(2 * Math.LN2, 15);
    expect(r.weights).toEqual([[-1, -1]]);
  });
  it('weights equal central differences for β = 0.5 on a ragged batch', () => {
    const theta: AnswerBatch = {
      nll: [
        [0.3, 1.2, 0],
        [2.5, 0.1, 0.7],
      ],
      mask: [
        [1, 1, 0],
        [0, 1, 1],
      ],
    };
    const refNll = [1.0, 0.2];
    const r = npoTerm({ theta, refNll, beta: 0.5 });
    const g = numericGrad(
      (nll) => npoTerm({ theta: { ...theta, nll }, refNll, beta: 0.5 }).value,
      theta.nll.map((x) => [...x]),
    );
    r.weights.flat().forEach((w, i) => expect(Math.abs(w - g.flat()[i])).toBeLessThan(1e-8));
  });
});
