// The Study B results view renders (server-side, Svelte 5) from a result assembled by the runner's own result
// functions: one stacked bar per language and phase, the transfer heatmaps and a chart per loss term.
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import GeoUnlearningView from '../../src/lib/components/geo-unlearning-view.svelte';
import type { AnswerClass } from '../../workers/analysis/study-b/extract';
import type { ItemPrediction } from '../../workers/experiments/study-b/evaluate';
import { predictionTable, rateRows, ratesTable, transferOf } from '../../workers/experiments/study-b/results';
import type { GeoUnlearningResult } from '../../workers/contract/results/geo-unlearning';

function preds(language: string, classes: AnswerClass[]): ItemPrediction[] {
  return classes.map((cls, item) => ({
    language,
    mode: 'likelihood',
    item,
    identity: 'X',
    attribute: 'y',
    options: ['a', 'b', 'c', 'd', 'e'],
    targetIndex: 0,
    unknownIndex: 4,
    chosen: 0,
    cls,
    clsStudy: cls,
  }));
}

describe('GeoUnlearningView', () => {
  it('renders rate bars with CIs, transfer heatmaps and loss curves', () => {
    const before = [
      ...preds('en', ['stereotype', 'stereotype', 'other', 'unknown']),
      ...preds('fr', ['stereotype', 'other', 'other', 'other']),
    ];
    const after = [
      ...preds('en', ['unknown', 'stereotype', 'unknown', 'unknown']),
      ...preds('fr', ['stereotype', 'unknown', 'other', 'other']),
    ];
    const rates = [...rateRows(before, 'before', ['likelihood']), ...rateRows(after, 'after', ['likelihood'])];
    const transfer = transferOf(rates, 'en', ['en', 'fr'], ['likelihood']);
    expect(transfer[0].delta[1]).toEqual([-0.25, 0]);
    const result: GeoUnlearningResult = {
      kind: 'geo-unlearning',
      summary: 's',
      trainLanguage: 'en',
      loss: 'grad-diff-kl',
      languages: ['en', 'fr'],
      modes: ['likelihood'],
      split: 'seed 1',
      rates,
      transfer,
      curves: ['loss', 'L_GA', 'L_unk', 'L_KL'].map((name) => ({
        name,
        points: [
          [1, 2],
          [2, 1.5],
        ] as [number, number][],
      })),
      memory: {
        weights: 1,
        lora: 1,
        optimizer: 1,
        activations: 1,
        logits: 1,
        total: 5,
        largestBuffer: 1,
        largestName: 'x',
      },
      stepMs: 1200,
      steps: 2,
      model: 'demo/tiny-llama',
      tables: {
        predictions: predictionTable(
          [...before, ...after].map((p, i) => ({ ...p, phase: i < before.length ? 'before' : 'after' })),
        ),
        rates: ratesTable(rates),
        transfer: { columns: [], rows: [] },
      },
    };
    const { body } = render(GeoUnlearningView, { props: { result } });
    expect(body).toContain('data-rate-bars');
    // 3 rows (en, fr, overall) × before/after × 3 classes.
    expect(body.match(/<rect [^>]*fill="#c0392b"/g)).toHaveLength(6);
    expect(body.match(/class="ci[ "]/g)).toHaveLength(6); // Svelte appends its scoping class
    expect(body.match(/data-heatmap/g)).toHaveLength(2);
    expect(body).toContain('L_KL (cross-entropy to the adapter-off reference, retain set)');
    expect(body).toContain('1.20 s per step');
    // Older results (no evalSplit) were all held-out; an in-sample result says so above the charts.
    expect(body).toContain('data-eval-split="held-out"');
    const inSample = render(GeoUnlearningView, {
      props: { result: { ...result, evalSplit: 'in-sample', trainRows: 6781 } },
    }).body;
    expect(inSample).toMatch(
      /data-eval-split="in-sample"[^>]*><strong>In-sample evaluation:<\/strong> every rate below is counted on the rows the model was unlearned on \(6781 rows in en\)/,
    );
    expect(inSample).not.toContain('data-eval-split="held-out"');
  });
});
