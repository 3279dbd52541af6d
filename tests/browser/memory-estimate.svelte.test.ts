// The memory estimate component in headless Chromium, asking the lab engine: the demo model's config is read from the app's demo files
// and the run fits; a registry model (Llama-3.2-1B's shape) in f32 under a 4 GiB budget is refused in words with
// the reason and `fits` goes false for the page's Run button, then fits again in q4; a model the registry does
// not know is not fetched until the user asks.
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import MemoryEstimate from '../../src/lib/components/memory-estimate.svelte';
import { MemoryEstimateState } from '../../src/lib/state/memory-estimate.svelte';
import { demoGeoUnlearningSpec, type GeoUnlearningSpec } from '../../workers/contract/specs/geo-unlearning';
import { demoSpec, type ExperimentSpec } from '../../workers/contract/specs/index';
import { createLabHost } from '../../workers/experiments/lab-host';

// The lab engine in this page (the worker runs the same host), answering on this browser's real WebGPU device.
const engine = createLabHost({ gpu: navigator.gpu });

let cleanup: (() => void) | null = null;
afterEach(() => {
  cleanup?.();
  cleanup = null;
});

function setup(spec: ExperimentSpec) {
  const target = document.createElement('div');
  document.body.append(target);
  const state = $state({ spec });
  // The page builds the estimate during its setup and passes it down; Run follows `estimate.fits`.
  let estimate!: MemoryEstimateState;
  // The test server serves static/ at its root, as the built app does.
  const stop = $effect.root(() => {
    estimate = new MemoryEstimateState(
      () => ({ spec: state.spec, appBaseUrl: `${location.origin}/`, budget: 4 * 2 ** 30 }),
      engine,
    );
  });
  const app = mount(MemoryEstimate, { target, props: { estimate } });
  flushSync();
  cleanup = () => (unmount(app), stop(), target.remove());
  return { target, state, estimate };
}

async function until(cond: () => boolean, what: string) {
  const t0 = performance.now();
  while (!cond()) {
    if (performance.now() - t0 > 10_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
    flushSync();
  }
}

const text = (el: Element) => el.textContent?.replace(/\s+/g, ' ').trim() ?? '';

function llama1b(weights: GeoUnlearningSpec['weights']): GeoUnlearningSpec {
  const s = demoGeoUnlearningSpec();
  return { ...s, weights, model: { id: 'meta-llama/Llama-3.2-1B-Instruct', revision: 'main' } };
}

describe('memory estimate component', () => {
  it('reads the demo model’s config from the app’s files and says the demo run fits', async () => {
    const { target, estimate } = setup(demoGeoUnlearningSpec());
    await until(
      () => !!target.querySelector('#memory-verdict') || /No estimate/.test(text(target)),
      'the demo estimate',
    );
    expect(text(target)).not.toMatch(/No estimate/);
    const rows = [...target.querySelectorAll('tbody tr')].map((r) => text(r.querySelector('th')!));
    expect(rows).toEqual(['weights (f32)', 'LoRA + optimizer', 'activations', 'logits', 'total', 'budget']);
    expect(text(target)).toMatch(/From the app’s demo files/);
    expect(text(target.querySelector('#memory-verdict')!)).toMatch(/^Fits: needs [\d.]+ GiB of the 4\.0 GiB budget$/);
    expect(target.querySelector('#memory-verdict')!.getAttribute('role')).toBe('status');
    expect(estimate.fits).toBe(true);
  });

  it('refuses a 1B model in f32 with the reason, and fits again in q4', async () => {
    const { target, state, estimate } = setup(llama1b('f32'));
    await until(() => !!target.querySelector('#memory-verdict'), 'the 1B estimate');
    const verdict = () => text(target.querySelector('#memory-verdict')!);
    expect(verdict()).toMatch(/^Does not fit, Run is disabled: needs \d\.\d GiB, budget 4\.0 GiB: .*choose q4 weights/);
    expect(text(target)).toMatch(/From the model registry/);
    expect(estimate.fits).toBe(false);
    state.spec = llama1b('q4');
    // The engine answers the new question asynchronously; the verdict shown is always the current spec's.
    await until(() => /^Fits: /.test(text(target.querySelector('#memory-verdict') ?? target)), 'the q4 verdict');
    expect(estimate.fits).toBe(true);
  });

  it('asks before fetching a config from a host the registry does not describe', async () => {
    const spec = { ...demoGeoUnlearningSpec(), model: { id: 'someone/unknown-llama', revision: 'main' } };
    const { target, estimate } = setup(spec);
    const button = [...target.querySelectorAll('button')].find((b) => text(b) === 'Estimate memory');
    expect(button).toBeTruthy();
    expect(text(target)).toMatch(/needs the model’s config\.json \(a few KB from its host, not the weights\)/);
    expect(estimate.fits).toBe(true);
  });

  it('shows nothing for kinds whose runner has no memory check', () => {
    const { target } = setup(demoSpec('emotion-profiles'));
    expect(target.querySelector('[data-testid=memory-estimate]')).toBeNull();
  });
});
