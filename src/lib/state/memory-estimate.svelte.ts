// The memory estimate before a run (issue 6), as state the page reads: for kinds whose runner checks memory
// (Study B), the bytes the run would need by part and the runner's own verdict. `fits` is derived, so the page's
// Run button follows it directly. The config comes from the registry or the demo files at once (construct this
// during component setup: it starts that read in an $effect), from the model's host (config.json only) on load().
import type { ExperimentSpec } from '../../../workers/experiments/specs/index';
import type { GpuInfo } from '../../../workers/gpu/device';
import { configIsLocal, memoryPreview, MIN_CHECK_SEQ_LEN, modelConfig, previewsMemory, type ConfigOrigin } from '../../../workers/experiments/memory-preview';

export interface MemoryEstimateInputs {
  spec: ExperimentSpec | null;
  device?: GpuInfo;
  /** Where the app is served: the demo models' configs are app files. */
  appBaseUrl: string;
  /** Bytes the run may use (default: the device's limits, as the runner decides). */
  budget?: number;
}

type Loaded = { key: string; config?: Record<string, unknown>; origin?: ConfigOrigin; error?: string };

export class MemoryEstimateState {
  busy = $state(false);
  /** The longest row the estimate assumes, in tokens (the user may raise it). */
  seqLen = $state(MIN_CHECK_SEQ_LEN);
  #loaded = $state.raw<Loaded | null>(null);
  readonly #inputs: () => MemoryEstimateInputs;

  /** The spec, when its kind previews memory; null otherwise (then there is nothing to show). */
  readonly trained = $derived.by(() => {
    const { spec } = this.#inputs();
    return spec && previewsMemory(spec) ? spec : null;
  });
  readonly #key = $derived(this.trained ? JSON.stringify(this.trained.model) : '');
  /** The config read for this spec's model (or why it could not be), once read. */
  readonly current = $derived(this.#loaded && this.#loaded.key === this.#key ? this.#loaded : null);
  readonly result = $derived.by(() => {
    if (!this.trained || !this.current?.config) return null;
    const { device, budget } = this.#inputs();
    try {
      return { preview: memoryPreview({ spec: this.trained, config: this.current.config, device, budget, seqLen: Math.max(1, Number(this.seqLen) || MIN_CHECK_SEQ_LEN) }) };
    } catch (e) {
      return { error: (e as Error).message };
    }
  });
  readonly preview = $derived(this.result?.preview ?? null);
  /** Only a computed verdict blocks Run; without one the runner still checks when it starts. */
  readonly fits = $derived(this.preview ? this.preview.check.fits : true);

  constructor(inputs: () => MemoryEstimateInputs) {
    this.#inputs = inputs;
    // Local configs (registry shape, demo files) are read at once; a host is asked only through load().
    $effect(() => {
      if (this.trained && !this.current && !this.busy && configIsLocal(this.trained.model)) void this.load();
    });
  }

  /** Reads the model's config (from its host unless it is local); a spec changed meanwhile discards the answer. */
  async load(): Promise<void> {
    if (!this.trained) return;
    const key = this.#key;
    this.busy = true;
    try {
      const got = await modelConfig({ ref: this.trained.model, appBaseUrl: this.#inputs().appBaseUrl });
      if (key === this.#key) this.#loaded = { key, ...got };
    } catch (e) {
      if (key === this.#key) this.#loaded = { key, error: (e as Error).message };
    } finally {
      this.busy = false;
    }
  }
}
